// Reading a pixel window of selected bands by decoding each covering tile (or strip) once — DEFLATE only up to
// the last row the window needs — through the layer's tile cache, and copying rows with typed-array loops.
import { DType } from "@eoforge/core"
import type { GeoTIFFImage, Pool } from "geotiff"
import { BlockTooLarge, limitPhrase } from "./nativeDeflate.ts"
import { type PredictedArray, undoPredictorRows } from "./horizontalPredictor.ts"
import type { ByteSource } from "./byteSource.ts"
import type { Decoded, TileCache } from "./tileCache.ts"
import { decodeBlock, inflateBlock, type Inflated, layoutOf } from "./tileBlocks.ts"
import { windows } from "./windowBuffers.ts"

/** Where decoded tiles of one image are cached: the layer's cache, the source's id and the image's key. */
export interface TileCacheSlot {
  readonly cache: TileCache
  readonly owner: number
  readonly image: string
}

/**
 * Where window pixel (x, y) lands: `arrays[i][(y - y0 + dy) * stride + x - x0 + dx]` for the i-th sample. With
 * `nodata` (not NaN) and `seen`, `seen.nodata` is set when a value copied may equal `nodata` (left false only
 * when none does).
 */
export interface Destination {
  readonly arrays: ReadonlyArray<DType.TypedArray>
  readonly stride: number
  readonly dx: number
  readonly dy: number
  readonly nodata?: number | undefined
  readonly seen?: { nodata: boolean } | undefined
}

/** Bytes one read may hold and one block may decode to (`RasterLimits`). */
export interface ReadBudget {
  readonly maxReadBytes: number
  readonly maxBlockBytes: number
}

const overBudget = (what: string, bytes: number, budget: number) =>
  new BlockTooLarge(
    `${what} needs ${bytes} bytes decoded, over the ${budget}-byte read budget (${limitPhrase}); read a smaller grid or raise maxReadBytes`
  )

/** Band arrays of the window [x0, x1) × [y0, y1) of `image` for the 0-based `samples`. */
export const readWindow = async (
  image: GeoTIFFImage,
  littleEndian: boolean,
  dtype: DType.DType,
  window: readonly [number, number, number, number],
  samples: ReadonlyArray<number>,
  pool: Pool | undefined,
  budget: ReadBudget,
  slot?: TileCacheSlot | undefined,
  destination?: Destination | undefined
): Promise<ReadonlyArray<DType.TypedArray>> => {
  const [x0, y0, x1, y1] = window
  const spp = image.getSamplesPerPixel()
  const size = DType.byteSize(dtype)
  const uniform = Array.from({ length: spp }, (_, s) => image.getBitsPerSample(s)).every(
    (b) => b === size * 8
  )
  const ww = x1 - x0
  const wh = y1 - y0
  const windowBytes = destination === undefined ? ww * wh * samples.length * size : 0
  if (windowBytes > budget.maxReadBytes)
    throw overBudget(
      `a ${ww} × ${wh} px window of ${samples.length} bands`,
      windowBytes,
      budget.maxReadBytes
    )
  if (!littleEndian || !uniform) {
    const bands = (await image.readRasters({
      window: [x0, y0, x1, y1],
      samples: [...samples],
      interleave: false,
      pool: pool ?? null
    })) as unknown as ReadonlyArray<DType.TypedArray>
    if (destination === undefined) return bands
    if (destination.seen !== undefined) destination.seen.nodata = true
    bands.forEach((band, i) => {
      for (let j = 0; j < wh; j++)
        destination.arrays[i].set(
          band.subarray(j * ww, (j + 1) * ww),
          (j + destination.dy) * destination.stride + destination.dx
        )
    })
    return destination.arrays
  }
  const planar = image.planarConfiguration === 2
  const Tile = DType.alloc(dtype, 0).constructor as new (
    b: ArrayBufferLike,
    offset?: number,
    length?: number
  ) => DType.TypedArray
  // Window arrays are not zeroed: the blocks covering the window are each copied into it, so every value is
  // written before the read returns (a read that fails returns none). A resample gives them back
  // (windowBuffers.ts) once it has interpolated from them.
  const dest: Destination = destination ?? {
    arrays: samples.map(() => new Tile(windows.take(ww * wh * size), 0, ww * wh)),
    stride: ww,
    dx: 0,
    dy: 0
  }
  const out = dest.arrays
  const nodata = dest.nodata !== undefined && dest.seen !== undefined ? dest.nodata : undefined
  if (dest.seen !== undefined && (nodata === undefined || nodata !== nodata || planar))
    dest.seen.nodata = true
  const layout = await layoutOf(image, pool, budget.maxBlockBytes)
  const tw = image.getTileWidth()
  const th = image.getTileHeight()
  // Native partial inflate: DEFLATE with byte-sized samples and predictor 1 or 2, on this thread — or, over
  // HTTP, on node's thread pool from only the compressed bytes the needed rows take (so the decoder
  // threads, started with their first block, are left to other codecs).
  const overHttp = (image.source as Partial<Pick<ByteSource, "view">>).view !== undefined
  const native =
    (pool === undefined || overHttp) &&
    (layout.compression === 8 || layout.compression === 32946) &&
    (layout.predictor === 1 || (layout.predictor === 2 && size <= 4))
  const stride = planar ? 1 : spp
  const rowBytes = tw * stride * size
  const Unsigned = (size === 1 ? Uint8Array : size === 2 ? Uint16Array : Uint32Array) as new (
    b: ArrayBufferLike,
    offset: number,
    length: number
  ) => PredictedArray
  const blockRowsOf = (ty: number) => image.getBlockHeight(ty)
  const full = (tx: number, ty: number, sample: number, need: number): Promise<Decoded> => {
    const blockRows = image.getBlockHeight(ty)
    const partial = need < blockRows ? layout.rowsDecoder(need) : undefined
    return decodeBlock(image, layout, pool, partial ?? layout.decoder, tx, ty, sample).then(
      (data) => {
        // A prefix decode that came back short (a truncated block) is taken as the whole block was before.
        const rows =
          partial !== undefined && data.byteLength >= need * rowBytes
            ? Math.floor(data.byteLength / rowBytes)
            : blockRows
        return { buffer: data, rows }
      }
    )
  }
  const decode = (
    tx: number,
    ty: number,
    sample: number,
    need: number,
    previous?: Promise<Decoded>
  ): Promise<Decoded> =>
    native
      ? inflateBlock(image, layout, tx, ty, sample, need, previous).then(
          (d) => d ?? full(tx, ty, sample, blockRowsOf(ty))
        )
      : full(tx, ty, sample, need)
  // What the covering blocks decode to: the rows needed of each (native inflate) or whole blocks.
  const tilesX = Math.floor((x1 - 1) / tw) - Math.floor(x0 / tw) + 1
  let blockBytes = 0
  for (let ty = Math.floor(y0 / th); ty <= Math.floor((y1 - 1) / th); ty++) {
    const rows = native ? Math.min(y1, (ty + 1) * th) - ty * th : th
    blockBytes += tilesX * (planar ? samples.length : 1) * rows * tw * stride * size
  }
  if (windowBytes + blockBytes > budget.maxReadBytes)
    throw overBudget(
      `a ${ww} × ${wh} px window over ${tw} × ${th} px blocks`,
      windowBytes + blockBytes,
      budget.maxReadBytes
    )
  const jobs: Array<Promise<void>> = []
  for (let ty = Math.floor(y0 / th); ty <= Math.floor((y1 - 1) / th); ty++) {
    const r0 = Math.max(y0, ty * th)
    const r1 = Math.min(y1, (ty + 1) * th)
    const need = r1 - ty * th
    for (let tx = Math.floor(x0 / tw); tx <= Math.floor((x1 - 1) / tw); tx++) {
      const c0 = Math.max(x0, tx * tw)
      const c1 = Math.min(x1, (tx + 1) * tw)
      const n = c1 - c0
      const targets = planar ? samples.map((s, i) => [s, i] as const) : [[0, -1] as const]
      for (const [sample, index] of targets) {
        jobs.push(
          (slot === undefined
            ? decode(tx, ty, sample, need)
            : slot.cache.get(
                slot.owner,
                `${slot.owner}/${slot.image}/${tx}/${ty}/${sample}`,
                need,
                (rows, previous) => decode(tx, ty, sample, rows, previous)
              )
          ).then((decoded) => {
            const values = new Tile(decoded.buffer, 0, decoded.rows * tw * stride)
            const summed = (decoded as Inflated).summed
            if (summed !== undefined)
              // Predictor 2: sum the rows copied below up to their last column (samples as unsigned).
              undoPredictorRows(
                new Unsigned(decoded.buffer, 0, decoded.rows * tw * stride),
                tw * stride,
                r0 - ty * th,
                r1 - ty * th,
                stride,
                (c1 - tx * tw) * stride,
                summed
              )
            for (let r = r0; r < r1; r++) {
              const rowIn = (r - ty * th) * tw + (c0 - tx * tw)
              const rowOut = (r - y0 + dest.dy) * dest.stride + (c0 - x0 + dest.dx)
              if (planar) {
                out[index].set(values.subarray(rowIn, rowIn + n), rowOut)
                continue
              }
              if (nodata !== undefined && dest.seen !== undefined) {
                // Copy and look for nodata in the same pass: a chip without it skips the mask pass.
                let hit = false
                for (let i = 0; i < samples.length; i++) {
                  const dst = out[i]
                  let k = rowIn * stride + samples[i]
                  for (let c = 0; c < n; c++, k += stride) {
                    const v = values[k]
                    dst[rowOut + c] = v
                    if (v === nodata) hit = true
                  }
                }
                if (hit) dest.seen.nodata = true
                continue
              }
              if (stride === 1) {
                // One sample a pixel (so every sample asked for is 0): rows are copied at once.
                for (let i = 0; i < samples.length; i++)
                  out[i].set(values.subarray(rowIn, rowIn + n), rowOut)
                continue
              }
              for (let i = 0; i < samples.length; i++) {
                const dst = out[i]
                let k = rowIn * stride + samples[i]
                for (let c = 0; c < n; c++, k += stride) dst[rowOut + c] = values[k]
              }
            }
          })
        )
      }
    }
  }
  await Promise.all(jobs)
  return out
}
