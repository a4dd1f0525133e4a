// A local STAC API over the offline demo catalogue, for the end-to-end tests: landing page, conformance,
// collections, POST /search (collections, datetime, intersects/bbox, `query` on eo:cloud_cover, paging with
// POST `next` links) and the demo COGs under /files/ with HTTP Range support. Records every request.
import { readdirSync, readFileSync } from "node:fs"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { dirname, join, relative, resolve } from "node:path"
import { fileURLToPath } from "node:url"

/** The demo's static catalogue and data directories. */
export const demoStac = fileURLToPath(new URL("../../../fixtures/demo/stac/", import.meta.url))
const demoData = resolve(demoStac, "../data")

/** One request the server answered. */
export interface Logged {
  readonly method: string
  readonly path: string
  readonly body?: any
  readonly range?: string
  readonly status: number
  /** The request target with its query (asset requests). */
  readonly url?: string
}

/** A running server. */
export interface StacApiServer {
  readonly url: string
  readonly requests: ReadonlyArray<Logged>
  readonly close: () => Promise<void>
}

const conformsTo = [
  "https://api.stacspec.org/v1.0.0/core",
  "https://api.stacspec.org/v1.0.0/collections",
  "https://api.stacspec.org/v1.0.0/item-search",
  "https://api.stacspec.org/v1.0.0/item-search#query",
  "http://www.opengis.net/spec/ogcapi-features-1/conf/1.0/core",
  "http://www.opengis.net/spec/ogcapi-features-1/conf/1.0/geojson"
]

type Box = readonly [number, number, number, number]

const boxOf = (coordinates: unknown): Box => {
  let w = Infinity
  let s = Infinity
  let e = -Infinity
  let n = -Infinity
  const visit = (c: any) => {
    if (typeof c[0] === "number") {
      w = Math.min(w, c[0])
      e = Math.max(e, c[0])
      s = Math.min(s, c[1])
      n = Math.max(n, c[1])
    } else for (const x of c) visit(x)
  }
  visit(coordinates)
  return [w, s, e, n]
}

const intersects = (a: Box, b: Box) => a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3]

const parseInterval = (text: string): readonly [number, number] => {
  const [a, b = a] = text.split("/")
  const start = a === ".." || a === "" ? -Infinity : Date.parse(a)
  const end = b === ".." || b === "" ? Infinity : Date.parse(b)
  return [start, end]
}

const compare = (value: unknown, ops: Record<string, unknown>): boolean =>
  Object.entries(ops).every(([op, x]) => {
    if (op === "eq") return value === x
    if (typeof value !== "number" || typeof x !== "number") return false
    return op === "lt"
      ? value < x
      : op === "lte"
        ? value <= x
        : op === "gt"
          ? value > x
          : op === "gte"
            ? value >= x
            : op === "neq"
              ? value !== x
              : false
  })

/**
 * Start the server. Pages hold at most `pageSize` items whatever `limit` asks (servers cap it), so that
 * searches with more results page through `next` links.
 */
export const start = async (
  options: {
    readonly pageSize?: number
    /** A query string appended to the href of the asset at this /files/ path (e.g. a SAS signature). */
    readonly assetQuery?: (path: string) => string | undefined
    /** Another href for the asset at this /files/ path (e.g. `s3://bucket/…`, an archive behind a login). */
    readonly assetHref?: (path: string) => string | undefined
    /** A status to answer instead of the bytes of this /files/ path (e.g. 403, 500). */
    readonly assetStatus?: (path: string) => number | undefined
    /** Hold every POST /search this long before answering, ms (searches of several processes overlap). */
    readonly searchDelayMs?: number
    /** Serve these instead of the demo catalogue; asset hrefs are `/files/<path under dir>`. */
    readonly catalogue?: {
      readonly dir: string
      readonly collections: ReadonlyArray<any>
      readonly items: ReadonlyArray<any>
    }
  } = {}
): Promise<StacApiServer> => {
  const pageSize = options.pageSize ?? 1
  const requests: Array<Logged> = []
  const collections = new Map<string, any>()
  const items: Array<any> = []
  let base = ""
  const dataRoot = options.catalogue?.dir ?? demoData
  for (const c of options.catalogue?.collections ?? []) collections.set(c.id, c)
  items.push(...(options.catalogue?.items ?? []))
  for (const entry of options.catalogue === undefined
    ? readdirSync(demoStac, { withFileTypes: true })
    : []) {
    if (!entry.isDirectory()) continue
    const dir = join(demoStac, entry.name)
    const collection = JSON.parse(readFileSync(join(dir, "collection.json"), "utf8"))
    collections.set(collection.id, collection)
    for (const file of readdirSync(join(dir, "items")).sort()) {
      const path = join(dir, "items", file)
      const item = JSON.parse(readFileSync(path, "utf8"))
      // Asset hrefs become URLs of this server once its port is known.
      for (const asset of Object.values(item.assets) as Array<any>) {
        asset.href = `/files/${relative(demoData, resolve(dirname(path), asset.href))}`
      }
      item.links = []
      items.push(item)
    }
  }
  const absolute = (item: any) => ({
    ...item,
    assets: Object.fromEntries(
      Object.entries(item.assets).map(([k, a]: [string, any]) => {
        const other = options.assetHref?.(a.href)
        if (other !== undefined) return [k, { ...a, href: other }]
        const query = options.assetQuery?.(a.href)
        return [k, { ...a, href: base + a.href + (query === undefined ? "" : `?${query}`) }]
      })
    )
  })
  const send = (
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    body: unknown,
    logged: Omit<Logged, "status">
  ) => {
    requests.push({ ...logged, status })
    const bytes = Buffer.from(JSON.stringify(body))
    res.writeHead(status, { "content-type": "application/json", "content-length": bytes.length })
    res.end(bytes)
  }
  const search = (body: any): { features: Array<any>; next?: number } => {
    const wanted: Array<string> = body.collections ?? []
    const area: Box | undefined =
      body.intersects !== undefined
        ? boxOf(body.intersects.coordinates)
        : body.bbox !== undefined
          ? [body.bbox[0], body.bbox[1], body.bbox[2], body.bbox[3]]
          : undefined
    const interval = typeof body.datetime === "string" ? parseInterval(body.datetime) : undefined
    const query: Record<string, Record<string, unknown>> = body.query ?? {}
    const matching = items.filter((item) => {
      if (!wanted.includes(item.collection)) return false
      if (area !== undefined && !intersects(area, item.bbox)) return false
      if (interval !== undefined) {
        const t = Date.parse(item.properties.datetime)
        if (!(t >= interval[0] && t <= interval[1])) return false
      }
      return Object.entries(query).every(([k, ops]) => compare(item.properties[k], ops))
    })
    const offset = Number(/^offset:(\d+)$/.exec(body.token ?? "")?.[1] ?? 0)
    const limit = Math.min(Number(body.limit ?? 10), pageSize)
    const features = matching.slice(offset, offset + limit).map(absolute)
    return offset + limit < matching.length ? { features, next: offset + limit } : { features }
  }
  const handler = (req: IncomingMessage, res: ServerResponse, raw: string) => {
    const path = new URL(req.url ?? "/", "http://x").pathname
    const method = req.method ?? "GET"
    if (method === "GET" && (path === "/" || path === "")) {
      return send(
        req,
        res,
        200,
        {
          type: "Catalog",
          stac_version: "1.0.0",
          id: "demo-api",
          description: "EOForge demo catalogue as a STAC API (tests)",
          conformsTo,
          links: [
            { rel: "self", href: `${base}/` },
            { rel: "conformance", href: `${base}/conformance` },
            { rel: "data", href: `${base}/collections` },
            { rel: "search", href: `${base}/search`, method: "POST" }
          ]
        },
        { method, path }
      )
    }
    if (method === "GET" && path === "/conformance") {
      return send(req, res, 200, { conformsTo }, { method, path })
    }
    const coll = /^\/collections\/([^/]+)$/.exec(path)
    if (method === "GET" && coll !== null) {
      const c = collections.get(decodeURIComponent(coll[1]))
      return c === undefined
        ? send(
            req,
            res,
            404,
            { code: "NotFound", description: "no such collection" },
            { method, path }
          )
        : send(req, res, 200, { ...c, links: [] }, { method, path })
    }
    if (method === "POST" && path === "/search") {
      let body: any
      try {
        body = JSON.parse(raw)
      } catch {
        return send(req, res, 400, { code: "BadRequest" }, { method, path })
      }
      const page = search(body)
      const links =
        page.next === undefined
          ? []
          : [
              {
                rel: "next",
                href: `${base}/search`,
                method: "POST",
                body: { token: `offset:${page.next}` },
                merge: true
              }
            ]
      return send(
        req,
        res,
        200,
        { type: "FeatureCollection", features: page.features, links },
        { method, path, body }
      )
    }
    const file = /^\/files\/(.+)$/.exec(path)
    if (method === "GET" && file !== null) {
      const refused = options.assetStatus?.(path)
      if (refused !== undefined) {
        requests.push({ method, path, status: refused, url: req.url ?? "" })
        res.writeHead(refused, { "content-type": "text/plain" }).end(`refused: ${req.url}`)
        return
      }
      const target = resolve(dataRoot, decodeURIComponent(file[1]))
      let bytes: Buffer
      try {
        if (!target.startsWith(dataRoot)) throw new Error("outside")
        bytes = readFileSync(target)
      } catch {
        requests.push({ method, path, status: 404 })
        res.writeHead(404).end()
        return
      }
      const range = req.headers.range
      const m = range === undefined ? null : /^bytes=(\d+)-(\d*)$/.exec(range)
      if (m === null) {
        requests.push({ method, path, status: 200 })
        res.writeHead(200, { "content-length": bytes.length, "accept-ranges": "bytes" })
        res.end(bytes)
        return
      }
      const first = Number(m[1])
      const last = Math.min(m[2] === "" ? bytes.length - 1 : Number(m[2]), bytes.length - 1)
      if (first >= bytes.length) {
        requests.push({ method, path, range, status: 416 })
        res.writeHead(416, { "content-range": `bytes */${bytes.length}` }).end()
        return
      }
      const part = bytes.subarray(first, last + 1)
      requests.push({ method, path, range, status: 206, url: req.url ?? "" })
      res.writeHead(206, {
        "content-range": `bytes ${first}-${last}/${bytes.length}`,
        "content-length": part.length,
        "accept-ranges": "bytes"
      })
      res.end(part)
      return
    }
    send(req, res, 404, { code: "NotFound" }, { method, path })
  }
  const server = createServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => {
      const delay = req.url?.startsWith("/search") === true ? (options.searchDelayMs ?? 0) : 0
      const answer = () => handler(req, res, Buffer.concat(chunks).toString("utf8"))
      if (delay > 0) setTimeout(answer, delay)
      else answer()
    })
  })
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url: base,
    requests,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections()
        server.close(() => done())
      })
  }
}
