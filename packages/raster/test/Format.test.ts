// Formats behind RasterSource: a format only decodes windows; resampling is shared, so a raster read through a
// registered format gives the same chips as the same pixels read from a GeoTIFF, for every rule and grid.
import { assert, describe, it } from "@effect/vitest"
import { Chip, Crs, DType, PixelGrid, type Band } from "@eoforge/core"
import { Effect } from "effect"
import proj4 from "proj4"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Format, GeoTiffWriter, RasterSource } from "../src/index.ts"

const magic = new TextEncoder().encode("EOFRAW1\n")

interface RawHeader {
  readonly width: number
  readonly height: number
  readonly bands: number
  readonly epsg: number
  readonly geoTransform: readonly [number, number, number, number, number, number]
  readonly nodata?: number
}

/** A test format: magic, a 4-byte JSON length, JSON header, then band-sequential little-endian uint16. */
const encodeRaw = (h: RawHeader, data: Uint16Array): Uint8Array => {
  const json = new TextEncoder().encode(JSON.stringify(h))
  const out = new Uint8Array(magic.length + 4 + json.length + data.byteLength)
  out.set(magic, 0)
  new DataView(out.buffer).setUint32(magic.length, json.length, true)
  out.set(json, magic.length + 4)
  out.set(
    new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    magic.length + 4 + json.length
  )
  return out
}

const startsWith = (head: Uint8Array, prefix: Uint8Array) =>
  head.length >= prefix.length && prefix.every((b, i) => head[i] === b)

const rawFormat = (reads: { windows: number }): Format.Format => ({
  name: "EOFRAW",
  sniff: (head) => startsWith(head, magic),
  open: async ({ bytes }) => {
    const [lenBuf] = await bytes.fetch([{ offset: magic.length, length: 4 }])
    const length = new DataView(lenBuf).getUint32(0, true)
    const [jsonBuf] = await bytes.fetch([{ offset: magic.length + 4, length }])
    const h = JSON.parse(new TextDecoder().decode(jsonBuf)) as RawHeader
    const dataStart = magic.length + 4 + length
    const plane = h.width * h.height
    return {
      header: {
        width: h.width,
        height: h.height,
        bands: h.bands,
        dtype: "uint16",
        crs: Crs.epsg(h.epsg),
        geoTransform: h.geoTransform,
        nodata: h.nodata,
        scale: Array.from({ length: h.bands }, () => 1),
        offset: Array.from({ length: h.bands }, () => 0),
        descriptions: Array.from({ length: h.bands }, () => undefined),
        classes: Array.from({ length: h.bands }, () => undefined),
        blockWidth: h.width,
        blockHeight: 1
      },
      levels: [
        {
          width: h.width,
          height: h.height,
          read: async ([x0, y0, x1, y1], bands, destination) => {
            reads.windows++
            const w = x1 - x0
            const out = bands.map(() => new Uint16Array(w * (y1 - y0)))
            for (const [i, b] of bands.entries()) {
              for (let y = y0; y < y1; y++) {
                const [row] = await bytes.fetch([
                  { offset: dataStart + 2 * (b * plane + y * h.width + x0), length: 2 * w }
                ])
                const values = new Uint16Array(row.slice(0))
                if (destination === undefined) out[i].set(values, (y - y0) * w)
                else {
                  const d = destination
                  d.arrays[i].set(values, (y - y0 + d.dy) * d.stride + d.dx)
                  if (d.seen !== undefined && values.includes(d.nodata ?? NaN)) d.seen.nodata = true
                }
              }
            }
            return destination === undefined ? out : []
          }
        }
      ]
    }
  }
})

/** A wrapper format: magic "EOFWRAP\n" then a GeoTIFF, opened through `openNested`. */
const wrapMagic = new TextEncoder().encode("EOFWRAP\n")
const wrapFormat: Format.Format = {
  name: "EOFWRAP",
  sniff: (head) => startsWith(head, wrapMagic),
  open: ({ uri, bytes, openNested }) =>
    openNested(`${uri}#member=inner.tif`, {
      fileSize: bytes.fileSize === null ? null : bytes.fileSize - wrapMagic.length,
      stats: bytes.stats,
      close: () => Promise.resolve(),
      fetch: (slices, signal) =>
        bytes.fetch(
          slices.map((s) => ({ offset: s.offset + wrapMagic.length, length: s.length })),
          signal
        )
    })
}

const seeded = (seed: number) => () => {
  seed = (seed * 1103515245 + 12345) % 2147483648
  return seed / 2147483648
}

const variants = [
  {
    name: "UTM 32N, 20 m",
    epsg: 32632,
    gt: [500_000, 20, 0, 5_300_000, 0, -20] as const,
    nodata: 0
  },
  { name: "UTM 33S, 10 m", epsg: 32733, gt: [300_010, 10, 0, 8_000_000, 0, -10] as const },
  { name: "WGS 84 degrees", epsg: 4326, gt: [7.2, 0.0002, 0, 46.1, 0, -0.0002] as const, nodata: 7 }
]

const proj4Of = (epsg: number) =>
  epsg === 4326
    ? "+proj=longlat +datum=WGS84"
    : `+proj=utm +zone=${epsg % 100} ${epsg > 32700 ? "+south " : ""}+datum=WGS84`

/** A 40 × 40 grid in another CRS (UTM 32N for degrees, degrees for UTM) centred on (x, y) of `epsg`. */
const otherGrid = (epsg: number, x: number, y: number): PixelGrid.PixelGrid => {
  const target = epsg === 4326 ? 32632 : 4326
  const [cx, cy] = proj4(proj4Of(epsg), proj4Of(target), [x, y])
  const res = target === 4326 ? 0.00031 : 31
  return PixelGrid.make(Crs.epsg(target), cx - 20 * res, cy + 20 * res, res, 40, 40)
}

const rules: ReadonlyArray<Band.Resampling> = ["nearest", "bilinear", "cubic", "average", "mode"]

describe("raster formats behind RasterSource", () => {
  for (const [k, v] of variants.entries()) {
    it.effect(
      `${v.name}: a registered format reads the same chips as the GeoTIFF of its pixels`,
      () =>
        Effect.gen(function* () {
          const random = seeded(17 + k)
          const width = 173 + 11 * k
          const height = 151 + 7 * k
          const bands = 2
          const data = new Uint16Array(bands * width * height)
          for (let i = 0; i < data.length; i++) data[i] = Math.floor(random() * 4000) + (i % 97)
          if (v.nodata !== undefined) for (let i = 0; i < data.length; i += 13) data[i] = v.nodata
          const dir = mkdtempSync(join(tmpdir(), "eoforge-format-"))
          const grid0 = PixelGrid.make(Crs.epsg(v.epsg), v.gt[0], v.gt[3], v.gt[1], width, height)
          const chip: Chip.Chip = { grid: grid0, dtype: "uint16", bands, data }
          writeFileSync(
            join(dir, "a.tif"),
            GeoTiffWriter.encodeSync(chip, { tileSize: 64, nodata: v.nodata })
          )
          const header: RawHeader = {
            width,
            height,
            bands,
            epsg: v.epsg,
            geoTransform: v.gt,
            ...(v.nodata === undefined ? {} : { nodata: v.nodata })
          }
          writeFileSync(join(dir, "a.raw"), encodeRaw(header, data))
          const raster = yield* RasterSource.RasterSource
          const tif = yield* raster.open(join(dir, "a.tif"))
          const raw = yield* raster.open(join(dir, "a.raw"))
          assert.deepStrictEqual(
            [raw.width, raw.height, raw.bands, raw.nodata],
            [width, height, bands, v.nodata]
          )
          const r = v.gt[1]
          const grids = [
            // Aligned (integer offset, same pixel size): the copy path.
            PixelGrid.make(grid0.crs, v.gt[0] + 13 * r, v.gt[3] - 9 * r, r, 64, 64),
            // Fractional offset, coarser pixels.
            PixelGrid.make(grid0.crs, v.gt[0] + 10.37 * r, v.gt[3] - 20.81 * r, 1.7 * r, 48, 40),
            // Another CRS, centred on the raster.
            otherGrid(v.epsg, v.gt[0] + (width / 2) * r, v.gt[3] - (height / 2) * r)
          ]
          let compared = 0
          for (const grid of grids) {
            for (const resampling of rules) {
              const a = yield* raster.read(tif, grid, { resampling })
              const b = yield* raster.read(raw, grid, { resampling })
              assert.deepStrictEqual(Array.from(b.mask ?? []), Array.from(a.mask ?? []), resampling)
              assert.deepStrictEqual(Array.from(b.data), Array.from(a.data), resampling)
              for (const m of a.mask ?? []) compared += m
            }
          }
          assert.isAbove(compared, 1000)
        }).pipe(
          Effect.scoped,
          Effect.provide(
            RasterSource.layerGeoTiffWith({ workers: 0, formats: [rawFormat({ windows: 0 })] })
          )
        )
    )
  }

  it.effect("a wrapper format opens the file inside it through openNested", () =>
    Effect.gen(function* () {
      const dir = mkdtempSync(join(tmpdir(), "eoforge-format-"))
      const grid0 = PixelGrid.make(Crs.epsg(32632), 500_000, 5_300_000, 10, 50, 40)
      const data = Uint16Array.from({ length: 2000 }, (_, i) => (i * 37) % 1001)
      const tiff = GeoTiffWriter.encodeSync({ grid: grid0, dtype: "uint16", bands: 1, data })
      const wrapped = new Uint8Array(wrapMagic.length + tiff.length)
      wrapped.set(wrapMagic)
      wrapped.set(tiff, wrapMagic.length)
      writeFileSync(join(dir, "w.bin"), wrapped)
      const raster = yield* RasterSource.RasterSource
      const info = yield* raster.open(join(dir, "w.bin"))
      const chip = yield* raster.read(info, grid0, { resampling: "nearest" })
      assert.deepStrictEqual(Array.from(chip.data), Array.from(data))
      assert.strictEqual(DType.of(chip.data), "uint16")
    }).pipe(
      Effect.scoped,
      Effect.provide(RasterSource.layerGeoTiffWith({ workers: 0, formats: [wrapFormat] }))
    )
  )

  it.effect("bytes no format recognises are NotTiff, naming the formats tried", () =>
    Effect.gen(function* () {
      const dir = mkdtempSync(join(tmpdir(), "eoforge-format-"))
      writeFileSync(join(dir, "x.bin"), new TextEncoder().encode("hello, not a raster at all"))
      const raster = yield* RasterSource.RasterSource
      const error = yield* Effect.flip(raster.open(join(dir, "x.bin")))
      assert.strictEqual(error.problem, "NotTiff")
      assert.include(error.message, "EOFRAW, zip, SRTM HGT, GeoTIFF, JPEG 2000")
      assert.include(error.message, "x.bin")
    }).pipe(
      Effect.scoped,
      Effect.provide(
        RasterSource.layerGeoTiffWith({ workers: 0, formats: [rawFormat({ windows: 0 })] })
      )
    )
  )

  it("splitUri keeps '#' of plain paths and parses key=value fragments", () => {
    const a = Format.splitUri("https://h/x.nc#var=%2Fscience%2Fgrids%2Fdata%2Fcoherence&band=2")
    assert.strictEqual(a.location, "https://h/x.nc")
    assert.strictEqual(a.fragment.get("var"), "/science/grids/data/coherence")
    assert.strictEqual(a.fragment.get("band"), "2")
    const b = Format.splitUri("/data/scene#3/b.tif")
    assert.strictEqual(b.location, "/data/scene#3/b.tif")
    assert.strictEqual(b.fragment.size, 0)
    assert.strictEqual(Format.splitUri("/d/a.zip#member=x/y.tif").fragment.get("member"), "x/y.tif")
  })
})
