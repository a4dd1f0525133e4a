// The JPEG 2000 codestream (ISO/IEC 15444-1 Annex A) as far as reading by tile needs it: the main header's
// image and tile grid (SIZ), resolution levels (COD/COC of component 0), the tile-part index (TLM), and the
// byte ranges of a tile's tile-parts, from TLM when present or by walking SOT headers with range requests.
import type { ByteSource } from "../byteSource.ts"
import { HeaderProblem } from "../header.ts"

/** What the main header says. */
export interface MainHeader {
  /** Reference grid: image area [x0, x1) × [y0, y1). */
  readonly x0: number
  readonly y0: number
  readonly x1: number
  readonly y1: number
  /** Tile grid: size and origin on the reference grid. */
  readonly tileWidth: number
  readonly tileHeight: number
  readonly tileX0: number
  readonly tileY0: number
  readonly tilesX: number
  readonly tilesY: number
  readonly components: number
  /** Bit depth and signedness of component 0 (every component must match it). */
  readonly precision: number
  readonly signed: boolean
  /** Decomposition levels + 1, of component 0 (what GDAL calls numResolutions). */
  readonly resolutions: number
  /** The main header's marker segments (SOC to the first SOT), TLM and PLM removed. */
  readonly segments: Uint8Array
  /** Offset of the SIZ segment's body (after marker and length) in `segments`. */
  readonly sizAt: number
  /** Byte offset of the first SOT, relative to the codestream. */
  readonly firstTilePart: number
  /** Tile-part lengths from TLM, in codestream order (tile index, length), or undefined without TLM. */
  readonly tlm: ReadonlyArray<readonly [number, number]> | undefined
}

/** A tile-part's byte range, relative to the codestream. */
export interface Part {
  readonly offset: number
  readonly length: number
}

const SOT = 0xff90
const malformed = (what: string) =>
  new HeaderProblem("Malformed", `its JPEG 2000 codestream ${what}; check it with gdalinfo`)

/** Parses the main header at `start` of `bytes` (`length`: the codestream's length). */
export const readMainHeader = async (
  bytes: ByteSource,
  start: number,
  length: number,
  maxHeaderBytes: number
): Promise<MainHeader> => {
  let chunk = Math.min(length, 4096)
  let buf = new Uint8Array(0)
  for (;;) {
    const [b] = await bytes.fetch([{ offset: start, length: chunk }])
    buf = new Uint8Array(b)
    if (buf.length < 4 || buf[0] !== 0xff || buf[1] !== 0x4f || buf[2] !== 0xff || buf[3] !== 0x51)
      throw malformed("does not start with SOC and SIZ")
    if (findSot(buf) >= 0 || chunk >= length) break
    if (chunk >= maxHeaderBytes)
      throw malformed(`main header is longer than ${maxHeaderBytes} bytes`)
    chunk = Math.min(length, chunk * 4, maxHeaderBytes)
  }
  const end = findSot(buf)
  if (end < 0)
    throw new HeaderProblem(
      "Truncated",
      "its JPEG 2000 codestream has no tile; the file is truncated, download it again"
    )
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)
  const kept: Array<Uint8Array> = [buf.subarray(0, 2)]
  let sizAt = -1
  let siz: DataView | undefined
  let resolutions = -1
  let cocResolutions = -1
  let tlm: Array<readonly [number, number]> | undefined
  for (let p = 2; p < end;) {
    const marker = view.getUint16(p)
    const len = view.getUint16(p + 2)
    if (len < 2 || p + 2 + len > end)
      throw malformed(`has a marker segment 0x${marker.toString(16)} overrunning the header`)
    const body = new DataView(buf.buffer, buf.byteOffset + p + 4, len - 2)
    if (marker === 0xff51) {
      siz = body
      sizAt = kept.reduce((a, k) => a + k.length, 0) + 4
    } else if (marker === 0xff52 && body.byteLength >= 5) resolutions = body.getUint8(5) + 1
    else if (marker === 0xff53) {
      // COC: component index (1 or 2 bytes by Csiz), Scoc, then decomposition levels.
      const wide = siz !== undefined && siz.getUint16(34) >= 257
      const comp = wide ? body.getUint16(0) : body.getUint8(0)
      if (comp === 0) cocResolutions = body.getUint8(wide ? 3 : 2) + 1
    } else if (marker === 0xff60)
      throw new HeaderProblem(
        "UnsupportedCodec",
        "its JPEG 2000 codestream packs packet headers in the main header (PPM), which tile-by-tile reading does not support; rewrite it with gdal_translate -of JP2OpenJPEG"
      )
    if (marker === 0xff55) tlm = readTlm(body, tlm ?? [])
    if (marker !== 0xff55 && marker !== 0xff57) kept.push(buf.subarray(p, p + 2 + len))
    p += 2 + len
  }
  if (siz === undefined || siz.byteLength < 36) throw malformed("has no SIZ segment")
  if (resolutions < 0) throw malformed("has no COD segment")
  const x1 = siz.getUint32(2)
  const y1 = siz.getUint32(6)
  const x0 = siz.getUint32(10)
  const y0 = siz.getUint32(14)
  const tileWidth = siz.getUint32(18)
  const tileHeight = siz.getUint32(22)
  const tileX0 = siz.getUint32(26)
  const tileY0 = siz.getUint32(30)
  const components = siz.getUint16(34)
  if (x1 <= x0 || y1 <= y0 || tileWidth === 0 || tileHeight === 0 || tileX0 > x0 || tileY0 > y0)
    throw malformed("has an empty image or tile grid in SIZ")
  if (components === 0 || siz.byteLength < 36 + 3 * components)
    throw malformed("has a SIZ without components")
  const ssiz = siz.getUint8(36)
  for (let c = 0; c < components; c++) {
    if (
      siz.getUint8(36 + 3 * c) !== ssiz ||
      siz.getUint8(37 + 3 * c) !== 1 ||
      siz.getUint8(38 + 3 * c) !== 1
    )
      throw new HeaderProblem(
        "UnsupportedCodec",
        "its JPEG 2000 components differ in bit depth or are subsampled; convert it with gdal_translate -of GTiff"
      )
  }
  // Isot is 16 bits: a codestream holds at most 65,535 tiles.
  if (Math.ceil((x1 - tileX0) / tileWidth) * Math.ceil((y1 - tileY0) / tileHeight) > 65535)
    throw malformed("declares more than 65,535 tiles in SIZ")
  const segments = new Uint8Array(kept.reduce((a, k) => a + k.length, 0))
  let at = 0
  for (const k of kept) {
    segments.set(k, at)
    at += k.length
  }
  return {
    x0,
    y0,
    x1,
    y1,
    tileWidth,
    tileHeight,
    tileX0,
    tileY0,
    tilesX: Math.ceil((x1 - tileX0) / tileWidth),
    tilesY: Math.ceil((y1 - tileY0) / tileHeight),
    components,
    precision: (ssiz & 0x7f) + 1,
    signed: (ssiz & 0x80) !== 0,
    resolutions: cocResolutions > 0 ? cocResolutions : resolutions,
    segments,
    sizAt,
    firstTilePart: end,
    tlm
  }
}

const findSot = (buf: Uint8Array): number => {
  // Marker segments from SIZ on: walk them (a SOT byte pair may occur inside a segment's body).
  if (buf.length < 4) return -1
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)
  for (let p = 2; p + 4 <= buf.length;) {
    const marker = view.getUint16(p)
    if (marker === SOT) return p
    if (marker >> 8 !== 0xff) return -1
    p += 2 + view.getUint16(p + 2)
  }
  return -1
}

/** TLM entries (Ztlm, Stlm, then Ttlm?/Ptlm pairs); without Ttlm tile-parts are one per tile in order. */
const readTlm = (
  body: DataView,
  into: Array<readonly [number, number]>
): Array<readonly [number, number]> => {
  const stlm = body.getUint8(1)
  const st = (stlm >> 4) & 3
  const sp = (stlm >> 6) & 1
  const size = st + (sp === 1 ? 4 : 2)
  for (let p = 2; p + size <= body.byteLength; p += size) {
    const tile = st === 0 ? into.length : st === 1 ? body.getUint8(p) : body.getUint16(p)
    const len = sp === 1 ? body.getUint32(p + st) : body.getUint16(p + st)
    into.push([tile, len])
  }
  return into
}

/** Tile-part ranges per tile index: from TLM at once, or found lazily by walking SOT headers. */
export class TilePartIndex {
  private readonly parts = new Map<number, Array<Part>>()
  private readonly expected = new Map<number, number>()
  private cursor: number
  private walk: Promise<void> = Promise.resolve()
  private done = false

  private readonly bytes: ByteSource
  private readonly start: number
  private readonly length: number

  constructor(bytes: ByteSource, start: number, length: number, header: MainHeader) {
    this.bytes = bytes
    this.start = start
    this.length = length
    this.cursor = header.firstTilePart
    if (header.tlm !== undefined) {
      let offset = header.firstTilePart
      for (const [tile, len] of header.tlm) {
        if (len < 14 || offset + len > length)
          throw malformed(
            `TLM index puts tile ${tile}'s tile-part at bytes ${offset}–${offset + len}, past the codestream's end (${length}); the index is corrupt, rewrite the file with gdal_translate -of JP2OpenJPEG -co TLM=YES`
          )
        this.add(tile, { offset, length: len })
        offset += len
      }
      this.done = true
    }
  }

  private add(tile: number, part: Part) {
    const list = this.parts.get(tile)
    if (list === undefined) this.parts.set(tile, [part])
    else list.push(part)
  }

  private complete(tile: number): boolean {
    const n = this.expected.get(tile)
    return this.done || (n !== undefined && n > 0 && (this.parts.get(tile)?.length ?? 0) >= n)
  }

  /** The tile-parts of `tile`, in codestream order (empty when the codestream holds none). */
  async of(tile: number): Promise<ReadonlyArray<Part>> {
    while (!this.complete(tile)) {
      this.walk = this.walk.then(() => (this.complete(tile) ? undefined : this.step()))
      await this.walk
    }
    return this.parts.get(tile) ?? []
  }

  /** Reads the next SOT header (12 bytes) and records its tile-part. */
  private async step(): Promise<void> {
    if (this.cursor + 2 <= this.length) {
      const [b] = await this.bytes.fetch([
        { offset: this.start + this.cursor, length: Math.min(12, this.length - this.cursor) }
      ])
      const v = new DataView(b)
      if (v.byteLength >= 2 && v.getUint16(0) === 0xffd9) {
        this.done = true
        return
      }
      if (v.byteLength < 12 || v.getUint16(0) !== SOT)
        throw new HeaderProblem(
          "Truncated",
          `its JPEG 2000 codestream has no tile-part header at byte ${this.cursor}; the file is truncated or corrupt, download it again`
        )
      const tile = v.getUint16(4)
      const psot = v.getUint32(6)
      const count = v.getUint8(11)
      const len = psot === 0 ? this.length - this.cursor : psot
      if (len < 14 || this.cursor + len > this.length)
        throw new HeaderProblem(
          "Truncated",
          `its JPEG 2000 tile-part of tile ${tile} at byte ${this.cursor} runs past the codestream's end (${this.length}); the file is truncated, download it again`
        )
      if (count > 0) this.expected.set(tile, count)
      this.add(tile, { offset: this.cursor, length: len })
      this.cursor += len
      if (psot === 0) this.done = true
    } else this.done = true
  }
}
