// ASF's Search API (`/services/search/param`), as ASF documents it: GET with `dataset` (`ARIA S1 GUNW`) or
// `processingLevel` (`GUNW_STD`), `intersectsWith` (WKT), `start`/`end` (ISO 8601), `maxResults`,
// `output=geojson`; the answer is a GeoJSON FeatureCollection whose properties carry `fileID`, `fileName`,
// `url`, `startTime`, `stopTime`, `flightDirection`, `pathNumber`, … An answer of `maxResults` features may be
// cut: the window is then halved and searched again until every answer is complete.
import { Guarded } from "@eoforge/access"
import { Redact } from "@eoforge/core"
import type { StacItem } from "@eoforge/stac"
import { Schema } from "effect"

/** ASF's public Search API endpoint. */
export const defaultUrl = "https://api.daac.asf.alaska.edu/services/search/param"

/** What a search asks. */
export interface Query {
  /** Endpoint (default `defaultUrl`). */
  readonly url: string
  /** `dataset` parameter, e.g. `ARIA S1 GUNW`. */
  readonly dataset?: string | undefined
  /** `processingLevel` parameter, e.g. `GUNW_STD`. */
  readonly processingLevel?: string | undefined
  /** `flightDirection` (ASCENDING / DESCENDING). */
  readonly flightDirection?: string | undefined
  /** `relativeOrbit` (track). */
  readonly relativeOrbit?: number | undefined
  /** Closed ring of (lon, lat) degrees: `intersectsWith=POLYGON((…))`. */
  readonly ring: ReadonlyArray<readonly [number, number]>
  /** Window, epoch ms (inclusive). */
  readonly start: number
  readonly end: number
  /** Page size (`maxResults`); an answer this long is taken as cut and the window split. */
  readonly maxResults: number
}

/** One product of an answer. */
export interface Product {
  readonly fileID: string
  readonly fileName: string
  readonly url: string
  readonly startTime: string
  readonly stopTime: string
  readonly flightDirection?: string | undefined
  readonly pathNumber?: number | undefined
  readonly geometry: StacItem.Geometry
  /** Every property as ASF gave it. */
  readonly properties: Readonly<Record<string, unknown>>
}

/** The search failed: the message names the endpoint (no secrets), what happened and what to do. */
export class AsfSearchError extends Schema.TaggedError<AsfSearchError>()("AsfSearchError", {
  url: Schema.String,
  /** HTTP status, when the server answered. */
  status: Schema.optional(Schema.Number),
  message: Schema.String,
  cause: Schema.optional(Schema.Defect())
}) {}

/** Largest answer read, bytes. */
const maxAnswerBytes = 64 * 1024 * 1024
/** Windows are not split below one hour. */
const minWindowMs = 3_600_000

const wkt = (ring: Query["ring"]): string =>
  `POLYGON((${ring.map(([x, y]) => `${+x.toFixed(6)} ${+y.toFixed(6)}`).join(",")}))`

/** The request URL of a query over one window. */
export const requestUrl = (query: Query, start: number, end: number): string => {
  const u = new URL(query.url)
  const p = u.searchParams
  if (query.dataset !== undefined) p.set("dataset", query.dataset)
  if (query.processingLevel !== undefined) p.set("processingLevel", query.processingLevel)
  if (query.flightDirection !== undefined) p.set("flightDirection", query.flightDirection)
  if (query.relativeOrbit !== undefined) p.set("relativeOrbit", String(query.relativeOrbit))
  p.set("intersectsWith", wkt(query.ring))
  p.set("start", new Date(start).toISOString())
  p.set("end", new Date(end).toISOString())
  p.set("maxResults", String(query.maxResults))
  p.set("output", "geojson")
  return u.toString()
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v)

/** The products of a GeoJSON answer; throws a message naming the first malformed feature. */
export const productsOf = (doc: unknown): ReadonlyArray<Product> => {
  if (!isRecord(doc) || !Array.isArray(doc.features))
    throw new Error("the answer is not a GeoJSON FeatureCollection (was output=geojson honoured?)")
  return doc.features.map((f: unknown, i): Product => {
    const p = isRecord(f) && isRecord(f.properties) ? f.properties : undefined
    const g = isRecord(f) && isRecord(f.geometry) ? f.geometry : undefined
    const s = (k: string) => (typeof p?.[k] === "string" ? (p[k] as string) : undefined)
    const fileID = s("fileID") ?? s("sceneName")
    const url = s("url")
    const startTime = s("startTime")
    const stopTime = s("stopTime")
    if (
      p === undefined ||
      g === undefined ||
      (g.type !== "Polygon" && g.type !== "MultiPolygon") ||
      fileID === undefined ||
      url === undefined ||
      startTime === undefined ||
      stopTime === undefined
    )
      throw new Error(
        `feature ${i} lacks a polygon geometry or one of fileID, url, startTime, stopTime`
      )
    const path = p.pathNumber
    return {
      fileID,
      fileName: s("fileName") ?? url.split("/").pop() ?? fileID,
      url,
      startTime,
      stopTime,
      flightDirection: s("flightDirection"),
      pathNumber:
        typeof path === "number" ? path : typeof path === "string" ? Number(path) : undefined,
      geometry: g as unknown as StacItem.Geometry,
      properties: p
    }
  })
}

const once = async (
  query: Query,
  start: number,
  end: number,
  guard: Guarded.Guard
): Promise<ReadonlyArray<Product>> => {
  const url = requestUrl(query, start, end)
  const shown = Redact.forMessage(query.url)
  let res: Guarded.Response
  try {
    res = await Guarded.request(
      url,
      { headers: { accept: "application/geo+json, application/json" } },
      guard
    )
  } catch (error) {
    throw new AsfSearchError({
      url: shown,
      message: `ASF search at ${shown} failed (${Redact.inText(error instanceof Error ? error.message : String(error))}); check the url and the access policy's hosts`,
      cause: error
    })
  }
  const text = new TextDecoder().decode(await res.bytes(maxAnswerBytes))
  if (res.status !== 200) {
    const hint =
      res.status === 400
        ? "ASF refused the parameters (check dataset, processingLevel and the area)"
        : res.status === 429 || res.status >= 500
          ? "ASF is busy or failing; retry later (--retry-failed)"
          : "unexpected answer"
    throw new AsfSearchError({
      url: shown,
      status: res.status,
      message: `ASF search at ${shown} answered HTTP ${res.status}: ${hint}; ${Redact.inText(text.slice(0, 200))}`
    })
  }
  try {
    return productsOf(JSON.parse(text))
  } catch (error) {
    throw new AsfSearchError({
      url: shown,
      status: res.status,
      message: `ASF search at ${shown}: ${error instanceof Error ? error.message : String(error)}`,
      cause: error
    })
  }
}

/**
 * Every product of a query (deduplicated by fileID, in fileID order). An answer of `maxResults` products is
 * taken as cut: its window is halved and both halves searched, down to one hour, where a full answer is an
 * error naming `maxResults`. Counts the requests sent in `requests`.
 */
export const search = async (
  query: Query,
  guard: Guarded.Guard,
  requests: { count: number } = { count: 0 }
): Promise<ReadonlyArray<Product>> => {
  const found = new Map<string, Product>()
  const windows: Array<readonly [number, number]> = [[query.start, query.end]]
  while (windows.length > 0) {
    const [start, end] = windows.shift()!
    requests.count++
    const products = await once(query, start, end, guard)
    if (products.length >= query.maxResults) {
      if (end - start <= minWindowMs)
        throw new AsfSearchError({
          url: Redact.forMessage(query.url),
          message: `ASF search at ${Redact.forMessage(query.url)} answered ${products.length} products (maxResults) for one hour from ${new Date(start).toISOString()}; raise maxResults`
        })
      const middle = start + Math.floor((end - start) / 2)
      windows.push([start, middle], [middle + 1, end])
      continue
    }
    for (const p of products) found.set(p.fileID, p)
  }
  return byFileId(found)
}

const byFileId = (found: ReadonlyMap<string, Product>): ReadonlyArray<Product> =>
  [...found.values()].sort((a, b) => (a.fileID < b.fileID ? -1 : a.fileID > b.fileID ? 1 : 0))

/**
 * `search` over an area of several polygons (a patch split at the antimeridian, RFC 7946 §3.1.9): one search
 * per polygon, each a plain `POLYGON` within ±180°, the answers merged by `fileID`. What ASF makes of a ring
 * crossing ±180° is not specified, so none is sent.
 */
export const searchRings = async (
  query: Omit<Query, "ring">,
  rings: ReadonlyArray<Query["ring"]>,
  guard: Guarded.Guard,
  requests: { count: number } = { count: 0 }
): Promise<ReadonlyArray<Product>> => {
  if (rings.length === 1) return search({ ...query, ring: rings[0] }, guard, requests)
  const found = new Map<string, Product>()
  for (const ring of rings)
    for (const p of await search({ ...query, ring }, guard, requests)) found.set(p.fileID, p)
  return byFileId(found)
}
