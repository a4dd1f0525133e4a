// Reading a GeoTIFF header into RasterInfo as GDAL interprets it: geotransform from ModelTiepoint +
// ModelPixelScale or ModelTransformation, PixelIsPoint shift, CRS from GeoKeys, GDAL_NODATA, GDAL_METADATA.
import { Crs, type DType } from "@eoforge/core"
import type { GeoTIFF, GeoTIFFImage } from "geotiff"
import type { Header as FormatHeader } from "../Format.ts"
import { CrsProblem, resolve } from "./crs.ts"
import { fromGeoKeys } from "./geoKeys.ts"
import type { Pam } from "./pam.ts"

/** Why a header is unusable (mapped to a typed error by the caller). */
export class HeaderProblem extends Error {
  readonly problem:
    | "NoGeoreferencing"
    | "NotFound"
    | "UnsupportedCodec"
    | "UnsupportedCrs"
    | "Truncated"
    | "NotTiff"
    | "Malformed"
    | "TooLarge"
  constructor(problem: HeaderProblem["problem"], message: string, cause?: unknown) {
    super(message, { cause })
    this.problem = problem
  }
}

/** Compression codes geotiff.js decodes in Node: none, LZW, JPEG, DEFLATE, PackBits, LERC, ZSTD. */
const supportedCodecs = new Set([1, 5, 7, 8, 32946, 32773, 34887, 50000])
const codecNames: Record<number, string> = {
  50001: "WebP",
  34712: "JPEG 2000",
  34925: "LZMA",
  6: "old-style JPEG"
}

const dtypeOf = (format: number, bits: number): DType.DType | undefined => {
  if (format === 3) return bits === 32 ? "float32" : bits === 64 ? "float64" : undefined
  if (format === 2)
    return bits === 8 ? "int8" : bits === 16 ? "int16" : bits === 32 ? "int32" : undefined
  return bits === 8 ? "uint8" : bits === 16 ? "uint16" : bits === 32 ? "uint32" : undefined
}

interface MetadataItem {
  readonly name: string
  readonly sample: number | undefined
  readonly role: string | undefined
  readonly value: string
}

const parseGdalMetadata = (xml: string | undefined): ReadonlyArray<MetadataItem> => {
  if (typeof xml !== "string") return []
  const items: Array<MetadataItem> = []
  for (const m of xml.matchAll(/<Item\s+([^>]*)>([^<]*)<\/Item>/g)) {
    const attrs = m[1]
    const name = attrs.match(/name="([^"]*)"/)?.[1] ?? ""
    const sample = attrs.match(/sample="(\d+)"/)?.[1]
    const role = attrs.match(/role="([^"]*)"/)?.[1]
    const value = m[2]
      .replace(/&lt;/g, "<")
      .replace(/&gt;/g, ">")
      .replace(/&quot;/g, '"')
      .replace(/&amp;/g, "&")
    items.push({ name, sample: sample === undefined ? undefined : Number(sample), role, value })
  }
  return items
}

/** Everything RasterInfo needs from the header (a format's header), plus the images (full resolution then overviews). */
export interface Header extends FormatHeader {
  readonly images: ReadonlyArray<GeoTIFFImage>
  /** Opened for its pixels only: the file has no usable georeferencing (e.g. GCPs only). */
  readonly pixelsOnly?: boolean
}

// TIFF tag 306 DateTime is "YYYY:MM:DD HH:MM:SS" (TIFF 6.0, section 8), local time of no stated zone: read
// as UTC. Anything else (blank, partial) is ignored.
const tiffDateTime = (value: unknown): string | undefined => {
  const text = Array.isArray(value) ? value.join("") : value
  if (typeof text !== "string") return undefined
  const m = /^\s*(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(text)
  if (m === null) return undefined
  const iso = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`
  return Number.isNaN(Date.parse(iso)) ? undefined : iso
}

/**
 * Reads and checks the header of an opened GeoTIFF. With `pixelsOnly`, a file without a geotransform or CRS
 * (a radar image carrying only GCPs) is accepted with an identity transform, for window reads only.
 */
export const readHeader = async (tiff: GeoTIFF, pam?: Pam, pixelsOnly = false): Promise<Header> => {
  const count = await tiff.getImageCount()
  const first = await tiff.getImage(0)
  const fd = first.getFileDirectory()
  const compression = Number(fd.getValue("Compression") ?? 1)
  if (!supportedCodecs.has(compression))
    throw new HeaderProblem(
      "UnsupportedCodec",
      `its ${codecNames[compression] ?? `compression ${compression}`} codec cannot be decoded; convert it with gdal_translate -co COMPRESS=DEFLATE (or ZSTD/LZW)`
    )
  const bits = Number(first.getBitsPerSample(0))
  const dtype = dtypeOf(first.getSampleFormat(0), bits)
  if (dtype === undefined)
    throw new HeaderProblem(
      "UnsupportedCodec",
      `its ${bits}-bit samples are not a supported pixel type`
    )

  const transformation = (await fd.loadValue("ModelTransformation")) as
    ArrayLike<number> | undefined
  const tiepoint = (await fd.loadValue("ModelTiepoint")) as ArrayLike<number> | undefined
  const pixelScale = (await fd.loadValue("ModelPixelScale")) as ArrayLike<number> | undefined
  let gt: [number, number, number, number, number, number]
  // GDAL_GEOREF_SOURCES defaults to PAM,INTERNAL: a sidecar's geotransform and SRS win.
  if (pam?.geoTransform !== undefined) {
    gt = [...pam.geoTransform]
  } else if (transformation !== undefined && transformation.length >= 16) {
    const m = transformation
    gt = [m[3], m[0], m[1], m[7], m[4], m[5]]
  } else if (tiepoint !== undefined && tiepoint.length >= 6 && pixelScale !== undefined) {
    const [i, j, , x, y] = [tiepoint[0], tiepoint[1], tiepoint[2], tiepoint[3], tiepoint[4]]
    gt = [x - i * pixelScale[0], pixelScale[0], 0, y + j * pixelScale[1], 0, -pixelScale[1]]
  } else if (pixelsOnly) {
    // Pixel space: x = column, y = row. Only window reads use such a file (RasterSource.readWindow).
    gt = [0, 1, 0, 0, 0, 1]
  } else {
    throw new HeaderProblem(
      "NoGeoreferencing",
      `it has no ModelTiepoint/ModelPixelScale nor ModelTransformation tag${tiepoint !== undefined && tiepoint.length > 6 ? ` (only ${Math.floor(tiepoint.length / 6)} ground control points: radar geometry, read it with a sensor reader such as @eoforge/sentinel1)` : ""}; georeference it, e.g. gdal_translate -a_srs EPSG:… -a_ullr …`
    )
  }
  const keys = first.getGeoKeys() as Partial<Record<string, unknown>> | null
  const ungeoreferenced = pixelsOnly && gt[5] === 1
  if (keys === null && pam?.srs === undefined && !ungeoreferenced)
    throw new HeaderProblem(
      "NoGeoreferencing",
      "it has a geotransform but no GeoKeyDirectory (no CRS); assign one, e.g. gdal_edit.py -a_srs EPSG:…"
    )
  if (pam?.geoTransform === undefined && keys?.["GTRasterTypeGeoKey"] === 2) {
    // PixelIsPoint: GDAL moves the origin half a pixel up-left so that the transform is pixel-is-area.
    gt = [
      gt[0] - 0.5 * gt[1] - 0.5 * gt[2],
      gt[1],
      gt[2],
      gt[3] - 0.5 * gt[4] - 0.5 * gt[5],
      gt[4],
      gt[5]
    ]
  }
  let crs: Crs.Crs
  try {
    // An ungeoreferenced file's CRS is a placeholder: its pixels are never placed on a map.
    crs = ungeoreferenced
      ? Crs.epsg(4326)
      : pam?.srs !== undefined
        ? Crs.fromWkt(pam.srs)
        : fromGeoKeys(keys)
    if (!ungeoreferenced) resolve(crs)
  } catch (error) {
    if (error instanceof CrsProblem)
      throw new HeaderProblem(
        "UnsupportedCrs",
        `its CRS (${pam?.srs !== undefined ? "the SRS of its .aux.xml sidecar" : "its GeoKeys"}) cannot be used: ${error.message}`,
        error
      )
    throw error
  }

  const bands = first.getSamplesPerPixel()
  // The file's own GDAL_NODATA tag wins over the sidecar's, as in GDAL's GTiff driver.
  const nodata = first.getGDALNoData() ?? pam?.nodata
  const items = parseGdalMetadata((await fd.loadValue("GDAL_METADATA")) as string | undefined)
  const dateTime = tiffDateTime((await fd.loadValue("DateTime")) as unknown)
  // Items by band, so that many bands and many items stay linear (a hostile header may hold thousands).
  const bySample = new Map<number, Array<MetadataItem>>()
  for (const it of items) {
    if (it.sample === undefined) continue
    const list = bySample.get(it.sample)
    if (list === undefined) bySample.set(it.sample, [it])
    else list.push(it)
  }
  const perBand = (name: string, role: string | undefined, fallback: number) =>
    Array.from({ length: bands }, (_, b) => {
      const item = bySample.get(b)?.find((it) => it.role === role || it.name === name)
      const v = item === undefined ? NaN : Number(item.value)
      return Number.isFinite(v) ? v : fallback
    })
  const descriptions = Array.from(
    { length: bands },
    (_, b) => bySample.get(b)?.find((it) => it.role === "description")?.value
  )

  const images: Array<GeoTIFFImage> = [first]
  for (let i = 1; i < count; i++) {
    const image = await tiff.getImage(i)
    const type = Number(image.getFileDirectory().getValue("NewSubfileType") ?? 0)
    if ((type & 1) === 1 && (type & 4) === 0 && image.getSamplesPerPixel() === bands)
      images.push(image)
  }
  images.sort((a, b) => b.getWidth() - a.getWidth())
  return {
    width: first.getWidth(),
    height: first.getHeight(),
    bands,
    dtype,
    crs,
    geoTransform: gt,
    nodata: nodata === null ? undefined : nodata,
    scale: perBand("SCALE", "scale", 1),
    offset: perBand("OFFSET", "offset", 0),
    descriptions,
    classes: Array.from({ length: bands }, (_, b) => pam?.classes[b]),
    images,
    blockWidth: first.getTileWidth(),
    blockHeight: first.getTileHeight(),
    ...(dateTime === undefined ? {} : { dateTime }),
    ...(ungeoreferenced ? { pixelsOnly: true } : {})
  }
}

/** The overview GDAL's gdalwarp picks (-ovr AUTO) for a target/source resolution ratio; 0 = full resolution. */
export const chooseImage = (widths: ReadonlyArray<number>, targetRatio: number): number => {
  if (!(targetRatio > 1) || widths.length < 2) return 0
  const n = widths.length - 1
  let iOvr = -1
  for (; iOvr < n - 1; iOvr++) {
    const ratio = iOvr < 0 ? 1 : widths[0] / widths[iOvr + 1]
    const next = widths[0] / widths[iOvr + 2]
    if (ratio < targetRatio && next > targetRatio) break
    if (Math.abs(ratio - targetRatio) < 1e-1) break
  }
  return iOvr + 1
}
