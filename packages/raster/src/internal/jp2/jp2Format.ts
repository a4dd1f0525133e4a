// JPEG 2000 (JP2 boxes or a raw J2K codestream) as a raster format, read tile by tile like a COG: the header
// from the boxes and the codestream's main header, resolution levels as GDAL's JP2OpenJPEG driver exposes them
// as overviews, and each level's windows decoded from the tiles they touch, through the shared tile cache.
import { DType } from "@eoforge/core"
import type { Format, Level, Opened, OpenContext } from "../../Format.ts"
import { HeaderProblem } from "../header.ts"
import { limitPhrase } from "../nativeDeflate.ts"
import type { Destination } from "../tiles.ts"
import { isJpeg2000, readBoxes } from "./boxes.ts"
import { readMainHeader, TilePartIndex, type MainHeader } from "./codestream.ts"
import { georeference } from "./georef.ts"
import { decodeOnThread } from "./decoderThreads.ts"
import { decodeTile, tileCodestream, type TileJob } from "./tileDecoder.ts"

/** Decodes tile jobs (on a worker pool or the calling thread). */
export type TileDecode = (job: TileJob) => Promise<ArrayBuffer>

/** Bytes of JP2 boxes read into memory at most (GML, GeoJP2), and of the codestream's main header. */
const maxBoxBytes = 16 * 1024 * 1024

const ceilDiv = (v: number, r: number) => Math.ceil(v / 2 ** r)

/**
 * Level sizes as GDAL's JP2OpenJPEG driver (3.6) creates overviews: while fewer than the codestream's
 * resolution levels, the previous level is over 128 px on a side and (for tiled files) the tile halves
 * evenly, the next level is (n + 1) / 2 of the previous one.
 */
export const levelSizes = (h: MainHeader): Array<readonly [number, number]> => {
  let w = h.x1 - h.x0
  let ht = h.y1 - h.y0
  const singleTiled = w === h.tileWidth && ht === h.tileHeight
  let tw = h.tileWidth
  let th = h.tileHeight
  const setDecodeArea =
    (w <= 1024 && ht <= 1024 && tw < 32 && th < 32) ||
    (singleTiled && (w > 1024 || ht > 1024)) ||
    (w < tw && ht < th)
  const sizes: Array<readonly [number, number]> = [[w, ht]]
  while (
    sizes.length < h.resolutions &&
    (w > 128 || ht > 128) &&
    (setDecodeArea || (tw % 2 === 0 && th % 2 === 0))
  ) {
    w = (w + 1) >> 1
    ht = (ht + 1) >> 1
    if (!setDecodeArea) {
      tw >>= 1
      th >>= 1
    }
    sizes.push([w, ht])
  }
  return sizes
}

/**
 * The JPEG 2000 format. Tiles are decoded by `decode`, by default OpenJPEG on decoder threads when the layer
 * has workers (`workers > 0`), on the calling thread otherwise.
 */
export const makeJpeg2000 = (decodeWith?: TileDecode): Format => ({
  name: "JPEG 2000",
  sniff: (head) => isJpeg2000(head),
  open: async (context: OpenContext): Promise<Opened> => {
    const { bytes, limits, cache, owner, budget } = context
    const decode = decodeWith ?? (context.pool !== undefined ? decodeOnThread : decodeTile)
    const size = bytes.fileSize
    if (size === null)
      throw new HeaderProblem(
        "Malformed",
        "its size is unknown (the server sent no length); JPEG 2000 is read with ranges of a known file"
      )
    const boxes = await readBoxes(bytes, size, maxBoxBytes)
    const cs = boxes.codestream
    const h = await readMainHeader(bytes, cs.offset, cs.length, maxBoxBytes)
    if (h.precision > 16)
      throw new HeaderProblem(
        "UnsupportedCodec",
        `its ${h.precision}-bit JPEG 2000 samples are not read (16 bits at most); convert it with gdal_translate -of GTiff`
      )
    if (
      h.components > limits.maxBands ||
      h.x1 - h.x0 > limits.maxDimension ||
      h.y1 - h.y0 > limits.maxDimension
    )
      throw new HeaderProblem(
        "TooLarge",
        `its JPEG 2000 image is ${h.x1 - h.x0} × ${h.y1 - h.y0} px × ${h.components} components, over the limits`
      )
    const sampleBytes = h.precision > 8 ? 2 : 1
    const tileBytes = h.tileWidth * h.tileHeight * h.components * sampleBytes
    if (tileBytes > limits.maxBlockBytes)
      throw new HeaderProblem(
        "TooLarge",
        `its ${h.tileWidth} × ${h.tileHeight} px JPEG 2000 tiles decode to ${tileBytes} bytes (${limitPhrase}: limit ${limits.maxBlockBytes})`
      )
    const dtype: DType.DType =
      h.precision > 8 ? (h.signed ? "int16" : "uint16") : h.signed ? "int8" : "uint8"
    const geo = await georeference(boxes, context.pam)
    const index = new TilePartIndex(bytes, cs.offset, cs.length, h)
    const bands = h.components

    /** Decoded samples of tile (px, py) at reduction r (pixel-interleaved), through the layer's cache. */
    const tile = (
      r: number,
      px: number,
      py: number,
      area: readonly [number, number, number, number]
    ) => {
      const rows = ceilDiv(area[3], r) - ceilDiv(area[1], r)
      const index_ = py * h.tilesX + px
      return cache.get(owner, `${owner}:jp2:${r}:${index_}`, rows, async () => {
        try {
          const parts = await index.of(index_)
          if (parts.length === 0) throw new Error("the codestream holds no tile-part of it")
          const data = await bytes.fetch(
            parts.map((p) => ({ offset: cs.offset + p.offset, length: p.length }))
          )
          const job: TileJob = {
            codestream: tileCodestream(
              h.segments,
              h.sizAt,
              area,
              data.map((d) => new Uint8Array(d))
            ),
            reduce: r,
            width: ceilDiv(area[2], r) - ceilDiv(area[0], r),
            height: rows,
            components: bands,
            bytes: sampleBytes
          }
          return { buffer: await decode(job), rows }
        } catch (error) {
          const why = error instanceof Error ? error.message : String(error)
          throw new Error(`JPEG 2000 tile ${index_} (resolution level ${r}): ${why}`, {
            cause: error
          })
        }
      })
    }

    const levels = levelSizes(h).map(([width, height], r): Level => ({
      width,
      height,
      read: async (window, wanted, destination) => {
        const [wx0, wy0, wx1, wy1] = window
        const ww = wx1 - wx0
        const wh = wy1 - wy0
        const windowBytes = destination === undefined ? ww * wh * wanted.length * sampleBytes : 0
        if (windowBytes > budget.maxReadBytes)
          throw new Error(
            `a ${ww} × ${wh} px window of ${wanted.length} bands needs ${windowBytes} bytes, over the read budget (${limitPhrase}); read a smaller grid`
          )
        const out = destination === undefined ? wanted.map(() => DType.alloc(dtype, ww * wh)) : []
        const target: Destination = destination ?? { arrays: out, stride: ww, dx: 0, dy: 0 }
        const ox = ceilDiv(h.x0, r)
        const oy = ceilDiv(h.y0, r)
        const jobs: Array<Promise<void>> = []
        // Only the tiles around the window (a hostile file may declare 65,535 tiles).
        const scale = 2 ** r
        const span = (w0: number, w1: number, o: number, t0: number, size: number, count: number) =>
          [
            Math.max(0, Math.floor(((w0 + o) * scale - t0) / size) - 1),
            Math.min(count - 1, Math.floor(((w1 + o) * scale - t0) / size) + 1)
          ] as const
        const [py0, py1] = span(wy0, wy1, oy, h.tileY0, h.tileHeight, h.tilesY)
        const [px0, px1] = span(wx0, wx1, ox, h.tileX0, h.tileWidth, h.tilesX)
        for (let py = py0; py <= py1; py++) {
          const ty0 = Math.max(h.tileY0 + py * h.tileHeight, h.y0)
          const ty1 = Math.min(h.tileY0 + (py + 1) * h.tileHeight, h.y1)
          const ry0 = ceilDiv(ty0, r) - oy
          const ry1 = ceilDiv(ty1, r) - oy
          if (ry1 <= wy0 || ry0 >= wy1 || ry1 <= ry0) continue
          for (let px = px0; px <= px1; px++) {
            const tx0 = Math.max(h.tileX0 + px * h.tileWidth, h.x0)
            const tx1 = Math.min(h.tileX0 + (px + 1) * h.tileWidth, h.x1)
            const rx0 = ceilDiv(tx0, r) - ox
            const rx1 = ceilDiv(tx1, r) - ox
            if (rx1 <= wx0 || rx0 >= wx1 || rx1 <= rx0) continue
            jobs.push(
              tile(r, px, py, [tx0, ty0, tx1, ty1]).then((decoded) =>
                copy(decoded.buffer, rx1 - rx0, [rx0, ry0], window, wanted, bands, dtype, target)
              )
            )
          }
        }
        await Promise.all(jobs)
        return out
      }
    }))
    return {
      header: {
        width: h.x1 - h.x0,
        height: h.y1 - h.y0,
        bands,
        dtype,
        crs: geo.crs,
        geoTransform: geo.geoTransform,
        nodata: context.pam?.nodata,
        scale: Array.from({ length: bands }, () => 1),
        offset: Array.from({ length: bands }, () => 0),
        descriptions: Array.from({ length: bands }, () => undefined),
        classes: Array.from({ length: bands }, (_, b) => context.pam?.classes[b]),
        blockWidth: Math.min(h.tileWidth, h.x1 - h.x0),
        blockHeight: Math.min(h.tileHeight, h.y1 - h.y0)
      },
      levels
    }
  }
})

const view = (dtype: DType.DType, buffer: ArrayBufferLike): DType.TypedArray =>
  dtype === "uint16"
    ? new Uint16Array(buffer)
    : dtype === "int16"
      ? new Int16Array(buffer)
      : dtype === "int8"
        ? new Int8Array(buffer)
        : new Uint8Array(buffer)

/** JPEG 2000 with the default decoders. */
export const jpeg2000: Format = makeJpeg2000()

/** Copies the part of a decoded tile (origin `at` in level pixels, `tw` columns) inside `window`. */
const copy = (
  buffer: ArrayBufferLike,
  tw: number,
  at: readonly [number, number],
  window: readonly [number, number, number, number],
  wanted: ReadonlyArray<number>,
  components: number,
  dtype: DType.DType,
  d: Destination
): void => {
  const samples = view(dtype, buffer)
  const th = samples.length / (tw * components)
  const [wx0, wy0, wx1, wy1] = window
  const x0 = Math.max(wx0, at[0])
  const x1 = Math.min(wx1, at[0] + tw)
  const y0 = Math.max(wy0, at[1])
  const y1 = Math.min(wy1, at[1] + th)
  const check = d.seen !== undefined && d.nodata !== undefined && !Number.isNaN(d.nodata)
  for (const [i, b] of wanted.entries()) {
    const dest = d.arrays[i]
    for (let y = y0; y < y1; y++) {
      const src = ((y - at[1]) * tw + (x0 - at[0])) * components + b
      const dst = (y - wy0 + d.dy) * d.stride + (x0 - wx0) + d.dx
      if (components === 1) {
        const row = samples.subarray(src, src + (x1 - x0))
        dest.set(row, dst)
        if (check && d.seen !== undefined && !d.seen.nodata && row.includes(d.nodata as number))
          d.seen.nodata = true
      } else {
        for (let x = 0; x < x1 - x0; x++) {
          const v = samples[src + x * components]
          dest[dst + x] = v
          if (check && d.seen !== undefined && v === d.nodata) d.seen.nodata = true
        }
      }
    }
  }
}
