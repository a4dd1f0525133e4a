// The boxes of a JP2 file (ISO/IEC 15444-1 Annex I) that reading needs, as GDAL's GDALJP2Metadata::ReadBoxes
// collects them: where the codestream (`jp2c`) lies, the GeoJP2 UUID boxes (at most 2), the MSIG box, and the
// labelled XML of the `gml.data` association (GMLJP2: `gml.root-instance` and dictionaries). A raw J2K
// codestream (SOC first) has no boxes.
import type { ByteSource } from "../byteSource.ts"
import { HeaderProblem } from "../header.ts"

/** What the boxes hold. */
export interface Boxes {
  /** Byte offset and length of the codestream. */
  readonly codestream: { readonly offset: number; readonly length: number }
  /** Payloads of the GeoJP2 boxes (degenerate GeoTIFFs), in file order. */
  readonly geoJp2: ReadonlyArray<Uint8Array>
  /** The MSIG payload, when present. */
  readonly msig: Uint8Array | undefined
  /** Labelled XML of the `gml.data` association, by label. */
  readonly gml: ReadonlyMap<string, string>
}

const geoJp2Uuid = [
  0xb1, 0x4b, 0xf8, 0xbd, 0x08, 0x3d, 0x4b, 0x43, 0xa5, 0xae, 0x8c, 0xd7, 0xd5, 0xa6, 0xce, 0x03
]
const msigUuid = [
  0x96, 0xa9, 0xf1, 0xf1, 0xdc, 0x98, 0x40, 0x2d, 0xa7, 0xae, 0xd6, 0x8e, 0x34, 0x45, 0x18, 0x09
]

interface Box {
  readonly type: string
  /** Offset of the payload and its length. */
  readonly offset: number
  readonly length: number
}

/** True when the first bytes are a JP2 signature box or a J2K codestream (SOC, SIZ), as GDAL identifies. */
export const isJpeg2000 = (head: Uint8Array): boolean =>
  head.length >= 16 &&
  ((head[0] === 0xff && head[1] === 0x4f && head[2] === 0xff && head[3] === 0x51) ||
    (head[4] === 0x6a && head[5] === 0x50 && head[6] === 0x20 && head[7] === 0x20))

const text = (b: Uint8Array) => new TextDecoder().decode(b)

/** Reads the boxes of `bytes` (a file of `size` bytes), fetching headers and only the payloads needed. */
export const readBoxes = async (
  bytes: ByteSource,
  size: number,
  maxPayload: number
): Promise<Boxes> => {
  const [head] = await bytes.fetch([{ offset: 0, length: Math.min(4, size) }])
  const h = new Uint8Array(head)
  if (h[0] === 0xff && h[1] === 0x4f)
    return { codestream: { offset: 0, length: size }, geoJp2: [], msig: undefined, gml: new Map() }
  const payload = async (box: Box) => {
    if (box.length > maxPayload)
      throw new HeaderProblem(
        "TooLarge",
        `its JP2 box '${box.type}' holds ${box.length} bytes (limit ${maxPayload}); the file is corrupt or hostile`
      )
    const [b] = await bytes.fetch([{ offset: box.offset, length: box.length }])
    return new Uint8Array(b)
  }
  let codestream: Boxes["codestream"] | undefined
  const geoJp2: Array<Uint8Array> = []
  let msig: Uint8Array | undefined
  const gml = new Map<string, string>()
  for (const box of await children(bytes, 0, size, size)) {
    if (box.type === "jp2c" && codestream === undefined) {
      codestream = { offset: box.offset, length: box.length }
    } else if (box.type === "uuid" && box.length >= 16) {
      const data = await payload(box)
      const uuid = Array.from(data.subarray(0, 16))
      if (uuid.every((v, i) => v === geoJp2Uuid[i]) && geoJp2.length < 2)
        geoJp2.push(data.subarray(16))
      else if (uuid.every((v, i) => v === msigUuid[i]) && msig === undefined) {
        const m = data.subarray(16)
        if (m.length >= 70 && text(m.subarray(0, 5)) === "MSIG/") msig = m
      }
    } else if (box.type === "asoc") {
      const inner = await children(bytes, box.offset, box.offset + box.length, size)
      const first = inner[0]
      if (first?.type !== "lbl " || text(await payload(first)).replace(/\0+$/, "") !== "gml.data")
        continue
      for (const child of inner.slice(1)) {
        if (child.type !== "asoc") continue
        const pair = await children(bytes, child.offset, child.offset + child.length, size)
        const label = pair.find((b) => b.type === "lbl ")
        const xml = pair.find((b) => b.type === "xml ")
        if (label === undefined || xml === undefined) continue
        // Some GML data holds NUL characters (GDAL ticket 5760): trailing ones dropped, inner ones as newlines.
        const body = text(await payload(xml))
          .replace(/\0+$/, "")
          .replace(/\0/g, "\n")
        gml.set(text(await payload(label)).replace(/\0+$/, ""), body)
      }
    }
  }
  if (codestream === undefined)
    throw new HeaderProblem(
      "Truncated",
      "its JP2 boxes hold no codestream (jp2c); the file is truncated or not an image, download it again"
    )
  return { codestream, geoJp2, msig, gml }
}

/** The boxes between `start` and `end` (box headers only). A box running past the file is Truncated. */
const children = async (
  bytes: ByteSource,
  start: number,
  end: number,
  size: number
): Promise<Array<Box>> => {
  const boxes: Array<Box> = []
  for (let p = start; p + 8 <= end && boxes.length < 4096;) {
    const [b] = await bytes.fetch([{ offset: p, length: Math.min(16, end - p) }])
    const v = new DataView(b)
    let length = v.getUint32(0)
    const type = text(new Uint8Array(b, 4, 4))
    let header = 8
    if (length === 1) {
      if (v.byteLength < 16) break
      length = Number(v.getBigUint64(8))
      header = 16
    } else if (length === 0) length = end - p
    if (length < header)
      throw new HeaderProblem(
        "Malformed",
        `its JP2 box '${type}' at byte ${p} has length ${length}; check it with gdalinfo`
      )
    if (p + length > size)
      throw new HeaderProblem(
        "Truncated",
        `its JP2 box '${type}' at byte ${p} declares ${length} bytes but the file ends at ${size}; the file is truncated, download it again`
      )
    boxes.push({ type, offset: p + header, length: length - header })
    p += length
  }
  return boxes
}
