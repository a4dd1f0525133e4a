// A static web server on 127.0.0.1 for tests and benchmarks of static STAC catalogues: serves a folder or an
// in-memory tree with ETag and Last-Modified, answers conditional GETs with 304 and byte ranges with 206,
// and records every request (path, status) so tests can count fetches and revalidations.
import { createHash } from "node:crypto"
import { readFileSync, statSync } from "node:fs"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { resolve, sep } from "node:path"

/** One answered request. */
export interface Logged {
  readonly method: string
  readonly path: string
  readonly status: number
  readonly range?: string
}

/** What the server serves: a folder, or documents by path (`/a/b.json` → text or bytes). */
export type Content =
  { readonly folder: string } | { readonly files: ReadonlyMap<string, string | Uint8Array> }

export interface Options {
  /** Send ETag (default true). */
  readonly etag?: boolean
  /** Send Last-Modified (default true); every document has this instant. */
  readonly lastModified?: Date
  /** Answer these paths with this status instead (e.g. 404, 500). */
  readonly status?: (path: string) => number | undefined
  /** Address to listen on (default 127.0.0.1). */
  readonly host?: string
}

/** A running server. */
export interface StaticServer {
  /** `http://127.0.0.1:<port>` without a trailing slash. */
  readonly url: string
  readonly requests: Array<Logged>
  /** Requests answered with each status, for paths matching `filter`. */
  readonly count: (status: number, filter?: (path: string) => boolean) => number
  readonly close: () => Promise<void>
}

const typeOf = (path: string): string =>
  path.endsWith(".json")
    ? "application/json"
    : /\.tiff?$/.test(path)
      ? "image/tiff"
      : "application/octet-stream"

/** Start a server on an ephemeral port. */
export const start = async (content: Content, options: Options = {}): Promise<StaticServer> => {
  const requests: Array<Logged> = []
  const modified = (options.lastModified ?? new Date(Date.UTC(2024, 0, 1))).toUTCString()
  const tags = new Map<string, string>()

  const bodyOf = (path: string): Buffer | undefined => {
    if ("files" in content) {
      const v = content.files.get(path)
      return v === undefined ? undefined : Buffer.from(v)
    }
    const root = resolve(content.folder)
    const file = resolve(root, `.${path}`)
    if (file !== root && !file.startsWith(root + sep)) return undefined
    try {
      return statSync(file).isFile() ? readFileSync(file) : undefined
    } catch {
      return undefined
    }
  }
  const tagOf = (path: string, body: Buffer): string => {
    let t = tags.get(path)
    if (t === undefined) {
      t = `"${createHash("sha1").update(body).digest("hex")}"`
      tags.set(path, t)
    }
    return t
  }

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const method = req.method ?? "GET"
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname)
    const log = (status: number, range?: string) =>
      requests.push({ method, path, status, ...(range === undefined ? {} : { range }) })
    const forced = options.status?.(path)
    if (forced !== undefined) {
      log(forced)
      res.writeHead(forced, { "content-type": "text/plain" }).end(`status ${forced} for ${path}`)
      return
    }
    const body = method === "GET" || method === "HEAD" ? bodyOf(path) : undefined
    if (body === undefined) {
      log(404)
      res.writeHead(404, { "content-type": "text/plain" }).end(`no ${path}`)
      return
    }
    const headers: Record<string, string | number> = {
      "content-type": typeOf(path),
      "accept-ranges": "bytes"
    }
    const etag = options.etag === false ? undefined : tagOf(path, body)
    if (etag !== undefined) headers.etag = etag
    if (options.lastModified !== undefined || options.etag !== false)
      headers["last-modified"] = modified
    // RFC 9110 §13.1.2: If-None-Match wins over If-Modified-Since.
    const inm = req.headers["if-none-match"]
    const ims = req.headers["if-modified-since"]
    const fresh =
      inm !== undefined
        ? etag !== undefined && inm.split(",").some((t) => t.trim() === etag)
        : ims !== undefined && Date.parse(ims) >= Date.parse(modified)
    if (fresh) {
      log(304)
      res.writeHead(304, etag === undefined ? {} : { etag }).end()
      return
    }
    const range = req.headers.range
    const m = range === undefined ? null : /^bytes=(\d+)-(\d*)$/.exec(range)
    if (m !== null) {
      const first = Number(m[1])
      const last = Math.min(m[2] === "" ? body.length - 1 : Number(m[2]), body.length - 1)
      if (first >= body.length) {
        log(416, range)
        res.writeHead(416, { "content-range": `bytes */${body.length}` }).end()
        return
      }
      const part = body.subarray(first, last + 1)
      log(206, range)
      res.writeHead(206, {
        ...headers,
        "content-range": `bytes ${first}-${last}/${body.length}`,
        "content-length": part.length
      })
      res.end(method === "HEAD" ? undefined : part)
      return
    }
    log(200)
    res.writeHead(200, { ...headers, "content-length": body.length })
    res.end(method === "HEAD" ? undefined : body)
  }

  const server = createServer(handle)
  const host = options.host ?? "127.0.0.1"
  await new Promise<void>((done) => server.listen(0, host, done))
  return {
    url: `http://${host}:${(server.address() as AddressInfo).port}`,
    requests,
    count: (status, filter = () => true) =>
      requests.filter((r) => r.status === status && filter(r.path)).length,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections()
        server.close(() => done())
      })
  }
}
