// SIGTERM/SIGINT stop a build within seconds even while it waits on a raster host that never answers, and a
// rerun finishes the store byte-identical to an uninterrupted build. The demo catalogue is copied with its
// data assets served by a local HTTP server (Range requests), which can be told to stall.
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { cpSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { createServer, type Server } from "node:http"
import type { Socket } from "node:net"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { jsonLines, run, smallRecipe, start } from "../run.ts"
import { digest, tempDir } from "../tree.ts"

const demo = fileURLToPath(new URL("../../../../fixtures/demo/", import.meta.url))
const tmp = tempDir("signal")
let server: Server
let port = 0
let stall = false
let requests = 0
const sockets = new Set<Socket>()

beforeAll(async () => {
  server = createServer((req, res) => {
    requests++
    if (stall) return // never answers: the build waits on it until stopped
    const path = join(demo, "data", decodeURIComponent(new URL(req.url!, "http://x").pathname))
    let size: number
    try {
      size = statSync(path).size
    } catch {
      res.writeHead(404).end()
      return
    }
    const bytes = readFileSync(path)
    const range = /bytes=(\d+)-(\d+)?/.exec(req.headers.range ?? "")
    if (range === null) {
      res.writeHead(200, { "content-length": size }).end(bytes)
      return
    }
    const from = Number(range[1])
    const to = Math.min(size - 1, range[2] === undefined ? size - 1 : Number(range[2]))
    res
      .writeHead(206, {
        "content-range": `bytes ${from}-${to}/${size}`,
        "content-length": to - from + 1
      })
      .end(bytes.subarray(from, to + 1))
  })
  server.on("connection", (s) => {
    sockets.add(s)
    s.on("close", () => sockets.delete(s))
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  port = (server.address() as { port: number }).port
  // The catalogue, its data assets pointing at the server.
  const stac = join(tmp.path, "stac")
  cpSync(join(demo, "stac"), stac, { recursive: true })
  const rewrite = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) rewrite(path)
      else if (entry.name.endsWith(".json"))
        writeFileSync(
          path,
          readFileSync(path, "utf8").replace(
            /"(?:\.\.\/)+data\/([^"]+\.tif)"/g,
            (_, file: string) => `"http://127.0.0.1:${port}/${file}"`
          )
        )
    }
  }
  rewrite(stac)
  const recipe = readFileSync(smallRecipe, "utf8")
    .replace(/catalog: .*/, `catalog: ${join(stac, "catalog.json")}`)
    .replace(
      /aoi: .*/,
      `aoi: ${fileURLToPath(new URL("../../../pipeline/recipes/olinda-aoi.geojson", import.meta.url))}`
    )
  // The silent host is on loopback: the recipe allows it explicitly, as a user's own test server would be.
  writeFileSync(
    join(tmp.path, "http.yaml"),
    `${recipe.replace(/^access:\n(?: {2}.*\n)*/m, "")}\naccess:\n  hosts: [127.0.0.1]\n  allowPrivateNetworks: true\n`
  )
})

afterAll(async () => {
  for (const s of sockets) s.destroy()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  tmp.remove()
})

const stopped = async (out: string, signal: "SIGTERM" | "SIGINT") => {
  stall = true
  requests = 0
  let sentAt = 0
  const { child, done } = start([
    "build",
    join(tmp.path, "http.yaml"),
    "--out",
    out,
    "--log-format",
    "json"
  ])
  // Wait until the build is blocked on the silent host, then signal it.
  while (requests === 0) await new Promise((r) => setTimeout(r, 20))
  await new Promise((r) => setTimeout(r, 300))
  sentAt = performance.now()
  child.kill(signal)
  const o = await done
  const ms = performance.now() - sentAt
  stall = false
  return { o, ms }
}

describe("a build stopped by a signal", () => {
  it("SIGTERM while waiting on a silent raster host: exits within 5 s, not 0, and a rerun ends byte-identical", async () => {
    const reference = join(tmp.path, "reference.zarr")
    const ref = await run(
      "build",
      join(tmp.path, "http.yaml"),
      "--out",
      reference,
      "--log-format",
      "json"
    )
    assert.strictEqual(ref.code, 0, ref.stderr)
    assert.isAbove(requests, 0, "the reference build read its rasters over HTTP")
    const expected = digest(reference)

    const out = join(tmp.path, "stopped.zarr")
    const { o, ms } = await stopped(out, "SIGTERM")
    assert.isBelow(ms, 5000, `exited ${ms.toFixed(0)} ms after SIGTERM`)
    assert.notStrictEqual(o.code, 0, o.stderr)
    assert.isFalse(
      jsonLines(o.stderr).some((e) => e.type === "done"),
      "it did not finish"
    )

    const again = await run(
      "build",
      join(tmp.path, "http.yaml"),
      "--out",
      out,
      "--log-format",
      "json"
    )
    assert.strictEqual(again.code, 0, again.stderr)
    assert.deepStrictEqual(digest(out), expected)
  }, 180_000)

  it("SIGINT (Ctrl-C) stops it just as fast", async () => {
    const { o, ms } = await stopped(join(tmp.path, "interrupted.zarr"), "SIGINT")
    assert.isBelow(ms, 5000, `exited ${ms.toFixed(0)} ms after SIGINT`)
    assert.notStrictEqual(o.code, 0, o.stderr)
  })
})
