// CRS handling: EPSG codes and GeoTIFF GeoKeys turned into proj4 definitions.
// Mirrors what GDAL reads from GeoKeys for the projections EOForge meets in practice.
import { Crs } from "@eoforge/core"

/** Why a CRS could not be expressed, for the typed error. */
export class CrsProblem extends Error {}

const wgs84 = "+proj=longlat +datum=WGS84 +no_defs"
const grs80Null = "+ellps=GRS80 +towgs84=0,0,0,0,0,0,0"

/** The proj4 definition of an EPSG code this reader knows, or undefined. */
export const epsgDefinition = (code: number): string | undefined => {
  if (code === 4326) return wgs84
  if (code === 4269 || code === 4258 || code === 4674 || code === 4283 || code === 4619)
    return `+proj=longlat ${grs80Null} +no_defs`
  if (code === 3857)
    return "+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +k=1 +units=m +nadgrids=@null +no_defs"
  if (code === 32661 || code === 32761)
    return `+proj=stere +lat_0=${code === 32661 ? 90 : -90} +lat_ts=${code === 32661 ? 90 : -90} +lon_0=0 +k=0.994 +x_0=2000000 +y_0=2000000 +datum=WGS84 +units=m +no_defs`
  if (code > 32600 && code <= 32660)
    return `+proj=utm +zone=${code - 32600} +datum=WGS84 +units=m +no_defs`
  if (code > 32700 && code <= 32760)
    return `+proj=utm +zone=${code - 32700} +south +datum=WGS84 +units=m +no_defs`
  // SIRGAS 2000 / UTM zones 11N–22N (31965–31976) and 17S–25S (31977–31985).
  if (code >= 31965 && code <= 31976)
    return `+proj=utm +zone=${code - 31954} ${grs80Null} +units=m +no_defs`
  if (code >= 31977 && code <= 31985)
    return `+proj=utm +zone=${code - 31960} +south ${grs80Null} +units=m +no_defs`
  // ETRS89 / UTM zones 28N–38N and NAD83 / UTM zones 1N–23N.
  if (code >= 25828 && code <= 25838)
    return `+proj=utm +zone=${code - 25800} ${grs80Null} +units=m +no_defs`
  if (code >= 26901 && code <= 26923)
    return `+proj=utm +zone=${code - 26900} ${grs80Null} +units=m +no_defs`
  if (code === 3035)
    return `+proj=laea +lat_0=52 +lon_0=10 +x_0=4321000 +y_0=3210000 ${grs80Null} +units=m +no_defs`
  return undefined
}

/** The proj4 definition of a core CRS, or a CrsProblem. */
export const definition = (crs: Crs.Crs): string => {
  if (crs._tag === "Proj") return crs.definition
  const def = epsgDefinition(crs.code)
  if (def === undefined)
    throw new CrsProblem(
      `EPSG:${crs.code} is not among the CRSs this reader can express in proj4 (WGS 84 and its UTM/UPS zones, NAD83, ETRS89, SIRGAS 2000 and their UTM zones, 3857, 3035); reproject the file to one of them, e.g. with gdalwarp -t_srs EPSG:4326`
    )
  return def
}

type Keys = Partial<Record<string, unknown>>
const num = (keys: Keys, name: string): number | undefined => {
  const v = keys[name]
  return typeof v === "number" ? v : undefined
}
const userDefined = 32767

const linearUnit = (keys: Keys): number => {
  const code = num(keys, "ProjLinearUnitsGeoKey")
  if (code === undefined || code === 9001) return 1
  if (code === 9002) return 0.3048
  if (code === 9003) return 1200 / 3937
  if (code === 9036) return 1000
  if (code === userDefined) {
    const size = num(keys, "ProjLinearUnitSizeGeoKey")
    if (size !== undefined && size > 0) return size
  }
  throw new CrsProblem(`linear unit code ${code} is not supported`)
}

const datumPart = (keys: Keys): string => {
  const gcs = num(keys, "GeographicTypeGeoKey")
  if (gcs === 4326) return "+datum=WGS84"
  if (gcs !== undefined && gcs !== userDefined) {
    const def = epsgDefinition(gcs)
    if (def === undefined) throw new CrsProblem(`geographic CRS EPSG:${gcs} is not supported`)
    return def.replace("+proj=longlat ", "").replace(" +no_defs", "")
  }
  const datum = num(keys, "GeogGeodeticDatumGeoKey")
  if (datum === 6326) return "+datum=WGS84"
  let ellps: string
  const a = num(keys, "GeogSemiMajorAxisGeoKey")
  const rf = num(keys, "GeogInvFlatteningGeoKey")
  const b = num(keys, "GeogSemiMinorAxisGeoKey")
  const ellipsoid = num(keys, "GeogEllipsoidGeoKey")
  if (a !== undefined && rf !== undefined) ellps = `+a=${a} +rf=${rf}`
  else if (a !== undefined && b !== undefined) ellps = `+a=${a} +b=${b}`
  else if (ellipsoid === 7030) ellps = "+ellps=WGS84"
  else if (ellipsoid === 7019) ellps = "+ellps=GRS80"
  else if (ellipsoid === 7008) ellps = "+ellps=clrk66"
  else throw new CrsProblem("the ellipsoid is not given by a known code nor by its axes")
  const towgs84 = keys["GeogTOWGS84GeoKey"]
  if (towgs84 !== undefined && towgs84 !== null && typeof towgs84 === "object") {
    const values = Object.values(towgs84 as Record<string, number>)
    return `${ellps} +towgs84=${[...values, 0, 0, 0, 0, 0, 0, 0].slice(0, 7).join(",")}`
  }
  return ellps
}

const projection = (keys: Keys, toMetre: number): string => {
  const p = (name: string, fallback = 0) => num(keys, name) ?? fallback
  const fe = p("ProjFalseEastingGeoKey", p("ProjFalseOriginEastingGeoKey")) * toMetre
  const fn = p("ProjFalseNorthingGeoKey", p("ProjFalseOriginNorthingGeoKey")) * toMetre
  const lon0 = p(
    "ProjNatOriginLongGeoKey",
    p("ProjFalseOriginLongGeoKey", p("ProjCenterLongGeoKey"))
  )
  const lat0 = p("ProjNatOriginLatGeoKey", p("ProjFalseOriginLatGeoKey", p("ProjCenterLatGeoKey")))
  const k = p("ProjScaleAtNatOriginGeoKey", 1)
  const xy = `+x_0=${fe} +y_0=${fn}`
  const method = num(keys, "ProjCoordTransGeoKey")
  switch (method) {
    case 1:
      return `+proj=tmerc +lat_0=${lat0} +lon_0=${lon0} +k=${k} ${xy}`
    case 7:
      return `+proj=merc +lon_0=${lon0} +k=${k} ${xy}`
    case 8:
      return `+proj=lcc +lat_0=${lat0} +lon_0=${lon0} +lat_1=${p("ProjStdParallel1GeoKey")} +lat_2=${p("ProjStdParallel2GeoKey")} ${xy}`
    case 9:
      return `+proj=lcc +lat_0=${lat0} +lat_1=${lat0} +lon_0=${lon0} +k_0=${k} ${xy}`
    case 10:
      return `+proj=laea +lat_0=${lat0} +lon_0=${lon0} ${xy}`
    case 11:
      return `+proj=aea +lat_0=${lat0} +lon_0=${lon0} +lat_1=${p("ProjStdParallel1GeoKey")} +lat_2=${p("ProjStdParallel2GeoKey")} ${xy}`
    case 15:
      return `+proj=stere +lat_0=${lat0 >= 0 ? 90 : -90} +lat_ts=${p("ProjStraightVertPoleLongGeoKey", lat0)} +lon_0=${p("ProjStraightVertPoleLongGeoKey", lon0)} +k=${k} ${xy}`
    case 17:
      return `+proj=eqc +lat_ts=${p("ProjStdParallel1GeoKey")} +lon_0=${lon0} ${xy}`
    default:
      throw new CrsProblem(
        `GeoTIFF projection method ${method} (ProjCoordTransGeoKey) is not supported`
      )
  }
}

/** The CRS described by a file's GeoKeys; throws CrsProblem when it cannot be expressed. */
export const fromGeoKeys = (keys: Keys | null): Crs.Crs => {
  if (keys === null) throw new CrsProblem("the file has no GeoKeyDirectory")
  const model = num(keys, "GTModelTypeGeoKey")
  const pcs = num(keys, "ProjectedCSTypeGeoKey")
  if (model === 1 || (pcs !== undefined && pcs !== userDefined)) {
    if (pcs !== undefined && pcs !== userDefined) {
      if (epsgDefinition(pcs) === undefined) definition(Crs.epsg(pcs))
      return Crs.epsg(pcs)
    }
    const toMetre = linearUnit(keys)
    const units = toMetre === 1 ? "+units=m" : `+to_meter=${toMetre}`
    const datum = datumPart(keys)
    const code = num(keys, "ProjectionGeoKey")
    // EPSG projection codes 16001–16060 / 16101–16160 are UTM zones north / south.
    if (code !== undefined && code !== userDefined) {
      if (code > 16000 && code <= 16060)
        return Crs.fromProj(`+proj=utm +zone=${code - 16000} ${datum} ${units} +no_defs`)
      if (code > 16100 && code <= 16160)
        return Crs.fromProj(`+proj=utm +zone=${code - 16100} +south ${datum} ${units} +no_defs`)
      throw new CrsProblem(`projection code ${code} (ProjectionGeoKey) is not supported`)
    }
    return Crs.fromProj(`${projection(keys, toMetre)} ${datum} ${units} +no_defs`)
  }
  if (model === 2) {
    const gcs = num(keys, "GeographicTypeGeoKey")
    if (gcs !== undefined && gcs !== userDefined) {
      definition(Crs.epsg(gcs))
      return Crs.epsg(gcs)
    }
    return Crs.fromProj(`+proj=longlat ${datumPart(keys)} +no_defs`)
  }
  throw new CrsProblem(
    `model type ${model} (GTModelTypeGeoKey) is neither projected nor geographic`
  )
}
