// The first rows of a DEFLATE block inflated with node:zlib's inflateSync from a prefix of its compressed bytes
// sized by proportion (retried longer when short): for codecs and sources without the native handle's path.
import { constants, inflateSync, type ZlibOptions } from "node:zlib"
import { BlockTooLarge, limitPhrase, ShortBlock } from "./nativeDeflate.ts"

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
  const len = compressed.byteLength
  for (let take = firstTake(len, blockRows, need); ;) {
    const out = runPrefix(compressed.subarray(0, take), len, rowBytes, blockRows, (i, o) =>
      inflateSync(i, o)
    )
    const got = rowsOf(out, len, take, rowBytes, blockRows, need)
    if (typeof got === "number") take = got
    else return got
  }
}

// The prefix of a block of `len` compressed bytes first inflated for `need` of its `blockRows` rows: sized by
// proportion, and some.
const firstTake = (len: number, blockRows: number, need: number): number =>
  need >= blockRows ? len : Math.min(len, Math.ceil((len * need * 1.03) / blockRows) + 4096)

// Inflates `prefix` (the first bytes of a block of `len`) with `run` (inflateSync or the asynchronous
// inflate), zlib's size error mapped to BlockTooLarge.
const runPrefix = <R extends Buffer | Promise<Buffer>>(
  prefix: Uint8Array,
  len: number,
  rowBytes: number,
  blockRows: number,
  run: (input: Uint8Array, options: ZlibOptions) => R
): R => {
  const full = rowBytes * blockRows
  const take = prefix.byteLength
  const partial = take < len
  // The expected output of the prefix plus a little: one chunk, so zlib neither loops nor concatenates; and
  // a byte of room more, since a chunk filled exactly makes zlib allocate another and ask for more output.
  const chunk =
    (partial ? Math.min(full, Math.ceil((full * take * 1.08) / len) + rowBytes) : full) + 1
  const tooLarge = (error: unknown) =>
    (error as { code?: unknown }).code === "ERR_BUFFER_TOO_LARGE"
      ? new BlockTooLarge(`a DEFLATE block inflates ${limitPhrase} of ${full} bytes`)
      : error
  const options: ZlibOptions = {
    chunkSize: Math.max(64, Math.min(chunk, 256 * 1024 * 1024)),
    finishFlush: partial ? constants.Z_SYNC_FLUSH : constants.Z_FINISH,
    maxOutputLength: full
  }
  try {
    const out = run(prefix, options)
    return (
      out instanceof Promise
        ? out.catch((error: unknown) => {
            throw tooLarge(error)
          })
        : out
    ) as R
  } catch (error) {
    throw tooLarge(error)
  }
}

// The rows in `out` (inflated from the first `take` of `len` bytes) when there are `need`, else the longer
// prefix to try; ShortBlock when the whole block was inflated.
const rowsOf = (
  out: Buffer,
  len: number,
  take: number,
  rowBytes: number,
  blockRows: number,
  need: number
): { readonly buffer: ArrayBufferLike; readonly rows: number } | number => {
  const rows = Math.min(blockRows, Math.floor(out.byteLength / rowBytes))
  if (rows >= need) {
    const buffer =
      out.byteOffset === 0 && out.byteLength > 4096
        ? out.buffer
        : out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength)
    return { buffer, rows }
  }
  if (take >= len)
    throw new ShortBlock(`a DEFLATE block holds ${rows} of its ${blockRows} rows (truncated data)`)
  // Short: grow the prefix by what the missing rows should need, and some.
  const perRow = take / Math.max(1, out.byteLength / rowBytes)
  return Math.min(len, take + Math.ceil(perRow * (need - rows) * 1.2) + 16384)
}
