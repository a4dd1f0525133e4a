// The chunk indexes HDF5 1.10 (layout message version 4) uses for datasets with unlimited dimensions
// (File Format Specification v3): the extensible array (§III.H: header EAHD, index block EAIB, super blocks
// EASB, data blocks EADB) for one unlimited dimension, and the version 2 B-tree (§III.A.2, record types 10 and
// 11) for several. Both read whole, once per dataset, as the fixed array is: EO files hold thousands of chunks.
import { corrupt, readAt, undefinedAddress, type Cursor, type Reader } from "./cursor.ts"
import type { ChunkRef } from "./fixedArray.ts"

const log2Floor = (n: number): number => Math.floor(Math.log2(n))

// An element of either index: the chunk's address, and for filtered chunks (client 1) its stored size and mask.
const elementOf = (
  c: Cursor,
  filtered: boolean,
  elementSize: number,
  chunkBytes: number,
  offsetSize: number
): ChunkRef | undefined => {
  const at = c.offset()
  const size = filtered ? c.uint(elementSize - offsetSize - 4) : chunkBytes
  const mask = filtered ? c.u32() : 0
  return at === undefinedAddress ? undefined : { address: at, size, mask }
}

/**
 * Every element of an extensible array, by linear chunk index (row-major over the chunk grid with the unlimited
 * dimension first, as HDF5 orders it). Elements never written are undefined.
 */
export const readExtensibleArray = async (
  reader: Reader,
  address: number,
  chunkBytes: number
): Promise<ReadonlyArray<ChunkRef | undefined>> => {
  const o = reader.offsetSize
  const l = reader.lengthSize
  const h = await readAt(reader, address, 16 + 6 * l + o, "extensible array header")
  h.signature("EAHD", "extensible array header")
  h.u8()
  const client = h.u8()
  const elementSize = h.u8()
  const maxBits = h.u8()
  const indexElements = h.u8()
  const minElements = h.u8()
  const minPointers = h.u8()
  const pageBits = h.u8()
  h.skip(4 * l)
  const maxIndexSet = h.length()
  const count = Math.max(maxIndexSet, h.length())
  const indexBlock = h.offset()
  if (client > 1 || elementSize < o || maxBits > 64 || minElements === 0 || minPointers === 0)
    throw corrupt("extensible array header")
  const filtered = client === 1
  const offsetBytes = Math.ceil(maxBits / 8)
  const pageElements = 2 ** pageBits
  // Super block geometry (H5EA__hdr_init): super block u holds 2^⌊u/2⌋ data blocks of 2^⌈u/2⌉·min elements.
  const superBlocks = 1 + maxBits - log2Floor(minElements)
  const info: Array<{ blocks: number; elements: number; start: number }> = []
  for (let u = 0, start = 0; u < superBlocks; u++) {
    const blocks = 2 ** Math.floor(u / 2)
    const elements = 2 ** Math.floor((u + 1) / 2) * minElements
    info.push({ blocks, elements, start })
    start += blocks * elements
  }
  const inIndex = 2 * log2Floor(minPointers)
  const dataPointers = 2 * (minPointers - 1)
  const superPointers = superBlocks - inIndex
  const out: Array<ChunkRef | undefined> = new Array(count).fill(undefined)
  if (indexBlock === undefinedAddress) return out
  const ib = await readAt(
    reader,
    indexBlock,
    6 + o + indexElements * elementSize + (dataPointers + superPointers) * o,
    "extensible array index block"
  )
  ib.signature("EAIB", "extensible array index block")
  ib.skip(2 + o)
  for (let i = 0; i < indexElements; i++) {
    const e = elementOf(ib.sub(elementSize), filtered, elementSize, chunkBytes, o)
    if (i < count) out[i] = e
  }
  const dataBlocks = Array.from({ length: dataPointers }, () => ib.offset())
  const supers = Array.from({ length: superPointers }, () => ib.offset())

  // One data block of `n` elements starting at linear index `first` (paged when larger than a page).
  const dataBlock = async (at: number, n: number, first: number) => {
    if (at === undefinedAddress || first >= count) return
    const paged = n > pageElements
    const prefix = 6 + o + offsetBytes
    const total = paged
      ? prefix + 4 + Math.ceil(n / pageElements) * (pageElements * elementSize + 4)
      : prefix + n * elementSize + 4
    const c = await readAt(reader, at, total, "extensible array data block")
    c.signature("EADB", "extensible array data block")
    c.skip(2 + o + offsetBytes)
    if (paged) c.skip(4)
    for (let i = 0; i < n; i++) {
      if (paged && i > 0 && i % pageElements === 0) c.skip(4)
      const e = elementOf(c.sub(elementSize), filtered, elementSize, chunkBytes, o)
      if (first + i < count) out[first + i] = e
    }
  }
  // Data blocks of the super blocks kept in the index block, in order.
  let d = 0
  for (let u = 0; u < Math.min(inIndex, superBlocks); u++)
    for (let b = 0; b < info[u]!.blocks; b++, d++)
      await dataBlock(
        dataBlocks[d] ?? undefinedAddress,
        info[u]!.elements,
        indexElements + info[u]!.start + b * info[u]!.elements
      )
  for (let s = 0; s < superPointers; s++) {
    const u = inIndex + s
    const at = supers[s]!
    const first = indexElements + info[u]!.start
    if (at === undefinedAddress || first >= count) continue
    const { blocks, elements } = info[u]!
    const paged = elements > pageElements
    const bitmap = paged ? Math.ceil((blocks * Math.ceil(elements / pageElements)) / 8) : 0
    const sb = await readAt(
      reader,
      at,
      6 + o + offsetBytes + bitmap + blocks * o + 4,
      "extensible array super block"
    )
    sb.signature("EASB", "extensible array super block")
    sb.skip(2 + o + offsetBytes + bitmap)
    const addresses = Array.from({ length: blocks }, () => sb.offset())
    for (let b = 0; b < blocks; b++) await dataBlock(addresses[b]!, elements, first + b * elements)
  }
  return out
}

/**
 * The chunks of a version 2 B-tree chunk index (record type 10: unfiltered, 11: filtered), by their element
 * offsets joined with commas (scaled offsets × chunk dimensions), at any depth.
 */
export const readBtree2Chunks = async (
  reader: Reader,
  address: number,
  chunk: ReadonlyArray<number>,
  chunkBytes: number
): Promise<Map<string, ChunkRef>> => {
  const o = reader.offsetSize
  const h = await readAt(reader, address, 16 + o + reader.lengthSize, "chunk B-tree v2")
  h.signature("BTHD", "chunk B-tree v2")
  h.u8()
  const type = h.u8()
  const nodeSize = h.u32()
  const recordSize = h.u16()
  const depth = h.u16()
  h.skip(2)
  const root = h.offset()
  const rootRecords = h.u16()
  if ((type !== 10 && type !== 11) || recordSize === 0 || depth > 16 || nodeSize < 16)
    throw corrupt("chunk B-tree v2")
  const rank = chunk.length
  const filtered = type === 11
  const sizeBytes = recordSize - o - 8 * rank - (filtered ? 4 : 0)
  if (filtered && (sizeBytes < 1 || sizeBytes > 8)) throw corrupt("chunk B-tree v2 record")
  // Node geometry per depth (H5B2__hdr_init): records a node holds and the widths of its child counts.
  const prefix = 10
  const maxRecords: Array<number> = [Math.floor((nodeSize - prefix) / recordSize)]
  const cumulative: Array<number> = [maxRecords[0]!]
  const cumulativeBytes: Array<number> = [0]
  const countBytes = Math.floor(log2Floor(maxRecords[0]!) / 8) + 1
  for (let u = 1; u <= depth; u++) {
    const pointer = o + countBytes + cumulativeBytes[u - 1]!
    maxRecords[u] = Math.floor((nodeSize - (prefix + pointer)) / (recordSize + pointer))
    cumulative[u] = (maxRecords[u]! + 1) * cumulative[u - 1]! + maxRecords[u]!
    cumulativeBytes[u] = Math.floor(log2Floor(cumulative[u]!) / 8) + 1
  }
  const out = new Map<string, ChunkRef>()
  const record = (c: Cursor) => {
    const at = c.offset()
    const size = filtered ? c.uint(sizeBytes) : chunkBytes
    const mask = filtered ? c.u32() : 0
    const offsets = Array.from({ length: rank }, (_, d) => c.uint(8) * chunk[d]!)
    if (at !== undefinedAddress) out.set(offsets.join(","), { address: at, size, mask })
  }
  const visit = async (at: number, records: number, level: number): Promise<void> => {
    if (at === undefinedAddress || records === 0) return
    if (level === 0) {
      const c = await readAt(reader, at, 6 + records * recordSize, "chunk B-tree v2 leaf")
      c.signature("BTLF", "chunk B-tree v2 leaf")
      c.skip(2)
      for (let i = 0; i < records; i++) record(c.sub(recordSize))
      return
    }
    const totalBytes = level > 1 ? cumulativeBytes[level - 1]! : 0
    const c = await readAt(
      reader,
      at,
      6 + records * recordSize + (records + 1) * (o + countBytes + totalBytes),
      "chunk B-tree v2 node"
    )
    c.signature("BTIN", "chunk B-tree v2 node")
    c.skip(2)
    for (let i = 0; i < records; i++) record(c.sub(recordSize))
    for (let i = 0; i <= records; i++) {
      const child = c.offset()
      const n = c.uint(countBytes)
      c.skip(totalBytes)
      await visit(child, n, level - 1)
    }
  }
  await visit(root, rootRecords, depth)
  return out
}
