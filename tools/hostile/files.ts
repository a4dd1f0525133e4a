// Hostile inputs, generated: tiny GeoTIFFs with cyclic IFD chains, zero or absurd tile sizes, blocks outside
// the file, huge tag counts, DEFLATE and zstd bombs. Used by the hostile tests; `generate.ts` writes them out.
import { constants, createDeflate, createZstdCompress } from "node:zlib"

/** One TIFF tag: its number, field type (3 SHORT, 4 LONG, 12 DOUBLE, 2 ASCII) and values. */
export interface Tag {
  readonly tag: number
  readonly type: number
  readonly values: ReadonlyArray<number>
  /** The count written in the entry, when it must lie about `values.length`. */
  readonly count?: number
}

/** One image of a TIFF: its tags (block offsets filled in) and its blocks' bytes. */
export interface Image {
  readonly tags: ReadonlyArray<Tag>
  readonly blocks: ReadonlyArray<Uint8Array>
  /** Block offsets to write instead of the real ones (blocks outside the file). */
  readonly offsets?: ReadonlyArray<number>
}

const sizes: Readonly<Record<number, number>> = { 2: 1, 3: 2, 4: 4, 12: 8 }

/**
 * A little-endian classic TIFF of `images` (blocks first, then each IFD with its external values). `loopTo`
 * makes the last IFD point back to IFD `loopTo` (a cyclic chain) instead of ending it.
 */
export const buildTiff = (images: ReadonlyArray<Image>, loopTo?: number): Uint8Array => {
  const parts: Array<Uint8Array> = []
  let at = 8
  const blockOffsets = images.map((image) =>
    image.blocks.map((block) => {
      const offset = at
      parts.push(block)
      at += block.length
      return offset
    })
  )
  if (at % 2 === 1) {
    parts.push(new Uint8Array(1))
    at++
  }
  const ifdStarts: Array<number> = []
  const ifds: Array<{ view: DataView; bytes: Uint8Array }> = []
  images.forEach((image, i) => {
    const offsets = image.offsets ?? blockOffsets[i]
    const tags = image.tags
      .map((t) =>
        t.tag === 324 || t.tag === 273
          ? { ...t, values: offsets }
          : t.tag === 325 || t.tag === 279
            ? { ...t, values: image.blocks.map((b) => b.length) }
            : t
      )
      .sort((a, b) => a.tag - b.tag)
    const head = 2 + tags.length * 12 + 4
    const external = tags.reduce((n, t) => {
      const len = sizes[t.type] * t.values.length
      return n + (len > 4 ? len + (len % 2) : 0)
    }, 0)
    const bytes = new Uint8Array(head + external)
    const view = new DataView(bytes.buffer)
    const start = at
    view.setUint16(0, tags.length, true)
    let ext = start + head
    tags.forEach((t, k) => {
      const e = 2 + k * 12
      view.setUint16(e, t.tag, true)
      view.setUint16(e + 2, t.type, true)
      view.setUint32(e + 4, t.count ?? t.values.length, true)
      const len = sizes[t.type] * t.values.length
      const target = len > 4 ? ext - start : e + 8
      if (len > 4) {
        view.setUint32(e + 8, ext, true)
        ext += len + (len % 2)
      }
      t.values.forEach((v, j) => {
        const p = target + j * sizes[t.type]
        if (t.type === 2) view.setUint8(p, v)
        else if (t.type === 3) view.setUint16(p, v, true)
        else if (t.type === 4) view.setUint32(p, v, true)
        else view.setFloat64(p, v, true)
      })
    })
    ifdStarts.push(start)
    ifds.push({ view, bytes })
    parts.push(bytes)
    at += bytes.length
  })
  ifds.forEach(({ view }, i) => {
    const n = view.getUint16(0, true)
    const next =
      i + 1 < ifds.length ? ifdStarts[i + 1] : loopTo === undefined ? 0 : ifdStarts[loopTo]
    view.setUint32(2 + n * 12, next, true)
  })
  const out = new Uint8Array(at)
  const header = new DataView(out.buffer)
  header.setUint16(0, 0x4949, false)
  header.setUint16(2, 42, true)
  header.setUint32(4, ifdStarts[0], true)
  let p = 8
  for (const part of parts) {
    out.set(part, p)
    p += part.length
  }
  return out
}

/** Where the generated rasters lie: EPSG:32631, 10 m pixels, origin (500000, 5000000). */
export const origin = { epsg: 32631, x: 500_000, y: 5_000_000, resolution: 10 } as const

/** The tags of a georeferenced, tiled, single-band uint8 image (tile offsets/counts filled by `buildTiff`). */
export const tiledTags = (o: {
  readonly width: number
  readonly height: number
  readonly tileWidth: number
  readonly tileHeight: number
  readonly compression: number
  readonly tiles: number
}): Array<Tag> => [
  { tag: 256, type: 4, values: [o.width] },
  { tag: 257, type: 4, values: [o.height] },
  { tag: 258, type: 3, values: [8] },
  { tag: 259, type: 3, values: [o.compression] },
  { tag: 262, type: 3, values: [1] },
  { tag: 277, type: 3, values: [1] },
  { tag: 284, type: 3, values: [1] },
  { tag: 322, type: 4, values: [o.tileWidth] },
  { tag: 323, type: 4, values: [o.tileHeight] },
  { tag: 324, type: 4, values: new Array<number>(o.tiles).fill(0) },
  { tag: 325, type: 4, values: new Array<number>(o.tiles).fill(0) },
  { tag: 339, type: 3, values: [1] },
  { tag: 33550, type: 12, values: [origin.resolution, origin.resolution, 0] },
  { tag: 33922, type: 12, values: [0, 0, 0, origin.x, origin.y, 0] },
  {
    tag: 34735,
    type: 3,
    values: [1, 1, 0, 3, 1024, 0, 1, 1, 1025, 0, 1, 1, 3072, 0, 1, origin.epsg]
  }
]

/** A valid 32 × 32 uncompressed image of 16 × 16 tiles (values 0–255 by position). */
export const plainImage = (): Image => ({
  tags: tiledTags({
    width: 32,
    height: 32,
    tileWidth: 16,
    tileHeight: 16,
    compression: 1,
    tiles: 4
  }),
  blocks: Array.from({ length: 4 }, (_, t) =>
    Uint8Array.from({ length: 256 }, (_, i) => (i + t) & 255)
  )
})

/** A valid 32 × 32 GeoTIFF (the control case: opens and reads). */
export const valid = (): Uint8Array => buildTiff([plainImage()])

/** An IFD chain that loops: IFD 1 points back to IFD 0 (4 KB or less). */
export const cyclicIfd = (): Uint8Array => buildTiff([plainImage(), plainImage()], 0)

/** An IFD whose next-IFD offset is its own. */
export const selfIfd = (): Uint8Array => buildTiff([plainImage()], 0)

/** `TileWidth 0` in an otherwise valid image. */
export const tileWidthZero = (): Uint8Array => {
  const image = plainImage()
  return buildTiff([
    { ...image, tags: image.tags.map((t) => (t.tag === 322 ? { ...t, values: [0] } : t)) }
  ])
}

/** Tiles of 2^20 × 2^20 pixels declared in a tiny file (1 TiB decoded per tile). */
export const absurdTiles = (): Uint8Array => {
  const image = plainImage()
  return buildTiff([
    {
      ...image,
      tags: image.tags.map((t) =>
        t.tag === 322 || t.tag === 323 ? { ...t, values: [1 << 20] } : t
      )
    }
  ])
}

/** Tile offsets pointing 1 GB past the end of the file. */
export const blocksOutside = (): Uint8Array =>
  buildTiff([{ ...plainImage(), offsets: [1e9, 1e9, 1e9, 1e9] }])

/** A tag declaring 2^30 doubles (8 GiB) in a tiny file. */
export const hugeTagCount = (): Uint8Array => {
  const image = plainImage()
  return buildTiff([
    { ...image, tags: image.tags.map((t) => (t.tag === 33550 ? { ...t, count: 2 ** 30 } : t)) }
  ])
}

const zeros = new Uint8Array(1 << 20)

/** Compresses `total` zero bytes with a zlib stream fed 1 MiB at a time (the input is never held whole). */
const streamZeros = (
  stream: ReturnType<typeof createDeflate> | ReturnType<typeof createZstdCompress>,
  total: number
): Promise<Uint8Array> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Uint8Array> = []
    stream.on("data", (c: Uint8Array) => chunks.push(c))
    stream.on("error", reject)
    stream.on("end", () => resolve(Buffer.concat(chunks)))
    let left = total
    const pump = () => {
      while (left > 0) {
        const n = Math.min(left, zeros.length)
        left -= n
        if (!stream.write(zeros.subarray(0, n))) return void stream.once("drain", pump)
      }
      stream.end()
    }
    pump()
  })

/** A zlib DEFLATE stream of about `compressedBytes` that inflates ~1030× (to zeros). */
export const deflateBombStream = (compressedBytes: number): Promise<Uint8Array> =>
  streamZeros(
    createDeflate({ level: 9, strategy: constants.Z_DEFAULT_STRATEGY }),
    Math.round(compressedBytes * 1030)
  )

/** A zstd frame (no content size in its header) of `decodedBytes` zeros. */
export const zstdBombFrame = (decodedBytes: number): Promise<Uint8Array> =>
  streamZeros(createZstdCompress(), decodedBytes)

/**
 * A GeoTIFF whose one 256 × 256 uint8 tile (64 KiB declared) is a DEFLATE stream of `compressedBytes` that
 * inflates to ~1030 × as much: 261 KB → ~270 MB, 1 MB → ~1 GB.
 */
export const deflateBomb = async (compressedBytes: number): Promise<Uint8Array> =>
  buildTiff([
    {
      tags: tiledTags({
        width: 256,
        height: 256,
        tileWidth: 256,
        tileHeight: 256,
        compression: 8,
        tiles: 1
      }),
      blocks: [await deflateBombStream(compressedBytes)]
    }
  ])

/** A GeoTIFF whose one 256 × 256 uint8 tile is a zstd frame of `decodedBytes` zeros (compression 50000). */
export const zstdTileBomb = async (decodedBytes: number): Promise<Uint8Array> =>
  buildTiff([
    {
      tags: tiledTags({
        width: 256,
        height: 256,
        tileWidth: 256,
        tileHeight: 256,
        compression: 50000,
        tiles: 1
      }),
      blocks: [await zstdBombFrame(decodedBytes)]
    }
  ])
