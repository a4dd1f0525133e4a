// The byte layout of one `sharding_indexed` shard: inner chunks back to back, then the index at the end.
// Index = nchunks × (offset uint64 LE, nbytes uint64 LE), 2^64−1 for both when a chunk is empty, + CRC-32C.
import * as Crc32c from "./Crc32c.ts"

/** Offset/length of one inner chunk; undefined for an empty (fill-value) chunk. */
export type IndexEntry = { readonly offset: number; readonly nbytes: number } | undefined

/** Bytes of the encoded index of a shard with `nchunks` inner chunks (16 per chunk + 4 for the CRC). */
export const indexSize = (nchunks: number): number => nchunks * 16 + 4

const EMPTY = 0xffffffff

/**
 * The parts of a shard file: inner chunks in C order of their index, then the index.
 * `chunks[i]` is the encoded inner chunk i (one array, or its pieces in order) or undefined when empty.
 * Returns the parts to write in order (no concatenation, so one shard is held once in memory).
 */
export const encode = (
  chunks: ReadonlyArray<Uint8Array | ReadonlyArray<Uint8Array> | undefined>
): ReadonlyArray<Uint8Array> => {
  const index = new Uint8Array(indexSize(chunks.length))
  const view = new DataView(index.buffer)
  const out: Array<Uint8Array> = []
  let offset = 0
  for (let i = 0; i < chunks.length; i++) {
    const c = chunks[i]
    const o = i * 16
    if (c === undefined) {
      view.setUint32(o, EMPTY, true)
      view.setUint32(o + 4, EMPTY, true)
      view.setUint32(o + 8, EMPTY, true)
      view.setUint32(o + 12, EMPTY, true)
      continue
    }
    let nbytes = 0
    if (c instanceof Uint8Array) {
      nbytes = c.length
      out.push(c)
    } else {
      for (const piece of c) {
        nbytes += piece.length
        out.push(piece)
      }
    }
    view.setBigUint64(o, BigInt(offset), true)
    view.setBigUint64(o + 8, BigInt(nbytes), true)
    offset += nbytes
  }
  const body = index.subarray(0, chunks.length * 16)
  view.setUint32(chunks.length * 16, Crc32c.compute(body), true)
  out.push(index)
  return out
}

/** Why an index could not be decoded. */
export type IndexProblem = { readonly problem: string }

/**
 * Decode and check the index of a shard from its last `indexSize(nchunks)` bytes.
 * `fileSize` bounds the offsets. Returns the entries, or a problem (bad CRC, bad size, out of range).
 */
export const decodeIndex = (
  tail: Uint8Array,
  nchunks: number,
  fileSize: number
): ReadonlyArray<IndexEntry> | IndexProblem => {
  const size = indexSize(nchunks)
  if (tail.length !== size) return { problem: `index is ${tail.length} bytes, expected ${size}` }
  const view = new DataView(tail.buffer, tail.byteOffset, tail.byteLength)
  const stored = view.getUint32(nchunks * 16, true)
  const actual = Crc32c.compute(tail.subarray(0, nchunks * 16))
  if (stored !== actual)
    return {
      problem: `index crc32c is 0x${stored.toString(16).padStart(8, "0")}, computed 0x${actual.toString(16).padStart(8, "0")}`
    }
  const entries: Array<IndexEntry> = []
  for (let i = 0; i < nchunks; i++) {
    const o = i * 16
    if (
      view.getUint32(o, true) === EMPTY &&
      view.getUint32(o + 4, true) === EMPTY &&
      view.getUint32(o + 8, true) === EMPTY &&
      view.getUint32(o + 12, true) === EMPTY
    ) {
      entries.push(undefined)
      continue
    }
    const offset = Number(view.getBigUint64(o, true))
    const nbytes = Number(view.getBigUint64(o + 8, true))
    if (offset + nbytes > fileSize - size)
      return {
        problem: `chunk ${i} spans bytes ${offset}–${offset + nbytes}, beyond the data part (${fileSize - size} bytes)`
      }
    entries.push({ offset, nbytes })
  }
  return entries
}

/** Whether a decoded index is a problem. */
export const isProblem = (x: ReadonlyArray<IndexEntry> | IndexProblem): x is IndexProblem =>
  "problem" in x
