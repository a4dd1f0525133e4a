// The TIFF structure checked before geotiff.js parses it: the IFD chain (no loop, bounded count), tag sizes,
// image, tile and strip sizes, block counts and block byte ranges inside the file. Hostile files fail here.
import type { ByteSource } from "./byteSource.ts"
import { HeaderProblem } from "./header.ts"

/** Size and count limits applied to every raster opened and every read. */
export interface RasterLimits {
  /** Image file directories in one file (images, overviews, masks). */
  readonly maxIfds: number
  /** Entries (tags) in one IFD. */
  readonly maxTagsPerIfd: number
  /** Bytes of one tag's value, other than the block offset/byte-count arrays. */
  readonly maxTagBytes: number
  /** Bytes of one block offset or byte-count array (8 bytes per block in BigTIFF). */
  readonly maxBlockArrayBytes: number
  /** Pixels along either side of an image. */
  readonly maxDimension: number
  /** Samples (bands) per pixel. */
  readonly maxBands: number
  /** Decoded bytes of one tile or strip. */
  readonly maxBlockBytes: number
  /** Decoded bytes one read may hold at once: the source window plus the tile rows it decodes. */
  readonly maxReadBytes: number
}

/** Defaults: 1024 IFDs, 4096 tags, 4 MiB tags, 128 MiB offset arrays, 2^24 px, 8192 bands, 256 MiB blocks and reads. */
export const defaultLimits: RasterLimits = {
  maxIfds: 1024,
  maxTagsPerIfd: 4096,
  maxTagBytes: 4 * 1024 * 1024,
  maxBlockArrayBytes: 128 * 1024 * 1024,
  maxDimension: 1 << 24,
  maxBands: 8192,
  maxBlockBytes: 256 * 1024 * 1024,
  maxReadBytes: 256 * 1024 * 1024
}

const typeSizes: Readonly<Record<number, number>> = {
  1: 1,
  2: 1,
  3: 2,
  4: 4,
  5: 8,
  6: 1,
  7: 1,
  8: 2,
  9: 4,
  10: 8,
  11: 4,
  12: 8,
  13: 4,
  16: 8,
  17: 8,
  18: 8
}

const tags = {
  width: 256,
  height: 257,
  bits: 258,
  stripOffsets: 273,
  spp: 277,
  rowsPerStrip: 278,
  stripCounts: 279,
  planar: 284,
  tileWidth: 322,
  tileHeight: 323,
  tileOffsets: 324,
  tileCounts: 325
} as const
const blockArrays: ReadonlySet<number> = new Set([273, 279, 324, 325])

interface Entry {
  readonly type: number
  readonly count: number
  /** File offset of the value (inline values point into the IFD itself). */
  readonly at: number
}

/** What the check found, for tests and diagnostics. */
export interface TiffSummary {
  readonly ifds: number
  readonly blocks: number
}

const malformed = (message: string) => new HeaderProblem("Malformed", message)
const tooLarge = (message: string) => new HeaderProblem("TooLarge", message)

/**
 * Walks the IFD chain of a TIFF with `bytes` and checks every IFD against `limits` before anything allocates
 * by a size the file declares. Throws `HeaderProblem` ("Malformed", "TooLarge", "Truncated", "NotTiff").
 */
export const checkTiff = async (
  bytes: ByteSource,
  limits: RasterLimits = defaultLimits
): Promise<TiffSummary> => {
  // A view of the source's cached bytes where it has one (URLs): no array per field read.
  const read = async (offset: number, length: number): Promise<DataView> => {
    if (bytes.view !== undefined) {
      const v = await bytes.view({ offset, length })
      return new DataView(v.buffer, v.byteOffset, v.byteLength)
    }
    const [buffer] = await bytes.fetch([{ offset, length }])
    return new DataView(buffer)
  }
  const head = await read(0, 16)
  if (head.byteLength < 8) throw new HeaderProblem("NotTiff", "it is too short to be a TIFF file")
  const order = head.getUint16(0, false)
  if (order !== 0x4949 && order !== 0x4d4d)
    throw new HeaderProblem("NotTiff", "it is not a TIFF file (no II/MM byte order mark)")
  const le = order === 0x4949
  const magic = head.getUint16(2, le)
  if (magic !== 42 && magic !== 43)
    throw new HeaderProblem("NotTiff", `it is not a TIFF file (magic number ${magic})`)
  const big = magic === 43
  if (big && (head.byteLength < 16 || head.getUint16(4, le) !== 8))
    throw malformed("its BigTIFF header is malformed")
  const size = bytes.fileSize ?? Infinity
  const u64 = (v: DataView, at: number) => Number(v.getBigUint64(at, le))
  const offsetAt = (v: DataView, at: number) => (big ? u64(v, at) : v.getUint32(at, le))
  const entrySize = big ? 20 : 12
  const inline = big ? 8 : 4

  const scalar = async (e: Entry | undefined, index = 0): Promise<number | undefined> => {
    if (e === undefined || index >= e.count) return undefined
    const s = typeSizes[e.type]
    const v = await read(e.at + index * s, s)
    if (v.byteLength < s) return undefined
    switch (e.type) {
      case 3:
        return v.getUint16(0, le)
      case 4:
      case 13:
        return v.getUint32(0, le)
      case 16:
      case 18:
        return u64(v, 0)
      case 1:
        return v.getUint8(0)
      default:
        return undefined
    }
  }
  const array = async (e: Entry): Promise<Array<number>> => {
    const s = typeSizes[e.type]
    const v = await read(e.at, s * e.count)
    if (v.byteLength < s * e.count || ![2, 4, 8].includes(s))
      throw new HeaderProblem("Truncated", "an array of its header is cut short")
    const out = new Array<number>(e.count)
    for (let i = 0; i < e.count; i++)
      out[i] = s === 2 ? v.getUint16(i * 2, le) : s === 4 ? v.getUint32(i * 4, le) : u64(v, i * 8)
    return out
  }

  const seen = new Set<number>()
  let offset = big ? u64(head, 8) : head.getUint32(4, le)
  let ifds = 0
  let blocks = 0
  while (offset !== 0) {
    const where = `IFD ${ifds} (byte ${offset})`
    if (seen.has(offset))
      throw malformed(`its IFD chain loops: IFD ${ifds} points back to byte ${offset}`)
    if (ifds >= limits.maxIfds)
      throw tooLarge(`it has more than ${limits.maxIfds} IFDs (images, overviews and masks)`)
    seen.add(offset)
    if (offset + (big ? 8 : 2) > size)
      throw new HeaderProblem("Truncated", `${where} starts past the end of the file`)
    const countView = await read(offset, big ? 8 : 2)
    const n = big ? u64(countView, 0) : countView.getUint16(0, le)
    if (n === 0) throw malformed(`${where} has no entries`)
    if (n > limits.maxTagsPerIfd)
      throw tooLarge(`${where} has ${n} entries (at most ${limits.maxTagsPerIfd})`)
    const tableAt = offset + (big ? 8 : 2)
    const table = await read(tableAt, n * entrySize + (big ? 8 : 4))
    if (table.byteLength < n * entrySize + (big ? 8 : 4))
      throw new HeaderProblem("Truncated", `${where} runs past the end of the file`)
    const entries = new Map<number, Entry>()
    for (let i = 0; i < n; i++) {
      const at = i * entrySize
      const tag = table.getUint16(at, le)
      const type = table.getUint16(at + 2, le)
      const count = big ? u64(table, at + 4) : table.getUint32(at + 4, le)
      const s = typeSizes[type]
      if (s === undefined) throw malformed(`${where}: tag ${tag} has an unknown field type ${type}`)
      const length = s * count
      const max = blockArrays.has(tag) ? limits.maxBlockArrayBytes : limits.maxTagBytes
      if (length > max)
        throw tooLarge(`${where}: tag ${tag} holds ${length} bytes (at most ${max})`)
      const valueAt = at + (big ? 12 : 8)
      const value = length <= inline ? tableAt + valueAt : offsetAt(table, valueAt)
      if (length > inline && value + length > size)
        throw new HeaderProblem(
          "Truncated",
          `${where}: tag ${tag} points past the end of the file (bytes ${value}–${value + length})`
        )
      entries.set(tag, { type, count, at: value })
    }
    blocks += await checkImage(where, entries, scalar, array, size, limits)
    ifds++
    offset = offsetAt(table, n * entrySize)
  }
  if (ifds === 0) throw malformed("it has no image (its first IFD offset is 0)")
  return { ifds, blocks }
}

/** Checks one IFD's image, tile/strip layout and block ranges; returns its block count. */
const checkImage = async (
  where: string,
  entries: ReadonlyMap<number, Entry>,
  scalar: (e: Entry | undefined, index?: number) => Promise<number | undefined>,
  array: (e: Entry) => Promise<Array<number>>,
  size: number,
  limits: RasterLimits
): Promise<number> => {
  const width = await scalar(entries.get(tags.width))
  const height = await scalar(entries.get(tags.height))
  if (width === undefined || height === undefined)
    throw malformed(`${where} has no ImageWidth/ImageLength`)
  if (width < 1 || height < 1 || width > limits.maxDimension || height > limits.maxDimension)
    throw (width < 1 || height < 1 ? malformed : tooLarge)(
      `${where} is ${width} × ${height} pixels (each side 1–${limits.maxDimension})`
    )
  const spp = (await scalar(entries.get(tags.spp))) ?? 1
  if (spp < 1 || spp > limits.maxBands)
    throw (spp < 1 ? malformed : tooLarge)(
      `${where} has ${spp} samples per pixel (1–${limits.maxBands})`
    )
  const bitsEntry = entries.get(tags.bits)
  const bits =
    bitsEntry === undefined
      ? [1]
      : bitsEntry.count > 1
        ? await array(bitsEntry)
        : [(await scalar(bitsEntry)) ?? 1]
  let bitsPerPixel = 0
  for (let s = 0; s < spp; s++) {
    const b = bits[Math.min(s, bits.length - 1)]
    if (!(b >= 1 && b <= 64)) throw malformed(`${where} has ${b} bits per sample`)
    bitsPerPixel += b
  }
  const bitsFirst = bits[0]
  const planar = ((await scalar(entries.get(tags.planar))) ?? 1) === 2
  const tiled = entries.has(tags.tileOffsets)
  let bw: number
  let bh: number
  if (tiled) {
    const tw = await scalar(entries.get(tags.tileWidth))
    const th = await scalar(entries.get(tags.tileHeight))
    if (tw === undefined || th === undefined || tw < 1 || th < 1)
      throw malformed(`${where} has tiles of ${tw ?? "no"} × ${th ?? "no"} pixels`)
    if (tw > limits.maxDimension || th > limits.maxDimension)
      throw tooLarge(`${where} has tiles of ${tw} × ${th} pixels`)
    bw = tw
    bh = th
  } else {
    if (!entries.has(tags.stripOffsets)) throw malformed(`${where} has neither tiles nor strips`)
    const rows = (await scalar(entries.get(tags.rowsPerStrip))) ?? height
    if (rows < 1) throw malformed(`${where} has ${rows} rows per strip`)
    bw = width
    bh = Math.min(rows, height)
  }
  const blockBytes = Math.ceil((bw * bh * (planar ? bitsFirst : bitsPerPixel)) / 8)
  if (blockBytes > limits.maxBlockBytes)
    throw tooLarge(
      `${where} has ${tiled ? "tiles" : "strips"} of ${bw} × ${bh} pixels, ${blockBytes} bytes decoded (at most ${limits.maxBlockBytes}); retile it, e.g. gdal_translate -co TILED=YES`
    )
  const expected = Math.ceil(width / bw) * Math.ceil(height / bh) * (planar ? spp : 1)
  const offsetsEntry = entries.get(tiled ? tags.tileOffsets : tags.stripOffsets)!
  const countsEntry = entries.get(tiled ? tags.tileCounts : tags.stripCounts)
  if (countsEntry === undefined)
    throw malformed(`${where} has block offsets but no block byte counts`)
  if (offsetsEntry.count < expected || countsEntry.count < expected)
    throw malformed(
      `${where} lists ${Math.min(offsetsEntry.count, countsEntry.count)} blocks where its size needs ${expected}`
    )
  if (![3, 4, 16].includes(offsetsEntry.type) || ![3, 4, 16].includes(countsEntry.type))
    throw malformed(`${where} has block offsets of field type ${offsetsEntry.type}`)
  if (size !== Infinity) {
    const offsets = await array(offsetsEntry)
    const counts = await array(countsEntry)
    for (let i = 0; i < expected; i++) {
      if (counts[i] > 0 && offsets[i] + counts[i] > size)
        throw new HeaderProblem(
          "Truncated",
          `it is truncated: block ${i} of ${where} runs to byte ${offsets[i] + counts[i]} but the file has ${size} bytes; download it again`
        )
    }
  }
  return expected
}
