// HDF5 object headers (File Format Specification v3, §IV.A.1 version 1 and §IV.A.2 version 2): the list of
// header messages of an object, following continuation blocks (§IV.A.2.q), each block read once.
import { corrupt, Cursor, readAt, type Reader } from "./cursor.ts"

/** One header message: its type (§IV.A.2) and a cursor over its body. */
export interface Message {
  readonly type: number
  readonly flags: number
  readonly body: Cursor
}

/** Message types used here (§IV.A.2.a–v). */
export const MessageType = {
  dataspace: 0x01,
  linkInfo: 0x02,
  datatype: 0x03,
  fillValueOld: 0x04,
  fillValue: 0x05,
  link: 0x06,
  layout: 0x08,
  filterPipeline: 0x0b,
  attribute: 0x0c,
  continuation: 0x10,
  symbolTable: 0x11,
  attributeInfo: 0x15
} as const

/** Messages of one object header and its continuation blocks, at most `maxBlocks` blocks. */
const maxBlocks = 1024

const readV1Messages = (c: Cursor, out: Array<Message>, blocks: Array<[number, number]>) => {
  while (c.remaining >= 8) {
    const type = c.u16()
    const size = c.u16()
    const flags = c.u8()
    c.skip(3)
    if (size > c.remaining) throw corrupt("object header message")
    const body = c.sub(size)
    if (type === MessageType.continuation) blocks.push([body.offset(), body.length()])
    else out.push({ type, flags, body })
  }
}

const readV2Messages = (
  c: Cursor,
  end: number,
  creationOrder: boolean,
  out: Array<Message>,
  blocks: Array<[number, number]>
) => {
  // A gap shorter than a message header may end the block (§IV.A.2).
  while (end - c.pos >= (creationOrder ? 6 : 4)) {
    const type = c.u8()
    const size = c.u16()
    const flags = c.u8()
    if (creationOrder) c.skip(2)
    if (c.pos + size > end) throw corrupt("object header message")
    const body = c.sub(size)
    if (type === MessageType.continuation) blocks.push([body.offset(), body.length()])
    else out.push({ type, flags, body })
  }
}

/** The messages of the object whose header is at `address`. */
export const readObjectHeader = async (
  reader: Reader,
  address: number
): Promise<ReadonlyArray<Message>> => {
  const out: Array<Message> = []
  const blocks: Array<[number, number]> = []
  const first = await readAt(reader, address, 16, "object header")
  let v2 = false
  let creationOrder = false
  if (first.bytes[0] === 1) {
    first.skip(2)
    first.u16() // message count (blocks are parsed to their end instead)
    first.u32()
    const size = first.u32()
    const c = await readAt(reader, address + 16, size, "object header")
    readV1Messages(c, out, blocks)
  } else {
    first.signature("OHDR", "object header")
    if (first.u8() !== 2) throw corrupt("object header version")
    v2 = true
    const flags = first.u8()
    creationOrder = (flags & 0x04) !== 0
    let prefix = 6 + ((flags & 0x20) !== 0 ? 16 : 0) + ((flags & 0x10) !== 0 ? 4 : 0)
    const sizeBytes = 1 << (flags & 0x03)
    const head = await readAt(reader, address, prefix + sizeBytes, "object header")
    head.skip(prefix)
    const chunk = head.uint(sizeBytes)
    prefix += sizeBytes
    const c = await readAt(reader, address + prefix, chunk + 4, "object header")
    readV2Messages(c, chunk, creationOrder, out, blocks)
  }
  const seen = new Set<number>()
  for (let i = 0; i < blocks.length; i++) {
    const [at, length] = blocks[i]
    if (seen.has(at) || seen.size >= maxBlocks) throw corrupt("object header continuation")
    seen.add(at)
    const c = await readAt(reader, at, length, "object header continuation")
    if (v2) {
      c.signature("OCHK", "object header continuation")
      readV2Messages(c, length - 4, creationOrder, out, blocks)
    } else readV1Messages(c, out, blocks)
  }
  return out
}
