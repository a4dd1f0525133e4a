// Decoding one JPEG 2000 tile at one resolution level with OpenJPEG (npm @cornerstonejs/codec-openjpeg, WASM).
// The codec decodes whole codestreams, so a tile is given as a codestream of its own: the main header with SIZ
// narrowed to the tile's area (absolute coordinates kept, so the wavelet sees the same sample parities) and
// the tile's tile-parts renumbered as tile 0. Runs on the calling thread or in a decoder thread (jp2Worker.ts).
import { createRequire } from "node:module"

/** A tile to decode: its standalone codestream, the resolution reduction and the expected sample layout. */
export interface TileJob {
  readonly codestream: Uint8Array
  /** Resolution levels discarded (0: full resolution). */
  readonly reduce: number
  /** Expected output size (columns, rows) and components. */
  readonly width: number
  readonly height: number
  readonly components: number
  /** Bytes per sample: 1 or 2. */
  readonly bytes: number
}

interface Decoder {
  getEncodedBuffer(length: number): Uint8Array
  getDecodedBuffer(): Uint8Array
  decodeSubResolution(level: number, layer: number): void
  getFrameInfo(): { width: number; height: number; componentCount: number; bitsPerSample: number }
  delete(): void
}
interface Codec {
  J2KDecoder: new () => Decoder
}

let codec: Promise<Codec> | undefined

/** The OpenJPEG WASM module, instantiated once per thread. */
const load = (): Promise<Codec> => {
  if (codec === undefined) {
    const require = createRequire(import.meta.url)
    const factory = require("@cornerstonejs/codec-openjpeg/decodewasmjs") as (
      options: object
    ) => Promise<Codec>
    const wasm = require.resolve("@cornerstonejs/codec-openjpeg/decodewasm")
    codec = factory({ locateFile: () => wasm, print: () => {}, printErr: () => {} })
  }
  return codec
}

/**
 * Decodes a tile job into pixel-interleaved samples (`bytes` per sample), exactly `width × height`. Each tile
 * gets a decoder of its own: a reused one carries state from the previous tile, which made the outcome of a
 * damaged tile (error or not) depend on the order tiles were decoded in.
 */
export const decodeTile = async (job: TileJob): Promise<ArrayBuffer> => {
  const c = await load()
  const d = new c.J2KDecoder()
  try {
    try {
      d.getEncodedBuffer(job.codestream.length).set(job.codestream)
      d.decodeSubResolution(job.reduce, 0)
    } catch (error) {
      throw new Error(`OpenJPEG could not decode the tile (${describe(error)})`, { cause: error })
    }
    const out = d.getDecodedBuffer()
    const expected = job.width * job.height * job.components * job.bytes
    if (out.length !== expected)
      throw new Error(
        `OpenJPEG decoded ${out.length} bytes where the tile holds ${expected} (${job.width} × ${job.height} × ${job.components} × ${job.bytes})`
      )
    return out.slice().buffer
  } finally {
    try {
      d.delete()
    } catch {
      // an exception may have left it unusable; it is dropped either way
    }
  }
}

const describe = (error: unknown): string =>
  error instanceof Error
    ? error.message
    : typeof error === "number"
      ? `WASM exception ${error}`
      : String(error)

/** Builds the standalone codestream of one tile from the main header and the tile's tile-parts. */
export const tileCodestream = (
  segments: Uint8Array,
  sizAt: number,
  area: readonly [number, number, number, number],
  parts: ReadonlyArray<Uint8Array>
): Uint8Array => {
  const total = segments.length + parts.reduce((a, p) => a + p.length, 0) + 2
  const out = new Uint8Array(total)
  out.set(segments, 0)
  const view = new DataView(out.buffer)
  const [x0, y0, x1, y1] = area
  // SIZ: Xsiz, Ysiz, XOsiz, YOsiz, then XTsiz, YTsiz unchanged, XTOsiz, YTOsiz.
  view.setUint32(sizAt + 2, x1)
  view.setUint32(sizAt + 6, y1)
  view.setUint32(sizAt + 10, x0)
  view.setUint32(sizAt + 14, y0)
  view.setUint32(sizAt + 26, x0)
  view.setUint32(sizAt + 30, y0)
  let at = segments.length
  for (const part of parts) {
    out.set(part, at)
    // SOT: Isot (tile index) becomes 0, the only tile of this codestream.
    view.setUint16(at + 4, 0)
    at += part.length
  }
  view.setUint16(at, 0xffd9)
  return out
}
