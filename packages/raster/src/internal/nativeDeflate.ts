// DEFLATE tiles decoded with Node's native zlib instead of geotiff.js's JavaScript inflate, whole or only up
// to the last row a read needs. Registered once for codes 8 and 32946; worker pools keep geotiff.js's decoders.
import { addDecoder, BaseDecoder } from "geotiff"
import { constants, createInflate, inflateSync } from "node:zlib"

class NativeDeflateDecoder extends BaseDecoder {
  override decodeBlock(buffer: ArrayBufferLike): ArrayBufferLike {
    const p = this.parameters
    const bits = p.bitsPerSample
    const perSample = typeof bits === "number" ? [bits] : Array.from(bits)
    const bitsPerPixel =
      p.planarConfiguration === 2 ? perSample[0] : perSample.reduce((a, b) => a + b, 0)
    // One output chunk of exactly the tile's size avoids zlib's per-16-KiB chunk loop, the final concat and
    // a copy of the result (zlib returns the chunk's own ArrayBuffer when the output fills it).
    const expected = Math.ceil((p.tileWidth * p.tileHeight * bitsPerPixel) / 8)
    const out = inflateSync(new Uint8Array(buffer), {
      chunkSize: Math.max(64, Math.min(expected, 256 * 1024 * 1024))
    })
    return out.byteOffset === 0 && out.byteLength === out.buffer.byteLength
      ? out.buffer
      : out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength)
  }
}

let registered = false

/** Makes geotiff.js decode DEFLATE on the calling thread with node:zlib (idempotent). */
export const register = (): void => {
  if (registered) return
  registered = true
  addDecoder([8, 32946], async () => NativeDeflateDecoder as never)
}

/** The error of a DEFLATE block that ends before the rows it must hold. */
export class ShortBlock extends Error {}

/**
 * The first rows (at least `need` of `blockRows`, `rowBytes` each) of a zlib-wrapped DEFLATE block. Inflates a
 * prefix of `compressed` sized by proportion (DEFLATE is sequential; the rows after the last needed one are
 * never inflated), retrying with a longer prefix when it falls short. Returns the inflated bytes' buffer and
 * the number of whole rows in it.
 */
export const inflateRows = (
  compressed: Uint8Array,
  rowBytes: number,
  blockRows: number,
  need: number
): { readonly buffer: ArrayBufferLike; readonly rows: number } => {
  const full = rowBytes * blockRows
  const len = compressed.byteLength
  let take =
    need >= blockRows ? len : Math.min(len, Math.ceil((len * need * 1.03) / blockRows) + 4096)
  for (;;) {
    const partial = take < len
    // The expected output of the prefix plus a little: one chunk, so zlib neither loops nor concatenates.
    const chunk = partial ? Math.min(full, Math.ceil((full * take * 1.08) / len) + rowBytes) : full
    const out = inflateSync(compressed.subarray(0, take), {
      chunkSize: Math.max(64, Math.min(chunk, 256 * 1024 * 1024)),
      finishFlush: partial ? constants.Z_SYNC_FLUSH : constants.Z_FINISH
    })
    const rows = Math.min(blockRows, Math.floor(out.byteLength / rowBytes))
    if (rows >= need) {
      const buffer =
        out.byteOffset === 0 && out.byteLength > 4096
          ? out.buffer
          : out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength)
      return { buffer, rows }
    }
    if (!partial)
      throw new ShortBlock(
        `a DEFLATE block holds ${rows} of its ${blockRows} rows (truncated data)`
      )
    // Short: grow the prefix by what the missing rows should need, and some.
    const perRow = take / Math.max(1, out.byteLength / rowBytes)
    take = Math.min(len, take + Math.ceil(perRow * (need - rows) * 1.2) + 16384)
  }
}

/** node:zlib's native handle: `writeSync` inflates into a caller's buffer and leaves (availOut, availIn) in `state`. */
interface ZlibHandle {
  writeSync(
    flush: number,
    input: Uint8Array,
    inOffset: number,
    inLength: number,
    output: Uint8Array,
    outOffset: number,
    outLength: number
  ): void
  close(): void
  onerror: (message: string, errno: number) => void
}

/** A zlib stream stopped after the rows a read needed: its state, input consumed and rows written so far. */
export interface Resume {
  readonly handle: ZlibHandle
  readonly state: Uint32Array
  readonly consumed: number
  readonly failed: { message: string | undefined }
}

const openHandle = (): Omit<Resume, "consumed"> | undefined => {
  const stream = createInflate() as unknown as {
    _handle?: Partial<ZlibHandle>
    _writeState?: Uint32Array
  }
  const handle = stream._handle
  const state = stream._writeState
  if (typeof handle?.writeSync !== "function" || !(state instanceof Uint32Array)) return undefined
  const failed: { message: string | undefined } = { message: undefined }
  handle.onerror = (message: string) => {
    failed.message = message
  }
  return { handle: handle as ZlibHandle, state, failed }
}

/** Whether node:zlib exposes the native handle `inflateResumable` needs (Node ≥ 12 does). */
export const resumable: boolean = openHandle() !== undefined

/**
 * Inflates the first `need` rows (`rowBytes` each, of `blockRows`) of a zlib-wrapped DEFLATE block straight into
 * a buffer of exactly those rows, from compressed chunks fed in order, continuing `previous` — the stream of an
 * earlier inflater that stopped at `previous.rows` rows, whose bytes are copied over — from its input position
 * (`previous.resume.consumed`, where the first chunk must start). The result's `resume` continues it, absent
 * once the block is whole.
 */
export class RowInflater {
  readonly rows: number
  private readonly rowBytes: number
  private readonly whole: boolean
  private readonly out: Uint8Array
  private readonly stream: Omit<Resume, "consumed">
  private produced = 0
  private consumed = 0

  constructor(
    rowBytes: number,
    blockRows: number,
    need: number,
    previous?: { readonly buffer: ArrayBufferLike; readonly rows: number; readonly resume: Resume }
  ) {
    this.rows = Math.min(need, blockRows)
    this.rowBytes = rowBytes
    this.whole = this.rows === blockRows
    this.out = new Uint8Array(this.rows * rowBytes)
    const opened = previous?.resume ?? openHandle()
    if (opened === undefined) throw new ShortBlock("node:zlib has no native inflate handle")
    this.stream = opened
    if (previous !== undefined) {
      this.produced = previous.rows * rowBytes
      this.out.set(new Uint8Array(previous.buffer, 0, this.produced))
      this.consumed = previous.resume.consumed
    }
  }

  /** Where the next chunk starts in the block's compressed bytes. */
  get position(): number {
    return this.consumed
  }

  /** Rows inflated so far. */
  get rowsDone(): number {
    return Math.floor(this.produced / this.rowBytes)
  }

  /** Inflates `chunk` (`last`: the block's compressed bytes end with it); true once the rows are all inflated. */
  feed(chunk: Uint8Array, last: boolean): boolean {
    const { handle, state, failed } = this.stream
    const room = this.out.byteLength - this.produced
    if (room === 0) return true
    handle.writeSync(
      last && this.whole ? constants.Z_FINISH : constants.Z_SYNC_FLUSH,
      chunk,
      0,
      chunk.byteLength,
      this.out,
      this.produced,
      room
    )
    const availOut = state[0]
    const availIn = state[1]
    this.produced += room - availOut
    this.consumed += chunk.byteLength - availIn
    if (failed.message !== undefined) this.fail(failed.message)
    // Input left over with room to spare: the DEFLATE stream ended before the rows.
    if (availOut !== 0 && (availIn !== 0 || last)) this.fail("truncated data")
    return availOut === 0
  }

  /** The rows inflated, and how to continue; fails unless every row asked for was inflated. */
  finish(): {
    readonly buffer: ArrayBuffer
    readonly rows: number
    readonly resume: Resume | undefined
  } {
    if (this.produced < this.out.byteLength) this.fail("truncated data")
    if (this.whole) {
      this.stream.handle.close()
      return { buffer: this.out.buffer as ArrayBuffer, rows: this.rows, resume: undefined }
    }
    return {
      buffer: this.out.buffer as ArrayBuffer,
      rows: this.rows,
      resume: { ...this.stream, consumed: this.consumed }
    }
  }

  private fail(why: string): never {
    this.stream.handle.close()
    throw new ShortBlock(
      `a DEFLATE block holds ${this.rowsDone} of the ${this.rows} rows needed (${why})`
    )
  }
}

/**
 * The first `need` rows (`rowBytes` each, of `blockRows`) of a zlib-wrapped DEFLATE block, inflated straight
 * into a buffer of exactly those rows (`RowInflater` fed `compressed` at once): the block's bytes from
 * `previous.resume.consumed` on, or from its start without `previous`.
 */
export const inflateResumable = (
  compressed: Uint8Array,
  rowBytes: number,
  blockRows: number,
  need: number,
  previous?: { readonly buffer: ArrayBufferLike; readonly rows: number; readonly resume: Resume }
): { readonly buffer: ArrayBuffer; readonly rows: number; readonly resume: Resume | undefined } => {
  const inflater = new RowInflater(rowBytes, blockRows, need, previous)
  inflater.feed(compressed, true)
  return inflater.finish()
}

/** Undoes TIFF horizontal differencing (predictor 2) in place on the first `rows` rows of `values`. */
export const undoHorizontalPredictor = (
  values: Uint8Array | Uint16Array | Uint32Array,
  rowLength: number,
  rows: number,
  stride: number
): void => {
  for (let r = 0; r < rows; r++) {
    const end = (r + 1) * rowLength
    for (let i = r * rowLength + stride; i < end; i++) values[i] = values[i] + values[i - stride]
  }
}
