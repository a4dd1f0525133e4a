// Georeferencing of a JP2 file as GDAL's JP2OpenJPEG driver reads it (GDAL 3.6 gdaljp2abstractdataset.cpp and
// gdaljp2metadata.cpp): GDAL_GEOREF_SOURCES defaults to PAM,INTERNAL,WORLDFILE and INTERNAL means
// GEOJP2,GMLJP2,MSIG in that order; the first internal source that parses wins, a PAM sidecar over all.
import { Crs, type GeoTransform } from "@eoforge/core"
import { fromArrayBuffer } from "geotiff"
import { CrsProblem, resolve } from "../crs.ts"
import { lookup } from "../crsDatabase.ts"
import { HeaderProblem, readHeader } from "../header.ts"
import type { Pam } from "../pam.ts"
import type { Boxes } from "./boxes.ts"

/** The CRS and geotransform (pixel-is-area) of a JP2 file, and which source gave them. */
export interface Georeference {
  readonly crs: Crs.Crs
  readonly geoTransform: GeoTransform.GeoTransform
  readonly source: "PAM" | "GeoJP2" | "GMLJP2" | "MSIG"
}

type Found = { crs?: Crs.Crs; gt?: GeoTransform.GeoTransform }

/** GeoJP2: a degenerate GeoTIFF; of two boxes, the first with a usable CRS (GDAL keeps at most two). */
const fromGeoJp2 = async (payloads: ReadonlyArray<Uint8Array>): Promise<Found | undefined> => {
  for (const payload of payloads) {
    try {
      const tiff = await fromArrayBuffer(payload.slice().buffer)
      const { crs, geoTransform } = await readHeader(tiff)
      return { crs, gt: geoTransform }
    } catch (error) {
      if (error instanceof HeaderProblem && error.problem === "UnsupportedCrs") throw error
    }
  }
  return undefined
}

// XML without namespaces: GDAL strips every prefix (CPLStripXMLNamespace) before looking for elements.
const element = (xml: string, name: string): { attrs: string; body: string } | undefined => {
  const m = new RegExp(
    `<(?:[\\w.-]+:)?${name}((?:\\s[^>]*?)?)(?:/>|>([\\s\\S]*?)</(?:[\\w.-]+:)?${name}\\s*>)`
  ).exec(xml)
  return m === null ? undefined : { attrs: m[1] ?? "", body: m[2] ?? "" }
}
const elements = (xml: string, name: string): Array<string> =>
  [
    ...xml.matchAll(
      new RegExp(
        `<(?:[\\w.-]+:)?${name}(?:\\s[^>]*)?>([\\s\\S]*?)</(?:[\\w.-]+:)?${name}\\s*>`,
        "g"
      )
    )
  ].map((m) => m[1])
const attribute = (attrs: string, name: string): string | undefined =>
  new RegExp(`(?:^|\\s)(?:[\\w.-]+:)?${name}\\s*=\\s*"([^"]*)"`).exec(attrs)?.[1]
const numbers = (s: string): Array<number> =>
  s
    .trim()
    .split(/[\s,]+/)
    .filter((t) => t.length > 0)
    .map(Number)

/** The EPSG code of a GML srsName (`EPSG:n`, `urn:ogc:def:crs:EPSG:[version]:n`, an OGC CRS URL). */
const epsgOf = (name: string): number | undefined => {
  const m =
    /^epsg:(\d+)$/i.exec(name) ??
    /^urn:(?:ogc|x-ogc):def:crs:epsg:[^:]*:(\d+)$/i.exec(name) ??
    /^https?:\/\/www\.opengis\.net\/def\/crs\/epsg\/[^/]+\/(\d+)$/i.exec(name)
  return m === null ? undefined : Number(m[1])
}

/** GMLJP2: the RectifiedGrid of `gml.root-instance` (origin = first pixel's centre, two offset vectors). */
const fromGml = (gml: ReadonlyMap<string, string>): Found | undefined => {
  const xml = gml.get("gml.root-instance")
  if (xml === undefined) return undefined
  const grid = element(xml, "RectifiedGrid")
  if (grid === undefined) return undefined
  const point = element(element(grid.body, "origin")?.body ?? "", "Point")
  const offsets = elements(grid.body, "offsetVector").map(numbers)
  if (point === undefined || offsets.length < 2) return undefined
  const pos =
    element(point.body, "pos")?.body ??
    element(point.body, "coordinates")?.body ??
    [element(point.body, "X")?.body, element(point.body, "Y")?.body].join(" ")
  const origin = numbers(pos)
  const [o1, o2] = offsets
  if (
    origin.length < 2 ||
    o1.length < 2 ||
    o2.length < 2 ||
    [...origin, ...o1, ...o2].some((v) => !Number.isFinite(v))
  )
    return undefined
  const gt: [number, number, number, number, number, number] = [
    origin[0] - o1[0] * 0.5 - o2[0] * 0.5,
    o1[0],
    o2[0],
    origin[1] - o1[1] * 0.5 - o2[1] * 0.5,
    o1[1],
    o2[1]
  ]
  const srsName =
    attribute(point.attrs, "srsName") ??
    attribute(element(element(xml, "boundedBy")?.body ?? "", "Envelope")?.attrs ?? "", "srsName") ??
    attribute(grid.attrs, "srsName")
  if (srsName === undefined) return { gt }
  const code = epsgOf(srsName)
  if (code === undefined)
    throw new HeaderProblem(
      "UnsupportedCrs",
      `its GMLJP2 srsName "${srsName}" is not an EPSG code EOForge reads; add a .aux.xml sidecar with the SRS (gdal_edit.py -a_srs)`
    )
  const entry = lookup("EPSG", code)
  if (entry === undefined)
    throw new HeaderProblem(
      "UnsupportedCrs",
      `its GMLJP2 srsName names EPSG:${code}, which is not in the EPSG database`
    )
  // EPSG orders geographic axes latitude first: GDAL swaps origin and offsets unless the grid's axis names
  // say easting/longitude first.
  const axes = elements(grid.body, "axisName").map((a) => a.trim().toUpperCase())
  const explicitEastNorth = /^(EAST|LONG)/.test(axes[0] ?? "") && /^(NORTH|LAT)/.test(axes[1] ?? "")
  if (/\+proj=longlat/.test(entry.proj4) && !explicitEastNorth) {
    const alt = xml.includes("GDAL_JP2K_ALT_OFFSETVECTOR_ORDER=TRUE")
    const g = [...gt]
    ;[g[0], g[3]] = [g[3], g[0]]
    const [i1, i2] = alt ? [5, 4] : [4, 5]
    ;[g[1], g[i1]] = [g[i1], g[1]]
    ;[g[2], g[i2]] = [g[i2], g[2]]
    return { crs: Crs.epsg(code), gt: g as unknown as GeoTransform.GeoTransform }
  }
  return { crs: Crs.epsg(code), gt }
}

/** MSIG: a world file in the box (little-endian doubles), origin at the first pixel's centre; no CRS. */
const fromMsig = (m: Uint8Array | undefined): Found | undefined => {
  if (m === undefined) return undefined
  const v = new DataView(m.buffer, m.byteOffset + 22, 48)
  const w = Array.from({ length: 6 }, (_, i) => v.getFloat64(8 * i, true))
  const gt: [number, number, number, number, number, number] = [w[4], w[0], w[2], w[5], w[1], w[3]]
  gt[0] -= 0.5 * gt[1] + 0.5 * gt[2]
  gt[3] -= 0.5 * gt[4] + 0.5 * gt[5]
  return { gt }
}

/** The georeferencing GDAL would report, or NoGeoreferencing naming what is missing. */
export const georeference = async (boxes: Boxes, pam: Pam | undefined): Promise<Georeference> => {
  let internal: Found | undefined
  let source: Georeference["source"] = "GeoJP2"
  // GDAL's GeoJP2 parse succeeds on a usable CRS or geotransform; GMLJP2 needs both; MSIG a geotransform.
  internal = await fromGeoJp2(boxes.geoJp2)
  if (internal === undefined) {
    source = "GMLJP2"
    const g = fromGml(boxes.gml)
    internal = g?.crs !== undefined ? g : undefined
  }
  if (internal === undefined) {
    source = "MSIG"
    internal = fromMsig(boxes.msig)
  }
  const gt = pam?.geoTransform ?? internal?.gt
  let crs = pam?.srs !== undefined ? Crs.fromWkt(pam.srs) : internal?.crs
  if (gt === undefined || crs === undefined)
    throw new HeaderProblem(
      "NoGeoreferencing",
      `its JP2 boxes hold no ${gt === undefined ? "geotransform" : "CRS"} (no GeoJP2 box, no GMLJP2 RectifiedGrid with an srsName${gt === undefined ? ", no MSIG box" : ""}) and no .aux.xml sidecar gives one; georeference it, e.g. gdal_translate -of JP2OpenJPEG -a_srs EPSG:… -a_ullr …`
    )
  try {
    resolve(crs)
  } catch (error) {
    if (error instanceof CrsProblem)
      throw new HeaderProblem("UnsupportedCrs", `its CRS cannot be used: ${error.message}`, error)
    throw error
  }
  crs = crs satisfies Crs.Crs
  return { crs, geoTransform: gt, source: pam?.geoTransform !== undefined ? "PAM" : source }
}
