// A local npm registry for the @eoforge scope only: packuments and tarballs of `npm pack` output, so that
// installs take every @eoforge package from the tarballs and everything else from the npm registry.
import { readFileSync } from "node:fs"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { basename } from "node:path"

/** One packed package, as `npm pack --json` describes it. */
export interface Packed {
  readonly name: string
  readonly version: string
  readonly filename: string
  readonly integrity: string
  readonly shasum: string
  readonly manifest: Record<string, unknown>
}

/** A running scope registry: its URL (for `--@eoforge:registry=`) and how to stop it. */
export interface ScopeRegistry {
  readonly url: string
  readonly requests: ReadonlyArray<string>
  readonly close: () => Promise<void>
}

/** Serve `packed` (tarball paths absolute) on 127.0.0.1; unknown names answer 404. */
export const serve = async (packed: ReadonlyArray<Packed>): Promise<ScopeRegistry> => {
  const requests: Array<string> = []
  let base = ""
  const byName = new Map(packed.map((p) => [p.name, p]))
  const byFile = new Map(packed.map((p) => [basename(p.filename), p]))
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? "/").split("?")[0]!)
    requests.push(path)
    const tarball = byFile.get(basename(path))
    if (path.startsWith("/-/") && tarball !== undefined) {
      res.writeHead(200, { "content-type": "application/octet-stream" })
      res.end(readFileSync(tarball.filename))
      return
    }
    const pkg = byName.get(path.slice(1))
    if (pkg === undefined) {
      res.writeHead(404, { "content-type": "application/json" })
      res.end(JSON.stringify({ error: "not found" }))
      return
    }
    const version = {
      ...pkg.manifest,
      _id: `${pkg.name}@${pkg.version}`,
      dist: {
        tarball: `${base}/-/${basename(pkg.filename)}`,
        integrity: pkg.integrity,
        shasum: pkg.shasum
      }
    }
    res.writeHead(200, { "content-type": "application/json" })
    res.end(
      JSON.stringify({
        _id: pkg.name,
        name: pkg.name,
        "dist-tags": { latest: pkg.version },
        versions: { [pkg.version]: version }
      })
    )
  })
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url: `${base}/`,
    requests,
    close: () => new Promise<void>((ok) => server.close(() => ok()))
  }
}
