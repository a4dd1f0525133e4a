// TIFF block decoders that never produce more than the block's declared size: DEFLATE (node:zlib, stopped at
// the size), LZW and PackBits (written into a buffer of the size), zstd (node:zlib, maxOutputLength).
import { addDecoder, BaseDecoder } from "geotiff"
import { zstdDecompressSync } from "node:zlib"
import { undoHorizontalPredictor } from "./horizontalPredictor.ts"
import { BlockTooLarge, inflateAtMost, inflatePrefix, limitPhrase } from "./nativeDeflate.ts"

/** Hard cap on one decoded block when the caller gives none (the default `maxBlockBytes`, 256 MiB). */
export const defaultMaxBlockBytes = 256 * 1024 * 1024

/** Parameters geotiff.js gives decoders, plus our optional cap. */
interface Parameters {
  readonly tileWidth: number
  readonly tileHeight: number
  readonly planarConfiguration: number
  readonly bitsPerSample: number | ArrayLike<number>
  readonly predictor?: number | undefined
  readonly maxBytes?: number | undefined
  /**
   * DEFLATE only: the rows a read needs from the block's top; the block is inflated up to them (whole rows,
   * the rest never inflated) when fewer than its own.
   */
  readonly rows?: number | undefined
}

/**
 * The most bytes one block may decode to: its size as its parameters declare it, capped by `maxBytes`
 * (default 256 MiB). geotiff.js passes strips' RowsPerStrip unclamped (2^32 − 1 is legal for one strip), so
 * a declared size over the cap is capped, not refused: the header check at open refused oversized blocks.
 */
export const declaredBytes = (p: Parameters): number => {
  const bits = typeof p.bitsPerSample === "number" ? [p.bitsPerSample] : Array.from(p.bitsPerSample)
  const perPixel = p.planarConfiguration === 2 ? bits[0] : bits.reduce((a, b) => a + b, 0)
  const n = Math.ceil((p.tileWidth * p.tileHeight * perPixel) / 8)
  if (!(n > 0))
    throw new BlockTooLarge(`a block of ${p.tileWidth} × ${p.tileHeight} pixels is empty`)
  return Math.min(n, p.maxBytes ?? defaultMaxBlockBytes)
}

/**
 * TIFF LZW (MSB-first codes, early change, 256 clear, 257 end) into `out`; stops when `out` is full, as
 * libtiff ignores codes after the block's size. Returns the bytes written.
 */
export const decodeLzw = (input: Uint8Array, out: Uint8Array): number => {
  const prefix = new Int32Array(4096)
  const suffix = new Uint8Array(4096)
  const length = new Uint16Array(4096)
  const first = new Uint8Array(4096)
  for (let i = 0; i < 256; i++) {
    prefix[i] = -1
    suffix[i] = i
    length[i] = 1
    first[i] = i
  }
  const cap = out.length
  const bits = input.length * 8
  let pos = 0
  let width = 9
  let next = 258
  let old = -1
  let produced = 0
  const read = (): number => {
    if (pos + width > bits) return 257
    const at = pos >> 3
    const word = (input[at] << 16) | ((input[at + 1] ?? 0) << 8) | (input[at + 2] ?? 0)
    const code = (word >>> (24 - (pos & 7) - width)) & ((1 << width) - 1)
    pos += width
    return code
  }
  const emit = (code: number): boolean => {
    const len = length[code]
    let at = produced + len - 1
    for (let c = code; c >= 0; c = prefix[c], at--) if (at < cap) out[at] = suffix[c]
    produced = Math.min(cap, produced + len)
    return produced === cap
  }
  const add = (base: number, byte: number) => {
    if (next >= 4096) return
    prefix[next] = base
    suffix[next] = byte
    length[next] = length[base] + 1
    first[next] = first[base]
    next++
  }
  for (;;) {
    let code = read()
    if (code === 257) break
    if (code === 256) {
      next = 258
      width = 9
      do code = read()
      while (code === 256)
      if (code === 257) break
      if (code > 255) throw new Error(`corrupt LZW data: code ${code} after a clear code`)
      old = code
      if (emit(code)) break
      continue
    }
    if (code < next) {
      if (old >= 0) add(old, first[code])
    } else if (code === next && old >= 0) {
      add(old, first[old])
    } else throw new Error(`corrupt LZW data: code ${code} with ${next} codes defined`)
    old = code
    if (emit(code)) break
    if (next + 1 >= 1 << width) {
      if (width < 12) width++
      else old = -1
    }
  }
  return produced
}

/** PackBits into `out`, stopping when it is full; returns the bytes written. */
export const decodePackBits = (input: Uint8Array, out: Uint8Array): number => {
  let i = 0
  let o = 0
  while (i < input.length && o < out.length) {
    const h = (input[i++] << 24) >> 24
    if (h >= 0) {
      const n = Math.min(h + 1, input.length - i, out.length - o)
      out.set(input.subarray(i, i + n), o)
      i += h + 1
      o += n
    } else if (h !== -128) {
      const n = Math.min(1 - h, out.length - o)
      out.fill(input[i++] ?? 0, o, o + n)
      o += n
    }
  }
  return o
}

/**
 * geotiff.js's `applyPredictor` for predictor 2 (horizontal differencing), with its semantics and errors, in
 * one typed-array pass: rows of `width` pixels (`stride` samples each when chunky) from the block's start,
 * as many of `height` as begin inside it (a last strip is shorter); a row cut by the block's end is refused.
 */
export const undoPredictor2 = (
  block: ArrayBufferLike,
  width: number,
  height: number,
  bitsPerSample: ReadonlyArray<number>,
  planarConfiguration: number
): ArrayBufferLike => {
  for (const bits of bitsPerSample) {
    if (bits % 8 !== 0)
      throw new Error("When decoding with predictor, only multiple of 8 bits are supported.")
    if (bits !== bitsPerSample[0])
      throw new Error("When decoding with predictor, all samples must have the same size.")
  }
  const bytes = bitsPerSample[0] / 8
  const stride = planarConfiguration === 2 ? 1 : bitsPerSample.length
  const rowLength = stride * width
  const rowBytes = rowLength * bytes
  let rows = 0
  while (rows < height && rows * rowBytes < block.byteLength) rows++
  if (rows === 0) return block
  if (bitsPerSample[0] !== 8 && bitsPerSample[0] !== 16 && bitsPerSample[0] !== 32)
    throw new Error(`Predictor 2 not allowed with ${bitsPerSample[0]} bits per sample.`)
  if (rows * rowBytes > block.byteLength)
    throw new RangeError(
      `row ${rows - 1} of a predictor-2 block ends at byte ${rows * rowBytes}, past its ${block.byteLength} bytes`
    )
  const View = bytes === 1 ? Uint8Array : bytes === 2 ? Uint16Array : Uint32Array
  undoHorizontalPredictor(
    new View(block as ArrayBuffer, 0, rows * rowLength),
    rowLength,
    rows,
    stride
  )
  return block
}

const trimmed = (out: Uint8Array, n: number): ArrayBuffer =>
  n === out.length ? (out.buffer as ArrayBuffer) : (out.buffer as ArrayBuffer).slice(0, n)

/** The compressions these decoders take: DEFLATE (8, 32946), LZW (5), PackBits (32773), zstd (50000). */
export const boundedCompressions: ReadonlyArray<number> = [8, 32946, 5, 32773, 50000]

// A block as these decoders take it: an ArrayBuffer holding exactly the block, or a view of its bytes (a
// decoder thread's pool buffer is longer than the block), read in place.
type Block = ArrayBufferLike | Uint8Array
const bytesOf = (block: Block): Uint8Array =>
  ArrayBuffer.isView(block) ? block : new Uint8Array(block)

/** geotiff.js's BaseDecoder with its predictor 2 in one pass (`undoPredictor2`); other predictors as it does. */
class BoundedDecoder extends BaseDecoder {
  override decodeBlock(buffer: Block): ArrayBufferLike | Promise<ArrayBufferLike> {
    return super.decodeBlock(buffer as ArrayBufferLike)
  }
  override async decode(buffer: Block): Promise<ArrayBufferLike> {
    const p = this.parameters as Parameters
    if (p.predictor !== 2) return super.decode(buffer as ArrayBufferLike)
    const decoded = await this.decodeBlock(buffer)
    const bits =
      typeof p.bitsPerSample === "number" ? [p.bitsPerSample] : Array.from(p.bitsPerSample)
    return undoPredictor2(decoded, p.tileWidth, p.tileHeight, bits, p.planarConfiguration)
  }
}

/** Bytes of one row of a block: `tileWidth` pixels of every sample (chunky) or of one (planar), whole bytes. */
const rowBytesOf = (p: Parameters): number => {
  const bits = typeof p.bitsPerSample === "number" ? [p.bitsPerSample] : Array.from(p.bitsPerSample)
  const perPixel = p.planarConfiguration === 2 ? bits[0] : bits.reduce((a, b) => a + b, 0)
  return (p.tileWidth * perPixel) / 8
}

class DeflateDecoder extends BoundedDecoder {
  override decodeBlock(buffer: Block): ArrayBufferLike {
    const p = this.parameters as Parameters
    const declared = declaredBytes(p)
    const rowBytes = rowBytesOf(p)
    const prefix =
      p.rows !== undefined && Number.isInteger(rowBytes) && p.rows * rowBytes < declared
        ? inflatePrefix(bytesOf(buffer), p.rows * rowBytes)
        : undefined
    const out = prefix ?? inflateAtMost(bytesOf(buffer), declared)
    return out.byteOffset === 0 && out.byteLength === out.buffer.byteLength
      ? out.buffer
      : out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength)
  }
}

class LzwDecoder extends BoundedDecoder {
  override decodeBlock(buffer: Block): ArrayBufferLike {
    const out = new Uint8Array(declaredBytes(this.parameters as Parameters))
    return trimmed(out, decodeLzw(bytesOf(buffer), out))
  }
}

class PackBitsDecoder extends BoundedDecoder {
  override decodeBlock(buffer: Block): ArrayBufferLike {
    const out = new Uint8Array(declaredBytes(this.parameters as Parameters))
    return trimmed(out, decodePackBits(bytesOf(buffer), out))
  }
}

class ZstdDecoder extends BoundedDecoder {
  override decodeBlock(buffer: Block): ArrayBufferLike {
    const size = declaredBytes(this.parameters as Parameters)
    let out: Uint8Array
    try {
      out = zstdDecompressSync(bytesOf(buffer), { maxOutputLength: size })
    } catch (error) {
      if ((error as { code?: unknown }).code === "ERR_BUFFER_TOO_LARGE")
        throw new BlockTooLarge(`a zstd block decodes ${limitPhrase} of ${size} bytes`)
      throw error
    }
    return out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength)
  }
}

let registered = false

/** Makes geotiff.js use these decoders for DEFLATE, LZW, PackBits and zstd on this thread (idempotent). */
export const register = (): void => {
  if (registered) return
  registered = true
  addDecoder([8, 32946], async () => DeflateDecoder as never)
  addDecoder(5, async () => LzwDecoder as never)
  addDecoder(32773, async () => PackBitsDecoder as never)
  addDecoder(50000, async () => ZstdDecoder as never)
}
