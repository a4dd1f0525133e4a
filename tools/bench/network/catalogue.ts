// A local STAC API with real-shaped Sentinel-2 L2A/L1C and Sentinel-1 GRD items over a region, for the
// search and network benchmarks: POST /search (collections, intersects/bbox with exact polygon matching,
// datetime, `query` on eo:cloud_cover, paging by POST next links), landing page and collections.
// Items are generated from a seed and kept as a few numbers each; their JSON is written per response.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"

type Box = readonly [number, number, number, number]
type P = readonly [number, number]

/** One acquisition of a tile. */
interface Acq {
  readonly collection: "sentinel-2-l2a" | "sentinel-2-l1c" | "sentinel-1-grd"
  readonly id: string
  readonly box: Box
  readonly t: number
  readonly cloud: number
  readonly orbit: number
  readonly datatake: string
  readonly tile: string
}

/** What the catalogue holds and how it answers. */
export interface CatalogueOptions {
  /** [west, south, east, north] degrees covered by tiles. */
  readonly region: Box
  /** Years of acquisitions. */
  readonly years: ReadonlyArray<number>
  readonly seed: number
  /** Items per page at most, whatever `limit` asks (Earth Search: 10,000). */
  readonly maxPage?: number
  /** Base URL of asset files (default: this server's /files/). */
  readonly assetBase?: string
  /** Turns an item into asset paths (default: one COG per band under /files/<id>/<band>.tif). */
  readonly assetPath?: (collection: string, id: string, band: string) => string
}

/** A running catalogue. */
export interface Catalogue {
  readonly url: string
  /** POST /search requests answered. */
  readonly searches: () => number
  readonly items: number
  readonly close: () => Promise<void>
}

const rng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const DAY = 86_400_000
const S2_BANDS = [
  "coastal",
  "blue",
  "green",
  "red",
  "rededge1",
  "rededge2",
  "rededge3",
  "nir",
  "nir08",
  "nir09",
  "swir16",
  "swir22"
]

const stamp = (t: number): string =>
  new Date(t)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "")

// Sentinel-2: MGRS-like tiles of 0.9° latitude, 0.9°/cos(lat) longitude, overlapping by 10 %; two relative
// orbits per tile, each every 5 days; about a third of the scenes under 10 % cloud. Sentinel-1: scenes of
// 2° × 2.6° on ascending and descending orbits every 6 days.
const generate = (o: CatalogueOptions): ReadonlyArray<Acq> => {
  const r = rng(o.seed)
  const out: Array<Acq> = []
  const [w, s, e, n] = o.region
  const starts = o.years.map((y) => Date.UTC(y, 0, 1))
  const days = 366
  for (let lat = Math.floor(s / 0.9) * 0.9; lat < n; lat += 0.9) {
    const width = Math.min(6, 0.9 / Math.cos(((lat + 0.45) * Math.PI) / 180))
    for (let lon = Math.floor(w / width) * width; lon < e; lon += width) {
      const tile = `T${Math.round((lon + 180) * 10)}_${Math.round((lat + 90) * 10)}`
      const box: Box = [lon - 0.05 * width, lat - 0.045, lon + 1.05 * width, lat + 0.945]
      for (const [k, start] of starts.entries()) {
        for (let orbit = 0; orbit < 2; orbit++) {
          const phase = Math.floor(r() * 5)
          const ro = 1 + Math.floor(r() * 143)
          for (let d = phase; d < days; d += 5) {
            const t = start + d * DAY + 36_000_000 + orbit * 60_000 + Math.floor(r() * 30_000)
            const cloud =
              r() < 0.35 ? Math.round(r() * 1000) / 100 : 10 + Math.round(r() * 9000) / 100
            const sat = d % 10 < 5 ? "S2A" : "S2B"
            const datatake = `G${sat}_${stamp(t)}_0${String(k)}${String(d).padStart(4, "0")}_N03.00`
            const base = `${sat}_${tile}_${stamp(t)}`
            out.push({
              collection: "sentinel-2-l2a",
              id: `${base}_L2A`,
              box,
              t,
              cloud,
              orbit: ro,
              datatake,
              tile
            })
            out.push({
              collection: "sentinel-2-l1c",
              id: `${base}_L1C`,
              box,
              t,
              cloud,
              orbit: ro,
              datatake: datatake.replace("N03.00", "N02.09"),
              tile
            })
          }
        }
      }
    }
  }
  for (let lat = Math.floor(s / 2) * 2; lat < n; lat += 2) {
    for (let lon = Math.floor(w / 2.6) * 2.6; lon < e; lon += 2.6) {
      const tile = `S${Math.round((lon + 180) * 10)}_${Math.round((lat + 90) * 10)}`
      const box: Box = [lon - 0.1, lat - 0.1, lon + 2.7, lat + 2.1]
      for (const start of starts) {
        for (let orbit = 0; orbit < 2; orbit++) {
          const phase = Math.floor(r() * 6)
          for (let d = phase; d < 366; d += 6) {
            const t = start + d * DAY + (orbit === 0 ? 20_000_000 : 64_000_000)
            out.push({
              collection: "sentinel-1-grd",
              id: `S1A_IW_GRDH_1SDV_${stamp(t)}_${tile}`,
              box,
              t,
              cloud: 0,
              orbit: orbit === 0 ? 44 : 117,
              datatake: "",
              tile
            })
          }
        }
      }
    }
  }
  return out
}

/** The GeoJSON polygon of a box (west, south, east, north), counter-clockwise. */
export const polygon = ([w, s, e, n]: Box) => ({
  type: "Polygon",
  coordinates: [
    [
      [w, s],
      [e, s],
      [e, n],
      [w, n],
      [w, s]
    ]
  ]
})

const json = (a: Acq, files: string, assetPath: CatalogueOptions["assetPath"]): unknown => {
  const href = (band: string) =>
    `${files}${assetPath === undefined ? `/files/${a.id}/${band}.tif` : assetPath(a.collection, a.id, band)}`
  const cog = "image/tiff; application=geotiff; profile=cloud-optimized"
  const s2 = a.collection !== "sentinel-1-grd"
  const bands =
    a.collection === "sentinel-1-grd"
      ? ["vv", "vh"]
      : a.collection === "sentinel-2-l1c"
        ? [...S2_BANDS, "cirrus"]
        : S2_BANDS
  const epsg = 32600 + Math.floor((a.box[0] + a.box[2]) / 2 / 6 + 31)
  return {
    type: "Feature",
    stac_version: "1.0.0",
    stac_extensions: [
      "https://stac-extensions.github.io/eo/v1.1.0/schema.json",
      "https://stac-extensions.github.io/projection/v1.1.0/schema.json",
      "https://stac-extensions.github.io/raster/v1.1.0/schema.json"
    ],
    id: a.id,
    collection: a.collection,
    bbox: [...a.box],
    geometry: polygon(a.box),
    properties: {
      datetime: new Date(a.t).toISOString(),
      platform: s2 ? (a.id.startsWith("S2A") ? "sentinel-2a" : "sentinel-2b") : "sentinel-1a",
      constellation: s2 ? "sentinel-2" : "sentinel-1",
      ...(s2
        ? {
            "eo:cloud_cover": a.cloud,
            "s2:datatake_id": a.datatake,
            "mgrs:utm_zone": epsg - 32600,
            "grid:code": `MGRS-${a.tile}`,
            "proj:epsg": epsg
          }
        : {
            "sar:instrument_mode": "IW",
            "sat:orbit_state": a.orbit === 44 ? "ascending" : "descending"
          }),
      "sat:relative_orbit": a.orbit,
      created: "2022-01-01T00:00:00Z",
      updated: "2022-01-01T00:00:00Z"
    },
    assets: Object.fromEntries(
      bands.map((b) => [
        b,
        {
          href: href(b),
          type: cog,
          title: b,
          roles: ["data"],
          ...(s2
            ? {
                "proj:shape": [10980, 10980],
                "proj:transform": [10, 0, 600000, 0, -10, 5000040],
                "raster:bands": [{ nodata: 0, data_type: "uint16", scale: 0.0001, offset: 0 }]
              }
            : {})
        }
      ])
    ),
    links: [
      { rel: "self", href: `${files}/collections/${a.collection}/items/${a.id}` },
      { rel: "collection", href: `${files}/collections/${a.collection}` }
    ]
  }
}

type Ring = ReadonlyArray<P>

// Sutherland–Hodgman: part of a convex counter-clockwise `subject` inside `clip` (any orientation fixed).
const clipArea = (subject: Ring, clip: Ring): number => {
  let out: Array<P> = [...subject]
  for (let i = 0; i < clip.length && out.length > 0; i++) {
    const a = clip[i]
    const b = clip[(i + 1) % clip.length]
    const inside = (p: P) => (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0]) >= 0
    const cut = (p: P, q: P): P => {
      const t =
        ((b[0] - a[0]) * (a[1] - p[1]) - (b[1] - a[1]) * (a[0] - p[0])) /
        ((b[0] - a[0]) * (q[1] - p[1]) - (b[1] - a[1]) * (q[0] - p[0]))
      return [p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])]
    }
    const input = out
    out = []
    for (let k = 0; k < input.length; k++) {
      const p = input[k]
      const q = input[(k + 1) % input.length]
      if (inside(q)) {
        if (!inside(p)) out.push(cut(p, q))
        out.push(q)
      } else if (inside(p)) out.push(cut(p, q))
    }
  }
  let s = 0
  for (let i = 0; i < out.length; i++) {
    const [x1, y1] = out[i]
    const [x2, y2] = out[(i + 1) % out.length]
    s += x1 * y2 - x2 * y1
  }
  return Math.abs(s) / 2
}

const ccw = (ring: Ring): Ring => {
  const r =
    ring.length > 1 && ring[0][0] === ring.at(-1)![0] && ring[0][1] === ring.at(-1)![1]
      ? ring.slice(0, -1)
      : ring
  let s = 0
  for (let i = 0; i < r.length; i++)
    s += r[i][0] * r[(i + 1) % r.length][1] - r[(i + 1) % r.length][0] * r[i][1]
  return s < 0 ? [...r].reverse() : r
}

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve) => {
    let s = ""
    req.on("data", (c) => (s += c))
    req.on("end", () => resolve(s))
  })

/** Start the catalogue on 127.0.0.1. */
export const start = async (o: CatalogueOptions): Promise<Catalogue> => {
  const all = generate(o)
  // Items bucketed by 1° cells of their box, for searches that touch a few cells.
  const buckets = new Map<string, Array<number>>()
  all.forEach((a, k) => {
    for (let x = Math.floor(a.box[0]); x <= Math.floor(a.box[2]); x++) {
      for (let y = Math.floor(a.box[1]); y <= Math.floor(a.box[3]); y++) {
        const key = `${x},${y}`
        const b = buckets.get(key)
        if (b === undefined) buckets.set(key, [k])
        else b.push(k)
      }
    }
  })
  const maxPage = o.maxPage ?? 10_000
  let searches = 0
  let base = ""
  const conformsTo = [
    "https://api.stacspec.org/v1.0.0/core",
    "https://api.stacspec.org/v1.0.0/item-search",
    "https://api.stacspec.org/v1.0.0/item-search#query",
    "https://api.stacspec.org/v1.0.0/item-search#sort",
    "http://www.opengis.net/spec/ogcapi-features-1/conf/1.0/geojson"
  ]
  const send = (res: ServerResponse, status: number, body: unknown) => {
    const bytes = Buffer.from(JSON.stringify(body))
    res.writeHead(status, {
      "content-type": "application/geo+json",
      "content-length": bytes.length
    })
    res.end(bytes)
  }
  const search = (body: any) => {
    const wanted = new Set<string>(body.collections ?? [])
    const ring: Ring | undefined =
      body.intersects !== undefined
        ? ccw(body.intersects.coordinates[0])
        : body.bbox !== undefined
          ? ccw(polygon(body.bbox).coordinates[0] as unknown as Ring)
          : undefined
    const [w, s, e, n] =
      ring === undefined
        ? [-180, -90, 180, 90]
        : ring.reduce<[number, number, number, number]>(
            (b, [x, y]) => [
              Math.min(b[0], x),
              Math.min(b[1], y),
              Math.max(b[2], x),
              Math.max(b[3], y)
            ],
            [Infinity, Infinity, -Infinity, -Infinity]
          )
    const [t0, t1] =
      typeof body.datetime === "string"
        ? body.datetime.split("/").map((x: string) => Date.parse(x))
        : [-Infinity, Infinity]
    const lt: number | undefined = body.query?.["eo:cloud_cover"]?.lt
    const hits = new Set<number>()
    for (let x = Math.floor(w); x <= Math.floor(e); x++) {
      for (let y = Math.floor(s); y <= Math.floor(n); y++) {
        for (const k of buckets.get(`${x},${y}`) ?? []) {
          const a = all[k]
          if (!wanted.has(a.collection) || a.t < t0 || a.t > t1) continue
          if (lt !== undefined && !(a.cloud < lt)) continue
          if (a.box[0] > e || a.box[2] < w || a.box[1] > n || a.box[3] < s) continue
          if (
            ring !== undefined &&
            clipArea(ccw(polygon(a.box).coordinates[0] as unknown as Ring), ring) <= 0
          )
            continue
          hits.add(k)
        }
      }
    }
    return [...hits].sort((a, b) => a - b)
  }
  const server = createServer(async (req, res) => {
    const path = (req.url ?? "/").split("?")[0]
    if (path === "/" || path === "") {
      return send(res, 200, {
        type: "Catalog",
        id: "bench",
        stac_version: "1.0.0",
        conformsTo,
        links: []
      })
    }
    if (path === "/conformance") return send(res, 200, { conformsTo })
    const coll = /^\/collections\/([^/]+)$/.exec(path)
    if (coll)
      return send(res, 200, { type: "Collection", id: decodeURIComponent(coll[1]), links: [] })
    if (path === "/search" && req.method === "POST") {
      searches++
      const body = JSON.parse(await readBody(req))
      const hits = search(body)
      const limit = Math.min(body.limit ?? 10, maxPage)
      const offset = body.token === undefined ? 0 : Number(String(body.token).slice(5))
      const page = hits
        .slice(offset, offset + limit)
        .map((k) => json(all[k], o.assetBase ?? base, o.assetPath))
      const links =
        offset + limit < hits.length
          ? [
              {
                rel: "next",
                href: `${base}/search`,
                method: "POST",
                merge: true,
                body: { token: `next:${offset + limit}` }
              }
            ]
          : []
      return send(res, 200, {
        type: "FeatureCollection",
        features: page,
        links,
        numberMatched: hits.length
      })
    }
    send(res, 404, { code: "NotFound" })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url: base,
    searches: () => searches,
    items: all.length,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
