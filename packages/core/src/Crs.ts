// Coordinate reference systems: an EPSG code or a PROJ string.
// Patch grids use EPSG codes (UTM 326zz/327zz, UPS 32661/32761); sources may carry user-defined PROJ strings.
import { Schema } from "effect"

/** A CRS named by its EPSG code, e.g. 32633 for WGS 84 / UTM zone 33N. */
export const Epsg = Schema.TaggedStruct("Epsg", { code: Schema.Int })
/** A CRS given as a PROJ string (user-defined projections read from GeoKeys). */
export const Proj = Schema.TaggedStruct("Proj", { definition: Schema.String })
/** Schema of a coordinate reference system. */
export const Crs = Schema.Union([Epsg, Proj])
/** A coordinate reference system. */
export type Crs = typeof Crs.Type

/** The CRS of an EPSG code. */
export const epsg = (code: number): Crs => ({ _tag: "Epsg", code })
/** The CRS of a PROJ string. */
export const fromProj = (definition: string): Crs => ({ _tag: "Proj", definition })

/** WGS 84 geographic, axis order (lon, lat) in degrees as used throughout EOForge. */
export const wgs84: Crs = epsg(4326)

/** The EPSG code of a UTM zone (1–60) on WGS 84: 326zz north, 327zz south. */
export const utmEpsg = (zone: number, north: boolean): number => (north ? 32600 : 32700) + zone

/** The EPSG code of the Universal Polar Stereographic projection: 32661 north, 32761 south. */
export const upsEpsg = (north: boolean): number => (north ? 32661 : 32761)

/** The EPSG code of a CRS, or undefined for a PROJ string. */
export const epsgCode = (crs: Crs): number | undefined =>
  crs._tag === "Epsg" ? crs.code : undefined

/** A stable text form: `EPSG:32633` or the PROJ string. */
export const format = (crs: Crs): string =>
  crs._tag === "Epsg" ? `EPSG:${crs.code}` : crs.definition

/** Whether two CRSs are the same by code or by identical definition. */
export const equals = (a: Crs, b: Crs): boolean => format(a) === format(b)
