import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Effect, Exit, type Layer } from "effect"
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { parse, stringify } from "yaml"
import * as S3 from "../../../tools/servers/s3.ts"
import * as Web from "../../../tools/static-stac/server.ts"
import { Build, Services } from "../src/index.ts"
import { digest, tempDir } from "./tree.ts"

// The small demo recipe built twice: from fixtures/demo on disk, and from the same folder served by a local
// web server (catalogue, items and COGs over HTTP, read with range requests).
const small = fileURLToPath(new URL("./fixtures/small.yaml", import.meta.url))
const demo = resolve(dirname(small), "../../../../fixtures/demo")
const createdAt = "2024-05-06T07:08:09.000Z"
const tmp = tempDir("static-http")
let server: Web.StaticServer

const run = <A, E>(effect: Effect.Effect<A, E, Layer.Success<typeof Services.layer>>) =>
  Effect.runPromiseExit(effect.pipe(Effect.provide(Services.layer)))

const recipeWith = (name: string, catalog: string): string => {
  const r = parse(readFileSync(small, "utf8"))
  r.sampling.aoi = resolve(dirname(small), r.sampling.aoi)
  r.sources.demo.catalog = catalog
  r.access.localRoots = [demo]
  const file = join(tmp.path, `${name}.yaml`)
  writeFileSync(file, stringify(r))
  return file
}

const local = join(tmp.path, "local.zarr")
const remote = join(tmp.path, "http.zarr")
// The root attributes record the recipe's catalogue (a path or a URL) and croissant.json hashes them: the
// only two files that may differ, and only by that text.
const located = new Set(["zarr.json", "croissant.json"])
let requestsOfFirst = 0

beforeAll(async () => {
  server = await Web.start({ folder: demo })
  const a = await run(
    Build.build({
      recipe: recipeWith("local", join(demo, "stac/catalog.json")),
      out: local,
      createdAt
    })
  )
  assert.isTrue(Exit.isSuccess(a), String(Exit.isFailure(a) ? a.cause : ""))
  const b = await run(
    Build.build({
      recipe: recipeWith("http", `${server.url}/stac/catalog.json`),
      out: remote,
      createdAt
    })
  )
  assert.isTrue(Exit.isSuccess(b), String(Exit.isFailure(b) ? b.cause : ""))
  requestsOfFirst = server.requests.length
}, 120_000)

afterAll(async () => {
  await server?.close()
  tmp.remove()
})

describe("a static catalogue over HTTP", () => {
  it("builds the store the local catalogue builds: every array byte-identical", () => {
    const a = digest(local)
    const b = Object.fromEntries(
      Object.entries(digest(remote)).filter(([k]) => !k.startsWith(".eoforge/stac-cache/"))
    )
    assert.deepStrictEqual(Object.keys(b), Object.keys(a))
    const differing = Object.keys(a).filter((k) => a[k] !== b[k])
    assert.deepStrictEqual(differing.sort(), [...located].sort())
    assert.isAbove(Object.keys(a).length, 20)
    // With the location written the same way, they are the same bytes too.
    const url = `${server.url}/stac/catalog.json`
    const path = join(demo, "stac/catalog.json")
    const text = (store: string, file: string) => readFileSync(join(store, file), "utf8")
    const size = (store: string) => statSync(join(store, "zarr.json")).size
    assert.include(text(remote, "zarr.json"), url)
    assert.strictEqual(text(remote, "zarr.json").replaceAll(url, path), text(local, "zarr.json"))
    assert.strictEqual(
      text(remote, "croissant.json")
        .replaceAll(b["zarr.json"], a["zarr.json"])
        .replace(`"${size(remote)} B"`, `"${size(local)} B"`)
        .replaceAll(url, path),
      text(local, "croissant.json")
    )
  })

  it("reads each catalogue document once, and the COGs with range requests", () => {
    const docs = server.requests
      .slice(0, requestsOfFirst)
      .filter((r) => r.path.startsWith("/stac/"))
    const perPath = new Map<string, number>()
    for (const r of docs) perPath.set(r.path, (perPath.get(r.path) ?? 0) + 1)
    console.log("documents", perPath.size, "requests", docs.length)
    assert.isAbove(perPath.size, 5)
    // The start-up check reads the root once more.
    for (const [path, n] of perPath)
      assert.strictEqual(n, path === "/stac/catalog.json" ? 2 : 1, path)
    assert.isAbove(
      server.requests.filter((r) => r.path.startsWith("/data/") && r.status === 206).length,
      0
    )
    assert.isTrue(existsSync(join(remote, ".eoforge/stac-cache")))
  })

  it("a resumed build revalidates the cached documents (304) instead of fetching them again", async () => {
    const before = digest(remote)
    // A build killed before its first shard was recorded: that shard is built again.
    rmSync(join(remote, ".eoforge/jobs/0.json"))
    const start = server.requests.length
    const exit = await run(
      Build.build({
        recipe: join(tmp.path, "http.yaml"),
        out: remote,
        createdAt
      })
    )
    assert.isTrue(Exit.isSuccess(exit), String(Exit.isFailure(exit) ? exit.cause : ""))
    const docs = server.requests.slice(start).filter((r) => r.path.startsWith("/stac/"))
    // The start-up check reads the root unconditionally; every other document is revalidated.
    const rest = docs.filter((r) => r.path !== "/stac/catalog.json" || r.status !== 200)
    assert.isAbove(rest.length, 3)
    assert.isTrue(
      rest.every((r) => r.status === 304),
      JSON.stringify(rest)
    )
    assert.deepStrictEqual(digest(remote), before)
  })

  it("a root the server answers 404 fails before planning, naming the URL and the status", async () => {
    const url = `${server.url}/stac/missing.json`
    const out = join(tmp.path, "missing.zarr")
    const exit = await run(Build.build({ recipe: recipeWith("missing", url), out, createdAt }))
    assert.isTrue(Exit.isFailure(exit))
    const text = String(Exit.isFailure(exit) ? exit.cause : "")
    assert.include(text, "InputError")
    assert.include(text, url)
    assert.include(text, "404")
    assert.isFalse(existsSync(out))
  })

  it("a root that is not STAC JSON fails before planning, naming the URL", async () => {
    const url = `${server.url}/README.md`
    const exit = await run(
      Build.build({ recipe: recipeWith("notjson", url), out: join(tmp.path, "nj.zarr"), createdAt })
    )
    const text = String(Exit.isFailure(exit) ? exit.cause : "")
    assert.include(text, "NotStacError")
    assert.include(text, url)
  })
})

// The same folder as a public bucket of a local S3-compatible server: `s3://demo/stac/catalog.json`.
describe("a static catalogue in an S3-compatible object store", () => {
  let s3: S3.S3Server
  const store = join(tmp.path, "s3.zarr")
  let recipe = ""
  const objects = new Map<string, Uint8Array>()
  const walk = (dir: string, prefix: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name), `${prefix}${e.name}/`)
      else objects.set(`${prefix}${e.name}`, readFileSync(join(dir, e.name)))
    }
  }
  beforeAll(async () => {
    walk(demo, "")
    s3 = await S3.start({ demo: { objects, public: true } }, {})
    const r = parse(readFileSync(small, "utf8"))
    r.sampling.aoi = resolve(dirname(small), r.sampling.aoi)
    r.sources.demo.catalog = "s3://demo/stac/catalog.json"
    r.access = {
      hosts: ["127.0.0.1"],
      allowPrivateNetworks: true,
      s3: [{ bucket: "demo", endpoint: s3.endpoint, anonymous: true }]
    }
    recipe = join(tmp.path, "s3.yaml")
    writeFileSync(recipe, stringify(r))
  })
  afterAll(async () => {
    await s3?.close()
  })

  it("builds the store the local catalogue builds, then revalidates its documents on resume", async () => {
    const exit = await run(Build.build({ recipe, out: store, createdAt }))
    assert.isTrue(Exit.isSuccess(exit), String(Exit.isFailure(exit) ? exit.cause : ""))
    const a = digest(local)
    const b = Object.fromEntries(
      Object.entries(digest(store)).filter(([k]) => !k.startsWith(".eoforge/stac-cache/"))
    )
    assert.deepStrictEqual(Object.keys(b), Object.keys(a))
    const differing = Object.keys(a).filter((k) => a[k] !== b[k])
    assert.deepStrictEqual(differing.sort(), [...located].sort())
    const url = "s3://demo/stac/catalog.json"
    const path = join(demo, "stac/catalog.json")
    const text = (s: string, f: string) => readFileSync(join(s, f), "utf8")
    // The root attributes differ only in the recipe's sources and access keys (the bucket's endpoint).
    const diffs: Array<string> = []
    const compare = (x: any, y: any, at: string) => {
      if (JSON.stringify(x) === JSON.stringify(y)) return
      if (typeof x !== "object" || typeof y !== "object" || x === null || y === null)
        return void diffs.push(at)
      for (const k of new Set([...Object.keys(x), ...Object.keys(y)]))
        compare(x[k], y[k], `${at}/${k}`)
    }
    compare(
      JSON.parse(text(store, "zarr.json").replaceAll(url, path)),
      JSON.parse(text(local, "zarr.json")),
      ""
    )
    assert.isAbove(diffs.length, 0)
    assert.isTrue(
      diffs.every((d) => /\/recipe\/access(\/|$)/.test(d)),
      diffs.join(", ")
    )
    // Documents once each (the root twice: the start-up check), COGs by ranges.
    const docs = s3.log.filter((l) => l.path.startsWith("/demo/stac/"))
    const perPath = new Map<string, number>()
    for (const l of docs) perPath.set(l.path, (perPath.get(l.path) ?? 0) + 1)
    for (const [p, n] of perPath) assert.strictEqual(n, p === "/demo/stac/catalog.json" ? 2 : 1, p)
    assert.isAbove(
      s3.log.filter((l) => l.path.startsWith("/demo/data/") && l.status === 206).length,
      0
    )
    // Resumed: every document but the start-up check's root answers 304.
    rmSync(join(store, ".eoforge/jobs/0.json"))
    const start = s3.log.length
    const again = await run(Build.build({ recipe, out: store, createdAt }))
    assert.isTrue(Exit.isSuccess(again), String(Exit.isFailure(again) ? again.cause : ""))
    const rest = s3.log
      .slice(start)
      .filter((l) => l.path.startsWith("/demo/stac/"))
      .filter((l) => l.path !== "/demo/stac/catalog.json" || l.status !== 200)
    assert.isAbove(rest.length, 3)
    assert.isTrue(
      rest.every((l) => l.status === 304),
      JSON.stringify(rest.map((l) => [l.path, l.status]))
    )
  })
})
