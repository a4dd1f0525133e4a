// Reading windows of an HDF5 dataset: contiguous rows by byte ranges, compact data, or chunks (found by
// `chunkLookup.ts`) decoded through the filter pipeline (deflate, shuffle, fletcher32) into the shared tile cache.
import { DType } from "@eoforge/core"
import { BlockTooLarge, inflateAtMost, limitPhrase } from "../nativeDeflate.ts"
import type { Destination, ReadBudget } from "../tiles.ts"
import type { TileCache } from "../tileCache.ts"
import type { ChunkIndex } from "./chunkLookup.ts"
import { corrupt, undefinedAddress, type Reader } from "./cursor.ts"
import type { Datatype, Filter, Layout } from "./messages.ts"

/** A dataset ready to read: shape, element type, storage and filters. */
export interface Dataset {
  readonly path: string
  readonly dims: ReadonlyArray<number>
  readonly type: Datatype
  readonly dtype: DType.DType
  readonly layout: Layout
  readonly filters: ReadonlyArray<Filter>
  /** The fill value's bytes (unallocated chunks read as it). */
  readonly fill: Uint8Array | undefined
  /** Leading dimensions of size 1 added to view a 1-D dataset as 2-D (absent from its chunk index keys). */
  readonly synthetic?: number | undefined
  /** The first unlimited dimension (maximum size H5S_UNLIMITED), if any. */
  readonly unlimited?: number | undefined
}

/** The pixel type of an HDF5 numeric datatype; undefined for types a raster cannot hold. */
export const dtypeOf = (t: Datatype): DType.DType | undefined => {
  if (t.cls === 1) return t.size === 4 ? "float32" : t.size === 8 ? "float64" : undefined
  if (t.cls !== 0) return undefined
  const bits = t.size * 8
  if (bits === 8) return t.signed ? "int8" : "uint8"
  if (bits === 16) return t.signed ? "int16" : "uint16"
  if (bits === 32) return t.signed ? "int32" : "uint32"
  return undefined
}

/** Filters decoded here: deflate (1), shuffle (2), fletcher32 (3, its checksum is not verified). */
export const decodable = new Set([1, 2, 3])

/** Names of registered HDF5 filters for messages. */
export const filterNames: Readonly<Record<number, string>> = {
  4: "szip",
  32000: "LZF",
  32001: "BLOSC",
  32004: "LZ4",
  32008: "bitshuffle",
  32013: "zfp",
  32015: "Zstandard"
}

const unshuffle = (data: Uint8Array, elementSize: number): Uint8Array => {
  if (elementSize <= 1) return data
  const n = Math.floor(data.length / elementSize)
  const out = new Uint8Array(data.length)
  for (let b = 0; b < elementSize; b++) {
    const from = b * n
    for (let i = 0; i < n; i++) out[i * elementSize + b] = data[from + i]
  }
  out.set(data.subarray(n * elementSize), n * elementSize)
  return out
}

/** A chunk's stored bytes through the filter pipeline, in reverse order, skipping filters its mask names. */
export const decodeChunk = (
  set: Dataset,
  stored: Uint8Array,
  mask: number,
  chunkBytes: number
): Uint8Array => {
  let data = stored
  // fletcher32 may run first on write (netCDF-4 does): what inflates then carries its 4-byte checksum.
  const checksums = set.filters.filter((f) => f.id === 3).length * 4
  for (let i = set.filters.length - 1; i >= 0; i--) {
    if ((mask & (1 << i)) !== 0) continue
    const f = set.filters[i]
    if (f.id === 1) data = inflateAtMost(data, chunkBytes + checksums)
    else if (f.id === 2) data = unshuffle(data, f.values[0] ?? set.type.size)
    else if (f.id === 3) data = data.subarray(0, Math.max(0, data.length - 4))
    else throw corrupt(`filter ${f.id}`)
  }
  if (data.length > chunkBytes)
    throw new BlockTooLarge(`an HDF5 chunk decodes ${limitPhrase} of ${chunkBytes} bytes`)
  return data
}

/** Element bytes in the file's order → little-endian (what typed arrays read here). */
const toLittleEndian = (data: Uint8Array, set: Dataset): Uint8Array => {
  const size = set.type.size
  if (!set.type.bigEndian || size === 1) return data
  const out = new Uint8Array(data.length)
  for (let i = 0; i + size <= data.length; i += size)
    for (let b = 0; b < size; b++) out[i + b] = data[i + size - 1 - b]
  return out
}

/** A typed view of little-endian element bytes (copied when unaligned). */
const view = (dtype: DType.DType, bytes: Uint8Array): DType.TypedArray => {
  const size = DType.byteSize(dtype)
  const aligned = bytes.byteOffset % size === 0 ? bytes : bytes.slice()
  const Ctor = DType.alloc(dtype, 0).constructor as new (
    b: ArrayBufferLike,
    o: number,
    n: number
  ) => DType.TypedArray
  return new Ctor(aligned.buffer, aligned.byteOffset, Math.floor(aligned.length / size))
}

/** The fill value as a number (0 when none). */
export const fillNumber = (set: Dataset): number => {
  if (set.fill === undefined || set.fill.length < set.type.size) return 0
  return view(set.dtype, toLittleEndian(set.fill.slice(0, set.type.size), set))[0]
}

/** What a window read needs: the file, the index, the cache and budget. */
export interface WindowContext {
  readonly reader: Reader
  readonly set: Dataset
  readonly index: ChunkIndex
  readonly cache: TileCache
  readonly owner: number
  readonly budget: ReadBudget
  /** Rows are presented bottom-up-flipped (row y of the picture is row H − 1 − y of the file). */
  readonly flip: boolean
}

/**
 * Writes the window [x0, x1) × [y0, y1) of the 2-D planes `planes` (linear indexes over the leading dimensions)
 * into `dest`, rows flipped when the file is bottom-up.
 */
export const readPlanes = async (
  w: WindowContext,
  window: readonly [number, number, number, number],
  planes: ReadonlyArray<number>,
  dest: Destination
): Promise<void> => {
  const { set } = w
  const rank = set.dims.length
  const H = set.dims[rank - 2]
  const W = set.dims[rank - 1]
  const [x0, y0, x1, y1] = window
  const fy0 = w.flip ? H - y1 : y0
  const fy1 = w.flip ? H - y0 : y1
  const size = set.type.size
  const nodata = dest.nodata
  const put = (
    i: number,
    row: number,
    col: number,
    values: DType.TypedArray,
    from: number,
    n: number
  ) => {
    const y = w.flip ? H - 1 - row : row
    const at = (y - y0 + dest.dy) * dest.stride + (col - x0 + dest.dx)
    const target = dest.arrays[i]
    target.set(values.subarray(from, from + n), at)
    if (dest.seen !== undefined && !dest.seen.nodata)
      for (let k = 0; k < n; k++)
        if (values[from + k] === nodata || nodata !== nodata) dest.seen.nodata = true
  }
  const leadDims = set.dims.slice(0, rank - 2)
  const leadOf = (plane: number) => {
    const out: Array<number> = []
    for (let d = leadDims.length - 1; d >= 0; d--) {
      out.unshift(plane % leadDims[d])
      plane = Math.floor(plane / leadDims[d])
    }
    return out
  }
  const layout = set.layout
  if (layout.kind !== "chunked") {
    const ww = x1 - x0
    for (const [i, plane] of planes.entries()) {
      if (layout.kind === "contiguous" && layout.address === undefinedAddress) {
        const fill = DType.alloc(set.dtype, ww).fill(fillNumber(set))
        for (let r = fy0; r < fy1; r++) put(i, r, x0, fill, 0, ww)
        continue
      }
      const slices = []
      for (let r = fy0; r < fy1; r++)
        slices.push({ offset: ((plane * H + r) * W + x0) * size, length: ww * size })
      const rows =
        layout.kind === "compact"
          ? slices.map((s) => {
              if (s.offset + s.length > layout.data.length) throw corrupt("compact dataset")
              return layout.data.slice(s.offset, s.offset + s.length).buffer
            })
          : await w.reader.bytes.fetch(
              slices.map((s) => ({ offset: layout.address + s.offset, length: s.length }))
            )
      rows.forEach((buffer, k) => {
        if (buffer.byteLength < ww * size) throw corrupt(`data of ${set.path}`)
        put(i, fy0 + k, x0, view(set.dtype, toLittleEndian(new Uint8Array(buffer), set)), 0, ww)
      })
    }
    return
  }
  const chunk = layout.chunk
  const ch = chunk[rank - 2]
  const cw = chunk[rank - 1]
  const chunkBytes = w.index.chunkBytes()
  const perChunk = chunkBytes / size
  const tiles =
    (Math.floor((fy1 - 1) / ch) - Math.floor(fy0 / ch) + 1) *
    (Math.floor((x1 - 1) / cw) - Math.floor(x0 / cw) + 1)
  if (
    tiles * planes.length * chunkBytes > w.budget.maxReadBytes ||
    chunkBytes > w.budget.maxBlockBytes
  )
    throw new BlockTooLarge(
      `a ${x1 - x0} × ${y1 - y0} px window over ${cw} × ${ch} px chunks needs ${tiles * planes.length * chunkBytes} bytes decoded (${limitPhrase} of the read budget); read a smaller grid or raise maxReadBytes`
    )
  const jobs: Array<Promise<void>> = []
  for (const [i, plane] of planes.entries()) {
    const lead = leadOf(plane)
    const lo = [
      ...lead.map((l, d) => Math.floor(l / chunk[d]) * chunk[d]),
      Math.floor(fy0 / ch) * ch,
      Math.floor(x0 / cw) * cw
    ]
    const hi = [
      ...lo.slice(0, rank - 2),
      Math.floor((fy1 - 1) / ch) * ch,
      Math.floor((x1 - 1) / cw) * cw
    ]
    const found = await w.index.find(lo, hi)
    // Position inside a chunk of the plane's leading indexes.
    let within = 0
    for (let d = 0; d < rank - 2; d++) within = within * chunk[d] + (lead[d] - lo[d])
    within *= ch * cw
    for (let cy = lo[rank - 2]; cy <= hi[rank - 2]; cy += ch) {
      for (let cx = lo[rank - 1]; cx <= hi[rank - 1]; cx += cw) {
        const key = [...lo.slice(0, rank - 2), cy, cx].join(",")
        const ref = found.get(key)
        const values =
          ref === undefined
            ? Promise.resolve(DType.alloc(set.dtype, perChunk).fill(fillNumber(set)))
            : w.cache
                .get(w.owner, `${w.owner}/h5/${set.path}/${key}`, ch, async () => {
                  if (ref.size > w.budget.maxBlockBytes)
                    throw new BlockTooLarge(`an HDF5 chunk of ${ref.size} bytes is ${limitPhrase}`)
                  const [stored] = await w.reader.bytes.fetch([
                    { offset: ref.address, length: ref.size }
                  ])
                  if (stored.byteLength < ref.size) throw corrupt(`chunk of ${set.path}`)
                  const decoded = toLittleEndian(
                    decodeChunk(set, new Uint8Array(stored), ref.mask, chunkBytes),
                    set
                  )
                  const full = new Uint8Array(chunkBytes)
                  full.set(decoded.subarray(0, chunkBytes))
                  return { buffer: full.buffer, rows: ch }
                })
                .then((d) => view(set.dtype, new Uint8Array(d.buffer)))
        jobs.push(
          values.then((v) => {
            const r0 = Math.max(fy0, cy)
            const r1 = Math.min(fy1, cy + ch, H)
            const c0 = Math.max(x0, cx)
            const c1 = Math.min(x1, cx + cw, W)
            for (let r = r0; r < r1; r++)
              put(i, r, c0, v, within + (r - cy) * cw + (c0 - cx), c1 - c0)
          })
        )
      }
    }
  }
  await Promise.all(jobs)
}
