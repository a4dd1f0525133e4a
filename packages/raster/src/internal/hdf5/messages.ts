// HDF5 header messages a raster needs (File Format Specification v3, §IV.A.2): dataspace (b), datatype (d),
// fill value (f/g), data layout (i), filter pipeline (l) and attribute (m), with attribute values decoded to
// numbers and strings (variable-length strings from the global heap, §III.E).
import { corrupt, Cursor, readAt, undefinedAddress, type Reader } from "./cursor.ts"

/** A datatype (§IV.A.2.d): class, size in bytes, and for numbers their kind and byte order. */
export interface Datatype {
  /** 0 fixed-point, 1 floating-point, 3 string, 9 variable-length, others unsupported here. */
  readonly cls: number
  readonly size: number
  readonly signed: boolean
  readonly bigEndian: boolean
  /** Variable-length strings (class 9, type 1). */
  readonly vlenString: boolean
}

export const readDatatype = (c: Cursor): Datatype => {
  const classVersion = c.u8()
  const b0 = c.u8()
  c.u8()
  c.u8()
  const size = c.u32()
  const cls = classVersion & 0x0f
  return {
    cls,
    size,
    signed: cls === 0 && (b0 & 0x08) !== 0,
    bigEndian: (cls === 0 || cls === 1) && (b0 & 0x01) !== 0,
    vlenString: cls === 9 && (b0 & 0x0f) === 1
  }
}

/** Current dimension sizes of a dataspace (§IV.A.2.b); [] for a scalar, undefined for a null space. */
export const readDataspace = (c: Cursor): ReadonlyArray<number> | undefined => {
  const version = c.u8()
  const rank = c.u8()
  c.u8() // flags
  if (version === 1) c.skip(5)
  else if (version === 2) {
    if (c.u8() === 2) return undefined
  } else throw corrupt("dataspace message")
  if (rank > 32) throw corrupt("dataspace message")
  return Array.from({ length: rank }, () => c.length())
}

/** The first dimension of a dataspace whose maximum size is unlimited (all bits set), or undefined. */
export const unlimitedOf = (c: Cursor): number | undefined => {
  const version = c.u8()
  const rank = c.u8()
  const flags = c.u8()
  if (version === 1) c.skip(5)
  else if (version === 2) c.u8()
  else throw corrupt("dataspace message")
  if ((flags & 0x01) === 0 || rank > 32) return undefined
  c.skip(rank * c.lengthSize)
  for (let d = 0; d < rank; d++) {
    const max = c.take(c.lengthSize)
    if (max.every((b) => b === 0xff)) return d
  }
  return undefined
}

/** The fill value bytes of a fill value message (§IV.A.2.f new, §IV.A.2.e old), if one is defined. */
export const readFillValue = (c: Cursor, old: boolean): Uint8Array | undefined => {
  if (old) {
    const size = c.u32()
    return size > 0 ? c.take(size) : undefined
  }
  const version = c.u8()
  if (version === 1 || version === 2) {
    c.u8()
    c.u8()
    const defined = c.u8()
    if (version === 2 && defined === 0) return undefined
    const size = c.u32()
    return size > 0 ? c.take(size) : undefined
  }
  if (version === 3) {
    const flags = c.u8()
    if ((flags & 0x20) === 0) return undefined
    const size = c.u32()
    return size > 0 ? c.take(size) : undefined
  }
  throw corrupt("fill value message")
}

/** How a dataset's elements are stored (§IV.A.2.i). */
export type Layout =
  | { readonly kind: "compact"; readonly data: Uint8Array }
  | { readonly kind: "contiguous"; readonly address: number; readonly size: number }
  | {
      readonly kind: "chunked"
      /** Chunk size per dimension (without the element-size dimension). */
      readonly chunk: ReadonlyArray<number>
      /** The chunk index (§IV.A.2.i, version 4 indexing types; version 1 B-tree before) and its address. */
      readonly index: ChunkIndex
      readonly address: number
      /** Single-chunk index of a filtered dataset: the chunk's stored size and filter mask. */
      readonly single?: { readonly size: number; readonly mask: number } | undefined
    }

/** Chunk indexes: version 1 B-tree, and the version 4 layout's single chunk, implicit, fixed array, extensible array, version 2 B-tree. */
export type ChunkIndex = "btree1" | "single" | "implicit" | "fixed" | "extensible" | "btree2"
const indexes: ReadonlyArray<ChunkIndex> = [
  "btree1",
  "single",
  "implicit",
  "fixed",
  "extensible",
  "btree2"
]

export const readLayout = (c: Cursor): Layout => {
  const version = c.u8()
  if (version === 1 || version === 2) {
    const rank = c.u8()
    const cls = c.u8()
    c.skip(5)
    const address = cls === 0 ? undefinedAddress : c.offset()
    const dims = Array.from({ length: rank }, () => c.u32())
    if (cls === 0) return { kind: "compact", data: c.take(c.u32()) }
    if (cls === 1) return { kind: "contiguous", address, size: dims.reduce((a, b) => a * b, 1) }
    return { kind: "chunked", chunk: dims.slice(0, -1), address, index: "btree1" }
  }
  if (version === 3) {
    const cls = c.u8()
    if (cls === 0) return { kind: "compact", data: c.take(c.u16()) }
    if (cls === 1) return { kind: "contiguous", address: c.offset(), size: c.length() }
    if (cls !== 2) throw corrupt("data layout message")
    const rank = c.u8()
    const address = c.offset()
    const dims = Array.from({ length: rank }, () => c.u32())
    return { kind: "chunked", chunk: dims.slice(0, -1), address, index: "btree1" }
  }
  if (version === 4) {
    const cls = c.u8()
    if (cls === 0) return { kind: "compact", data: c.take(c.u16()) }
    if (cls === 1) return { kind: "contiguous", address: c.offset(), size: c.length() }
    if (cls !== 2) throw corrupt("data layout message (virtual datasets are not read)")
    const flags = c.u8()
    const rank = c.u8()
    const width = c.u8()
    const dims = Array.from({ length: rank }, () => c.uint(width))
    const index = indexes[c.u8()]
    if (index === undefined || index === "btree1") throw corrupt("data layout message")
    let single: { size: number; mask: number } | undefined
    if (index === "single" && (flags & 0x02) !== 0) single = { size: c.length(), mask: c.u32() }
    else if (index === "fixed") c.skip(1)
    else if (index === "extensible") c.skip(5)
    else if (index === "btree2") c.skip(6)
    return { kind: "chunked", chunk: dims.slice(0, -1), index, address: c.offset(), single }
  }
  throw corrupt("data layout message")
}

/** One filter of a pipeline (§IV.A.2.l): id, name, client values. */
export interface Filter {
  readonly id: number
  readonly name: string
  readonly optional: boolean
  readonly values: ReadonlyArray<number>
}

export const readFilters = (c: Cursor): ReadonlyArray<Filter> => {
  const version = c.u8()
  const count = c.u8()
  if (version === 1) c.skip(6)
  else if (version !== 2) throw corrupt("filter pipeline message")
  const out: Array<Filter> = []
  for (let i = 0; i < count; i++) {
    const id = c.u16()
    const nameLength = version === 1 || id >= 256 ? c.u16() : 0
    const flags = c.u16()
    const n = c.u16()
    const padded = version === 1 ? Math.ceil(nameLength / 8) * 8 : nameLength
    const raw = c.take(padded)
    const end = raw.indexOf(0)
    const name = new TextDecoder().decode(raw.subarray(0, end < 0 ? nameLength : end))
    const values = Array.from({ length: n }, () => c.u32())
    if (version === 1 && n % 2 === 1) c.skip(4)
    out.push({ id, name, optional: (flags & 1) !== 0, values })
  }
  return out
}

/** An attribute value: numbers (one or many), a string, or undefined for types not read. */
export type AttributeValue = string | ReadonlyArray<number> | undefined

/** Numbers of `count` elements of a numeric datatype in `bytes`. */
export const decodeNumbers = (type: Datatype, bytes: Uint8Array, count: number): Array<number> => {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const le = !type.bigEndian
  const out: Array<number> = []
  for (let i = 0; i < count && (i + 1) * type.size <= bytes.length; i++) {
    const at = i * type.size
    if (type.cls === 1)
      out.push(type.size === 4 ? view.getFloat32(at, le) : view.getFloat64(at, le))
    else if (type.size === 1) out.push(type.signed ? view.getInt8(at) : view.getUint8(at))
    else if (type.size === 2) out.push(type.signed ? view.getInt16(at, le) : view.getUint16(at, le))
    else if (type.size === 4) out.push(type.signed ? view.getInt32(at, le) : view.getUint32(at, le))
    else if (type.size === 8)
      out.push(Number(type.signed ? view.getBigInt64(at, le) : view.getBigUint64(at, le)))
  }
  return out
}

const text = (bytes: Uint8Array): string => {
  const end = bytes.indexOf(0)
  return new TextDecoder().decode(end < 0 ? bytes : bytes.subarray(0, end))
}

/** One object of a global heap collection (§III.E): a variable-length string's bytes. */
const globalHeapObject = async (reader: Reader, collection: number, index: number) => {
  const head = await readAt(reader, collection, 16, "global heap")
  head.signature("GCOL", "global heap")
  head.skip(4)
  const size = head.length()
  const c = await readAt(reader, collection, size, "global heap")
  c.skip(8 + reader.lengthSize)
  while (c.remaining >= 8 + reader.lengthSize) {
    const i = c.u16()
    c.skip(6)
    const length = c.length()
    if (i === 0) break
    if (length > c.remaining) throw corrupt("global heap object")
    const data = c.take(length)
    if (i === index) return data
    c.skip(Math.min(c.remaining, (8 - (length % 8)) % 8))
  }
  throw corrupt("global heap object")
}

/** A named attribute (§IV.A.2.m) and its value. */
export interface Attribute {
  readonly name: string
  readonly value: AttributeValue
}

export const readAttribute = async (c: Cursor, reader: Reader): Promise<Attribute> => {
  const version = c.u8()
  c.u8()
  const nameSize = c.u16()
  const typeSize = c.u16()
  const spaceSize = c.u16()
  if (version === 3) c.u8()
  const pad = (n: number) => (version === 1 ? Math.ceil(n / 8) * 8 : n)
  const name = text(c.take(pad(nameSize)))
  const type = readDatatype(c.sub(pad(typeSize)))
  const dims = readDataspace(c.sub(pad(spaceSize)))
  const count = dims === undefined ? 0 : dims.reduce((a, b) => a * b, 1)
  if (type.cls === 0 || type.cls === 1) {
    if (count * type.size > c.remaining) throw corrupt(`attribute ${name}`)
    return { name, value: decodeNumbers(type, c.take(count * type.size), count) }
  }
  if (type.cls === 3) return { name, value: text(c.take(Math.min(c.remaining, count * type.size))) }
  if (type.cls === 9 && !type.vlenString) {
    // A sequence of object references per element (netCDF-4's DIMENSION_LIST): the first one's address each.
    const refs: Array<number> = []
    for (let i = 0; i < Math.min(count, 32); i++) {
      const length = c.u32()
      const collection = c.offset()
      const index = c.u32()
      if (length === 0 || collection === undefinedAddress) refs.push(undefinedAddress)
      else {
        const o = await globalHeapObject(reader, collection, index)
        refs.push(new Cursor(o, 0, reader.offsetSize, reader.lengthSize).offset())
      }
    }
    return { name, value: refs }
  }
  if (type.vlenString && count >= 1) {
    // Length (4), then the global heap ID: collection address and object index (§IV.A.2.d, class 9).
    const length = c.u32()
    const collection = c.offset()
    const index = c.u32()
    if (length === 0 || collection === undefinedAddress) return { name, value: "" }
    return { name, value: text(await globalHeapObject(reader, collection, index)) }
  }
  return { name, value: undefined }
}
