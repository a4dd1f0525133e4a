// Dense link and attribute storage of HDF5 (File Format Specification v3): objects of a fractal heap (§III.G)
// found by the heap IDs that a version 2 B-tree (§III.A.2) holds — link names (type 5), attribute names (type 8).
import { corrupt, Cursor, readAt, undefinedAddress, type Reader } from "./cursor.ts"

interface Heap {
  readonly address: number
  readonly idLength: number
  readonly filtered: boolean
  readonly width: number
  readonly startSize: number
  readonly maxDirect: number
  readonly offsetBytes: number
  readonly lengthBytes: number
  readonly root: number
  readonly rootRows: number
  readonly checksummed: boolean
}

const log2 = (n: number) => Math.round(Math.log2(n))

const openHeap = async (reader: Reader, address: number): Promise<Heap> => {
  const c = await readAt(
    reader,
    address,
    22 + 12 * reader.lengthSize + 3 * reader.offsetSize + 4,
    "fractal heap"
  )
  c.signature("FRHP", "fractal heap")
  c.u8()
  const idLength = c.u16()
  const filterLength = c.u16()
  const flags = c.u8()
  const maxManaged = c.u32()
  c.length() // next huge ID
  c.offset() // huge B-tree
  c.length()
  c.offset()
  for (let i = 0; i < 8; i++) c.length()
  const width = c.u16()
  const startSize = c.length()
  const maxDirect = c.length()
  const maxHeapBits = c.u16()
  c.u16()
  const root = c.offset()
  const rootRows = c.u16()
  if (width === 0 || width > 65536 || startSize === 0 || maxDirect < startSize || maxHeapBits > 64)
    throw corrupt("fractal heap")
  const offsetBytes = Math.ceil(maxHeapBits / 8)
  // The length field of a managed heap ID: the smaller of what encodes the largest direct block offset and the
  // largest managed object (H5HF header: heap_len_size).
  const lengthBytes = Math.min(
    Math.ceil(log2(maxDirect) / 8),
    Math.floor(Math.log2(maxManaged) / 8) + 1
  )
  return {
    address,
    idLength,
    filtered: filterLength > 0,
    width,
    startSize,
    maxDirect,
    offsetBytes,
    lengthBytes,
    root,
    rootRows,
    checksummed: (flags & 0x02) !== 0
  }
}

/** Size of the blocks in row `r` of the doubling table. */
const rowSize = (heap: Heap, r: number) => (r <= 1 ? heap.startSize : heap.startSize * 2 ** (r - 1))

/** The direct block holding heap offset `offset`: its file address and its own heap offset. */
const locate = async (
  reader: Reader,
  heap: Heap,
  offset: number
): Promise<{ readonly address: number; readonly start: number }> => {
  if (heap.rootRows === 0) return { address: heap.root, start: 0 }
  let block = heap.root
  let rows = heap.rootRows
  let start = 0
  for (let depth = 0; depth < 16; depth++) {
    const maxDirectRows = log2(heap.maxDirect) - log2(heap.startSize) + 2
    const directRows = Math.min(rows, maxDirectRows)
    const entries = rows * heap.width
    const entrySize = reader.offsetSize + (heap.filtered ? reader.lengthSize + 4 : 0)
    const c = await readAt(
      reader,
      block,
      5 + reader.offsetSize + heap.offsetBytes + entries * entrySize,
      "fractal heap block"
    )
    c.signature("FHIB", "fractal heap block")
    c.skip(1 + reader.offsetSize + heap.offsetBytes)
    let at = start
    for (let r = 0; r < rows; r++) {
      const size = rowSize(heap, r)
      for (let k = 0; k < heap.width; k++) {
        const child = c.offset()
        if (r < directRows && heap.filtered) c.skip(reader.lengthSize + 4)
        if (offset >= at && offset < at + size) {
          if (child === undefinedAddress) throw corrupt("fractal heap block")
          if (r < directRows) return { address: child, start: at }
          block = child
          // A child indirect block of this row size spans rows up to it (§III.G, indirect blocks).
          rows = log2(size) - log2(heap.startSize * heap.width) + 1
          start = at
          r = rows
          k = heap.width
          at = -1
          break
        }
        at += size
      }
      if (at < 0) break
    }
    if (at >= 0) throw corrupt("fractal heap offset")
  }
  throw corrupt("fractal heap depth")
}

/** The bytes of the heap object with ID `id` (managed or tiny). */
const heapObject = async (reader: Reader, heap: Heap, id: Uint8Array): Promise<Uint8Array> => {
  const c = new Cursor(id, 0, reader.offsetSize, reader.lengthSize)
  const kind = (c.u8() >> 4) & 0x03
  if (kind === 2) return id.subarray(1, 1 + ((id[0] & 0x0f) + 1))
  if (kind !== 0 || heap.filtered)
    throw corrupt("fractal heap object (huge or filtered objects are not read)")
  const offset = c.uint(heap.offsetBytes)
  const length = c.uint(heap.lengthBytes)
  const { address, start } = await locate(reader, heap, offset)
  const block = await readAt(reader, address + (offset - start), length, "fractal heap object")
  return block.bytes
}

/** Records of a version 2 B-tree of depth ≤ 1 (netCDF-4 and h5py metadata never grows deeper). */
const btree2Records = async (reader: Reader, address: number): Promise<ReadonlyArray<Cursor>> => {
  const h = await readAt(reader, address, 16 + reader.offsetSize + reader.lengthSize, "B-tree v2")
  h.signature("BTHD", "B-tree v2")
  h.skip(2)
  const nodeSize = h.u32()
  const recordSize = h.u16()
  const depth = h.u16()
  h.skip(2)
  const root = h.offset()
  const rootRecords = h.u16()
  if (depth > 1) throw corrupt("B-tree v2 (deeper than one level)")
  if (recordSize === 0) throw corrupt("B-tree v2")
  const leaf = async (at: number, count: number, out: Array<Cursor>) => {
    if (at === undefinedAddress || count === 0) return
    const c = await readAt(reader, at, 6 + count * recordSize, "B-tree v2 node")
    c.signature("BTLF", "B-tree v2 node")
    c.skip(2)
    for (let i = 0; i < count; i++) out.push(c.sub(recordSize))
  }
  const out: Array<Cursor> = []
  if (depth === 0) {
    await leaf(root, rootRecords, out)
    return out
  }
  const maxLeaf = Math.floor((nodeSize - 10) / recordSize)
  const countBytes = Math.max(1, Math.ceil(Math.log2(maxLeaf + 1) / 8))
  const c = await readAt(
    reader,
    root,
    6 + rootRecords * recordSize + (rootRecords + 1) * (reader.offsetSize + countBytes),
    "B-tree v2 node"
  )
  c.signature("BTIN", "B-tree v2 node")
  c.skip(2)
  // Records of an internal node sit between its children, in order.
  const own: Array<Cursor> = []
  for (let i = 0; i < rootRecords; i++) own.push(c.sub(recordSize))
  for (let i = 0; i <= rootRecords; i++) {
    const child = c.offset()
    const count = c.uint(countBytes)
    await leaf(child, count, out)
    if (i < rootRecords) out.push(own[i])
  }
  return out
}

/** The objects that a dense storage's name index lists: link messages (`kind` 5) or attribute messages (8). */
export const denseObjects = async (
  reader: Reader,
  heapAddress: number,
  nameIndex: number,
  kind: 5 | 8
): Promise<ReadonlyArray<Cursor>> => {
  if (heapAddress === undefinedAddress || nameIndex === undefinedAddress) return []
  const heap = await openHeap(reader, heapAddress)
  const records = await btree2Records(reader, nameIndex)
  const out: Array<Cursor> = []
  for (const r of records) {
    // Type 5: hash (4) then the heap ID; type 8: the heap ID (8) first.
    if (kind === 5) r.skip(4)
    const id = r.take(kind === 5 ? Math.min(heap.idLength, r.remaining) : 8)
    const bytes = await heapObject(reader, heap, id)
    out.push(new Cursor(bytes, 0, reader.offsetSize, reader.lengthSize))
  }
  return out
}
