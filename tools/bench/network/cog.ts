// Sentinel-2-like Cloud-Optimized GeoTIFFs made on the fly for the object-store simulator: one band per file,
// uint16, DEFLATE with horizontal predictor, 512² tiles, overviews down to one tile, GDAL's COG order (IFDs and
// tile indexes first, then tile data from the smallest overview to full resolution). Tile data comes from a
// pool of compressed tiles of synthetic texture (~70 % of the raw size, as real L2A bands), so a 10980² band
// is ~160 MB served without being stored: only the header is built per file.
import { deflateSync } from "node:zlib"

/** A virtual file: its size and a reader of any byte range. */
export interface VirtualFile {
  readonly size: number
  /** Tile data regions, sorted by offset: [offset, length] pairs. */
  readonly tiles: ReadonlyArray<readonly [number, number]>
  readonly read: (start: number, end: number) => Buffer
  /** The bytes [start, end) as views of the header and the tile pool, in order (nothing copied). */
  readonly pieces: (start: number, end: number) => Array<Buffer>
}

/** Georeferencing of a virtual band file. */
export interface CogSpec {
  readonly width: number
  readonly height: number
  /** Upper-left corner in metres. */
  readonly x0: number
  readonly y0: number
  /** Pixel size in metres. */
  readonly resolution: number
  readonly epsg: number
  /** Picks pool tiles, so that files differ. */
  readonly seed: number
}

const TILE = 512

const rng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

/** `n` DEFLATEd (predictor 2) 512² uint16 tiles of smooth fields plus 7 bits of noise; never 0 (nodata). */
export const tilePool = (n: number, seed = 1): ReadonlyArray<Buffer> =>
  Array.from({ length: n }, (_, k) => {
    const r = rng(seed * 1000 + k)
    const a = 20 + r() * 60
    const b = 20 + r() * 60
    const base = 600 + r() * 2000
    const values = new Uint16Array(TILE * TILE)
    for (let y = 0; y < TILE; y++) {
      for (let x = 0; x < TILE; x++) {
        values[y * TILE + x] =
          base + 300 * Math.sin(x / a + k) + 300 * Math.cos(y / b) + Math.floor(r() * 128) + 1
      }
    }
    // Horizontal differencing per row (TIFF predictor 2), little-endian samples.
    const diff = new Uint16Array(values.length)
    for (let y = 0; y < TILE; y++) {
      const o = y * TILE
      diff[o] = values[o]
      for (let x = 1; x < TILE; x++) diff[o + x] = (values[o + x] - values[o + x - 1]) & 0xffff
    }
    return deflateSync(Buffer.from(diff.buffer), { level: 6 })
  })

interface Entry {
  readonly tag: number
  readonly type: number // 2 ASCII, 3 SHORT, 4 LONG, 12 DOUBLE
  readonly values: ReadonlyArray<number> | string
}

const typeSize: Record<number, number> = { 2: 1, 3: 2, 4: 4, 12: 8 }

/** Builds the header and the tile map of a virtual COG over `pool`. */
export const make = (spec: CogSpec, pool: ReadonlyArray<Buffer>): VirtualFile => {
  const levels: Array<{ width: number; height: number }> = [
    { width: spec.width, height: spec.height }
  ]
  while (levels.at(-1)!.width > TILE || levels.at(-1)!.height > TILE) {
    const l = levels.at(-1)!
    levels.push({ width: Math.ceil(l.width / 2), height: Math.ceil(l.height / 2) })
  }
  const tileCounts = levels.map((l) => Math.ceil(l.width / TILE) * Math.ceil(l.height / TILE))
  const r = rng(spec.seed)
  const picks = tileCounts.map((n) =>
    Array.from({ length: n }, () => Math.floor(r() * pool.length))
  )
  const ifds = levels.map((l, i): Array<Entry> => {
    const n = tileCounts[i]
    const entries: Array<Entry> = [
      ...(i > 0 ? [{ tag: 254, type: 4, values: [1] }] : []),
      { tag: 256, type: 4, values: [l.width] },
      { tag: 257, type: 4, values: [l.height] },
      { tag: 258, type: 3, values: [16] },
      { tag: 259, type: 3, values: [8] },
      { tag: 262, type: 3, values: [1] },
      { tag: 277, type: 3, values: [1] },
      { tag: 284, type: 3, values: [1] },
      { tag: 317, type: 3, values: [2] },
      { tag: 322, type: 3, values: [TILE] },
      { tag: 323, type: 3, values: [TILE] },
      { tag: 324, type: 4, values: new Array<number>(n).fill(0) },
      { tag: 325, type: 4, values: picks[i].map((p) => pool[p].length) },
      { tag: 339, type: 3, values: [1] }
    ]
    if (i === 0) {
      entries.push(
        { tag: 33550, type: 12, values: [spec.resolution, spec.resolution, 0] },
        { tag: 33922, type: 12, values: [0, 0, 0, spec.x0, spec.y0, 0] },
        {
          tag: 34735,
          type: 3,
          values: [1, 1, 0, 3, 1024, 0, 1, 1, 1025, 0, 1, 1, 3072, 0, 1, spec.epsg]
        }
      )
    }
    entries.push({ tag: 42113, type: 2, values: "0\0" })
    return entries
  })
  // Layout: header, then per IFD its entries followed by its out-of-line values; then tile data.
  const valueBytes = (e: Entry) =>
    (typeof e.values === "string" ? e.values.length : e.values.length) * typeSize[e.type]
  let at = 8
  const ifdAt: Array<number> = []
  for (const entries of ifds) {
    ifdAt.push(at)
    at += 2 + entries.length * 12 + 4
    for (const e of entries) {
      const n = valueBytes(e)
      if (n > 4) at += n + (n % 2)
    }
  }
  const headerSize = at
  // Tile data: smallest overview first, full resolution last (GDAL's COG order).
  const tiles: Array<readonly [number, number]> = []
  const tileMap: Array<{ offset: number; length: number; pool: number }> = []
  let data = headerSize
  for (let i = levels.length - 1; i >= 0; i--) {
    const offsets = ifds[i].find((e) => e.tag === 324)!.values as Array<number>
    picks[i].forEach((p, k) => {
      offsets[k] = data
      tiles.push([data, pool[p].length])
      tileMap.push({ offset: data, length: pool[p].length, pool: p })
      data += pool[p].length
    })
  }
  const header = Buffer.alloc(headerSize)
  header.write("II", 0, "latin1")
  header.writeUInt16LE(42, 2)
  header.writeUInt32LE(ifdAt[0], 4)
  ifds.forEach((entries, i) => {
    let p = ifdAt[i]
    header.writeUInt16LE(entries.length, p)
    p += 2
    let extra = p + entries.length * 12 + 4
    const writeValues = (e: Entry, where: number) => {
      if (typeof e.values === "string") header.write(e.values, where, "latin1")
      else
        e.values.forEach((v, k) => {
          const o = where + k * typeSize[e.type]
          if (e.type === 3) header.writeUInt16LE(v, o)
          else if (e.type === 4) header.writeUInt32LE(v, o)
          else header.writeDoubleLE(v, o)
        })
    }
    for (const e of entries) {
      const count = typeof e.values === "string" ? e.values.length : e.values.length
      header.writeUInt16LE(e.tag, p)
      header.writeUInt16LE(e.type, p + 2)
      header.writeUInt32LE(count, p + 4)
      const n = valueBytes(e)
      if (n <= 4) writeValues(e, p + 8)
      else {
        header.writeUInt32LE(extra, p + 8)
        writeValues(e, extra)
        extra += n + (n % 2)
      }
      p += 12
    }
    header.writeUInt32LE(i + 1 < ifds.length ? ifdAt[i + 1] : 0, p)
  })
  const pieces = (start: number, end: number): Array<Buffer> => {
    end = Math.min(end, data)
    if (end <= start) return []
    const out: Array<Buffer> = []
    if (start < headerSize) out.push(header.subarray(start, Math.min(end, headerSize)))
    // First tile ending after `start` (binary search), then every tile up to `end`.
    let lo = 0
    let hi = tileMap.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (tileMap[mid].offset + tileMap[mid].length <= start) lo = mid + 1
      else hi = mid
    }
    for (let k = lo; k < tileMap.length && tileMap[k].offset < end; k++) {
      const t = tileMap[k]
      const from = Math.max(start, t.offset)
      const to = Math.min(end, t.offset + t.length)
      out.push(pool[t.pool].subarray(from - t.offset, to - t.offset))
    }
    return out
  }
  const read = (start: number, end: number): Buffer => Buffer.concat(pieces(start, end))
  return { size: data, tiles, read, pieces }
}
