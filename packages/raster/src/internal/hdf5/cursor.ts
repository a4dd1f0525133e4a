// Bounded little-endian reading of HDF5 structures: a cursor over fetched bytes that fails with a typed
// problem (never reads past what was fetched), and metadata fetches capped by RasterLimits.
import type { ByteSource } from "../byteSource.ts"
import { HeaderProblem } from "../header.ts"

/** The address HDF5 writes for "not allocated" (all bits set), as a number. */
export const undefinedAddress = Number.MAX_SAFE_INTEGER

/** A structure that does not parse: truncated or corrupt file. */
export const corrupt = (what: string): HeaderProblem =>
  new HeaderProblem(
    "Malformed",
    `its HDF5 ${what} is corrupt or truncated; download the file again (h5dump -H shows what is wrong)`
  )

/** A read position over one fetched buffer of the file that starts at file offset `base`. */
export class Cursor {
  readonly view: DataView
  readonly bytes: Uint8Array
  readonly base: number
  pos = 0
  readonly offsetSize: number
  readonly lengthSize: number

  constructor(bytes: Uint8Array, base: number, offsetSize: number, lengthSize: number) {
    this.bytes = bytes
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    this.base = base
    this.offsetSize = offsetSize
    this.lengthSize = lengthSize
  }

  get remaining(): number {
    return this.bytes.length - this.pos
  }

  need(n: number, what: string): void {
    if (n < 0 || this.pos + n > this.bytes.length) throw corrupt(what)
  }

  u8(): number {
    this.need(1, "structure")
    return this.bytes[this.pos++]
  }

  u16(): number {
    this.need(2, "structure")
    const v = this.view.getUint16(this.pos, true)
    this.pos += 2
    return v
  }

  u32(): number {
    this.need(4, "structure")
    const v = this.view.getUint32(this.pos, true)
    this.pos += 4
    return v
  }

  /** An unsigned integer of `size` bytes (1–8); all bits set reads as `undefinedAddress`. */
  uint(size: number): number {
    this.need(size, "structure")
    let v = 0
    let all = true
    for (let i = size - 1; i >= 0; i--) {
      const b = this.bytes[this.pos + i]
      if (b !== 0xff) all = false
      v = v * 256 + b
    }
    this.pos += size
    return all && size >= 4 ? undefinedAddress : v
  }

  offset(): number {
    return this.uint(this.offsetSize)
  }

  length(): number {
    return this.uint(this.lengthSize)
  }

  take(n: number): Uint8Array {
    this.need(n, "structure")
    const out = this.bytes.subarray(this.pos, this.pos + n)
    this.pos += n
    return out
  }

  skip(n: number): void {
    this.need(n, "structure")
    this.pos += n
  }

  signature(expected: string, what: string): void {
    this.need(4, what)
    for (let i = 0; i < 4; i++)
      if (this.bytes[this.pos + i] !== expected.charCodeAt(i)) throw corrupt(what)
    this.pos += 4
  }

  /** A cursor over the next `n` bytes (then skipped here). */
  sub(n: number): Cursor {
    const at = this.pos
    const bytes = this.take(n)
    return new Cursor(bytes, this.base + at, this.offsetSize, this.lengthSize)
  }
}

/** Where a file's metadata is read from, with a cap on any one structure. */
export interface Reader {
  readonly bytes: ByteSource
  offsetSize: number
  lengthSize: number
  /** Bytes of one metadata structure at most (RasterLimits.maxTagBytes). */
  readonly maxStructureBytes: number
  /** Metadata structures read so far, bounded against cycles and bombs. */
  structures: number
  /** Metadata bytes read so far, and the most an open may read (RasterLimits.maxReadBytes). */
  metadataBytes: number
  readonly maxMetadataBytes: number
}

/** Structures one file may make us read at most (object headers, heaps, B-tree nodes). */
export const maxStructures = 100_000

/** A cursor over `length` bytes at file offset `at`; fails when they are not all in the file. */
export const readAt = async (
  reader: Reader,
  at: number,
  length: number,
  what: string
): Promise<Cursor> => {
  if (++reader.structures > maxStructures)
    throw new HeaderProblem(
      "TooLarge",
      `its HDF5 metadata needs more than ${maxStructures} structures read (a cycle or a hostile file); check it with h5dump -H`
    )
  if (length > reader.maxStructureBytes)
    throw new HeaderProblem(
      "TooLarge",
      `its HDF5 ${what} declares ${length} bytes, over the ${reader.maxStructureBytes}-byte limit (maxTagBytes); the file is corrupt or hostile`
    )
  reader.metadataBytes += length
  if (reader.metadataBytes > reader.maxMetadataBytes)
    throw new HeaderProblem(
      "TooLarge",
      `its HDF5 metadata needs more than ${reader.maxMetadataBytes} bytes read (maxReadBytes); the file is corrupt or hostile`
    )
  const size = reader.bytes.fileSize
  if (!Number.isSafeInteger(at) || at < 0 || (size !== null && at + length > size))
    throw corrupt(what)
  const [buffer] = await reader.bytes.fetch([{ offset: at, length }])
  if (buffer.byteLength < length) throw corrupt(what)
  return new Cursor(new Uint8Array(buffer), at, reader.offsetSize, reader.lengthSize)
}
