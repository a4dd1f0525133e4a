// GeoTIFF writing: a chip as a tiled, DEFLATE-compressed, georeferenced (Cloud Optimized) GeoTIFF.
// Pure encoding to bytes (deterministic: same chip and options, same bytes) plus an atomic file write.
import type { Band, Chip } from "@eoforge/core"
import { Crs, DType } from "@eoforge/core"
import { Effect, Schema } from "effect"
import { rename, unlink, writeFile } from "node:fs/promises"
import { endianness } from "node:os"
import { deflateSync } from "node:zlib"
import { ASCII, DOUBLE, ifdSize, LONG, putIfd, SHORT, type Tag } from "./internal/ifdWriter.ts"
import { type Level, reduce, sameNodata } from "./internal/overviewReduce.ts"

/** How overview levels are computed from the level above (2 × 2 blocks); `none` writes no overviews. */
export type OverviewResampling = "none" | "average" | "nearest" | "mode"

/** What to write besides the pixels. */
export interface Options {
  /** Band descriptions in chip order: name → GDAL band description; unit, scale/offset, wavelength too. */
  readonly bands?: ReadonlyArray<Band.BandSpec> | undefined
  /** The nodata value of every band (GDAL_NODATA holds one value per file); default: the bands' nodata. */
  readonly nodata?: number | undefined
  /** Tile width and height in pixels, a multiple of 16; default 256. */
  readonly tileSize?: number | undefined
  /** Apply a predictor before DEFLATE (2 horizontal for integers, 3 floating point for floats); default true. */
  readonly predictor?: boolean | undefined
  /** zlib level 1–9; default 6. */
  readonly level?: number | undefined
  /** Internal overviews halving the size until it fits one tile; default `none`. */
  readonly overviews?: OverviewResampling | undefined
  /** Dataset-level metadata items (GDAL_METADATA), written in key order. */
  readonly metadata?: Readonly<Record<string, string>> | undefined
  /** Override the projected/geographic decision made from the EPSG code (4000–4999 geographic). */
  readonly modelType?: "projected" | "geographic" | undefined
}

/** A chip or options that cannot be written, or a file that could not be written. */
export class GeoTiffWriteError extends Schema.TaggedError<GeoTiffWriteError>()(
  "GeoTiffWriteError",
  {
    target: Schema.String,
    message: Schema.String,
    cause: Schema.optional(Schema.Defect())
  }
) {}

const fail = (message: string): never => {
  throw new GeoTiffWriteError({ target: "chip", message })
}

const sampleFormat = (dtype: DType.DType): number =>
  DType.isFloat(dtype) ? 3 : dtype.startsWith("int") ? 2 : 1

/** Whether an EPSG code is read as geographic (degrees) by default: the 4000–4999 block of EPSG. */
export const isGeographicEpsg = (code: number): boolean => code >= 4000 && code < 5000

const resolveNodata = (options: Options): number | undefined => {
  if (options.nodata !== undefined) return options.nodata
  const values = (options.bands ?? []).flatMap((b) => (b.nodata === undefined ? [] : [b.nodata]))
  if (values.length === 0) return undefined
  if (values.some((v) => !sameNodata(v, values[0]))) {
    fail(
      `bands declare different nodata values (${values.join(", ")}); GeoTIFF holds one: pass options.nodata`
    )
  }
  if (values.length !== (options.bands ?? []).length) {
    fail(
      "only some bands declare nodata; GeoTIFF holds one value for all bands: pass options.nodata"
    )
  }
  return values[0]
}

// Masked pixels become nodata, so the file alone says which pixels are missing.
const applyMask = (chip: Chip.Chip, nodata: number | undefined): DType.TypedArray => {
  const mask = chip.mask
  if (mask === undefined) return chip.data
  const n = chip.grid.width * chip.grid.height
  const out = chip.data.slice() as DType.TypedArray
  let masked = 0
  for (let i = 0; i < out.length; i++) {
    if (mask[mask.length === n ? i % n : i] !== 1) {
      masked++
      if (nodata !== undefined) out[i] = nodata
    }
  }
  if (masked > 0 && nodata === undefined) {
    fail(
      `chip has ${masked} masked values but no nodata value to write them as: pass options.nodata`
    )
  }
  return out
}

const unsignedView = (
  buffer: ArrayBuffer,
  bytes: number
): Uint8Array | Uint16Array | Uint32Array =>
  bytes === 1
    ? new Uint8Array(buffer)
    : bytes === 2
      ? new Uint16Array(buffer)
      : new Uint32Array(buffer)

// TIFF predictor 2: each sample minus its left neighbour, modulo 2^bits, row by row.
const horizontalDifference = (tile: ArrayBuffer, size: number, bytes: number): void => {
  const v = unsignedView(tile, bytes)
  for (let row = 0; row < size; row++) {
    const start = row * size
    for (let i = start + size - 1; i > start; i--) v[i] = v[i] - v[i - 1]
  }
}

// TIFF predictor 3: bytes of each row regrouped most significant first, then byte-wise differences.
const floatingPointDifference = (tile: ArrayBuffer, size: number, bytes: number): Uint8Array => {
  const src = new Uint8Array(tile)
  const out = new Uint8Array(src.length)
  const rowBytes = size * bytes
  for (let row = 0; row < size; row++) {
    const base = row * rowBytes
    for (let i = 0; i < size; i++) {
      for (let b = 0; b < bytes; b++)
        out[base + (bytes - 1 - b) * size + i] = src[base + i * bytes + b]
    }
    for (let k = base + rowBytes - 1; k > base; k--) out[k] = out[k] - out[k - 1]
  }
  return out
}

// Tiles of one level, band-major then row-major (PlanarConfiguration 2), each compressed.
const encodeTiles = (
  level: Level,
  bands: number,
  dtype: DType.DType,
  size: number,
  fill: number,
  predictor: number,
  zlevel: number
): Array<Uint8Array> => {
  const { width: w, height: h, data } = level
  const across = Math.ceil(w / size)
  const down = Math.ceil(h / size)
  const bytes = DType.byteSize(dtype)
  const tiles: Array<Uint8Array> = []
  for (let b = 0; b < bands; b++) {
    const plane = b * w * h
    for (let ty = 0; ty < down; ty++) {
      for (let tx = 0; tx < across; tx++) {
        const tile = DType.alloc(dtype, size * size)
        // Padding outside the raster is nodata (or 0): deterministic and compresses to nothing.
        if (fill !== 0) tile.fill(fill)
        const cols = Math.min(size, w - tx * size)
        const rows = Math.min(size, h - ty * size)
        for (let r = 0; r < rows; r++) {
          const from = plane + (ty * size + r) * w + tx * size
          tile.set(data.subarray(from, from + cols), r * size)
        }
        const buffer = tile.buffer as ArrayBuffer
        let raw: Uint8Array = new Uint8Array(buffer)
        if (predictor === 2) horizontalDifference(buffer, size, bytes)
        else if (predictor === 3) raw = floatingPointDifference(buffer, size, bytes)
        tiles.push(new Uint8Array(deflateSync(raw, { level: zlevel })))
      }
    }
  }
  return tiles
}

const xmlEscape = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")

/** The GDAL_METADATA XML for dataset items and band descriptions, or undefined when there is none. */
export const gdalMetadataXml = (
  metadata: Readonly<Record<string, string>>,
  bands: ReadonlyArray<Band.BandSpec>
): string | undefined => {
  const items: Array<string> = []
  const item = (name: string, value: string, sample?: number, role?: string): void => {
    const s = sample === undefined ? "" : ` sample="${sample}"`
    const r = role === undefined ? "" : ` role="${role}"`
    items.push(`  <Item name="${xmlEscape(name)}"${s}${r}>${xmlEscape(value)}</Item>`)
  }
  for (const key of Object.keys(metadata).sort()) item(key, metadata[key])
  bands.forEach((b, i) => {
    item("DESCRIPTION", b.name, i, "description")
    if (b.scale !== undefined || b.offset !== undefined) {
      item("SCALE", String(b.scale ?? 1), i, "scale")
      item("OFFSET", String(b.offset ?? 0), i, "offset")
    }
    if (b.unit !== undefined) item("UNITTYPE", b.unit, i, "unittype")
    if (b.description !== undefined) item("long_name", b.description, i)
    if (b.wavelengthNm !== undefined) item("wavelength_nm", String(b.wavelengthNm), i)
    if (b.polarisation !== undefined) item("polarisation", b.polarisation, i)
  })
  return items.length === 0 ? undefined : `<GDALMetadata>\n${items.join("\n")}\n</GDALMetadata>\n`
}

/** The text GDAL writes in GDAL_NODATA for a value (`nan`, `inf`, `-inf`, or the shortest decimal). */
export const formatNodata = (v: number): string =>
  Number.isNaN(v) ? "nan" : v === Infinity ? "inf" : v === -Infinity ? "-inf" : String(v)

/**
 * Encode a chip as a GeoTIFF: tiled (PlanarConfiguration 2, one plane per band), DEFLATE, little-endian
 * classic TIFF in COG order (all IFDs first, then tiles from the smallest overview to full resolution).
 * Throws GeoTiffWriteError on a chip or options that cannot be written.
 */
export const encodeSync = (chip: Chip.Chip, options: Options = {}): Uint8Array => {
  if (endianness() !== "LE") fail("GeoTIFF encoding assumes a little-endian host")
  const { grid, dtype, bands } = chip
  const size = options.tileSize ?? 256
  const zlevel = options.level ?? 6
  const code = Crs.epsgCode(grid.crs) ?? 0
  if (!Number.isInteger(code) || code <= 0 || code > 65535) {
    fail(
      `CRS ${Crs.format(grid.crs)} has no EPSG code a GeoKey can hold; reproject the chip to an EPSG CRS`
    )
  }
  if (!Number.isInteger(bands) || bands < 1) fail(`chip has ${bands} bands; it needs at least one`)
  if (chip.data.length !== bands * grid.width * grid.height) {
    fail(
      `chip data holds ${chip.data.length} values, expected bands × height × width = ${bands} × ${grid.height} × ${grid.width}`
    )
  }
  if (DType.of(chip.data) !== dtype)
    fail(`chip dtype ${dtype} does not match its ${DType.of(chip.data)} data`)
  if (!Number.isInteger(size) || size < 16 || size % 16 !== 0) {
    fail(`tile size ${size} is not a positive multiple of 16 (TIFF requires it); use e.g. 256`)
  }
  if (!Number.isInteger(zlevel) || zlevel < 1 || zlevel > 9)
    fail(`DEFLATE level ${zlevel} is not 1–9`)
  if (options.bands !== undefined && options.bands.length !== bands) {
    fail(`${options.bands.length} band descriptions given for a chip of ${bands} bands`)
  }
  const nodata = resolveNodata(options)
  if (nodata !== undefined && !DType.isFloat(dtype)) {
    const [lo, hi] = DType.range(dtype)
    if (!Number.isInteger(nodata) || nodata < lo || nodata > hi) {
      fail(`nodata ${nodata} is not a ${dtype} value; choose one in [${lo}, ${hi}]`)
    }
  }
  const mask = chip.mask
  const n = grid.width * grid.height
  if (mask !== undefined && mask.length !== n && mask.length !== bands * n) {
    fail(`chip mask holds ${mask.length} values, expected ${n} or ${bands * n}`)
  }
  const geographic =
    options.modelType === undefined ? isGeographicEpsg(code) : options.modelType === "geographic"

  const levels: Array<Level> = [
    { width: grid.width, height: grid.height, data: applyMask(chip, nodata) }
  ]
  const how = options.overviews ?? "none"
  while (how !== "none") {
    const last = levels[levels.length - 1]
    if (last.width <= size && last.height <= size) break
    levels.push(reduce(last, bands, dtype, how, nodata))
  }
  const predictor = options.predictor === false ? 1 : DType.isFloat(dtype) ? 3 : 2
  const fill = nodata === undefined || Number.isNaN(nodata) ? 0 : nodata
  const tiles = levels.map((l) => encodeTiles(l, bands, dtype, size, fill, predictor, zlevel))

  const bits = DType.byteSize(dtype) * 8
  const xml = gdalMetadataXml(options.metadata ?? {}, options.bands ?? [])
  const tagsOf = (l: number, offsets: ReadonlyArray<number>): Array<Tag> => {
    const level = levels[l]
    const tags: Array<Tag> = [
      { code: 256, type: LONG, values: [level.width] },
      { code: 257, type: LONG, values: [level.height] },
      { code: 258, type: SHORT, values: Array(bands).fill(bits) },
      { code: 259, type: SHORT, values: [8] },
      { code: 262, type: SHORT, values: [1] },
      { code: 277, type: SHORT, values: [bands] },
      { code: 284, type: SHORT, values: [2] },
      { code: 317, type: SHORT, values: [predictor] },
      { code: 322, type: SHORT, values: [size] },
      { code: 323, type: SHORT, values: [size] },
      { code: 324, type: LONG, values: offsets },
      { code: 325, type: LONG, values: tiles[l].map((t) => t.length) },
      { code: 339, type: SHORT, values: Array(bands).fill(sampleFormat(dtype)) }
    ]
    if (bands > 1) tags.push({ code: 338, type: SHORT, values: Array(bands - 1).fill(0) })
    if (nodata !== undefined) tags.push({ code: 42113, type: ASCII, values: formatNodata(nodata) })
    if (l > 0) {
      tags.push({ code: 254, type: LONG, values: [1] })
      return tags
    }
    const keys = geographic
      ? [1024, 0, 1, 2, 1025, 0, 1, 1, 2048, 0, 1, code, 2054, 0, 1, 9102]
      : [1024, 0, 1, 1, 1025, 0, 1, 1, 3072, 0, 1, code, 3076, 0, 1, 9001]
    tags.push(
      { code: 33550, type: DOUBLE, values: [grid.resolution, grid.resolution, 0] },
      { code: 33922, type: DOUBLE, values: [0, 0, 0, grid.x0, grid.y0, 0] },
      { code: 34735, type: SHORT, values: [1, 1, 0, keys.length / 4, ...keys] }
    )
    if (xml !== undefined) tags.push({ code: 42112, type: ASCII, values: xml })
    return tags
  }

  // IFD sizes do not depend on offset values, so the layout is fixed before anything is written.
  const placeholder = (l: number): Array<number> => tiles[l].map(() => 0)
  const ifdStarts: Array<number> = []
  let cursor = 8
  levels.forEach((_, l) => {
    ifdStarts.push(cursor)
    cursor += ifdSize(tagsOf(l, placeholder(l)))
  })
  const offsets: Array<Array<number>> = levels.map(() => [])
  for (let l = levels.length - 1; l >= 0; l--) {
    for (const t of tiles[l]) {
      offsets[l].push(cursor)
      cursor += t.length
    }
  }
  if (cursor > 0xffffffff) fail(`GeoTIFF of ${cursor} bytes needs BigTIFF; write a smaller chip`)

  const out = new Uint8Array(cursor)
  const view = new DataView(out.buffer)
  out.set([0x49, 0x49, 42, 0])
  view.setUint32(4, 8, true)
  levels.forEach((_, l) => {
    putIfd(view, ifdStarts[l], tagsOf(l, offsets[l]), l + 1 < levels.length ? ifdStarts[l + 1] : 0)
    tiles[l].forEach((t, i) => out.set(t, offsets[l][i]))
  })
  return out
}

/** Encode a chip as GeoTIFF bytes (see encodeSync), failing with GeoTiffWriteError. */
export const encode = (
  chip: Chip.Chip,
  options: Options = {}
): Effect.Effect<Uint8Array, GeoTiffWriteError> =>
  Effect.try({
    try: () => encodeSync(chip, options),
    catch: (e) =>
      e instanceof GeoTiffWriteError
        ? e
        : new GeoTiffWriteError({
            target: "chip",
            message: `encoding failed: ${String(e)}`,
            cause: e
          })
  })

/** Write a chip as a GeoTIFF file atomically: to `<path>.partial`, then renamed over `path`. */
export const write = Effect.fn("GeoTiffWriter.write")(function* (
  path: string,
  chip: Chip.Chip,
  options: Options = {}
) {
  const bytes = yield* encode(chip, options).pipe(
    Effect.mapError(
      (e) => new GeoTiffWriteError({ target: path, message: e.message, cause: e.cause })
    )
  )
  const partial = `${path}.partial`
  yield* Effect.tryPromise({
    try: async () => {
      try {
        await writeFile(partial, bytes)
        await rename(partial, path)
      } catch (e) {
        await unlink(partial).catch(() => undefined)
        throw e
      }
    },
    catch: (e) =>
      new GeoTiffWriteError({
        target: path,
        message: `cannot write ${path}: ${(e as Error).message}; check the directory exists and is writable`,
        cause: e
      })
  })
})
