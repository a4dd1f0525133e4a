// Zip archives as GDAL's /vsizip/ reads them, over local files and HTTP ranges: the end of central directory
// (ZIP64 too) is read from the file's tail, the central directory lists the members, and one raster member is
// opened in place — a stored member as a window of the archive's bytes (only the ranges a chip needs are
// fetched), a DEFLATEd member inflated once into memory (bounded, CRC-checked). The member is the one named in
// the URI fragment (`a.zip#member=dir/b.tif`), else the only raster among the members (GHS tiles ship a .tif
// beside .xml and .pdf; SRTMGL1 an .hgt). Formats: PKWARE APPNOTE 6.3.10, sections 4.3.6–4.3.16 and 4.5.3.
import { crc32, inflateRawSync } from "node:zlib"
import { splitUri, type ByteSource, type Format, type Opened } from "../../Format.ts"
import { HeaderProblem } from "../header.ts"

const sig = {
  local: 0x04034b50,
  central: 0x02014b50,
  end: 0x06054b50,
  end64: 0x06064b50,
  loc64: 0x07064b50
}

/** Extensions of members that are rasters (what GDAL would open inside the archive). */
const rasterExtensions = /\.(tiff?|hgt|jp2|j2k|nc|nc4|h5|hdf5?|he5|img|vrt|bil|asc)$/i

/** Largest central directory read: 64 MiB (about a million members). */
const maxDirectoryBytes = 64 * 1024 * 1024

interface Member {
  readonly name: string
  readonly method: number
  readonly flags: number
  readonly crc: number
  readonly compressed: number
  readonly size: number
  readonly offset: number
}

const malformed = (what: string) =>
  new HeaderProblem(
    "Malformed",
    `its zip structure is damaged (${what}); download the archive again`
  )

const view = (b: ArrayBuffer) => new DataView(b)

const readAt = async (bytes: ByteSource, offset: number, length: number): Promise<DataView> => {
  const [b] = await bytes.fetch([{ offset, length }])
  if (b.byteLength < length) throw malformed(`${length} bytes at ${offset} lie past its end`)
  return view(b)
}

/** The central directory's offset, size and entry count, from the (ZIP64) end record. */
const endRecord = async (bytes: ByteSource, size: number) => {
  const tail = Math.min(size, 22 + 0xffff)
  const t = await readAt(bytes, size - tail, tail)
  let at = -1
  for (let i = tail - 22; i >= 0; i--) {
    if (t.getUint32(i, true) === sig.end) {
      at = i
      break
    }
  }
  if (at < 0) throw malformed("no end of central directory record")
  let entries = t.getUint16(at + 10, true)
  let cdSize = t.getUint32(at + 12, true)
  let cdOffset = t.getUint32(at + 16, true)
  if (entries === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    if (at < 20 || t.getUint32(at - 20, true) !== sig.loc64) throw malformed("no ZIP64 locator")
    const end64 = Number(t.getBigUint64(at - 12, true))
    if (end64 + 56 > size) throw malformed("the ZIP64 end record lies past the end")
    const e = await readAt(bytes, end64, 56)
    if (e.getUint32(0, true) !== sig.end64) throw malformed("no ZIP64 end record")
    entries = Number(e.getBigUint64(32, true))
    cdSize = Number(e.getBigUint64(40, true))
    cdOffset = Number(e.getBigUint64(48, true))
  }
  if (cdOffset + cdSize > size) throw malformed("the central directory lies past the end")
  if (cdSize > maxDirectoryBytes)
    throw new HeaderProblem(
      "TooLarge",
      `its central directory is ${cdSize} bytes (at most ${maxDirectoryBytes}); extract the member first`
    )
  return { entries, cdSize, cdOffset }
}

const decoder = new TextDecoder()

/** The members listed in the central directory (ZIP64 extra fields applied). */
const members = async (bytes: ByteSource, size: number): Promise<ReadonlyArray<Member>> => {
  const { entries, cdSize, cdOffset } = await endRecord(bytes, size)
  const d = await readAt(bytes, cdOffset, cdSize)
  const list: Array<Member> = []
  let p = 0
  for (let k = 0; k < entries; k++) {
    if (p + 46 > cdSize || d.getUint32(p, true) !== sig.central)
      throw malformed(`central directory entry ${k} is not where the directory says`)
    const nameLength = d.getUint16(p + 28, true)
    const extraLength = d.getUint16(p + 30, true)
    const commentLength = d.getUint16(p + 32, true)
    if (p + 46 + nameLength + extraLength + commentLength > cdSize)
      throw malformed(`central directory entry ${k} runs past the directory`)
    const name = decoder.decode(new Uint8Array(d.buffer, d.byteOffset + p + 46, nameLength))
    const size32 = d.getUint32(p + 24, true)
    const compressed32 = d.getUint32(p + 20, true)
    const offset32 = d.getUint32(p + 42, true)
    let [sizeN, compressedN, offsetN] = [size32, compressed32, offset32]
    // ZIP64 extended information (0x0001): only the fields whose 32-bit value is 0xFFFFFFFF, in this order.
    for (let e = p + 46 + nameLength; e + 4 <= p + 46 + nameLength + extraLength;) {
      const id = d.getUint16(e, true)
      const len = d.getUint16(e + 2, true)
      if (id === 0x0001) {
        let f = e + 4
        const next = () => {
          const v = Number(d.getBigUint64(f, true))
          f += 8
          return v
        }
        if (size32 === 0xffffffff) sizeN = next()
        if (compressed32 === 0xffffffff) compressedN = next()
        if (offset32 === 0xffffffff) offsetN = next()
      }
      e += 4 + len
    }
    list.push({
      name,
      method: d.getUint16(p + 10, true),
      flags: d.getUint16(p + 8, true),
      crc: d.getUint32(p + 16, true),
      compressed: compressedN,
      size: sizeN,
      offset: offsetN
    })
    p += 46 + nameLength + extraLength + commentLength
  }
  return list
}

/** The member to open: the fragment's `member`, else the only raster member. */
const choose = (list: ReadonlyArray<Member>, wanted: string | undefined): Member => {
  if (wanted !== undefined) {
    const m = list.find((x) => x.name === wanted)
    if (m === undefined)
      throw new HeaderProblem(
        "NotFound",
        `it has no member ${wanted} (members: ${list
          .slice(0, 20)
          .map((x) => x.name)
          .join(", ")}${list.length > 20 ? ", …" : ""})`
      )
    return m
  }
  const rasters = list.filter((x) => rasterExtensions.test(x.name) && !x.name.endsWith("/"))
  if (rasters.length === 1) return rasters[0]
  throw new HeaderProblem(
    "NotTiff",
    rasters.length === 0
      ? `it holds no raster member (members: ${list
          .slice(0, 20)
          .map((x) => x.name)
          .join(", ")}); name one with #member=<path>`
      : `it holds ${rasters.length} rasters (${rasters
          .slice(0, 10)
          .map((x) => x.name)
          .join(", ")}); name one with #member=<path>`
  )
}

/** A window of `parent` as a byte source of `size` bytes (a stored member). */
const windowOf = (parent: ByteSource, start: number, size: number): ByteSource => ({
  fileSize: size,
  stats: parent.stats,
  close: () => Promise.resolve(),
  fetch: (slices, signal) =>
    parent.fetch(
      slices.map((s) => ({
        offset: start + Math.min(s.offset, size),
        length: Math.max(0, Math.min(s.length, size - s.offset))
      })),
      signal
    )
})

/** Bytes in memory as a byte source (an inflated member). */
const memoryOf = (data: Uint8Array, stats: ByteSource["stats"]): ByteSource => ({
  fileSize: data.length,
  stats,
  close: () => Promise.resolve(),
  fetch: (slices) =>
    Promise.resolve(
      slices.map((s) => {
        const from = Math.min(s.offset, data.length)
        const to = Math.min(s.offset + s.length, data.length)
        return data.slice(from, to).buffer
      })
    )
})

/** The zip format: opens the chosen member with whichever format recognises it. */
export const zip: Format = {
  name: "zip",
  sniff: (head) =>
    head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 3 && head[3] === 4,
  open: async ({ uri, bytes, limits, openNested }): Promise<Opened> => {
    const { location, fragment } = splitUri(uri)
    const size = bytes.fileSize
    if (size === null)
      throw new HeaderProblem(
        "Malformed",
        "the server did not tell its size, which reading a zip's directory needs; serve it with Content-Range"
      )
    if (fragment.has("zipped"))
      throw new HeaderProblem(
        "NotTiff",
        `its member ${fragment.get("member")} is a zip in a zip; extract the outer one first`
      )
    const member = choose(await members(bytes, size), fragment.get("member"))
    const inner = `${location}#member=${encodeURIComponent(member.name)}`
    if ((member.flags & 1) === 1)
      throw new HeaderProblem(
        "UnsupportedCodec",
        `its member ${member.name} is encrypted; decrypt the archive first`
      )
    const local = await readAt(bytes, member.offset, 30)
    if (local.getUint32(0, true) !== sig.local)
      throw malformed(`no local header for ${member.name}`)
    const start = member.offset + 30 + local.getUint16(26, true) + local.getUint16(28, true)
    if (start + member.compressed > size) throw malformed(`member ${member.name} runs past the end`)
    const nested = `${inner}&zipped=1`
    if (member.method === 0) {
      if (member.size !== member.compressed)
        throw malformed(`stored member ${member.name} has two sizes`)
      return openNested(nested, windowOf(bytes, start, member.size))
    }
    if (member.method !== 8)
      throw new HeaderProblem(
        "UnsupportedCodec",
        `its member ${member.name} is compressed with zip method ${member.method} (stored and DEFLATE can be read); repack it with zip -0 or zip -9`
      )
    if (member.size > limits.maxReadBytes)
      throw new HeaderProblem(
        "TooLarge",
        `its member ${member.name} inflates to ${member.size} bytes (at most ${limits.maxReadBytes}); extract it, or store it uncompressed (zip -0) so it is read in place`
      )
    const [packed] = await bytes.fetch([{ offset: start, length: member.compressed }])
    let data: Uint8Array
    try {
      const inflated = inflateRawSync(new Uint8Array(packed), {
        maxOutputLength: Math.max(1, member.size)
      })
      // A plain view, so that slices copy (a Buffer's slice shares its pool).
      data = new Uint8Array(inflated.buffer, inflated.byteOffset, inflated.length)
    } catch (error) {
      throw malformed(`member ${member.name} does not inflate: ${(error as Error).message}`)
    }
    if (data.length !== member.size || crc32(data) >>> 0 !== member.crc)
      throw malformed(`member ${member.name} fails its size or CRC-32 check`)
    return openNested(nested, memoryOf(data, bytes.stats))
  }
}
