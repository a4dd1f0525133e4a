// Coordinate reference systems: an EPSG code, another authority's code (ESRI:54009), a PROJ string, or a
// WKT (1 or 2) / PROJJSON text. Patch grids use EPSG codes (UTM 326zz/327zz, UPS 32661/32761).
import { Schema } from "effect"

/** A CRS named by its EPSG code, e.g. 32633 for WGS 84 / UTM zone 33N. */
export const Epsg = Schema.TaggedStruct("Epsg", { code: Schema.Int })
/** A CRS named by another authority's code, e.g. ESRI 54009 (World Mollweide). */
export const Code = Schema.TaggedStruct("Code", { authority: Schema.String, code: Schema.Int })
/** A CRS given as a PROJ string (user-defined projections read from GeoKeys). */
export const Proj = Schema.TaggedStruct("Proj", { definition: Schema.String })
/** A CRS given as WKT1 (OGC or ESRI flavour) or WKT2 text. */
export const Wkt = Schema.TaggedStruct("Wkt", { text: Schema.String })
/** A CRS given as PROJJSON, kept as its JSON text. */
export const ProjJson = Schema.TaggedStruct("ProjJson", { json: Schema.String })
/** Schema of a coordinate reference system. */
export const Crs = Schema.Union([Epsg, Code, Proj, Wkt, ProjJson])
/** A coordinate reference system. */
export type Crs = typeof Crs.Type

/** The CRS of an EPSG code. */
export const epsg = (code: number): Crs => ({ _tag: "Epsg", code })
/** The CRS of a PROJ string. */
export const fromProj = (definition: string): Crs => ({ _tag: "Proj", definition })
/** The CRS of a WKT1/WKT2 text. */
export const fromWkt = (text: string): Crs => ({ _tag: "Wkt", text: text.trim() })
/** The CRS of a PROJJSON object or its text. */
export const fromProjJson = (json: unknown): Crs => ({
  _tag: "ProjJson",
  json: typeof json === "string" ? json.trim() : JSON.stringify(json)
})

/**
 * The CRS of an `AUTHORITY:CODE` string (`EPSG:2056`, `ESRI:54009`, case-insensitive), or undefined when the
 * text is not of that form. EPSG codes become `Epsg`.
 */
export const fromCode = (text: string): Crs | undefined => {
  const m = /^\s*([A-Za-z][A-Za-z0-9_-]*):(\d+)\s*$/.exec(text)
  if (m === null) return undefined
  const authority = m[1].toUpperCase()
  const code = Number(m[2])
  return authority === "EPSG" ? epsg(code) : { _tag: "Code", authority, code }
}

/** WGS 84 geographic, axis order (lon, lat) in degrees as used throughout EOForge. */
export const wgs84: Crs = epsg(4326)

/** The EPSG code of a UTM zone (1–60) on WGS 84: 326zz north, 327zz south. */
export const utmEpsg = (zone: number, north: boolean): number => (north ? 32600 : 32700) + zone

/** The EPSG code of the Universal Polar Stereographic projection: 32661 north, 32761 south. */
export const upsEpsg = (north: boolean): number => (north ? 32661 : 32761)

/** The EPSG code of a CRS, or undefined for anything else. */
export const epsgCode = (crs: Crs): number | undefined =>
  crs._tag === "Epsg" ? crs.code : undefined

/** A stable text form: `EPSG:32633`, `ESRI:54009`, the PROJ string, the WKT or the PROJJSON text. */
export const format = (crs: Crs): string => {
  switch (crs._tag) {
    case "Epsg":
      return `EPSG:${crs.code}`
    case "Code":
      return `${crs.authority}:${crs.code}`
    case "Proj":
      return crs.definition
    case "Wkt":
      return crs.text
    case "ProjJson":
      return crs.json
  }
}

/** Whether two CRSs are the same by code or by identical definition. */
export const equals = (a: Crs, b: Crs): boolean => format(a) === format(b)
