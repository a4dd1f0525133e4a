// CRS handling: any core Crs (EPSG/ESRI code, PROJ string, WKT1/WKT2, PROJJSON) turned into a definition
// proj4 understands, with the datum shift to WGS 84 that PROJ picks at a location when no grid is installed.
import { Crs } from "@eoforge/core"
import proj4 from "proj4"
import { baseGeographic, type Bbox, datumShift, defaultNear, lookup } from "./crsDatabase.ts"

/** Why a CRS could not be expressed, for the typed error. */
export class CrsProblem extends Error {}

const wgs84 = "+proj=longlat +datum=WGS84 +no_defs"
const grs80Null = "+ellps=GRS80 +towgs84=0,0,0,0,0,0,0"

/**
 * Exact literal definitions of the CRSs patch grids use (WGS 84 and its UTM/UPS zones, 3857) and of the
 * GRS80 zones the Krüger-series fast path recognises; undefined for anything else (the database decides).
 */
export const epsgDefinition = (code: number): string | undefined => {
  if (code === 4326) return wgs84
  if (code === 3857)
    return "+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +k=1 +units=m +nadgrids=@null +no_defs"
  if (code === 32661 || code === 32761)
    return `+proj=stere +lat_0=${code === 32661 ? 90 : -90} +lat_ts=${code === 32661 ? 90 : -90} +lon_0=0 +k=0.994 +x_0=2000000 +y_0=2000000 +datum=WGS84 +units=m +no_defs`
  if (code > 32600 && code <= 32660)
    return `+proj=utm +zone=${code - 32600} +datum=WGS84 +units=m +no_defs`
  if (code > 32700 && code <= 32760)
    return `+proj=utm +zone=${code - 32700} +south +datum=WGS84 +units=m +no_defs`
  // SIRGAS 2000 and ETRS89 UTM zones: PROJ's transformation to WGS 84 is a null one everywhere.
  if (code >= 31965 && code <= 31976)
    return `+proj=utm +zone=${code - 31954} ${grs80Null} +units=m +no_defs`
  if (code >= 31977 && code <= 31985)
    return `+proj=utm +zone=${code - 31960} +south ${grs80Null} +units=m +no_defs`
  if (code >= 25828 && code <= 25838)
    return `+proj=utm +zone=${code - 25800} ${grs80Null} +units=m +no_defs`
  return undefined
}

/** A longitude/latitude (degrees) that decides which datum shift applies, as PROJ decides per point. */
export interface Near {
  readonly lon: number
  readonly lat: number
  /** The area of interest GDAL hands PROJ (the source raster's extent), which orders the candidates. */
  readonly aoi?: Bbox | undefined
}

/** Marker carried in PROJ strings built here: the EPSG geographic CRS whose datum shift applies. */
const geogMarker = /\s*\+geogcrs=(\d+)/

const ellipsoidOfDatum: Record<string, string> = {
  NAD27: "+ellps=clrk66",
  NAD83: "+ellps=GRS80",
  OSGB36: "+ellps=airy",
  potsdam: "+ellps=bessel",
  carthage: "+ellps=clrk80ign",
  hermannskogel: "+ellps=bessel",
  ire65: "+ellps=mod_airy",
  nzgd49: "+ellps=intl",
  ch1903: "+ellps=bessel",
  ggrs87: "+ellps=GRS80"
}

/** The proj4 string of a database entry with its datum shift replaced by the one chosen at `near`. */
const withShift = (def: string, geographic: number | undefined, near: Near | undefined) => {
  const clean = def.replace(/\s*\+type=crs/, "").replace(geogMarker, "")
  if (geographic === undefined || geographic === 4326) return { def: clean, note: undefined }
  const marked = `${clean} +geogcrs=${geographic}`
  const at = near ?? defaultNear(geographic)
  const shift = at === undefined ? undefined : datumShift(geographic, at.lon, at.lat, near?.aoi)
  if (shift === undefined)
    return { def: marked.replace(/\s*\+nadgrids=(?!@null)\S+/, ""), note: undefined }
  const datum = /\+datum=(\w+)/.exec(clean)?.[1]
  if (datum === "WGS84") return { def: marked, note: undefined }
  const bare = clean
    .replace(/\s*\+(towgs84|nadgrids)=\S+/g, "")
    .replace(/\+datum=(\w+)/, (_, d: string) => ellipsoidOfDatum[d] ?? "")
  return {
    def: `${bare} +towgs84=${shift.towgs84.join(",")} +geogcrs=${geographic}`,
    note: `EPSG:${geographic} to WGS 84: ${shift.note}`
  }
}

/** The proj4 string of an authority code from the database; throws CrsProblem for unknown codes. */
export const codeDefinition = (authority: string, code: number, near?: Near): string =>
  resolve(authority === "EPSG" ? Crs.epsg(code) : { _tag: "Code", authority, code }, near).def

const registered = new Map<string, string>()

/** Registers a WKT or PROJJSON text with proj4 under a stable name; throws CrsProblem when unparsable. */
const register = (text: string, parsed: string | object): string => {
  let name = registered.get(text)
  if (name !== undefined) return name
  name = `EOFORGE:${registered.size + 1}`
  try {
    proj4.defs(name, parsed as string)
    const projection = proj4.defs(name) as unknown as { projName?: string } | undefined
    if (projection === undefined || projection.projName === undefined)
      throw new Error("no projection")
    proj4(name) // forces proj4js to resolve the projection method
  } catch (error) {
    throw new CrsProblem(
      `its WKT/PROJJSON cannot be parsed (${error instanceof Error ? error.message : String(error)}): ${text.slice(0, 120)}${text.length > 120 ? "…" : ""}`
    )
  }
  registered.set(text, name)
  return name
}

/** The authority and code a WKT1/WKT2 text names for itself (its last AUTHORITY or ID), if any. */
const identified = (text: string): { authority: string; code: number } | undefined => {
  const m =
    /AUTHORITY\["(EPSG|ESRI)","(\d+)"\]\]\s*$/.exec(text) ??
    /ID\["(EPSG|ESRI)",(\d+)(?:,[^\]]*)?\]\]\s*$/.exec(text)
  return m === null ? undefined : { authority: m[1], code: Number(m[2]) }
}

/** A CRS resolved for proj4: the definition (string or registered name) and the datum shift applied. */
export interface Resolved {
  readonly def: string
  readonly note: string | undefined
}

/** The proj4 definition of a core CRS at a location (for the datum shift); throws CrsProblem. */
export const resolve = (crs: Crs.Crs, near?: Near): Resolved => {
  switch (crs._tag) {
    case "Epsg":
    case "Code": {
      const authority = crs._tag === "Epsg" ? "EPSG" : crs.authority.toUpperCase()
      if (authority === "EPSG") {
        const literal = epsgDefinition(crs.code)
        if (literal !== undefined) return { def: literal, note: undefined }
      }
      const entry = lookup(authority, crs.code)
      if (entry === undefined)
        throw new CrsProblem(
          `${authority}:${crs.code} is not in the EPSG/ESRI database (npm epsg-index 2.0.0); check the code, or give the CRS as WKT`
        )
      const geographic = entry.proj4.includes("+proj=longlat")
        ? crs.code
        : baseGeographic(entry.wkt)
      return withShift(
        entry.proj4,
        authority === "EPSG" || geographic !== undefined ? geographic : undefined,
        near
      )
    }
    case "Proj": {
      const geographic = geogMarker.exec(crs.definition)?.[1]
      if (geographic === undefined) return { def: crs.definition, note: undefined }
      return withShift(crs.definition, Number(geographic), near)
    }
    case "Wkt": {
      const id = identified(crs.text)
      if (id !== undefined && lookup(id.authority, id.code) !== undefined)
        return resolve(id.authority === "EPSG" ? Crs.epsg(id.code) : { _tag: "Code", ...id }, near)
      return { def: register(crs.text, crs.text), note: undefined }
    }
    case "ProjJson": {
      let parsed: { id?: { authority?: string; code?: number } }
      try {
        parsed = JSON.parse(crs.json) as typeof parsed
      } catch (error) {
        throw new CrsProblem(`its PROJJSON is not JSON: ${String(error)}`)
      }
      const id = parsed.id
      if (
        id !== undefined &&
        (id.authority === "EPSG" || id.authority === "ESRI") &&
        typeof id.code === "number" &&
        lookup(id.authority, id.code) !== undefined
      )
        return resolve(
          id.authority === "EPSG"
            ? Crs.epsg(id.code)
            : { _tag: "Code", authority: id.authority, code: id.code },
          near
        )
      return { def: register(crs.json, parsed), note: undefined }
    }
  }
}

/** The proj4 definition of a core CRS, or a CrsProblem. */
export const definition = (crs: Crs.Crs, near?: Near): string => resolve(crs, near).def
