// HDF4 files as the HDF Specification and Developer's Guide 4.2 describes them: the chain of data descriptor
// blocks (tag, ref, offset, length; big-endian) indexing every element, vgroups (DFTAG_VG 1965) and vdatas
// (DFTAG_VH 1962 header + DFTAG_VS 1963 records) — the structures the SD interface keeps scientific data sets,
// their dimensions and attributes in.
import type { ByteSource } from "../byteSource.ts"
import { HeaderProblem } from "../header.ts"

/** A structure that does not parse: truncated or corrupt file. */
export const corrupt = (what: string): HeaderProblem =>
  new HeaderProblem(
    "Malformed",
    `its HDF4 ${what} is corrupt or truncated; download the file again (hdp dumpsds shows what is wrong)`
  )

export const Tag = {
  nt: 106,
  sdd: 701,
  sd: 702,
  ndg: 720,
  vh: 1962,
  vs: 1963,
  vg: 1965,
  compressed: 40,
  chunk: 61,
  special: 0x4000
} as const

/** One data descriptor: where element (tag, ref) lies. */
export interface Element {
  readonly tag: number
  readonly ref: number
  readonly offset: number
  readonly length: number
}

/** The file's elements, by `tag/ref`. */
export interface Hdf4File {
  readonly bytes: ByteSource
  readonly elements: ReadonlyMap<string, Element>
  /** Bytes of one metadata element at most (RasterLimits.maxTagBytes). */
  readonly maxElementBytes: number
  /** Metadata bytes read so far and the most an open may read (RasterLimits.maxReadBytes). */
  readonly read: { bytes: number; readonly max: number }
}

/** True when `head` starts with HDF4's magic number 0x0e031301. */
export const isHdf4 = (head: Uint8Array): boolean =>
  head.length >= 4 && head[0] === 0x0e && head[1] === 0x03 && head[2] === 0x13 && head[3] === 0x01

const maxBlocks = 65_536
const maxElements = 1_000_000

/** Walks the DD block chain (each block once, bounded counts). */
export const readDescriptors = async (
  bytes: ByteSource,
  maxElementBytes: number,
  maxReadBytes: number
): Promise<Hdf4File> => {
  const elements = new Map<string, Element>()
  const seen = new Set<number>()
  const size = bytes.fileSize ?? Number.MAX_SAFE_INTEGER
  for (let at = 4; at !== 0;) {
    if (seen.has(at) || seen.size >= maxBlocks || at + 6 > size)
      throw corrupt("descriptor block chain")
    seen.add(at)
    const [head] = await bytes.fetch([{ offset: at, length: 6 }])
    if (head.byteLength < 6) throw corrupt("descriptor block")
    const h = new DataView(head)
    const count = h.getInt16(0)
    const next = h.getInt32(2)
    if (count < 0) throw corrupt("descriptor block")
    const [body] = await bytes.fetch([{ offset: at + 6, length: 12 * count }])
    if (body.byteLength < 12 * count) throw corrupt("descriptor block")
    const v = new DataView(body)
    for (let i = 0; i < count; i++) {
      const tag = v.getUint16(12 * i)
      if (tag === 1 || tag === 0) continue // DFTAG_NULL: free descriptor
      const e = {
        tag,
        ref: v.getUint16(12 * i + 2),
        offset: v.getInt32(12 * i + 4),
        length: v.getInt32(12 * i + 8)
      }
      elements.set(`${e.tag}/${e.ref}`, e)
      if (elements.size > maxElements) throw corrupt("descriptor blocks (too many elements)")
    }
    at = next
  }
  return { bytes, elements, maxElementBytes, read: { bytes: 0, max: maxReadBytes } }
}

/**
 * The bytes of element (tag, ref), at most `limit`: stored in place, or as linked blocks (a special element,
 * tag | 0x4000, SPECIAL_LINKED: total length, block length, blocks per table, first link table; each link
 * table DFTAG_LINKED 20 holds the next table's ref and its blocks' refs), as HDF4 writes growing data.
 */
export const readData = async (
  file: Hdf4File,
  tag: number,
  ref: number,
  what: string,
  limit: number
): Promise<Uint8Array> => {
  if (file.elements.has(`${tag}/${ref}`)) {
    const v = await readElement(file, tag, ref, what, limit)
    return new Uint8Array(v.buffer, v.byteOffset, v.byteLength)
  }
  const r = new Reader(await readElement(file, tag | Tag.special, ref, what))
  const special = r.u16()
  if (special !== 1)
    throw new HeaderProblem(
      "UnsupportedCodec",
      `its HDF4 ${what} is a special element of kind ${special}, which EOForge does not read; rewrite the file with hrepack`
    )
  const total = r.i32()
  r.i32()
  const perTable = r.i32()
  let link = r.u16()
  if (total < 0 || total > limit || perTable < 1 || perTable > 65536)
    throw new HeaderProblem(
      "TooLarge",
      `its HDF4 ${what} declares ${total} bytes, over the ${limit}-byte limit`
    )
  const out = new Uint8Array(total)
  let at = 0
  const tables = new Set<number>()
  while (link !== 0 && at < total) {
    if (tables.has(link) || tables.size > 65536) throw corrupt(`${what} (linked blocks)`)
    tables.add(link)
    const t = new Reader(await readElement(file, 20, link, `${what} (link table)`))
    link = t.u16()
    for (let i = 0; i < perTable && at < total; i++) {
      const block = t.u16()
      if (block === 0) break
      const e = file.elements.get(`20/${block}`)
      if (e === undefined) throw corrupt(`${what} (block ${block})`)
      const n = Math.min(e.length, total - at)
      const [buffer] = await file.bytes.fetch([{ offset: e.offset, length: n }])
      if (buffer.byteLength < n) throw corrupt(what)
      out.set(new Uint8Array(buffer), at)
      at += n
    }
  }
  if (at < total) throw corrupt(`${what} (linked blocks end early)`)
  return out
}

/** The bytes of element (tag, ref), a metadata element bounded by `maxElementBytes`. */
export const readElement = async (
  file: Hdf4File,
  tag: number,
  ref: number,
  what: string,
  limit = file.maxElementBytes
): Promise<DataView> => {
  const e = file.elements.get(`${tag}/${ref}`)
  if (e === undefined) throw corrupt(`${what} (element ${tag}/${ref} missing)`)
  if (e.length > limit || e.length < 0)
    throw new HeaderProblem(
      "TooLarge",
      `its HDF4 ${what} declares ${e.length} bytes, over the ${limit}-byte limit; the file is corrupt or hostile`
    )
  file.read.bytes += e.length
  if (file.read.bytes > file.read.max)
    throw new HeaderProblem(
      "TooLarge",
      `its HDF4 metadata needs more than ${file.read.max} bytes read (maxReadBytes); the file is corrupt or hostile`
    )
  const [buffer] = await file.bytes.fetch([{ offset: e.offset, length: e.length }])
  if (buffer.byteLength < e.length) throw corrupt(what)
  return new DataView(buffer)
}

/** A big-endian cursor with bounds checks. */
export class Reader {
  pos = 0
  readonly view: DataView
  constructor(view: DataView) {
    this.view = view
  }
  private need(n: number) {
    if (this.pos + n > this.view.byteLength) throw corrupt("structure")
  }
  u8() {
    this.need(1)
    return this.view.getUint8(this.pos++)
  }
  u16() {
    this.need(2)
    const v = this.view.getUint16(this.pos)
    this.pos += 2
    return v
  }
  i16() {
    return (this.u16() << 16) >> 16
  }
  i32() {
    this.need(4)
    const v = this.view.getInt32(this.pos)
    this.pos += 4
    return v
  }
  text(n: number) {
    this.need(n)
    const out = new TextDecoder().decode(
      new Uint8Array(this.view.buffer, this.view.byteOffset + this.pos, n)
    )
    this.pos += n
    return out.replace(/\0+$/, "")
  }
}

/** A vgroup: its members (tag, ref), name and class. */
export interface Vgroup {
  readonly ref: number
  readonly members: ReadonlyArray<readonly [number, number]>
  readonly name: string
  readonly cls: string
}

export const readVgroup = async (file: Hdf4File, ref: number): Promise<Vgroup> => {
  const r = new Reader(await readElement(file, Tag.vg, ref, "vgroup"))
  const n = r.u16()
  const tags = Array.from({ length: n }, () => r.u16())
  const refs = Array.from({ length: n }, () => r.u16())
  const name = r.text(r.u16())
  const cls = r.text(r.u16())
  return { ref, members: tags.map((t, i) => [t, refs[i]] as const), name, cls }
}

/** A vdata header: record layout, field names, name and class. */
export interface Vdata {
  readonly ref: number
  readonly records: number
  readonly recordSize: number
  readonly fields: ReadonlyArray<{
    readonly name: string
    readonly type: number
    readonly size: number
    readonly offset: number
    readonly order: number
  }>
  readonly name: string
  readonly cls: string
}

export const readVdata = async (file: Hdf4File, ref: number): Promise<Vdata> => {
  const r = new Reader(await readElement(file, Tag.vh, ref, "vdata header"))
  r.i16() // interlace
  const records = r.i32()
  const recordSize = r.u16()
  const n = r.i16()
  if (n < 0 || n > 1024 || records < 0) throw corrupt("vdata header")
  const types = Array.from({ length: n }, () => r.i16())
  const sizes = Array.from({ length: n }, () => r.u16())
  const offsets = Array.from({ length: n }, () => r.u16())
  const orders = Array.from({ length: n }, () => r.u16())
  const names = Array.from({ length: n }, () => r.text(r.u16()))
  const name = r.text(r.u16())
  const cls = r.text(r.u16())
  return {
    ref,
    records,
    recordSize,
    fields: names.map((fieldName, i) => ({
      name: fieldName,
      type: types[i],
      size: sizes[i],
      offset: offsets[i],
      order: orders[i]
    })),
    name,
    cls
  }
}

/** HDF4 number types (DFNT_*) a raster or an attribute holds: bytes and typed reader. */
export const numberTypes: Readonly<
  Record<
    number,
    {
      readonly size: number
      readonly dtype?: string
      readonly read: (v: DataView, at: number, le: boolean) => number
    }
  >
> = {
  3: { size: 1, dtype: "uint8", read: (v, at) => v.getUint8(at) },
  4: { size: 1, read: (v, at) => v.getUint8(at) },
  5: { size: 4, dtype: "float32", read: (v, at, le) => v.getFloat32(at, le) },
  6: { size: 8, dtype: "float64", read: (v, at, le) => v.getFloat64(at, le) },
  20: { size: 1, dtype: "int8", read: (v, at) => v.getInt8(at) },
  21: { size: 1, dtype: "uint8", read: (v, at) => v.getUint8(at) },
  22: { size: 2, dtype: "int16", read: (v, at, le) => v.getInt16(at, le) },
  23: { size: 2, dtype: "uint16", read: (v, at, le) => v.getUint16(at, le) },
  24: { size: 4, dtype: "int32", read: (v, at, le) => v.getInt32(at, le) },
  25: { size: 4, dtype: "uint32", read: (v, at, le) => v.getUint32(at, le) }
}

/** The value of an attribute vdata (SD class "Attr0.0"): a string for characters, else numbers. */
export const readAttributeValue = async (
  file: Hdf4File,
  vdata: Vdata
): Promise<string | ReadonlyArray<number>> => {
  const f = vdata.fields[0]
  const nt = numberTypes[f?.type & 0xff]
  if (f === undefined || nt === undefined) return []
  const bytes = await readData(
    file,
    Tag.vs,
    vdata.ref,
    `attribute ${vdata.name}`,
    file.maxElementBytes
  )
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const count = Math.min(f.order * vdata.records, Math.floor(view.byteLength / nt.size))
  if ((f.type & 0xff) === 4 || (f.type & 0xff) === 3) {
    return new TextDecoder()
      .decode(new Uint8Array(view.buffer, view.byteOffset, count))
      .replace(/\0+$/, "")
  }
  return Array.from({ length: count }, (_, i) => nt.read(view, i * nt.size, false))
}
