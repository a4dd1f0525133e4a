// Hostile inputs for the raster access tests, generated per run in a temporary folder (nothing committed):
// an allowed root holding a COG, a FIFO and two symbolic links (one escaping), a private COG outside the
// root, and tiny HTTP servers on loopback addresses that log every request they receive.
import { execFileSync } from "node:child_process"
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fixtures } from "../golden.ts"

/** The COG every hostile case points at (a real Landsat 7 scene, see fixtures/rasters). */
export const cog = `${fixtures}derived/L7_ETMs_cog.tif`

/** The generated tree. */
export interface Tree {
  readonly dir: string
  /** The folder reads are allowed under. */
  readonly root: string
  /** `root/cog.tif`: a readable COG. */
  readonly allowed: string
  /** `private/secret.tif`: a COG outside the root. */
  readonly secret: string
  /** `root/fifo`: a named pipe nobody writes to (opening it for reading blocks). */
  readonly fifo: string
  /** `root/escape.tif` → `private/secret.tif`. */
  readonly escape: string
  /** `root/inner.tif` → `root/cog.tif`. */
  readonly inner: string
  readonly remove: () => void
}

/** Generate the tree (`mkfifo` makes the FIFO). */
export const makeTree = (): Tree => {
  const dir = mkdtempSync(join(tmpdir(), "eoforge-hostile-"))
  const root = join(dir, "root")
  mkdirSync(root)
  mkdirSync(join(dir, "private"))
  const allowed = join(root, "cog.tif")
  const secret = join(dir, "private", "secret.tif")
  copyFileSync(cog, allowed)
  copyFileSync(cog, secret)
  const fifo = join(root, "fifo")
  execFileSync("mkfifo", [fifo])
  const escape = join(root, "escape.tif")
  symlinkSync(secret, escape)
  const inner = join(root, "inner.tif")
  symlinkSync(allowed, inner)
  return {
    dir,
    root,
    allowed,
    secret,
    fifo,
    escape,
    inner,
    remove: () => rmSync(dir, { recursive: true, force: true })
  }
}

/** A server that logs every request (path with query, Range header) before `handle` answers it. */
export interface Logging {
  readonly base: string
  readonly log: Array<{ readonly url: string; readonly range?: string | undefined }>
  readonly close: () => Promise<void>
}

/** Start a logging server on `host` (a loopback address such as 127.0.0.2). */
export const serve = async (
  host: string,
  handle: (req: IncomingMessage, res: ServerResponse) => void
): Promise<Logging> => {
  const log: Array<{ url: string; range?: string | undefined }> = []
  const server = createServer((req, res) => {
    log.push({ url: req.url ?? "/", range: req.headers.range })
    handle(req, res)
  })
  await new Promise<void>((done) => server.listen(0, host, done))
  return {
    base: `http://${host}:${(server.address() as AddressInfo).port}`,
    log,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections()
        server.close(() => done())
      })
  }
}

/** Answer a Range request from the bytes of `file`. */
export const sendRange = (bytes: Buffer, req: IncomingMessage, res: ServerResponse): void => {
  const m = /bytes=(\d+)-(\d+)?/.exec(req.headers.range ?? "")
  if (m === null) {
    res.writeHead(200, { "content-length": bytes.byteLength }).end(bytes)
    return
  }
  const start = Number(m[1])
  const end = Math.min(
    m[2] === undefined ? bytes.byteLength - 1 : Number(m[2]),
    bytes.byteLength - 1
  )
  res
    .writeHead(206, {
      "content-range": `bytes ${start}-${end}/${bytes.byteLength}`,
      "content-length": end - start + 1
    })
    .end(bytes.subarray(start, end + 1))
}
