// Hostile catalogues for the access tests, generated per run in a temporary folder (nothing committed): a
// local catalogue root with a FIFO, a symbolic link escaping it and a collection outside it, and tiny HTTP
// servers on loopback addresses (127.0.0.1, 127.0.0.2) that log every request they receive.
import { execFileSync } from "node:child_process"
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"

/** A STAC collection document with the given links. */
export const collection = (id: string, links: ReadonlyArray<{ rel: string; href: string }>) => ({
  type: "Collection",
  stac_version: "1.0.0",
  id,
  description: "hostile test collection",
  license: "CC0-1.0",
  extent: {},
  links
})

/** A catalogue root with one child link to `href`. */
export const catalog = (href: string) => ({
  type: "Catalog",
  stac_version: "1.0.0",
  id: "hostile",
  description: "hostile test catalogue",
  links: [{ rel: "child", href }]
})

/** The generated tree: `root/` (the catalogue's folder) and `outside/` beside it. */
export interface Tree {
  readonly dir: string
  readonly root: string
  /** Write `root/case-<name>.json` as a catalogue whose only child is `href`; its path. */
  readonly catalogTo: (name: string, href: string) => string
  readonly remove: () => void
}

/** Generate the tree: `root/fifo` (mkfifo), `root/escape.json` → `outside/collection.json`. */
export const makeTree = (): Tree => {
  const dir = mkdtempSync(join(tmpdir(), "eoforge-hostile-stac-"))
  const root = join(dir, "root")
  mkdirSync(root)
  mkdirSync(join(dir, "outside"))
  const outside = join(dir, "outside", "collection.json")
  writeFileSync(outside, JSON.stringify(collection("c", [])))
  execFileSync("mkfifo", [join(root, "fifo")])
  symlinkSync(outside, join(root, "escape.json"))
  return {
    dir,
    root,
    catalogTo: (name, href) => {
      const path = join(root, `case-${name}.json`)
      writeFileSync(path, JSON.stringify(catalog(href)))
      return path
    },
    remove: () => rmSync(dir, { recursive: true, force: true })
  }
}

/** A server that logs every request before `handle` answers it. */
export interface Logging {
  readonly base: string
  readonly log: Array<{ readonly method: string; readonly url: string }>
  readonly close: () => Promise<void>
}

/** Start a logging server on `host`. */
export const serve = async (
  host: string,
  handle: (req: IncomingMessage, res: ServerResponse, base: string) => void
): Promise<Logging> => {
  const log: Array<{ method: string; url: string }> = []
  let base = ""
  const server = createServer((req, res) => {
    log.push({ method: req.method ?? "GET", url: req.url ?? "/" })
    req.resume()
    req.on("end", () => handle(req, res, base))
  })
  await new Promise<void>((done) => server.listen(0, host, done))
  base = `http://${host}:${(server.address() as AddressInfo).port}`
  return {
    base,
    log,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections()
        server.close(() => done())
      })
  }
}

/** Answer with JSON. */
export const json = (res: ServerResponse, body: unknown, status = 200): void => {
  const bytes = Buffer.from(JSON.stringify(body))
  res.writeHead(status, { "content-type": "application/json", "content-length": bytes.length })
  res.end(bytes)
}
