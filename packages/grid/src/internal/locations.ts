// Parsers of location lists (CSV with lon/lat header columns, GeoJSON points) into plain rows.
// Errors carry the file, the 1-based line (CSV) or feature number (GeoJSON) and the offending value.

/** One parsed location. */
export interface Location {
  readonly lon: number
  readonly lat: number
  readonly id?: string | undefined
}

/** A parse failure before it is wrapped into the public error. */
export interface Failure {
  readonly line: number
  readonly unit: "line" | "feature"
  readonly value: string
  readonly reason: string
}

export class ParseFailure {
  readonly failure: Failure
  readonly cause: unknown
  constructor(failure: Failure, cause?: unknown) {
    this.failure = failure
    this.cause = cause
  }
}

const fail = (
  line: number,
  unit: "line" | "feature",
  value: string,
  reason: string,
  cause?: unknown
): never => {
  throw new ParseFailure({ line, unit, value, reason }, cause)
}

// Splits one CSV record, honouring double-quoted fields with "" escapes.
const fields = (line: string): Array<string> => {
  const out: Array<string> = []
  let cur = ""
  let quoted = false
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"'
        i++
      } else if (ch === '"') quoted = false
      else cur += ch
    } else if (ch === '"') quoted = true
    else if (ch === ",") {
      out.push(cur)
      cur = ""
    } else cur += ch
  }
  out.push(cur)
  return out.map((f) => f.trim())
}

const LON = new Set(["lon", "longitude", "lng"])
const LAT = new Set(["lat", "latitude"])

const coordinate = (
  text: string,
  line: number,
  unit: "line" | "feature",
  what: "lon" | "lat"
): number => {
  const v = text.trim() === "" ? Number.NaN : Number(text)
  if (!Number.isFinite(v)) fail(line, unit, text, `${what} is not a number`)
  if (what === "lat" && (v < -90 || v > 90)) fail(line, unit, text, "latitude is outside [-90, 90]")
  if (what === "lon" && (v < -180 || v > 360))
    fail(line, unit, text, "longitude is outside [-180, 360]")
  return v
}

/** Rows of a CSV text with a header naming lon and lat (any order, aliases longitude/lng/latitude) and optional id. */
export const parseCsv = (text: string): Array<Location> => {
  const lines = text.split(/\r?\n/)
  let header: Array<string> | undefined
  let headerLine = 0
  const out: Array<Location> = []
  let lonAt = -1
  let latAt = -1
  let idAt = -1
  lines.forEach((raw, i) => {
    const line = i + 1
    if (raw.trim() === "" || raw.startsWith("#")) return
    const f = fields(raw.replace(/^\uFEFF/, ""))
    if (header === undefined) {
      header = f.map((h) => h.toLowerCase())
      headerLine = line
      lonAt = header.findIndex((h) => LON.has(h))
      latAt = header.findIndex((h) => LAT.has(h))
      idAt = header.indexOf("id")
      if (lonAt < 0 || latAt < 0) {
        fail(
          line,
          "line",
          raw,
          "the header must name a lon (or longitude) and a lat (or latitude) column"
        )
      }
      return
    }
    if (f.length !== header.length) {
      fail(
        line,
        "line",
        raw,
        `expected ${header.length} fields as in the header on line ${headerLine}, got ${f.length}`
      )
    }
    const lon = coordinate(f[lonAt], line, "line", "lon")
    const lat = coordinate(f[latAt], line, "line", "lat")
    out.push(idAt >= 0 ? { lon, lat, id: f[idAt] } : { lon, lat })
  })
  if (header === undefined) fail(1, "line", "", "the file has no header line")
  return out
}

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null

/** Points of a GeoJSON FeatureCollection / Feature / Point / MultiPoint; ids from feature.id or properties.id. */
export const parseGeoJson = (text: string): Array<Location> => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (e) {
    return fail(1, "feature", text.slice(0, 40), "the text is not JSON", e)
  }
  const features: Array<unknown> =
    isRecord(json) && json.type === "FeatureCollection" && Array.isArray(json.features)
      ? json.features
      : [json]
  const out: Array<Location> = []
  features.forEach((feature, i) => {
    const n = i + 1
    const geometry = isRecord(feature) && feature.type === "Feature" ? feature.geometry : feature
    const props = isRecord(feature) && isRecord(feature.properties) ? feature.properties : {}
    const rawId =
      isRecord(feature) && feature.type === "Feature" ? (feature.id ?? props.id) : undefined
    const id = rawId === undefined || rawId === null ? undefined : String(rawId)
    if (!isRecord(geometry) || (geometry.type !== "Point" && geometry.type !== "MultiPoint")) {
      fail(
        n,
        "feature",
        JSON.stringify(geometry ?? null).slice(0, 80),
        "expected a Point or MultiPoint"
      )
    }
    const g = geometry as Record<string, unknown>
    const positions: Array<unknown> =
      g.type === "Point"
        ? [g.coordinates]
        : Array.isArray(g.coordinates)
          ? g.coordinates
          : [g.coordinates]
    for (const pos of positions) {
      if (!Array.isArray(pos) || pos.length < 2) {
        fail(n, "feature", JSON.stringify(pos ?? null), "expected a position [lon, lat]")
      }
      const p = pos as Array<unknown>
      const lon = coordinate(String(p[0]), n, "feature", "lon")
      const lat = coordinate(String(p[1]), n, "feature", "lat")
      if (typeof p[0] !== "number" || typeof p[1] !== "number") {
        fail(n, "feature", JSON.stringify(pos), "coordinates must be JSON numbers")
      }
      out.push(id === undefined ? { lon, lat } : { lon, lat, id })
    }
  })
  return out
}
