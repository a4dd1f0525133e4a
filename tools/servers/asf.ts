// A local double of ASF's Search API (`GET /services/search/param`) for tests: the parameters ASF documents
// (`dataset`, `processingLevel`, `intersectsWith` WKT polygon, `start`/`end` ISO 8601, `maxResults`,
// `output=geojson`, `flightDirection`, `relativeOrbit`) are checked — anything else is HTTP 400 as ASF answers
// an unknown or malformed parameter — and the answer is a GeoJSON FeatureCollection of the products whose
// footprint intersects the polygon and whose [startTime, stopTime] overlaps [start, end], newest first.
import { Footprint } from "@eoforge/raster"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"

/** A product the double knows. */
export interface Product {
  readonly fileID: string
  /** Download URL (e.g. an Earthdata-protected archive double). */
  readonly url: string
  readonly startTime: string
  readonly stopTime: string
  /** Closed footprint ring, (lon, lat). */
  readonly ring: ReadonlyArray<readonly [number, number]>
  readonly flightDirection: "ASCENDING" | "DESCENDING"
  readonly pathNumber: number
}

/** One request the double answered. */
export interface Logged {
  readonly params: Readonly<Record<string, string>>
  readonly status: number
  readonly count: number
}

/** The running double. */
export interface Double {
  /** The search endpoint, `http://127.0.0.1:port/services/search/param`. */
  readonly url: string
  readonly log: Array<Logged>
  /** Answer every request with this status (e.g. 503), or normally again with undefined. */
  readonly fail: (status: number | undefined) => void
  readonly close: () => Promise<void>
}

const known = new Set([
  "dataset",
  "processingLevel",
  "intersectsWith",
  "start",
  "end",
  "maxResults",
  "output",
  "flightDirection",
  "relativeOrbit"
])

/** The ring of a `POLYGON((x y, …))` WKT, or undefined. */
export const parsePolygon = (wkt: string): Array<readonly [number, number]> | undefined => {
  const m = /^\s*POLYGON\s*\(\(([^()]+)\)\)\s*$/i.exec(wkt)
  if (m === null) return undefined
  const ring = m[1]!.split(",").map((pair) => pair.trim().split(/\s+/).map(Number))
  if (ring.length < 4 || ring.some((p) => p.length !== 2 || p.some((v) => !Number.isFinite(v))))
    return undefined
  const [fx, fy] = ring[0]!
  const [lx, ly] = ring[ring.length - 1]!
  if (fx !== lx || fy !== ly) return undefined
  return ring.map(([x, y]) => [x!, y!] as const)
}

/** Start the double on 127.0.0.1 with `products` (`dataset` ARIA S1 GUNW, `processingLevel` GUNW_STD). */
export const start = async (products: ReadonlyArray<Product>): Promise<Double> => {
  const log: Array<Logged> = []
  let failing: number | undefined
  const answer = (
    res: ServerResponse,
    status: number,
    body: unknown,
    params: Record<string, string>,
    count = 0
  ) => {
    log.push({ params, status, count })
    res.writeHead(status, { "content-type": "application/geo+json" }).end(JSON.stringify(body))
  }
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const u = new URL(req.url ?? "/", "http://127.0.0.1")
    const params = Object.fromEntries(u.searchParams)
    if (req.method !== "GET" || u.pathname !== "/services/search/param")
      return answer(res, 404, { error: "not found" }, params)
    if (failing !== undefined) return answer(res, failing, { error: "unavailable" }, params)
    const bad = (message: string) =>
      answer(res, 400, { error: { type: "VALIDATION_ERROR", report: message } }, params)
    for (const k of u.searchParams.keys())
      if (!known.has(k)) return bad(`${k} is not a valid parameter`)
    if ((params.output ?? "").toLowerCase() !== "geojson")
      return bad("this double answers output=geojson only")
    if (params.dataset === undefined && params.processingLevel === undefined)
      return bad("a search needs dataset or processingLevel")
    if (params.dataset !== undefined && params.dataset !== "ARIA S1 GUNW")
      return bad(`dataset ${params.dataset} is not ARIA S1 GUNW`)
    if (params.processingLevel !== undefined && params.processingLevel !== "GUNW_STD")
      return bad(`processingLevel ${params.processingLevel} is not GUNW_STD`)
    const ring = parsePolygon(params.intersectsWith ?? "")
    if (ring === undefined) return bad("intersectsWith must be a closed WKT POLYGON")
    const startMs = Date.parse(params.start ?? "")
    const endMs = Date.parse(params.end ?? "")
    if (Number.isNaN(startMs) || Number.isNaN(endMs) || startMs > endMs)
      return bad("start and end must be ISO 8601 dates, start before end")
    const max = Number(params.maxResults ?? "")
    if (!Number.isInteger(max) || max < 1) return bad("maxResults must be a positive integer")
    const relativeOrbit =
      params.relativeOrbit === undefined ? undefined : Number(params.relativeOrbit)
    const hits = products
      .filter(
        (p) =>
          Footprint.ringsIntersect(p.ring, ring) &&
          Date.parse(p.startTime) <= endMs &&
          Date.parse(p.stopTime) >= startMs &&
          (params.flightDirection === undefined || p.flightDirection === params.flightDirection) &&
          (relativeOrbit === undefined || p.pathNumber === relativeOrbit)
      )
      .sort(
        (a, b) =>
          Date.parse(b.startTime) - Date.parse(a.startTime) || (a.fileID < b.fileID ? -1 : 1)
      )
      .slice(0, max)
    return answer(
      res,
      200,
      {
        type: "FeatureCollection",
        features: hits.map((p) => ({
          type: "Feature",
          geometry: { type: "Polygon", coordinates: [p.ring] },
          properties: {
            beamModeType: "IW",
            fileID: p.fileID,
            fileName: `${p.fileID}.nc`,
            flightDirection: p.flightDirection,
            pathNumber: p.pathNumber,
            platform: "Sentinel-1A",
            processingLevel: "GUNW_STD",
            sceneName: p.fileID,
            startTime: p.startTime,
            stopTime: p.stopTime,
            url: p.url
          }
        }))
      },
      params,
      hits.length
    )
  }
  const server = createServer(handle)
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/search/param`,
    log,
    fail: (status) => {
      failing = status
    },
    close: () => new Promise<void>((r) => server.close(() => r()))
  }
}
