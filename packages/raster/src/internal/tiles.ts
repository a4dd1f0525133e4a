// Reading a pixel window of selected bands by decoding each covering tile (or strip) once — DEFLATE only up to
// the last row the window needs — through the layer's tile cache, and copying rows with typed-array loops.
import { DType } from "@eoforge/core"
import { getDecoder, type GeoTIFFImage, type Pool } from "geotiff"
import {
  BlockTooLarge,
  inflateRows,
  limitPhrase,
  resumable,
  release,
  RowInflater,
  ShortBlock
} from "./nativeDeflate.ts"
import { type PredictedArray, undoPredictorRows } from "./horizontalPredictor.ts"
import { give } from "./tileBuffers.ts"
import { Spares } from "./spareBuffers.ts"
import type { ByteSource } from "./byteSource.ts"
import type { DecoderPool } from "./decoderPool.ts"
import type { Decoded, TileCache } from "./tileCache.ts"

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

type Decoder = { decode: (block: ArrayBufferLike | Uint8Array) => Promise<ArrayBufferLike> }

interface Layout {
  readonly compression: number
  readonly predictor: number
  readonly bits: number
  /** Samples as geotiff.js hands them over decoded (no normalisation). */
  readonly plain: boolean
  readonly decoder: Decoder
  /** A decoder of the block's first `rows` rows (DEFLATE on the pool's threads), else undefined. */
  readonly rowsDecoder: (rows: number) => Decoder | undefined
}

const layoutOf = async (
  image: GeoTIFFImage,
  pool: Pool | undefined,
  maxBlockBytes: number
): Promise<Layout> => {
  const fd = image.getFileDirectory()
  const compression = Number(fd.getValue("Compression") ?? 1)
  const bitsPerSample = (await fd.loadValue("BitsPerSample")) as never
  const predictor = Number((await fd.loadValue("Predictor")) ?? 1)
  const parameters = {
    tileWidth: image.getTileWidth(),
    tileHeight: image.getTileHeight(),
    planarConfiguration: image.planarConfiguration,
    bitsPerSample,
    predictor,
    maxBytes: maxBlockBytes
  }
  const decoder =
    pool !== undefined
      ? (pool.bindParameters(compression, parameters) as unknown as Decoder)
      : ((await getDecoder(compression, parameters)) as unknown as Decoder)
  // Samples geotiff.js hands over as decoded (no normalisation, which would assume whole blocks).
  const format = Number(image.getSampleFormat() ?? 1)
  const bits = image.getBitsPerSample(0)
  const plain =
    ((format === 1 || format === 2) && bits % 8 === 0 && bits <= 32) ||
    (format === 3 && (bits === 16 || bits === 32))
  const rowsDecoder = (rows: number): Decoder | undefined =>
    pool !== undefined && plain && (compression === 8 || compression === 32946)
      ? (pool.bindParameters(compression, { ...parameters, rows } as never) as unknown as Decoder)
      : undefined
  return { compression, predictor, bits, plain, decoder, rowsDecoder }
}

/**
 * Where block (tx, ty, sample) lies in the file: its TileOffsets / StripOffsets and byte-count entries (planar
 * images: the sample's blocks follow each other).
 */
const blockPlace = async (
  image: GeoTIFFImage,
  tx: number,
  ty: number,
  sample: number
): Promise<{ readonly offset: number; readonly count: number }> => {
  const perRow = Math.ceil(image.getWidth() / image.getTileWidth())
  const perCol = Math.ceil(image.getHeight() / image.getTileHeight())
  const index = (image.planarConfiguration === 2 ? sample * perRow * perCol : 0) + ty * perRow + tx
  const fd = image.getFileDirectory()
  const offset = Number(
    await fd.loadValueIndexed(image.isTiled ? "TileOffsets" : "StripOffsets", index)
  )
  const count = Number(
    await fd.loadValueIndexed(image.isTiled ? "TileByteCounts" : "StripByteCounts", index)
  )
  return { offset, count }
}

/**
 * Block (tx, ty, sample) decoded by the pool's threads, its compressed bytes read into one of the pool's
 * buffers (given back once decoded) rather than an ArrayBuffer allocated per block; as geotiff.js's
 * `getTileOrStrip` decodes it (which reads the blocks this cannot: empty ones, other sources, other samples).
 */
const decodeBlock = async (
  image: GeoTIFFImage,
  layout: Layout,
  pool: Pool | undefined,
  decoder: Decoder,
  tx: number,
  ty: number,
  sample: number
): Promise<ArrayBufferLike> => {
  const source = image.source as Pick<ByteSource, "readInto">
  const threads = pool as Partial<DecoderPool> | undefined
  if (
    threads?.block !== undefined &&
    threads.inline?.(layout.compression) === false &&
    source.readInto !== undefined &&
    layout.plain
  ) {
    const { offset, count } = await blockPlace(image, tx, ty, sample)
    if (count > 0) {
      const bytes = threads.block(count)
      const n = await source.readInto(bytes, offset)
      return decoder.decode(n === count ? bytes : bytes.subarray(0, n))
    }
  }
  return (await image.getTileOrStrip(tx, ty, sample, decoder as never)).data
}

// Compressed-tile read buffers, reused: a local file reads into one, which is inflated before it is given back.
const scratch: Array<Uint8Array> = []

/**
 * Calls `use` with the `length` bytes at `position` of the image's file (read into a reused buffer if local).
 */
const withChunk = async <A>(
  image: GeoTIFFImage,
  position: number,
  length: number,
  use: (chunk: Uint8Array) => A
): Promise<A> => {
  const source = image.source as Pick<ByteSource, "readInto">
  if (source.readInto === undefined) {
    const [slice] = await image.source.fetch([{ offset: position, length }])
    return use(new Uint8Array(slice))
  }
  const i = scratch.findIndex((b) => b.length >= length)
  const buffer = i >= 0 ? scratch.splice(i, 1)[0] : new Uint8Array(Math.max(length, 1 << 20))
  try {
    const n = await source.readInto(buffer.subarray(0, length), position)
    return use(buffer.subarray(0, n))
  } finally {
    if (scratch.length < 8) scratch.push(buffer)
  }
}

// Buffers of compressed bytes spanning two or more response pieces (most tiles: a response arrives in pieces
// of at most 64 KiB), reused: a tile's bytes are copied into one and given back once inflated, instead of a
// new ArrayBuffer per tile (as many bytes as the build downloads, each pressing V8 to collect young memory).
const compressedSpares = new Spares({
  maxCount: 64,
  maxBytes: 32 * 1024 * 1024,
  fits: (size, n) => size >= n && size <= 2 * n,
  sizeFor: (n) => Math.max(65536, 2 ** Math.ceil(Math.log2(n)))
})

/**
 * Calls `use` with the `length` bytes at `position` of an HTTP source: a view of the response, or a copy in a
 * reused buffer (given back once `use` has settled: nothing may keep `chunk`).
 */
const viewChunk = async <A>(
  view: NonNullable<ByteSource["view"]>,
  position: number,
  length: number,
  use: (chunk: Uint8Array) => Promise<A>
): Promise<A> => {
  let spare: ArrayBuffer | undefined
  const chunk = await view({ offset: position, length }, (n) => {
    spare = compressedSpares.take(n)
    return new Uint8Array(spare, 0, n)
  })
  try {
    return await use(chunk)
  } finally {
    if (spare !== undefined) compressedSpares.give(spare)
  }
}

/**
 * A block inflated here whose predictor-2 differences are summed by the reads that need them: `summed[r]`
 * leading samples of row r hold values (a read sums its rows up to its last column; the block's other rows and
 * columns stay differences until a read needs them). Absent: every value is final.
 */
interface Inflated extends Decoded {
  readonly summed?: Int32Array | undefined
}

/**
 * Decodes the first `need` rows (or more) of block (tx, ty, sample) with node:zlib, continuing the inflate of
 * `previous` (fewer rows of the same block) where it stopped when it can. Predictor 2 is left to the reads
 * (`Inflated`).
 */
const inflateBlock = async (
  image: GeoTIFFImage,
  layout: Layout,
  tx: number,
  ty: number,
  sample: number,
  need: number,
  previous: Promise<Decoded> | undefined
): Promise<Inflated | undefined> => {
  const planar = image.planarConfiguration === 2
  const { offset, count } = await blockPlace(image, tx, ty, sample)
  if (!(count > 0)) return undefined
  const stride = planar ? 1 : image.getSamplesPerPixel()
  const rowLength = image.getTileWidth() * stride
  const bytes = layout.bits / 8
  const blockRows = image.isTiled ? image.getTileHeight() : image.getBlockHeight(ty)
  const before: Inflated | undefined =
    previous === undefined ? undefined : await previous.catch(() => undefined)
  const resume = before?.resume
  let decoded: Decoded
  const summed = layout.predictor === 2 ? new Int32Array(blockRows) : undefined
  const view = (image.source as Pick<ByteSource, "view">).view
  if (resumable) {
    // Inflate into a buffer of the rows needed, from a prefix of the compressed bytes sized by
    // proportion (read on when it falls short). From a local file: on this thread, and a later read needing
    // more rows continues the same stream from the compressed byte where this one stopped. Over HTTP: the
    // compressed bytes are views of the responses, inflated on node's thread pool so that this thread goes on
    // meanwhile (with other responses, other work); such a tile keeps no stream.
    const prior =
      view !== undefined || resume === undefined || before === undefined
        ? undefined
        : { ...before, resume }
    const inflater = new RowInflater(rowLength * bytes, blockRows, need, prior)
    const first = prior?.rows ?? 0
    // The rows copied from `previous` are summed as far as they were when copied (just now).
    if (summed !== undefined && prior !== undefined)
      if (before?.summed !== undefined) summed.set(before.summed.subarray(0, first))
      else summed.fill(rowLength, 0, first)
    const left = blockRows - first
    let take =
      inflater.rows === blockRows
        ? count
        : Math.ceil(((count - inflater.position) * (inflater.rows - first) * 1.03) / left) + 4096
    for (;;) {
      const at = inflater.position
      const had = inflater.rowsDone
      const length = Math.min(take, count - at)
      const last = at + length >= count
      const done =
        view !== undefined
          ? await viewChunk(view, offset + at, length, (chunk) => {
              if (chunk.byteLength < length)
                throw new ShortBlock(
                  `a DEFLATE block's ${length} bytes at ${at} were cut to ${chunk.byteLength}`
                )
              return inflater.feedAsync(chunk, last)
            })
          : await withChunk(image, offset + at, length, (chunk) => inflater.feed(chunk, last))
      if (done || last) break
      // Short: read on by what the missing rows should need, and some.
      const perRow = (inflater.position - at) / Math.max(1, inflater.rowsDone - had)
      take = Math.ceil(perRow * (inflater.rows - inflater.rowsDone) * 1.2) + 16384
    }
    const { buffer, rows, resume: stopped } = inflater.finish()
    if (view !== undefined && stopped !== undefined) release(stopped)
    // The buffer goes back to tileBuffers.ts when the tile leaves the cache.
    decoded = {
      buffer,
      rows,
      resume: view !== undefined ? undefined : stopped,
      recycle: () => give(buffer)
    }
  } else {
    const [slice] = await image.source.fetch([{ offset, length: count }])
    decoded = inflateRows(new Uint8Array(slice), rowLength * bytes, blockRows, need)
  }
  return summed === undefined ? decoded : { ...decoded, summed }
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
  // written before the read returns (a read that fails returns none).
  const dest: Destination = destination ?? {
    arrays: samples.map(() => new Tile(Buffer.allocUnsafeSlow(ww * wh * size).buffer, 0, ww * wh)),
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
