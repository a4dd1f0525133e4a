// The fixed-array chunk index of HDF5 1.10 (File Format Specification v3, §III.I "Fixed Array": header FAHD,
// data block FADB, optionally paged), which layout version 4 uses for chunked datasets without unlimited
// dimensions when files are written with libver="latest" (h5py, HDF5 1.10+ tools).
import { corrupt, readAt, undefinedAddress, type Reader } from "./cursor.ts"

/** A stored chunk: file address, stored size and the filters it skipped. */
export interface ChunkRef {
  readonly address: number
  readonly size: number
  readonly mask: number
}

/** Every entry of a fixed array, by linear chunk index (row-major over the chunk grid). */
export const readFixedArray = async (
  reader: Reader,
  address: number,
  chunkBytes: number
): Promise<ReadonlyArray<ChunkRef | undefined>> => {
  const o = reader.offsetSize
  const h = await readAt(reader, address, 12 + reader.lengthSize + o, "fixed array header")
  h.signature("FAHD", "fixed array header")
  h.u8()
  const client = h.u8()
  const entrySize = h.u8()
  const pageBits = h.u8()
  const entries = h.length()
  const block = h.offset()
  if (client > 1 || entrySize < o || pageBits > 31) throw corrupt("fixed array header")
  const perPage = 2 ** pageBits
  const paged = entries > perPage
  const pages = paged ? Math.ceil(entries / perPage) : 1
  const bitmap = paged ? Math.ceil(pages / 8) : 0
  // Prefix (signature, version, client, header address), bitmap, then entries (+ a checksum per page).
  const prefix = 6 + o + bitmap
  const total = prefix + entries * entrySize + (paged ? 4 * pages : 0) + 4
  const c = await readAt(reader, block, total, "fixed array data block")
  c.signature("FADB", "fixed array data block")
  c.skip(2 + o)
  const present = c.take(bitmap)
  const out: Array<ChunkRef | undefined> = []
  for (let p = 0; p < pages; p++) {
    const n = Math.min(perPage, entries - p * perPage)
    const initialised = !paged || (present[p >> 3] & (0x80 >> (p & 7))) !== 0
    for (let i = 0; i < n; i++) {
      const e = c.sub(entrySize)
      if (!initialised) {
        out.push(undefined)
        continue
      }
      const at = e.offset()
      const size = client === 1 ? e.uint(entrySize - o - 4) : chunkBytes
      const mask = client === 1 ? e.u32() : 0
      out.push(at === undefinedAddress || at === 0 ? undefined : { address: at, size, mask })
    }
    if (paged) c.skip(4)
  }
  return out
}
