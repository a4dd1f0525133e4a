// UTM / UPS zones of WGS 84 points and cached proj4 conversions between (lon, lat) and zone metres.
// The zone rules follow the military grid: Norway (32V) and Svalbard (31X–37X) exceptions, UPS beyond 84°N / 80°S.
import { Schema } from "effect"
import proj4 from "proj4"

/** The projected zone of a point: a UTM zone (1–60, north/south) or a UPS pole (zone 0). */
export interface Zone {
  /** EPSG code of the zone: 326zz / 327zz for UTM, 32661 / 32761 for UPS north / south. */
  readonly epsg: number
  /** Projection family. */
  readonly kind: "utm" | "ups"
  /** UTM zone number 1–60, 0 for UPS. */
  readonly zone: number
  /** Northern hemisphere (UTM 326zz, UPS 32661). */
  readonly north: boolean
}

/** A longitude/latitude that is not a finite WGS 84 position. */
export class InvalidLocationError extends Schema.TaggedError<InvalidLocationError>()(
  "InvalidLocationError",
  { lon: Schema.Number, lat: Schema.Number, reason: Schema.String }
) {
  override get message(): string {
    return `invalid location (lon ${this.lon}, lat ${this.lat}): ${this.reason}; give a finite longitude in degrees east and a latitude in [-90, 90] degrees north, longitude first`
  }
}

/** An EPSG code that this package has no projection for. */
export class UnknownEpsgError extends Schema.TaggedError<UnknownEpsgError>()("UnknownEpsgError", {
  code: Schema.Number
}) {
  override get message(): string {
    return `unknown EPSG code ${this.code}: supported are 4326 (WGS 84 lon/lat), 32601–32660 and 32701–32760 (WGS 84 / UTM north/south) and 32661 / 32761 (UPS north/south)`
  }
}

const zones: ReadonlyArray<Zone> = (() => {
  const out: Array<Zone> = []
  for (let z = 1; z <= 60; z++) {
    out.push(Object.freeze({ epsg: 32600 + z, kind: "utm", zone: z, north: true }))
    out.push(Object.freeze({ epsg: 32700 + z, kind: "utm", zone: z, north: false }))
  }
  return out
})()
const upsNorth: Zone = Object.freeze({ epsg: 32661, kind: "ups", zone: 0, north: true })
const upsSouth: Zone = Object.freeze({ epsg: 32761, kind: "ups", zone: 0, north: false })

/** Longitude wrapped into [-180, 180) degrees. */
export const normalizeLon = (lon: number): number =>
  lon >= -180 && lon < 180 ? lon : ((((lon + 180) % 360) + 360) % 360) - 180

/** Throws InvalidLocationError unless lon is finite and lat is finite and within [-90, 90]. */
export const validate = (lon: number, lat: number): void => {
  if (!Number.isFinite(lon) || !Number.isFinite(lat)) {
    throw new InvalidLocationError({ lon, lat, reason: "coordinates must be finite numbers" })
  }
  if (lat < -90 || lat > 90) {
    throw new InvalidLocationError({ lon, lat, reason: `latitude ${lat} is outside [-90, 90]` })
  }
}

/** The UTM number (1–60) of a longitude, with the Norway and Svalbard exceptions at that latitude. */
export const utmNumber = (lon: number, lat: number): number => {
  const l = normalizeLon(lon)
  if (lat >= 56 && lat < 64 && l >= 3 && l < 12) return 32
  if (lat >= 72 && lat < 84 && l >= 0 && l < 42) {
    return l < 9 ? 31 : l < 21 ? 33 : l < 33 ? 35 : 37
  }
  return Math.min(60, Math.floor((l + 180) / 6) + 1)
}

/** The zone of a WGS 84 point: UTM with the Norway/Svalbard exceptions, UPS north beyond 84°N, UPS south beyond 80°S. */
export const zoneOf = (lon: number, lat: number): Zone => {
  validate(lon, lat)
  if (lat > 84) return upsNorth
  if (lat < -80) return upsSouth
  const z = utmNumber(lon, lat)
  return zones[(z - 1) * 2 + (lat >= 0 ? 0 : 1)]
}

/** The zone of an EPSG code, or undefined for a code that is not UTM / UPS on WGS 84. */
export const fromEpsg = (epsg: number): Zone | undefined => {
  if (epsg === 32661) return upsNorth
  if (epsg === 32761) return upsSouth
  if (Number.isInteger(epsg) && epsg > 32600 && epsg <= 32660) return zones[(epsg - 32601) * 2]
  if (Number.isInteger(epsg) && epsg > 32700 && epsg <= 32760) return zones[(epsg - 32701) * 2 + 1]
  return undefined
}

const wgs84 = "+proj=longlat +datum=WGS84 +no_defs"

/** The proj4 definition string of EPSG 4326, a WGS 84 UTM zone or a UPS pole; UnknownEpsgError otherwise. */
export const definition = (epsg: number): string => {
  if (epsg === 4326) return wgs84
  const z = fromEpsg(epsg)
  if (z === undefined) throw new UnknownEpsgError({ code: epsg })
  if (z.kind === "ups") {
    return `+proj=stere +lat_0=${z.north ? 90 : -90} +lon_0=0 +k=0.994 +x_0=2000000 +y_0=2000000 +datum=WGS84 +units=m +no_defs`
  }
  return `+proj=utm +zone=${z.zone}${z.north ? "" : " +south"} +datum=WGS84 +units=m +no_defs`
}

const converters = new Map<number, proj4.Converter>()

const converter = (epsg: number): proj4.Converter => {
  let c = converters.get(epsg)
  if (c === undefined) {
    c = proj4(wgs84, definition(epsg))
    converters.set(epsg, c)
  }
  return c
}

// One scratch point per direction: proj4 copies its input, so reusing it saves an allocation per call.
const scratch = { x: 0, y: 0 }

/** Projects (lon, lat) degrees to (x, y) metres in the zone of `epsg` (converter cached per code). */
export const forward = (
  epsg: number,
  lon: number,
  lat: number
): readonly [x: number, y: number] => {
  scratch.x = lon
  scratch.y = lat
  const p = converter(epsg).forward(scratch)
  return [p.x, p.y]
}

/** Unprojects (x, y) metres in the zone of `epsg` to (lon, lat) degrees (converter cached per code). */
export const inverse = (
  epsg: number,
  x: number,
  y: number
): readonly [lon: number, lat: number] => {
  scratch.x = x
  scratch.y = y
  const p = converter(epsg).inverse(scratch)
  return [p.x, p.y]
}
