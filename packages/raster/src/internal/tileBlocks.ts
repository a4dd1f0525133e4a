// One block (tile or strip) of a GeoTIFF image: where it lies, decoded whole by geotiff.js's decoders (or the
// decoder pool's threads), or inflated with node:zlib up to the rows a read needs (tiles.ts reads windows).
import { getDecoder, type GeoTIFFImage, type Pool } from "geotiff"
import { resumable, release, RowInflater, ShortBlock } from "./nativeDeflate.ts"
import { inflateRows } from "./prefixInflate.ts"
import { give } from "./tileBuffers.ts"
import { Spares } from "./spareBuffers.ts"
import type { ByteSource } from "./byteSource.ts"
import type { DecoderPool } from "./decoderPool.ts"
import type { Decoded } from "./tileCache.ts"

export type Decoder = { decode: (block: ArrayBufferLike | Uint8Array) => Promise<ArrayBufferLike> }

export interface Layout {
  readonly compression: number
  readonly predictor: number
  readonly bits: number
  /** Samples as geotiff.js hands them over decoded (no normalisation). */
  readonly plain: boolean
  readonly decoder: Decoder
  /** A decoder of the block's first `rows` rows (DEFLATE on the pool's threads), else undefined. */
  readonly rowsDecoder: (rows: number) => Decoder | undefined
}

export const layoutOf = async (
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
export const decodeBlock = async (
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

// Buffers of compressed tile bytes, reused: a local file's tile is read into one, and over HTTP a tile whose
// bytes span two or more response pieces (most tiles: a response arrives in pieces of at most 64 KiB) is copied
// into one; each is given back once inflated, instead of a new ArrayBuffer per tile (as many bytes as the build
// reads, each pressing V8 to collect young memory).
const compressedSpares = new Spares({
  maxCount: 64,
  maxBytes: 32 * 1024 * 1024,
  fits: (size, n) => size >= n && size <= 2 * n,
  sizeFor: (n) => Math.max(65536, 2 ** Math.ceil(Math.log2(n)))
})

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
  const spare = compressedSpares.take(length)
  try {
    const n = await source.readInto(new Uint8Array(spare, 0, length), position)
    return use(new Uint8Array(spare, 0, n))
  } finally {
    compressedSpares.give(spare)
  }
}

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
export interface Inflated extends Decoded {
  readonly summed?: Int32Array | undefined
}

/**
 * Decodes the first `need` rows (or more) of block (tx, ty, sample) with node:zlib, continuing the inflate of
 * `previous` (fewer rows of the same block) where it stopped when it can. Predictor 2 is left to the reads
 * (`Inflated`).
 */
export const inflateBlock = async (
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
    // A read that fails before the inflate finished (the bytes, a short response) leaves no open handle.
    try {
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
    } catch (error) {
      inflater.abandon()
      throw error
    }
    const { buffer, rows, resume: stopped } = inflater.finish()
    if (view !== undefined && stopped !== undefined) release(stopped)
    // Inflated whole over HTTP: its compressed bytes are not needed again (the decoded tile is cached).
    if (view !== undefined && rows === blockRows)
      (image.source as Pick<ByteSource, "forget">).forget?.({ offset, length: count })
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
