// GeoTIFF GeoKeys → CRS, following the rules GDAL applies when it reads them (libgeotiff's normalisation):
// EPSG codes, user-defined projected CRSs by coordinate-transformation method, user-defined datums and
// ellipsoids, linear and angular unit overrides (the file's units win over the code's), ESRI PE citations.
import { Crs } from "@eoforge/core"
import { baseGeographic, lookup } from "./crsDatabase.ts"
import { CrsProblem } from "./crs.ts"

type Keys = Partial<Record<string, unknown>>
const num = (keys: Keys, name: string): number | undefined => {
  const v = keys[name]
  return typeof v === "number" ? v : undefined
}
const userDefined = 32767

/** Metres per unit of an EPSG linear unit code. */
const linearUnits: Record<number, number> = {
  9001: 1,
  9002: 0.3048,
  9003: 1200 / 3937,
  9005: 0.3047972654,
  9014: 1.8288,
  9030: 1852,
  9031: 0.3047995102481,
  9033: 0.201168,
  9034: 0.201166195164,
  9035: 1609.344,
  9036: 1000,
  9037: 0.9143917962,
  9038: 0.9143984146160287,
  9039: 0.201167651215526,
  9040: 0.914398414616029,
  9041: 0.3047997333333333,
  9042: 20.11669506,
  9060: 0.9143985307444408,
  9070: 0.304799471538676,
  9093: 1609.347218694437,
  9094: 0.3047997101815088,
  9095: 0.3048007491,
  9096: 0.9144,
  9301: 0.3048006096012192
}

/** Metres per unit of the file's linear unit, undefined when it gives none; throws for unknown codes. */
const linearUnit = (keys: Keys): number | undefined => {
  const code = num(keys, "ProjLinearUnitsGeoKey")
  if (code === undefined) return undefined
  if (code === userDefined) {
    const size = num(keys, "ProjLinearUnitSizeGeoKey")
    if (size !== undefined && size > 0) return size
    throw new CrsProblem(
      "ProjLinearUnitsGeoKey is user-defined (32767) but ProjLinearUnitSizeGeoKey is missing or not positive"
    )
  }
  const size = linearUnits[code]
  if (size === undefined)
    throw new CrsProblem(
      `linear unit code ${code} (ProjLinearUnitsGeoKey) is not an EPSG length unit`
    )
  return size
}

/** Degrees per unit of an angular unit code (GeogAngularUnitsGeoKey / ProjAngularUnitsGeoKey). */
const angularUnit = (keys: Keys, name: string): number => {
  const code = num(keys, name)
  if (code === undefined || code === 9102 || code === 9122) return 1
  if (code === 9101) return 180 / Math.PI
  if (code === 9105 || code === 9106) return 0.9
  if (code === 9104) return 1 / 3600
  if (code === 9103) return 1 / 60
  if (code === userDefined) {
    const size = num(keys, "GeogAngularUnitSizeGeoKey")
    if (size !== undefined && size > 0) return (size * 180) / Math.PI
  }
  throw new CrsProblem(`angular unit code ${code} (${name}) is not supported`)
}

const ellipsoids: Record<number, string> = {
  7030: "+ellps=WGS84",
  7019: "+ellps=GRS80",
  7008: "+ellps=clrk66",
  7022: "+ellps=intl",
  7004: "+ellps=bessel",
  7001: "+ellps=airy",
  7043: "+ellps=WGS72",
  7012: "+ellps=clrk80",
  7024: "+ellps=krass",
  7015: "+ellps=evrst30",
  7035: "+a=6371007 +b=6371007",
  7047: "+a=6370997 +b=6370997",
  7048: "+a=6371007.181 +b=6371007.181"
}

/** The datum part of a proj4 string (+datum/+ellps/+towgs84 and a +geogcrs marker for EPSG datums). */
const datumPart = (keys: Keys): string => {
  const gcs = num(keys, "GeographicTypeGeoKey")
  if (gcs === 4326) return "+datum=WGS84"
  if (gcs !== undefined && gcs !== userDefined) {
    const entry = lookup("EPSG", gcs)
    if (entry === undefined || !entry.proj4.includes("+proj=longlat"))
      throw new CrsProblem(
        `geographic CRS EPSG:${gcs} (GeographicTypeGeoKey) is not in the EPSG database`
      )
    return `${entry.proj4.replace(/\+proj=longlat\s*|\s*\+no_defs|\s*\+type=crs/g, "")} +geogcrs=${gcs}`
  }
  const datum = num(keys, "GeogGeodeticDatumGeoKey")
  if (datum === 6326) return "+datum=WGS84"
  const a = num(keys, "GeogSemiMajorAxisGeoKey")
  const rf = num(keys, "GeogInvFlatteningGeoKey")
  const b = num(keys, "GeogSemiMinorAxisGeoKey")
  const ellipsoid = num(keys, "GeogEllipsoidGeoKey")
  let ellps: string
  // Explicit axes win over the ellipsoid code, as in GDAL; rf = 0 means a sphere.
  if (a !== undefined && rf !== undefined)
    ellps = rf === 0 ? `+a=${a} +b=${a}` : `+a=${a} +rf=${rf}`
  else if (a !== undefined && b !== undefined) ellps = `+a=${a} +b=${b}`
  else if (ellipsoid !== undefined && ellipsoids[ellipsoid] !== undefined)
    ellps = ellipsoids[ellipsoid]
  else
    throw new CrsProblem(
      `the ellipsoid is neither a known code (GeogEllipsoidGeoKey ${ellipsoid ?? "absent"}) nor given by its axes`
    )
  const towgs84 = keys["GeogTOWGS84GeoKey"]
  if (towgs84 !== undefined && towgs84 !== null && typeof towgs84 === "object") {
    const values = Array.from(towgs84 as ArrayLike<number>)
    return `${ellps} +towgs84=${[...values, 0, 0, 0, 0, 0, 0, 0].slice(0, 7).join(",")}`
  }
  // No TOWGS84: PROJ's ballpark transformation keeps longitude and latitude as they are, and so does
  // proj4js between a CRS without datum parameters and any other.
  return ellps
}

/** A projection parameter in the order of keys libgeotiff tries, in degrees for angles. */
const param = (keys: Keys, names: ReadonlyArray<string>, fallback = 0): number => {
  for (const n of names) {
    const v = num(keys, n)
    if (v !== undefined) return v
  }
  return fallback
}

const projection = (keys: Keys, toMetre: number): string => {
  const angle = angularUnit(
    keys,
    "ProjAngularUnitsGeoKey" in keys ? "ProjAngularUnitsGeoKey" : "GeogAngularUnitsGeoKey"
  )
  const deg = (names: ReadonlyArray<string>, fallback = 0) => param(keys, names, fallback) * angle
  const fe =
    param(keys, [
      "ProjFalseEastingGeoKey",
      "ProjFalseOriginEastingGeoKey",
      "ProjCenterEastingGeoKey"
    ]) * toMetre
  const fn =
    param(keys, [
      "ProjFalseNorthingGeoKey",
      "ProjFalseOriginNorthingGeoKey",
      "ProjCenterNorthingGeoKey"
    ]) * toMetre
  const natLon = deg([
    "ProjNatOriginLongGeoKey",
    "ProjFalseOriginLongGeoKey",
    "ProjCenterLongGeoKey"
  ])
  const natLat = deg(["ProjNatOriginLatGeoKey", "ProjFalseOriginLatGeoKey", "ProjCenterLatGeoKey"])
  const cenLon = deg([
    "ProjCenterLongGeoKey",
    "ProjNatOriginLongGeoKey",
    "ProjFalseOriginLongGeoKey"
  ])
  const cenLat = deg(["ProjCenterLatGeoKey", "ProjNatOriginLatGeoKey", "ProjFalseOriginLatGeoKey"])
  const originLon = deg([
    "ProjFalseOriginLongGeoKey",
    "ProjNatOriginLongGeoKey",
    "ProjCenterLongGeoKey"
  ])
  const originLat = deg([
    "ProjFalseOriginLatGeoKey",
    "ProjNatOriginLatGeoKey",
    "ProjCenterLatGeoKey"
  ])
  const k = param(keys, ["ProjScaleAtNatOriginGeoKey", "ProjScaleAtCenterGeoKey"], 1)
  const kc = param(keys, ["ProjScaleAtCenterGeoKey", "ProjScaleAtNatOriginGeoKey"], 1)
  const sp1 = deg(["ProjStdParallel1GeoKey"])
  const sp2 = deg(["ProjStdParallel2GeoKey"])
  const xy = `+x_0=${fe} +y_0=${fn}`
  const method = num(keys, "ProjCoordTransGeoKey")
  switch (method) {
    case 1:
      return `+proj=tmerc +lat_0=${natLat} +lon_0=${natLon} +k=${k} ${xy}`
    case 27:
      return `+proj=tmerc +lat_0=${natLat} +lon_0=${natLon} +k=${k} ${xy} +axis=wsu`
    case 3:
    case 9815: {
      const alpha = deg(["ProjAzimuthAngleGeoKey"])
      const gamma = deg(["ProjRectifiedGridAngleGeoKey"], alpha)
      // Variant A (3) measures false easting/northing at the natural origin, variant B (9815) at the centre.
      return `+proj=omerc +lat_0=${cenLat} +lonc=${cenLon} +alpha=${alpha} +gamma=${gamma} +k=${kc} ${xy}${method === 3 ? " +no_uoff" : ""}`
    }
    case 7:
      return num(keys, "ProjStdParallel1GeoKey") !== undefined
        ? `+proj=merc +lon_0=${natLon} +lat_ts=${sp1} ${xy}`
        : `+proj=merc +lon_0=${natLon} +k=${k} ${xy}`
    case 8:
      return `+proj=lcc +lat_0=${originLat} +lon_0=${originLon} +lat_1=${sp1} +lat_2=${sp2} ${xy}`
    case 9:
      return `+proj=lcc +lat_0=${natLat} +lat_1=${natLat} +lon_0=${natLon} +k_0=${k} ${xy}`
    case 10:
      return `+proj=laea +lat_0=${cenLat} +lon_0=${cenLon} ${xy}`
    case 11:
      return `+proj=aea +lat_0=${originLat} +lon_0=${originLon} +lat_1=${sp1} +lat_2=${sp2} ${xy}`
    case 12:
      return `+proj=aeqd +lat_0=${cenLat} +lon_0=${cenLon} ${xy}`
    case 13:
      return `+proj=eqdc +lat_0=${originLat} +lon_0=${originLon} +lat_1=${sp1} +lat_2=${sp2} ${xy}`
    case 14:
      return `+proj=stere +lat_0=${cenLat} +lon_0=${cenLon} +k=${kc} ${xy}`
    case 15: {
      const lon0 = deg(["ProjStraightVertPoleLongGeoKey", "ProjNatOriginLongGeoKey"])
      // Variant A: the natural origin is the pole and k is given; variant B: the latitude is lat_ts.
      const pole = natLat >= 0 ? 90 : -90
      return Math.abs(natLat) === 90
        ? `+proj=stere +lat_0=${pole} +lat_ts=${pole} +lon_0=${lon0} +k=${k} ${xy}`
        : `+proj=stere +lat_0=${pole} +lat_ts=${natLat} +lon_0=${lon0} ${xy}`
    }
    case 16:
      return `+proj=sterea +lat_0=${natLat} +lon_0=${natLon} +k=${k} ${xy}`
    case 17:
      return `+proj=eqc +lat_ts=${sp1} +lat_0=${cenLat} +lon_0=${cenLon} ${xy}`
    case 18:
      return `+proj=cass +lat_0=${natLat} +lon_0=${natLon} ${xy}`
    case 19:
      return `+proj=gnom +lat_0=${cenLat} +lon_0=${cenLon} ${xy}`
    case 20:
      return `+proj=mill +lat_0=${cenLat} +lon_0=${cenLon} ${xy}`
    case 21:
      return `+proj=ortho +lat_0=${cenLat} +lon_0=${cenLon} ${xy}`
    case 22:
      return `+proj=poly +lat_0=${natLat} +lon_0=${natLon} ${xy}`
    case 23:
      return `+proj=robin +lon_0=${cenLon} ${xy}`
    case 24:
      return `+proj=sinu +lon_0=${cenLon} ${xy}`
    case 25:
      return `+proj=vandg +lon_0=${cenLon} ${xy}`
    case 26:
      return `+proj=nzmg +lat_0=${natLat} +lon_0=${natLon} ${xy}`
    case 28:
      return `+proj=cea +lon_0=${natLon} +lat_ts=${sp1} ${xy}`
    default:
      throw new CrsProblem(
        `GeoTIFF coordinate transformation ${method ?? "absent"} (ProjCoordTransGeoKey) is not one GDAL maps either`
      )
  }
}

const esriPrefix = "ESRI PE String = "
const esriCitation = (keys: Keys): string | undefined => {
  for (const name of ["PCSCitationGeoKey", "GTCitationGeoKey"]) {
    const v = keys[name]
    if (typeof v === "string" && v.startsWith(esriPrefix)) return v.slice(esriPrefix.length).trim()
  }
  return undefined
}

/** The CRS described by a file's GeoKeys; throws CrsProblem (naming the key) when it cannot be expressed. */
export const fromGeoKeys = (keys: Keys | null): Crs.Crs => {
  if (keys === null) throw new CrsProblem("the file has no GeoKeyDirectory")
  const model = num(keys, "GTModelTypeGeoKey")
  const pcs = num(keys, "ProjectedCSTypeGeoKey")
  const method = num(keys, "ProjCoordTransGeoKey")
  // GDAL reads a CRS it cannot express in GeoKeys (Mollweide, …) from the ESRI PE string of the citation.
  const esri = esriCitation(keys)
  if (
    esri !== undefined &&
    (model === userDefined || (pcs === userDefined && method === undefined))
  )
    return Crs.fromWkt(esri)
  if (model === 1 || (pcs !== undefined && pcs !== userDefined)) {
    const toMetre = linearUnit(keys)
    if (pcs !== undefined && pcs !== userDefined) {
      const entry = lookup("EPSG", pcs)
      if (entry === undefined || entry.proj4.includes("+proj=longlat"))
        throw new CrsProblem(
          `EPSG:${pcs} (ProjectedCSTypeGeoKey) is not a projected CRS of the EPSG database (npm epsg-index 2.0.0)`
        )
      // The file's linear unit wins over the code's (GDAL: SetLinearUnitsAndUpdateParameters, so the false
      // easting/northing keep their ground value); without this a US-feet file lands ~990 km off.
      const own = /\+to_meter=(\S+)/.exec(entry.proj4)?.[1]
      const codeUnit =
        own !== undefined
          ? Number(own)
          : /\+units=us-ft/.test(entry.proj4)
            ? 1200 / 3937
            : /\+units=ft/.test(entry.proj4)
              ? 0.3048
              : 1
      if (toMetre === undefined || Math.abs(toMetre - codeUnit) < 1e-12 * codeUnit)
        return Crs.epsg(pcs)
      const def = entry.proj4
        .replace(/\s*\+(units|to_meter)=\S+/g, "")
        .replace(/\s*\+type=crs/, "")
        .replace("+no_defs", toMetre === 1 ? "+units=m +no_defs" : `+to_meter=${toMetre} +no_defs`)
      const geographic = baseGeographic(entry.wkt)
      return Crs.fromProj(geographic === undefined ? def : `${def} +geogcrs=${geographic}`)
    }
    const metres = toMetre ?? 1
    const units = metres === 1 ? "+units=m" : `+to_meter=${metres}`
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
    return Crs.fromProj(`${projection(keys, metres)} ${datum} ${units} +no_defs`)
  }
  if (model === 2) {
    const gcs = num(keys, "GeographicTypeGeoKey")
    // As with linear units, the file's angular unit wins over the code's (GDAL reads grads or radians as
    // such); proj4js keeps geographic coordinates in degrees, so such a file is refused rather than misread.
    if (angularUnit(keys, "GeogAngularUnitsGeoKey") !== 1)
      throw new CrsProblem(
        "geographic coordinates in units other than degrees (GeogAngularUnitsGeoKey) are not supported; convert with gdalwarp -t_srs EPSG:4326"
      )
    if (gcs !== undefined && gcs !== userDefined) {
      const entry = lookup("EPSG", gcs)
      if (entry === undefined || !entry.proj4.includes("+proj=longlat"))
        throw new CrsProblem(
          `EPSG:${gcs} (GeographicTypeGeoKey) is not a geographic CRS of the EPSG database (npm epsg-index 2.0.0)`
        )
      return Crs.epsg(gcs)
    }
    return Crs.fromProj(`+proj=longlat ${datumPart(keys)} +no_defs`)
  }
  throw new CrsProblem(
    `model type ${model ?? "absent"} (GTModelTypeGeoKey) is neither projected nor geographic`
  )
}
