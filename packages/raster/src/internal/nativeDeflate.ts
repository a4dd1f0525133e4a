// DEFLATE tiles decoded with Node's native zlib instead of geotiff.js's JavaScript inflate, whole or only up
// to the last row a read needs, never past the block's declared size (boundedDecoders.ts registers them).
import { constants, createInflate, inflateSync } from "node:zlib"
import { take } from "./tileBuffers.ts"

/** A block that would decode to more bytes than it may hold (a decompression bomb, or a lying header). */
export class BlockTooLarge extends Error {}

/** The phrase every limit message carries, so that errors crossing a worker boundary stay recognisable. */
export const limitPhrase = "past its declared size"

/** The error of a DEFLATE block that ends before the rows it must hold. */
export class ShortBlock extends Error {}

/** A write of node:zlib's native handle: `input[inOffset, +inLength)` into `output[outOffset, +outLength)`. */
type ZlibWrite = (
  flush: number,
  input: Uint8Array,
  inOffset: number,
  inLength: number,
  output: Uint8Array,
  outOffset: number,
  outLength: number
) => void

/**
 * node:zlib's native handle: `writeSync` inflates into a caller's buffer and leaves (availOut, availIn) in
 * `state`; `write` does the same on node's thread pool and calls the callback given to `init` when done (or
 * `onerror`).
 */
interface ZlibHandle {
  writeSync: ZlibWrite
  write: ZlibWrite
  init(
    windowBits: number,
    level: number,
    memLevel: number,
    strategy: number,
    state: Uint32Array,
    done: () => void,
    dictionary: undefined
  ): void
  close(): void
  reset(): void
  onerror: (message: string, errno: number) => void
}

/** A zlib stream stopped after the rows a read needed: its state, input consumed and rows written so far. */
export interface Resume {
  readonly handle: ZlibHandle
  readonly state: Uint32Array
  readonly consumed: number
  readonly failed: { message: string | undefined }
  /** Called once when an asynchronous `write` of the handle ends (or fails). */
  readonly settled: { done: (() => void) | undefined }
}

// The constructor of node:zlib's native handle (what `createInflate` wraps in a stream), when it has one.
const NativeHandle = (() => {
  const stream = createInflate() as unknown as { _handle?: { constructor?: unknown } }
  const ctor = stream._handle?.constructor
  ;(stream as unknown as { close: () => void }).close()
  return typeof ctor === "function" &&
    typeof (ctor.prototype as Partial<ZlibHandle>).write === "function" &&
    typeof (ctor.prototype as Partial<ZlibHandle>).writeSync === "function" &&
    typeof (ctor.prototype as Partial<ZlibHandle>).reset === "function"
    ? (ctor as new (mode: number) => ZlibHandle)
    : undefined
})()

// A zlib inflate handle of our own (no stream around it): its writes go straight into the caller's buffer,
// synchronously or on node's thread pool.
const openHandle = (): Omit<Resume, "consumed"> | undefined => {
  if (NativeHandle === undefined) return undefined
  const handle = new NativeHandle(constants.INFLATE)
  const state = new Uint32Array(2)
  const failed: { message: string | undefined } = { message: undefined }
  const settled: { done: (() => void) | undefined } = { done: undefined }
  const settle = () => {
    const done = settled.done
    settled.done = undefined
    done?.()
  }
  handle.onerror = (message: string) => {
    failed.message = message
    settle()
  }
  handle.init(
    15,
    constants.Z_DEFAULT_COMPRESSION,
    8,
    constants.Z_DEFAULT_STRATEGY,
    state,
    settle,
    undefined
  )
  return { handle, state, failed, settled }
}

// Handles at rest, reset and ready for the next block: a native handle, its zlib state and its 32 KiB window
// cost a native allocation, an external-memory report to V8 (which starts GC marking when it climbs) and a
// weak-handle finaliser each; a build inflates tens of thousands of tiles, each with a fresh handle until then.
const idle: Array<Stream> = []
/** Handles kept at rest: enough for every inflate in flight on node's thread pool and the decoder threads. */
const maxIdle = 32

type Stream = Omit<Resume, "consumed">

// An inflate handle ready for a new block: one at rest, else a new one.
const acquire = (): Stream | undefined => idle.pop() ?? openHandle()

/**
 * Ends the use of `stream` once its writes have all settled: reset and kept for the next block, or closed when
 * it failed (zlib's state after an error is not trusted), a write is still running, or enough are at rest.
 */
export const release = (stream: Stream): void => {
  if (
    stream.failed.message !== undefined ||
    stream.settled.done !== undefined ||
    idle.length >= maxIdle ||
    idle.includes(stream)
  ) {
    stream.handle.close()
    return
  }
  stream.handle.reset()
  if (stream.failed.message !== undefined) stream.handle.close()
  else idle.push(stream)
}

/** Handles at rest (for tests). */
export const idleHandles = (): number => idle.length

/** Whether node:zlib exposes the native handle `inflateResumable` needs (Node ≥ 12 does). */
export const resumable: boolean = NativeHandle !== undefined

const probe = new Uint8Array(1)

/**
 * Inflates the zlib-wrapped DEFLATE block `compressed` into a buffer of at most `maxBytes`: the block's bytes
 * when they fit (fewer for a short last strip), `BlockTooLarge` when the stream goes on past `maxBytes`.
 */
export const inflateAtMost = (compressed: Uint8Array, maxBytes: number): Uint8Array => {
  const stream = acquire()
  if (stream === undefined) {
    try {
      return inflateSync(compressed, {
        chunkSize: Math.max(64, Math.min(maxBytes, 256 * 1024 * 1024)),
        maxOutputLength: maxBytes
      })
    } catch (error) {
      if ((error as { code?: unknown }).code === "ERR_BUFFER_TOO_LARGE")
        throw new BlockTooLarge(`a DEFLATE block inflates ${limitPhrase} of ${maxBytes} bytes`)
      throw error
    }
  }
  return inflateNative(stream, compressed, maxBytes, true)
}

/**
 * The first `bytes` bytes the zlib-wrapped DEFLATE block `compressed` inflates to (fewer when it ends before),
 * the rest never inflated; undefined when node:zlib has no native handle (the caller inflates it whole).
 */
export const inflatePrefix = (compressed: Uint8Array, bytes: number): Uint8Array | undefined => {
  const stream = acquire()
  return stream === undefined ? undefined : inflateNative(stream, compressed, bytes, false)
}

// Inflates `compressed` through `stream` into a new buffer of `bytes` (fewer when the block ends before);
// with `refuseMore`, BlockTooLarge when the block goes on past them.
const inflateNative = (
  stream: Stream,
  compressed: Uint8Array,
  bytes: number,
  refuseMore: boolean
): Uint8Array => {
  const { handle, state, failed } = stream
  const out = new Uint8Array(bytes)
  try {
    handle.writeSync(constants.Z_FINISH, compressed, 0, compressed.byteLength, out, 0, bytes)
    if (failed.message !== undefined)
      throw new ShortBlock(`a DEFLATE block is corrupt (${failed.message})`)
    const availOut = state[0]
    const availIn = state[1]
    if (refuseMore && availOut === 0 && availIn > 0) {
      const at = compressed.byteLength - availIn
      handle.writeSync(constants.Z_FINISH, compressed, at, availIn, probe, 0, 1)
      if (state[0] === 0)
        throw new BlockTooLarge(`a DEFLATE block inflates ${limitPhrase} of ${bytes} bytes`)
    }
    return availOut === 0 ? out : out.subarray(0, bytes - availOut)
  } finally {
    release(stream)
  }
}

/**
 * Inflates the first `need` rows (`rowBytes` each, of `blockRows`) of a zlib-wrapped DEFLATE block straight into
 * a buffer of those rows (new, or reused from tileBuffers.ts), from compressed chunks fed in order, continuing
 * `previous` — the stream of an earlier inflater that stopped at `previous.rows` rows, whose bytes are copied
 * over — from its input position (`previous.resume.consumed`, where the first chunk must start). The result's
 * `resume` continues it, absent once the block is whole.
 */
export class RowInflater {
  readonly rows: number
  private readonly rowBytes: number
  private readonly whole: boolean
  private readonly out: Uint8Array
  private readonly stream: Stream
  private produced = 0
  private consumed = 0
  // Finished, failed or abandoned: its handle is no longer this inflater's to close.
  private ended = false

  constructor(
    rowBytes: number,
    blockRows: number,
    need: number,
    previous?: { readonly buffer: ArrayBufferLike; readonly rows: number; readonly resume: Resume }
  ) {
    this.rows = Math.min(need, blockRows)
    this.rowBytes = rowBytes
    this.whole = this.rows === blockRows
    // Not zeroed, maybe reused (tileBuffers.ts): `finish` gives it only once every byte is inflated.
    this.out = new Uint8Array(take(this.rows * rowBytes), 0, this.rows * rowBytes)
    const opened = previous?.resume ?? acquire()
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
    const room = this.out.byteLength - this.produced
    if (room === 0) return true
    const flush = last && this.whole ? constants.Z_FINISH : constants.Z_SYNC_FLUSH
    this.stream.handle.writeSync(flush, chunk, 0, chunk.byteLength, this.out, this.produced, room)
    return this.written(chunk, last, room)
  }

  /** `feed` on node's thread pool: the calling thread goes on meanwhile. */
  async feedAsync(chunk: Uint8Array, last: boolean): Promise<boolean> {
    const room = this.out.byteLength - this.produced
    if (room === 0) return true
    const flush = last && this.whole ? constants.Z_FINISH : constants.Z_SYNC_FLUSH
    const { handle, settled } = this.stream
    // `chunk` and the output stay referenced (here and by this) until the write has ended.
    await new Promise<void>((resolve) => {
      settled.done = resolve
      handle.write(flush, chunk, 0, chunk.byteLength, this.out, this.produced, room)
    })
    return this.written(chunk, last, room)
  }

  // Accounts for a write of `chunk` into `room` bytes of output; checks the block's bounds.
  private written(chunk: Uint8Array, last: boolean, room: number): boolean {
    const { handle, state, failed } = this.stream
    const availOut = state[0]
    const availIn = state[1]
    this.produced += room - availOut
    this.consumed += chunk.byteLength - availIn
    if (failed.message !== undefined) this.fail(failed.message)
    if (availOut === 0 && this.whole && availIn > 0) {
      // The block is whole but its stream goes on: one byte more means it inflates past its size.
      const at = chunk.byteLength - availIn
      handle.writeSync(constants.Z_FINISH, chunk, at, availIn, probe, 0, 1)
      if (state[0] === 0) {
        handle.close()
        throw new BlockTooLarge(
          `a DEFLATE block inflates ${limitPhrase} of ${this.out.byteLength} bytes`
        )
      }
    }
    // Input left over with room to spare: the DEFLATE stream ended before the rows.
    if (availOut !== 0 && (availIn !== 0 || last)) this.fail("truncated data")
    return availOut === 0
  }

  /**
   * The rows inflated (the first bytes of `buffer`, which may be longer), and how to continue; fails unless
   * every row asked for was inflated.
   */
  finish(): {
    readonly buffer: ArrayBuffer
    readonly rows: number
    readonly resume: Resume | undefined
  } {
    if (this.produced < this.out.byteLength) this.fail("truncated data")
    this.ended = true
    if (this.whole) {
      release(this.stream)
      return { buffer: this.out.buffer as ArrayBuffer, rows: this.rows, resume: undefined }
    }
    return {
      buffer: this.out.buffer as ArrayBuffer,
      rows: this.rows,
      resume: { ...this.stream, consumed: this.consumed }
    }
  }

  /**
   * Ends an inflate given up before `finish` (its bytes could not be read): its handle is closed (after a write
   * still running), never kept. Nothing happens once it finished or failed.
   */
  abandon(): void {
    if (this.ended) return
    this.ended = true
    this.stream.handle.close()
  }

  private fail(why: string): never {
    if (!this.ended) this.stream.handle.close()
    this.ended = true
    throw new ShortBlock(
      `a DEFLATE block holds ${this.rowsDone} of the ${this.rows} rows needed (${why})`
    )
  }
}

/**
 * The first `need` rows (`rowBytes` each, of `blockRows`) of a zlib-wrapped DEFLATE block, inflated straight
 * into a buffer of those rows (`RowInflater` fed `compressed` at once): the block's bytes from
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
