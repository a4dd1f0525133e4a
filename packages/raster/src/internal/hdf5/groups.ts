// HDF5 groups and attributes (File Format Specification v3): the superblock (§II.A, versions 0–3), old-style
// groups (symbol table §IV.A.2.r: version 1 B-tree §III.A.1 of symbol table nodes §III.B and a local heap
// §III.D), new-style groups (link messages §IV.A.2.g, compact or dense in a fractal heap via link info
// §IV.A.2.c), and attributes (compact messages, or dense via attribute info §IV.A.2.v).
import { HeaderProblem } from "../header.ts"
import { corrupt, Cursor, readAt, undefinedAddress, type Reader } from "./cursor.ts"
import { denseObjects } from "./fractalHeap.ts"
import { readAttribute, type Attribute } from "./messages.ts"
import { MessageType, readObjectHeader, type Message } from "./objectHeader.ts"

/** An object (group or dataset): its header address and messages. */
export interface H5Object {
  readonly address: number
  readonly messages: ReadonlyArray<Message>
}

const signature = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]

/** True when `head` starts with the HDF5 format signature. */
export const isHdf5 = (head: Uint8Array): boolean =>
  head.length >= 8 && signature.every((b, i) => head[i] === b)

/** The root group's object header address; sets the reader's offset and length sizes. */
export const readSuperblock = async (reader: Reader): Promise<number> => {
  const c = await readAt(reader, 0, Math.min(256, reader.bytes.fileSize ?? 256), "superblock")
  c.skip(8)
  const version = c.u8()
  if (version === 0 || version === 1) {
    c.skip(4)
    reader.offsetSize = c.u8()
    reader.lengthSize = c.u8()
    if (![2, 4, 8].includes(reader.offsetSize) || ![2, 4, 8].includes(reader.lengthSize))
      throw corrupt("superblock")
    c.skip(1 + 4 + 4 + (version === 1 ? 4 : 0))
    const sized = new Cursor(c.bytes, 0, reader.offsetSize, reader.lengthSize)
    sized.pos = c.pos
    if (sized.offset() !== 0) throw corrupt("superblock (a user block or base address is not read)")
    sized.offset()
    sized.offset()
    sized.offset()
    // The root group's symbol table entry: link name offset, object header address.
    sized.offset()
    return sized.offset()
  }
  if (version === 2 || version === 3) {
    reader.offsetSize = c.u8()
    reader.lengthSize = c.u8()
    if (![2, 4, 8].includes(reader.offsetSize) || ![2, 4, 8].includes(reader.lengthSize))
      throw corrupt("superblock")
    c.u8()
    const sized = new Cursor(c.bytes, 0, reader.offsetSize, reader.lengthSize)
    sized.pos = c.pos
    if (sized.offset() !== 0) throw corrupt("superblock (a user block or base address is not read)")
    sized.offset()
    sized.offset()
    return sized.offset()
  }
  throw new HeaderProblem(
    "Malformed",
    `its HDF5 superblock version ${version} is not one EOForge reads (0–3); rewrite it with h5repack`
  )
}

export const readObject = async (reader: Reader, address: number): Promise<H5Object> => ({
  address,
  messages: await readObjectHeader(reader, address)
})

const utf8 = new TextDecoder()

/** A cursor at the start of a message's body (bodies are read more than once). */
export const fresh = (m: Message): Cursor =>
  new Cursor(m.body.bytes, m.body.base, m.body.offsetSize, m.body.lengthSize)

/** A link message (§IV.A.2.g): its name and, for hard links, the target's address. */
const parseLink = (c: Cursor): { name: string; address: number | undefined } => {
  c.u8()
  const flags = c.u8()
  const type = (flags & 0x08) !== 0 ? c.u8() : 0
  if ((flags & 0x04) !== 0) c.skip(8)
  if ((flags & 0x10) !== 0) c.skip(1)
  const length = c.uint(1 << (flags & 0x03))
  const name = utf8.decode(c.take(length))
  return { name, address: type === 0 ? c.offset() : undefined }
}

/** Children of an old-style group: walk the B-tree of symbol table nodes, names from the local heap. */
const symbolTable = async (reader: Reader, body: Cursor, out: Map<string, number>) => {
  const btree = body.offset()
  const heapAddress = body.offset()
  const h = await readAt(
    reader,
    heapAddress,
    8 + 2 * reader.lengthSize + reader.offsetSize,
    "local heap"
  )
  h.signature("HEAP", "local heap")
  h.skip(4)
  const heapSize = h.length()
  h.length()
  const heap = await readAt(reader, h.offset(), heapSize, "local heap")
  const nameAt = (offset: number) => {
    if (offset >= heap.bytes.length) throw corrupt("local heap")
    const end = heap.bytes.indexOf(0, offset)
    return utf8.decode(heap.bytes.subarray(offset, end < 0 ? heap.bytes.length : end))
  }
  const entrySize = 2 * reader.offsetSize + 24
  const visit = async (address: number, depth: number): Promise<void> => {
    if (depth > 64) throw corrupt("group B-tree")
    const head = await readAt(reader, address, 8 + 2 * reader.offsetSize, "group B-tree")
    head.signature("TREE", "group B-tree")
    if (head.u8() !== 0) throw corrupt("group B-tree")
    const level = head.u8()
    const used = head.u16()
    const keys = (used + 1) * reader.lengthSize + used * reader.offsetSize
    const node = await readAt(reader, address + 8 + 2 * reader.offsetSize, keys, "group B-tree")
    for (let i = 0; i < used; i++) {
      node.length()
      const child = node.offset()
      if (level > 0) {
        await visit(child, depth + 1)
        continue
      }
      const s = await readAt(reader, child, 8, "symbol table node")
      s.signature("SNOD", "symbol table node")
      s.skip(2)
      const count = s.u16()
      const entries = await readAt(reader, child + 8, count * entrySize, "symbol table node")
      for (let k = 0; k < count; k++) {
        const name = nameAt(entries.offset())
        const target = entries.offset()
        entries.skip(24)
        out.set(name, target)
      }
    }
  }
  await visit(btree, 0)
}

/** The children of a group: name → object header address (hard links only). */
export const children = async (
  reader: Reader,
  group: H5Object
): Promise<ReadonlyMap<string, number>> => {
  const out = new Map<string, number>()
  for (const m of group.messages) {
    const c = fresh(m)
    if (m.type === MessageType.symbolTable) await symbolTable(reader, c, out)
    else if (m.type === MessageType.link) {
      const l = parseLink(c)
      if (l.address !== undefined) out.set(l.name, l.address)
    } else if (m.type === MessageType.linkInfo) {
      c.u8()
      const flags = c.u8()
      if ((flags & 0x01) !== 0) c.skip(8)
      const heap = c.offset()
      const names = c.offset()
      for (const o of await denseObjects(reader, heap, names, 5)) {
        const l = parseLink(o)
        if (l.address !== undefined) out.set(l.name, l.address)
      }
    }
  }
  return out
}

/** The attributes of an object (compact and dense). */
export const attributes = async (
  reader: Reader,
  object: H5Object
): Promise<ReadonlyMap<string, Attribute["value"]>> => {
  const out = new Map<string, Attribute["value"]>()
  for (const m of object.messages) {
    const c = fresh(m)
    if (m.type === MessageType.attribute) {
      const a = await readAttribute(c, reader)
      out.set(a.name, a.value)
    } else if (m.type === MessageType.attributeInfo) {
      c.u8()
      const flags = c.u8()
      if ((flags & 0x01) !== 0) c.skip(2)
      const heap = c.offset()
      const names = c.offset()
      for (const o of await denseObjects(reader, heap, names, 8)) {
        const a = await readAttribute(o, reader)
        out.set(a.name, a.value)
      }
    }
  }
  return out
}

/** Whether an object is a dataset (it has a data layout message). */
export const isDataset = (o: H5Object): boolean =>
  o.messages.some((m) => m.type === MessageType.layout)

/** Every dataset under `group`, by absolute path, walking at most `limit` objects (cycles skipped). */
export const listDatasets = async (
  reader: Reader,
  root: H5Object,
  limit: number
): Promise<ReadonlyMap<string, H5Object>> => {
  const out = new Map<string, H5Object>()
  const seen = new Set<number>([root.address])
  const queue: Array<[string, H5Object]> = [["", root]]
  while (queue.length > 0) {
    const [path, group] = queue.shift()!
    for (const [name, address] of await children(reader, group)) {
      if (address === undefinedAddress || seen.has(address)) continue
      seen.add(address)
      if (seen.size > limit) throw corrupt("group tree (too many objects)")
      const o = await readObject(reader, address)
      if (isDataset(o)) out.set(`${path}/${name}`, o)
      else queue.push([`${path}/${name}`, o])
    }
  }
  return out
}
