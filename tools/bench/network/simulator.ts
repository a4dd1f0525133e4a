// A local object store with a real network's limits, for tools/bench/network: an HTTP/1.1 range server on
// 127.0.0.1 adding a fixed latency before each response's first byte, sharing one bandwidth (a token bucket
// across every connection), serving at most `concurrency` requests at once (the rest wait, as at a connection
// limit) and refusing requests beyond `requestsPerSecond` with 503 SlowDown + Retry-After (S3's answer).
// Files are virtual Sentinel-2-like COGs (cog.ts) named /files/<item id>/<asset>.tif, laid on the item's tile.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { Zone } from "@eoforge/grid"
import * as Cog from "./cog.ts"

/** The simulated network. */
export interface Limits {
  /** Delay before the first byte of every response, ms. */
  readonly latencyMs: number
  /** Bytes per second shared by all connections. */
  readonly bytesPerSecond: number
  /** Requests admitted per second (token bucket of a tenth of a second's worth); beyond: 503 + Retry-After. */
  readonly requestsPerSecond: number
  /** Requests served at once; more wait for a free slot. */
  readonly concurrency: number
  /** Seconds sent in Retry-After. */
  readonly retryAfterS: number
}

/** Counters since start or the last `reset`. */
export interface Counters {
  requests: number
  bytes: number
  throttled: number
  headers: number
  /** Range requests starting in a file's header (IFDs and tile indexes: opening it), not in its tile data. */
  headerReads: number
  maxInFlight: number
  /** Seconds of requests being served, summed over requests (÷ wall time: the mean in flight). */
  servingSeconds: number
  /** When the first request since start or `reset` came (performance.now(), ms), undefined before. */
  firstAt: number | undefined
}

/** One served request, as `record` keeps them (times from `performance.now()` of this process). */
export interface Served {
  /** The client's port (which process sent it: `ss -tnp`). */
  readonly port: number
  /** Arrival and the body's last byte, ms. */
  readonly t0: number
  readonly t1: number
  readonly path: string
  /** Whether the range starts before the file's first tile (a header or IFD read). */
  readonly header: boolean
  readonly bytes: number
}

/** A running simulator. */
export interface Simulator {
  readonly url: string
  readonly counters: () => Counters
  readonly reset: () => void
  /** Starts keeping every served request (from now on, until `record(false)`); returns those kept. */
  readonly record: (on: boolean) => ReadonlyArray<Served>
  /** Changes some limits from now on. */
  readonly configure: (changes: Partial<Limits>) => void
  /** The virtual file at a path (for computing what a chip needs). */
  readonly file: (path: string) => Cog.VirtualFile | undefined
  readonly close: () => Promise<void>
}

/** Native resolution (m) of Earth Search's Sentinel-2 asset keys. */
export const bandResolution: Readonly<Record<string, number>> = {
  coastal: 60,
  blue: 10,
  green: 10,
  red: 10,
  rededge1: 20,
  rededge2: 20,
  rededge3: 20,
  nir: 10,
  nir08: 20,
  nir09: 60,
  cirrus: 60,
  swir16: 20,
  swir22: 20
}

// The tile of an item id `S2A_T1890_1350_<stamp>_L2A` as catalogue.ts lays it: 0.9° of latitude from
// (lat code / 10 − 90), 0.9°/cos longitude from (lon code / 10 − 180), 5 % margins, in the UTM zone of its centre.
const specOf = (id: string, band: string, seed: number): Cog.CogSpec | undefined => {
  const m = /^S2[AB]_T(\d+)_(\d+)_/.exec(id)
  const res = bandResolution[band]
  if (m === null || res === undefined) return undefined
  const lon = Number(m[1]) / 10 - 180
  const lat = Number(m[2]) / 10 - 90
  const width = Math.min(6, 0.9 / Math.cos(((lat + 0.45) * Math.PI) / 180))
  const box = [lon - 0.05 * width, lat - 0.045, lon + 1.05 * width, lat + 0.945]
  const epsg = 32600 + Math.floor((box[0] + box[2]) / 2 / 6 + 31)
  const corners = [
    [box[0], box[1]],
    [box[2], box[1]],
    [box[2], box[3]],
    [box[0], box[3]]
  ].map(([x, y]) => Zone.forward(epsg, x, y))
  const x0 = Math.floor(Math.min(...corners.map((c) => c[0])) / 60) * 60
  const y0 = Math.ceil(Math.max(...corners.map((c) => c[1])) / 60) * 60
  const x1 = Math.max(...corners.map((c) => c[0]))
  const y1 = Math.min(...corners.map((c) => c[1]))
  return {
    width: Math.ceil((x1 - x0) / res),
    height: Math.ceil((y0 - y1) / res),
    x0,
    y0,
    resolution: res,
    epsg,
    seed
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** Start the simulator on 127.0.0.1. */
export const start = async (initial: Limits): Promise<Simulator> => {
  let limits = initial
  const pool = Cog.tilePool(16)
  const files = new Map<string, Cog.VirtualFile | undefined>()
  const file = (path: string): Cog.VirtualFile | undefined => {
    const m = /^\/files\/([^/]+)\/([a-z0-9]+)\.tif$/.exec(path)
    if (m === null) return undefined
    const tile = /^S2[AB]_(T\d+_\d+)_/.exec(m[1])?.[1] ?? ""
    const key = `${tile}/${m[2]}`
    if (!files.has(key)) {
      let seed = 0
      for (const c of key) seed = (seed * 31 + c.charCodeAt(0)) | 0
      const spec = specOf(m[1], m[2], seed)
      files.set(key, spec === undefined ? undefined : Cog.make(spec, pool))
    }
    return files.get(key)
  }
  const counters: Counters = {
    requests: 0,
    bytes: 0,
    throttled: 0,
    headers: 0,
    headerReads: 0,
    maxInFlight: 0,
    servingSeconds: 0,
    firstAt: undefined
  }
  // Rate limit: a bucket of a tenth of a second's requests, refilled continuously.
  const capacity = Math.max(1, limits.requestsPerSecond / 10)
  let tokens = capacity
  let refilled = performance.now()
  const admit = (): boolean => {
    const now = performance.now()
    tokens = Math.min(capacity, tokens + ((now - refilled) / 1000) * limits.requestsPerSecond)
    refilled = now
    if (tokens < 1) return false
    tokens -= 1
    return true
  }
  // Bandwidth: chunks are given consecutive slots of one shared link (2 ms of burst allowed). The body is
  // written as views of the file's pieces (header, pooled tiles): nothing is copied or allocated per response.
  let linkFreeAt = 0
  const transmit = async (res: ServerResponse, body: ReadonlyArray<Buffer>, length: number) => {
    const chunk = 64 * 1024
    let piece = 0
    let inPiece = 0
    for (let at = 0; at < length; at += chunk) {
      const n = Math.min(chunk, length - at)
      const now = performance.now()
      linkFreeAt = Math.max(linkFreeAt, now) + (n / limits.bytesPerSecond) * 1000
      if (linkFreeAt - now > 2) await sleep(linkFreeAt - now - 1)
      if (res.destroyed) return
      // The chunk's bytes: the rest of the current piece and the starts of the next ones.
      let ok = true
      res.cork()
      for (let left = n; left > 0;) {
        const p = body[piece]
        const take = Math.min(left, p.length - inPiece)
        ok = res.write(inPiece === 0 && take === p.length ? p : p.subarray(inPiece, inPiece + take))
        left -= take
        inPiece += take
        if (inPiece === p.length) {
          piece++
          inPiece = 0
        }
      }
      res.uncork()
      if (!ok)
        await new Promise<void>((resolve) => {
          const done = () => {
            res.off("drain", done)
            res.off("close", done)
            resolve()
          }
          res.on("drain", done)
          res.on("close", done)
        })
    }
    res.end()
  }
  let served: Array<Served> | undefined
  let inFlight = 0
  const waiting: Array<() => void> = []
  const slot = async () => {
    if (inFlight >= limits.concurrency) await new Promise<void>((r) => waiting.push(r))
    inFlight++
    counters.maxInFlight = Math.max(counters.maxInFlight, inFlight)
  }
  const free = () => {
    inFlight--
    waiting.shift()?.()
  }
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    counters.firstAt ??= performance.now()
    const path = decodeURIComponent((req.url ?? "/").split("?")[0])
    if (!admit()) {
      counters.throttled++
      res.writeHead(503, {
        "retry-after": String(limits.retryAfterS),
        "content-type": "application/xml"
      })
      res.end(
        "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>"
      )
      return
    }
    const arrived = performance.now()
    await slot()
    const began = performance.now()
    try {
      counters.requests++
      await sleep(limits.latencyMs)
      const f = file(path)
      if (f === undefined) {
        res.writeHead(404, { "content-type": "application/xml" })
        res.end("<Error><Code>NoSuchKey</Code></Error>")
        return
      }
      // As S3: an ETag naming the object's version (the virtual files never change).
      const etag = `"${f.size.toString(16)}-${path.length.toString(16)}"`
      if (req.method === "HEAD") {
        counters.headers++
        res.writeHead(200, { "content-length": f.size, "accept-ranges": "bytes", etag })
        res.end()
        return
      }
      const range = /^bytes=(\d+)-(\d*)$/.exec(String(req.headers.range ?? ""))
      const start = range === null ? 0 : Number(range[1])
      const end =
        range === null || range[2] === "" ? f.size : Math.min(f.size, Number(range[2]) + 1)
      if (start >= f.size) {
        res.writeHead(416, { "content-range": `bytes */${f.size}` })
        res.end()
        return
      }
      const header = f.tiles.length > 0 && start < f.tiles[0][0]
      if (header) counters.headerReads++
      const body = f.pieces(start, end)
      const length = body.reduce((n, p) => n + p.length, 0)
      counters.bytes += length
      const port = req.socket.remotePort ?? 0
      res.once("finish", () =>
        served?.push({ port, t0: arrived, t1: performance.now(), path, header, bytes: length })
      )
      res.writeHead(range === null ? 200 : 206, {
        "content-length": length,
        "accept-ranges": "bytes",
        "content-type": "image/tiff",
        etag,
        ...(range === null ? {} : { "content-range": `bytes ${start}-${end - 1}/${f.size}` })
      })
      await transmit(res, body, length)
    } finally {
      counters.servingSeconds += (performance.now() - began) / 1000
      free()
    }
  }
  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy())
  })
  server.keepAliveTimeout = 30_000
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", 1024, resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    counters: () => ({ ...counters }),
    reset: () => {
      counters.requests = 0
      counters.bytes = 0
      counters.throttled = 0
      counters.headers = 0
      counters.headerReads = 0
      counters.maxInFlight = 0
      counters.servingSeconds = 0
      counters.firstAt = undefined
    },
    record: (on) => {
      const kept = served ?? []
      served = on ? [] : undefined
      return kept
    },
    configure: (changes) => {
      limits = { ...limits, ...changes }
    },
    file,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
