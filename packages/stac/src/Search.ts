// STAC API item-search requests: parameters, conformance-driven filter dialect, request bodies, paging.
// Pure functions: the same parameters and capabilities always give the same JSON body (golden-tested).
import { GeoJson, type Patch } from "@eoforge/core"
import type { Geometry, Item, Link } from "./StacItem.ts"
import * as StacItem from "./StacItem.ts"
import { bboxesIntersect } from "./internal/geometry.ts"

/** How a server accepts property filters: `query` extension, CQL2-JSON `filter`, or neither (filter locally). */
export type Dialect = "query" | "cql2-json" | "none"

/** What a server supports, read from its conformance classes. */
export interface Capabilities {
  readonly dialect: Dialect
  /** Whether `sortby` is supported. */
  readonly sort: boolean
  readonly conformsTo: ReadonlyArray<string>
}

/** Sort order of results. */
export interface SortBy {
  readonly field: string
  readonly direction: "asc" | "desc"
}

/** An item search; instants are epoch milliseconds, both ends inclusive. */
export interface SearchParams {
  readonly collections: ReadonlyArray<string>
  /** GeoJSON geometry the items must intersect (lon, lat degrees). */
  readonly intersects?: Geometry
  /** [west, south, east, north] in degrees. */
  readonly bbox?: readonly [number, number, number, number]
  /** Inclusive interval in epoch milliseconds. */
  readonly datetime?: { readonly start: number; readonly end: number }
  /** Keep items whose `eo:cloud_cover` is strictly below this percentage. */
  readonly maxCloud?: number
  /** Property equalities, e.g. `{ "sat:orbit_state": "ascending" }`. */
  readonly equals?: Readonly<Record<string, string | number>>
  readonly sortby?: ReadonlyArray<SortBy>
  /** Page size. */
  readonly limit?: number
}

/** Read capabilities from conformance classes; `query` is preferred when both dialects are offered (see README). */
export const capabilities = (
  conformsTo: ReadonlyArray<string>,
  prefer: "cql2-json" | "query" = "query"
): Capabilities => {
  const has = (re: RegExp) => conformsTo.some((c) => re.test(c))
  const query = has(/item-search#query$/)
  const cql2 = has(/item-search#filter$/) && has(/cql2-json$/)
  const dialect: Dialect = query && cql2 ? prefer : cql2 ? "cql2-json" : query ? "query" : "none"
  return { dialect, sort: has(/item-search#sort$/), conformsTo }
}

/** ISO-8601 text of an instant in epoch milliseconds, UTC with milliseconds. */
export const isoString = (ms: number): string => new Date(ms).toISOString()

/** The STAC `datetime` interval text of an inclusive interval. */
export const interval = (start: number, end: number): string =>
  `${isoString(start)}/${isoString(end)}`

/**
 * The patch footprint as RFC 7946 GeoJSON: a closed counter-clockwise polygon, or — for a patch across the
 * antimeridian — a MultiPolygon of its parts west and east of ±180° (§3.1.9). A server evaluating
 * `intersects` in the lon/lat plane (pgstac, stac-server) would read the unsplit ring as a polygon around the
 * whole latitude band and answer with every item along it.
 */
export const patchGeometry = (patch: Pick<Patch.Patch, "footprint">): Geometry => {
  if (GeoJson.crossesAntimeridian(patch.footprint)) return GeoJson.polygonOf(patch.footprint)
  const [ul, ur, lr, ll] = patch.footprint
  return { type: "Polygon", coordinates: [[ul, ll, lr, ur, ul]] }
}

const cql2 = (params: SearchParams): unknown => {
  const args: Array<unknown> = []
  if (params.maxCloud !== undefined) {
    args.push({ op: "<", args: [{ property: "eo:cloud_cover" }, params.maxCloud] })
  }
  for (const [k, v] of Object.entries(params.equals ?? {})) {
    args.push({ op: "=", args: [{ property: k }, v] })
  }
  return args.length === 0 ? undefined : args.length === 1 ? args[0] : { op: "and", args }
}

const query = (params: SearchParams): unknown => {
  const q: Record<string, unknown> = {}
  if (params.maxCloud !== undefined) q["eo:cloud_cover"] = { lt: params.maxCloud }
  for (const [k, v] of Object.entries(params.equals ?? {})) q[k] = { eq: v }
  return Object.keys(q).length === 0 ? undefined : q
}

/** The POST /search body for the parameters on a server with the given capabilities. */
export const body = (params: SearchParams, caps: Pick<Capabilities, "dialect" | "sort">) => {
  const b: Record<string, unknown> = { collections: [...params.collections] }
  if (params.intersects !== undefined) b.intersects = params.intersects
  else if (params.bbox !== undefined) b.bbox = [...params.bbox]
  if (params.datetime !== undefined)
    b.datetime = interval(params.datetime.start, params.datetime.end)
  if (caps.dialect === "query") {
    const q = query(params)
    if (q !== undefined) b.query = q
  } else if (caps.dialect === "cql2-json") {
    const f = cql2(params)
    if (f !== undefined) {
      b.filter = f
      b["filter-lang"] = "cql2-json"
    }
  }
  if (caps.sort && params.sortby !== undefined && params.sortby.length > 0) {
    b.sortby = params.sortby.map((s) => ({ field: s.field, direction: s.direction }))
  }
  if (params.limit !== undefined) b.limit = params.limit
  return b
}

/** The request that follows a `next` link: POST bodies merged into the previous body when `merge` is true. */
export const nextRequest = (
  link: Link,
  previous: { readonly body?: unknown },
  base: string
): {
  readonly method: "GET" | "POST"
  readonly url: string
  readonly body?: unknown
  readonly headers?: Readonly<Record<string, string>>
} => {
  const url = new URL(link.href, base).toString()
  const method = (link.method ?? "GET").toUpperCase() === "POST" ? "POST" : "GET"
  if (method === "GET") return { method, url, ...(link.headers ? { headers: link.headers } : {}) }
  const prev = (previous.body ?? {}) as Record<string, unknown>
  const linkBody = (link.body ?? undefined) as Record<string, unknown> | undefined
  const merged =
    linkBody === undefined ? prev : link.merge === true ? { ...prev, ...linkBody } : linkBody
  return { method, url, body: merged, ...(link.headers ? { headers: link.headers } : {}) }
}

const geometryBBox = (g: Geometry): readonly [number, number, number, number] => {
  let w = Infinity
  let s = Infinity
  let e = -Infinity
  let n = -Infinity
  const rings = g.type === "Polygon" ? g.coordinates : g.coordinates.flat()
  for (const ring of rings) {
    for (const [x, y] of ring) {
      if (x < w) w = x
      if (x > e) e = x
      if (y < s) s = y
      if (y > n) n = y
    }
  }
  return [w, s, e, n]
}

/** The [west, south, east, north] box of an item (its bbox, else its geometry's), or undefined. */
export const itemBBox = (item: Item): readonly [number, number, number, number] | undefined => {
  if (item.bbox !== undefined && item.bbox.length >= 4) {
    const b = item.bbox
    return b.length >= 6 ? [b[0], b[1], b[3], b[4]] : [b[0], b[1], b[2], b[3]]
  }
  return item.geometry === null ? undefined : geometryBBox(item.geometry)
}

/**
 * Whether an item satisfies the parameters, evaluated locally (static catalogues, servers without a
 * filter dialect). Space is tested on bounding boxes; exact containment is Selection's job.
 */
export const matches = (
  item: Item,
  collection: string | undefined,
  params: SearchParams
): boolean => {
  if (collection === undefined || !params.collections.includes(collection)) return false
  const area = params.intersects !== undefined ? geometryBBox(params.intersects) : params.bbox
  if (area !== undefined) {
    const b = itemBBox(item)
    if (b === undefined || !bboxesIntersect(b, area)) return false
  }
  if (params.datetime !== undefined) {
    const t = StacItem.datetimeMs(item)
    if (t === undefined || t < params.datetime.start || t > params.datetime.end) return false
  }
  if (params.maxCloud !== undefined) {
    const c = StacItem.cloudCover(item)
    if (c === undefined || !(c < params.maxCloud)) return false
  }
  for (const [k, v] of Object.entries(params.equals ?? {})) {
    if (item.properties[k] !== v) return false
  }
  return true
}
