// HDF4 scientific data sets (SD interface, HDF Specification 4.2 ch. "Scientific Data Sets" and "Special
// Elements"): a "Var0.0" vgroup's number type, dimension record and attributes, and its data — contiguous,
// compressed as one element (SPECIAL_COMP, deflate) or chunked (SPECIAL_CHUNKED, chunks plain or deflated,
// found through the chunk table vdata) — read as windows through the shared tile cache.
import { DType } from "@eoforge/core"
import { HeaderProblem } from "../header.ts"
import { BlockTooLarge, limitPhrase } from "../nativeDeflate.ts"
import { inflateRows } from "../prefixInflate.ts"
import type { TileCache } from "../tileCache.ts"
import type { Destination, ReadBudget } from "../tiles.ts"
import {
  corrupt,
  numberTypes,
  readAttributeValue,
  readData,
  readElement,
  readVdata,
  readVgroup,
  Reader,
  Tag,
  type Hdf4File
} from "./elements.ts"

/** How an SDS's values are stored. */
type Storage =
  | { readonly kind: "plain"; readonly offset: number; readonly length: number }
  | { readonly kind: "deflate"; readonly ref: number; readonly length: number }
  | {
      readonly kind: "chunked"
      readonly chunk: readonly [number, number]
      /** Chunk element (tag, ref) by "row,col" chunk index. */
      readonly chunks: ReadonlyMap<string, readonly [number, number]>
      readonly fill: number | undefined
    }
  | { readonly kind: "empty" }

/** A scientific data set ready to read. */
export interface Sds {
  readonly name: string
  readonly dims: ReadonlyArray<number>
  readonly dtype: DType.DType
  readonly littleEndian: boolean
  readonly attributes: ReadonlyMap<string, string | ReadonlyArray<number>>
  readonly storage: Storage
}

const compressionNames: Readonly<Record<number, string>> = {
  1: "RLE",
  2: "N-bit",
  3: "skipping Huffman",
  5: "szip",
  6: "JPEG"
}

const unsupported = (name: string, what: string) =>
  new HeaderProblem(
    "UnsupportedCodec",
    `its data set ${name} is stored with ${what}, which EOForge cannot decode; rewrite it with deflate: hrepack -t '*:GZIP 6'`
  )

/** A SPECIAL_COMP header: compressed element ref and uncompressed length (deflate only). */
const compHeader = (r: Reader, name: string) => {
  r.u16() // version
  const length = r.i32()
  const ref = r.u16()
  r.u16() // model
  const type = r.u16()
  if (type !== 4) unsupportedType(name, type)
  return { ref, length }
}

const unsupportedType = (name: string, type: number): never => {
  throw unsupported(name, `HDF4 ${compressionNames[type] ?? `compression ${type}`} compression`)
}

const storageOf = async (file: Hdf4File, ref: number, name: string): Promise<Storage> => {
  const plain = file.elements.get(`${Tag.sd}/${ref}`)
  if (plain !== undefined) return { kind: "plain", offset: plain.offset, length: plain.length }
  if (!file.elements.has(`${Tag.sd | Tag.special}/${ref}`)) return { kind: "empty" }
  const r = new Reader(
    await readElement(file, Tag.sd | Tag.special, ref, `special element of ${name}`)
  )
  const special = r.u16()
  if (special === 3) return { kind: "deflate", ...compHeader(r, name) }
  if (special !== 5)
    throw unsupported(name, `HDF4 special element ${special} (linked or external blocks)`)
  // SPECIAL_CHUNKED: header length, version, flag, total and chunk lengths, number type size, chunk table.
  r.i32()
  r.u8()
  r.i32()
  r.i32()
  r.i32()
  r.i32()
  r.u16()
  const table = r.u16()
  r.u16()
  r.u16()
  const rank = r.i32()
  if (rank !== 2) throw unsupported(name, `${rank}-D chunks`)
  const chunk: Array<number> = []
  for (let d = 0; d < rank; d++) {
    r.i32()
    r.i32()
    chunk.push(r.i32())
  }
  // The chunk header's fill value is the SDS's _FillValue, which the caller reads from its attributes.
  const fill = undefined
  if (chunk.some((c) => c < 1)) throw corrupt(`chunk header of ${name}`)
  const vdata = await readVdata(file, table)
  const origin = vdata.fields.find((f) => f.name === "origin")
  const tagField = vdata.fields.find((f) => f.name === "chk_tag")
  const refField = vdata.fields.find((f) => f.name === "chk_ref")
  if (origin === undefined || tagField === undefined || refField === undefined)
    throw corrupt(`chunk table of ${name}`)
  const raw = await readData(file, Tag.vs, table, `chunk table of ${name}`, file.maxElementBytes)
  const records = new DataView(raw.buffer, raw.byteOffset, raw.byteLength)
  const chunks = new Map<string, readonly [number, number]>()
  for (let i = 0; i < vdata.records; i++) {
    const at = i * vdata.recordSize
    if (at + vdata.recordSize > records.byteLength) throw corrupt(`chunk table of ${name}`)
    const row = records.getInt32(at + origin.offset)
    const col = records.getInt32(at + origin.offset + 4)
    chunks.set(`${row},${col}`, [
      records.getUint16(at + tagField.offset),
      records.getUint16(at + refField.offset)
    ])
  }
  return { kind: "chunked", chunk: [chunk[0], chunk[1]], chunks, fill }
}

/** Every SDS of the file (vgroups of class "Var0.0" holding a number type and a dimension record). */
export const listSds = async (file: Hdf4File): Promise<ReadonlyMap<string, () => Promise<Sds>>> => {
  const out = new Map<string, () => Promise<Sds>>()
  for (const e of file.elements.values()) {
    if (e.tag !== Tag.vg) continue
    const g = await readVgroup(file, e.ref)
    if (g.cls !== "Var0.0") continue
    out.set(g.name, async () => {
      const member = (tag: number) => g.members.find(([t]) => t === tag)?.[1]
      const sdd = member(Tag.sdd)
      const sd = member(Tag.sd) ?? member(Tag.ndg)
      if (sdd === undefined || sd === undefined) throw corrupt(`data set ${g.name}`)
      const d = new Reader(await readElement(file, Tag.sdd, sdd, `dimensions of ${g.name}`))
      const rank = d.i16()
      if (rank < 1 || rank > 32) throw corrupt(`dimensions of ${g.name}`)
      const dims = Array.from({ length: rank }, () => d.i32())
      const ntTag = d.u16()
      const ntRef = d.u16()
      const nt = new Reader(await readElement(file, ntTag, ntRef, `number type of ${g.name}`))
      nt.u8()
      const type = nt.u8()
      nt.u8()
      const cls = nt.u8()
      const dtype = numberTypes[type]?.dtype
      if (dtype === undefined)
        throw unsupported(g.name, `HDF4 number type ${type}, not a raster pixel type`)
      const attributes = new Map<string, string | ReadonlyArray<number>>()
      for (const [t, ref] of g.members) {
        if (t !== Tag.vh) continue
        const v = await readVdata(file, ref)
        if (v.cls === "Attr0.0") attributes.set(v.name, await readAttributeValue(file, v))
      }
      const storage = await storageOf(file, sd, g.name)
      return {
        name: g.name,
        dims,
        dtype: dtype as DType.DType,
        littleEndian: cls === 4,
        attributes,
        storage
      }
    })
  }
  return out
}

/** Global attributes of the file (attribute vdatas of the "CDF0.0" vgroup), e.g. StructMetadata.0. */
export const globalAttribute = async (
  file: Hdf4File,
  name: string
): Promise<string | undefined> => {
  for (const e of file.elements.values()) {
    if (e.tag !== Tag.vh) continue
    const v = await readVdata(file, e.ref)
    if (v.name === name && v.cls === "Attr0.0") {
      const value = await readAttributeValue(file, v)
      return typeof value === "string" ? value : undefined
    }
  }
  return undefined
}

const toNative = (
  bytes: Uint8Array,
  dtype: DType.DType,
  littleEndian: boolean
): DType.TypedArray => {
  const size = DType.byteSize(dtype)
  const out = new Uint8Array(bytes.length - (bytes.length % size))
  if (littleEndian || size === 1) out.set(bytes.subarray(0, out.length))
  else
    for (let i = 0; i < out.length; i += size)
      for (let b = 0; b < size; b++) out[i + b] = bytes[i + size - 1 - b]
  const Ctor = DType.alloc(dtype, 0).constructor as new (b: ArrayBufferLike) => DType.TypedArray
  return new Ctor(out.buffer)
}

/** What a window read needs. */
export interface SdsWindow {
  readonly file: Hdf4File
  readonly sds: Sds
  readonly cache: TileCache
  readonly owner: number
  readonly budget: ReadBudget
  readonly fill: number
}

/** Writes the window [x0, x1) × [y0, y1) of the SDS into `dest` (band 0). */
export const readSdsWindow = async (
  w: SdsWindow,
  window: readonly [number, number, number, number],
  dest: Destination
): Promise<void> => {
  const { sds, file } = w
  const [H, W] = sds.dims
  const [x0, y0, x1, y1] = window
  const size = DType.byteSize(sds.dtype)
  const target = dest.arrays[0]
  const put = (row: number, col: number, values: DType.TypedArray, from: number, n: number) => {
    target.set(
      values.subarray(from, from + n),
      (row - y0 + dest.dy) * dest.stride + (col - x0 + dest.dx)
    )
    if (dest.seen !== undefined) dest.seen.nodata = true
  }
  const s = sds.storage
  if (s.kind === "empty") {
    const fill = DType.alloc(sds.dtype, x1 - x0).fill(w.fill)
    for (let r = y0; r < y1; r++) put(r, x0, fill, 0, x1 - x0)
    return
  }
  if (s.kind === "plain") {
    const slices = []
    for (let r = y0; r < y1; r++)
      slices.push({ offset: s.offset + (r * W + x0) * size, length: (x1 - x0) * size })
    const rows = await file.bytes.fetch(slices)
    rows.forEach((b, k) => {
      if (b.byteLength < (x1 - x0) * size) throw corrupt(`data of ${sds.name}`)
      put(y0 + k, x0, toNative(new Uint8Array(b), sds.dtype, sds.littleEndian), 0, x1 - x0)
    })
    return
  }
  if (s.kind === "deflate") {
    // One zlib stream for the whole data set: inflate only up to the last row needed, once, cached.
    const rowBytes = W * size
    if (H * rowBytes > w.budget.maxBlockBytes)
      throw new BlockTooLarge(
        `${sds.name} decodes to ${H * rowBytes} bytes, ${limitPhrase} of the block budget`
      )
    const decoded = await w.cache.get(w.owner, `${w.owner}/h4/${sds.name}`, y1, async (rows) => {
      const compressed = await readData(
        file,
        Tag.compressed,
        s.ref,
        `compressed data of ${sds.name}`,
        w.budget.maxBlockBytes
      )
      return inflateRows(compressed, rowBytes, H, rows)
    })
    const values = toNative(
      new Uint8Array(decoded.buffer, 0, decoded.rows * rowBytes),
      sds.dtype,
      sds.littleEndian
    )
    for (let r = y0; r < y1; r++) put(r, x0, values, r * W + x0, x1 - x0)
    return
  }
  const [ch, cw] = s.chunk
  const chunkBytes = ch * cw * size
  const tiles =
    (Math.floor((y1 - 1) / ch) - Math.floor(y0 / ch) + 1) *
    (Math.floor((x1 - 1) / cw) - Math.floor(x0 / cw) + 1)
  if (chunkBytes > w.budget.maxBlockBytes || tiles * chunkBytes > w.budget.maxReadBytes)
    throw new BlockTooLarge(
      `a window of ${sds.name} needs ${tiles * chunkBytes} bytes of chunks (${limitPhrase} of the read budget)`
    )
  const jobs: Array<Promise<void>> = []
  for (let ty = Math.floor(y0 / ch); ty <= Math.floor((y1 - 1) / ch); ty++) {
    for (let tx = Math.floor(x0 / cw); tx <= Math.floor((x1 - 1) / cw); tx++) {
      const element = s.chunks.get(`${ty},${tx}`)
      const chunk =
        element === undefined
          ? Promise.resolve(DType.alloc(sds.dtype, ch * cw).fill(s.fill ?? w.fill))
          : w.cache
              .get(w.owner, `${w.owner}/h4/${sds.name}/${ty},${tx}`, ch, async () => {
                const [tag, ref] = element
                let data: Uint8Array
                if (file.elements.has(`${tag}/${ref}`)) {
                  const view = await readElement(file, tag, ref, `chunk of ${sds.name}`, chunkBytes)
                  data = new Uint8Array(view.buffer, view.byteOffset, view.byteLength)
                } else {
                  const r = new Reader(
                    await readElement(file, tag | Tag.special, ref, `chunk of ${sds.name}`)
                  )
                  if (r.u16() !== 3)
                    throw unsupported(
                      sds.name,
                      "chunks stored as special elements other than compressed"
                    )
                  const { ref: cref } = compHeader(r, sds.name)
                  const compressed = await readData(
                    file,
                    Tag.compressed,
                    cref,
                    `chunk of ${sds.name}`,
                    w.budget.maxBlockBytes
                  )
                  data = new Uint8Array(inflateRows(compressed, cw * size, ch, ch).buffer)
                }
                const full = new Uint8Array(chunkBytes)
                full.set(data.subarray(0, chunkBytes))
                return { buffer: full.buffer, rows: ch }
              })
              .then((d) => toNative(new Uint8Array(d.buffer), sds.dtype, sds.littleEndian))
      jobs.push(
        chunk.then((v) => {
          const c0 = Math.max(x0, tx * cw)
          const c1 = Math.min(x1, (tx + 1) * cw, W)
          for (let r = Math.max(y0, ty * ch); r < Math.min(y1, (ty + 1) * ch, H); r++)
            put(r, c0, v, (r - ty * ch) * cw + (c0 - tx * cw), c1 - c0)
        })
      )
    }
  }
  await Promise.all(jobs)
}
