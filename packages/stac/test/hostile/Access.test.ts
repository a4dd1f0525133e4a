// Hostile catalogues: links, next pages and asset hrefs pointing at local system files, paths outside the
// catalogue's folder, FIFOs, escaping symbolic links, other hosts and the cloud metadata address; host names
// resolving to private addresses; and Retry-After honoured by the STAC client on the TestClock.
import { assert, describe, it } from "@effect/vitest"
import { AccessPolicy, Crs, type Patch, Reason } from "@eoforge/core"
import { Effect, Fiber, Layer, Stream } from "effect"
import { TestClock } from "effect/testing"
import { relative } from "node:path"
import { afterAll, beforeAll } from "vitest"
import { AssetSigner, Find, Presets, StacClient, TimeSlots } from "../../src/index.ts"
import * as Fx from "../fixture/stacServer.ts"
import { catalog, collection, json, makeTree, serve, type Logging, type Tree } from "./fixture.ts"

const client = (resolve?: StacClient.Options["resolve"]) =>
  StacClient.make({
    timeoutMs: 2000,
    backoffMs: 5,
    maxAttempts: 2,
    requestsPerSecond: 0,
    ...(resolve === undefined ? {} : { resolve })
  })

/** The search's failure, which must come within 3 s (a blocked read fails the test). */
const failure = (source: StacClient.Source, resolve?: StacClient.Options["resolve"]) =>
  Stream.runCollect(client(resolve).search(source, { collections: ["c"] })).pipe(
    Effect.flip,
    Effect.timeoutOrElse({
      duration: "3 seconds",
      orElse: () => Effect.die(new Error("the search blocked"))
    })
  )

let tree: Tree
let other: Logging
let remote: Logging
beforeAll(async () => {
  tree = makeTree()
  other = await serve("127.0.0.2", (_req, res) => json(res, collection("c", [])))
  // A remote static catalogue: /<case> is a catalogue whose child is the case's href.
  const cases: Record<string, string> = {
    "/file": "file:///etc/passwd",
    "/other": `${other.base}/collection.json`,
    "/metadata": "http://169.254.169.254/latest/meta-data/collection.json",
    "/dotdot": "../../etc/passwd",
    "/named": "http://stac.example.test:1/collection.json"
  }
  remote = await serve("127.0.0.1", (req, res) => {
    const href = cases[req.url ?? ""]
    if (href === undefined) json(res, { code: "NotFound" }, 404)
    else json(res, catalog(href))
  })
})
afterAll(async () => {
  await other.close()
  await remote.close()
  tree.remove()
})

describe("a local static catalogue", () => {
  const refused = (name: string, href: string, reason: string) =>
    Effect.gen(function* () {
      const e = yield* failure(StacClient.staticCatalog(tree.catalogTo(name, href)))
      assert.strictEqual(e._tag, "AccessError")
      assert.include(e.message, reason)
    })

  it.effect("a child /etc/passwd is refused, never read", () =>
    refused("passwd", "/etc/passwd", "outside the local folders")
  )
  it.effect("a child file:///etc/passwd is refused", () =>
    refused("fileurl", "file:///etc/passwd", "outside the local folders")
  )
  it.effect("a child ../ path leaving the catalogue's folder is refused", () =>
    refused("dotdot", "../outside/collection.json", "outside the local folders")
  )
  it.effect("a child /proc/self/environ is refused", () =>
    refused("proc", "/proc/self/environ", "system path")
  )
  it.effect("a child that is a FIFO is refused at once (the walk never blocks)", () =>
    refused("fifo", "fifo", "not a regular file")
  )
  it.effect("a child symbolic link escaping the catalogue's folder is refused", () =>
    refused("escape", "escape.json", "symbolic link")
  )
  it.effect("the same collection is read once the recipe allows its folder", () =>
    Effect.gen(function* () {
      const path = tree.catalogTo("allowed", "escape.json")
      const access = StacClient.accessOf(StacClient.staticCatalog(path))
      const wider = AccessPolicy.withLocalRoots(access, [tree.dir])
      const items = yield* Stream.runCollect(
        client().search(StacClient.staticCatalog(path, wider), { collections: ["c"] })
      )
      assert.strictEqual(items.length, 0)
      assert.isTrue(relative(tree.root, path).endsWith("case-allowed.json"))
    })
  )
})

describe("a remote static catalogue", () => {
  it.effect("may not reference local files", () =>
    Effect.gen(function* () {
      const e = yield* failure(StacClient.staticCatalog(`${remote.base}/file`))
      assert.strictEqual(e._tag, "AccessError")
      assert.include(e.message, "may not reference local files")
    })
  )
  it.live("may not send EOForge to another host; that host sees no request", () =>
    Effect.gen(function* () {
      const e = yield* failure(StacClient.staticCatalog(`${remote.base}/other`))
      assert.strictEqual(e._tag, "AccessError")
      assert.include(e.message, "127.0.0.2 is not among the hosts")
      assert.strictEqual(other.log.length, 0)
    })
  )
  it.effect("may not reach the cloud metadata address", () =>
    Effect.gen(function* () {
      const e = yield* failure(StacClient.staticCatalog(`${remote.base}/metadata`))
      assert.strictEqual(e._tag, "AccessError")
      assert.include(e.message, "169.254.169.254")
    })
  )
  it.live("a ../ href stays on the catalogue's host (a 404 there), never a local file", () =>
    Effect.gen(function* () {
      const e = yield* failure(StacClient.staticCatalog(`${remote.base}/dotdot`))
      assert.strictEqual(e._tag, "StacHttpError")
      assert.include(e.message, `${remote.base}/etc/passwd`)
      assert.isTrue(remote.log.some((r) => r.url === "/etc/passwd"))
    })
  )
  it.live("an allowed host name resolving to a private address is refused", () =>
    Effect.gen(function* () {
      const source = StacClient.staticCatalog(
        `${remote.base}/named`,
        AccessPolicy.withHosts(
          StacClient.accessOf(StacClient.staticCatalog(`${remote.base}/named`)),
          ["stac.example.test"]
        )
      )
      const e = yield* failure(source, async () => [{ address: "10.0.0.7", family: 4 }])
      assert.strictEqual(e._tag, "AccessError")
      assert.include(e.message, "resolves to the non-public address 10.0.0.7")
    })
  )
})

describe("a STAC API", () => {
  it.live("a next page on another host is refused and never requested", () =>
    Effect.gen(function* () {
      const api = yield* Effect.acquireRelease(
        Effect.promise(() =>
          serve("127.0.0.1", (req, res, base) => {
            if (req.url === "/")
              return json(res, {
                type: "Catalog",
                id: "api",
                conformsTo: ["https://api.stacspec.org/v1.0.0/item-search"],
                links: []
              })
            if (req.url === "/collections/c") return json(res, collection("c", []))
            json(res, {
              type: "FeatureCollection",
              features: [],
              links: [{ rel: "next", href: `${other.base}/search?page=2`, method: "GET" }]
            })
            void base
          })
        ),
        (s) => Effect.promise(() => s.close())
      )
      const before = other.log.length
      const e = yield* failure(StacClient.api(api.base))
      assert.strictEqual(e._tag, "AccessError")
      assert.include(e.message, "127.0.0.2")
      assert.strictEqual(other.log.length, before)
    }).pipe(Effect.scoped)
  )
})

const box: [number, number, number, number] = [10, 45, 11, 46]
const S2 = Presets.sentinel2Bands.filter(([name]) => name !== "B10").map((b) => b[4])
const patch: Patch.Patch = {
  id: "p",
  lon: 10.5,
  lat: 45.5,
  grid: { crs: Crs.epsg(32632), x0: 0, y0: 0, resolution: 10, width: 264, height: 264 },
  footprint: [
    [10.48, 45.52],
    [10.52, 45.52],
    [10.52, 45.48],
    [10.48, 45.48]
  ]
}
const summer = TimeSlots.ssl4eoSeasons({ year: 2021 })[1]

/** Find's outcome when every asset of the only item has `href`. */
const findWith = (href: (base: string) => string) =>
  Effect.gen(function* () {
    const item = Fx.item({
      id: "L2A",
      collection: "sentinel-2-l2a",
      datetime: "2021-06-10T10:10:31Z",
      cloud: 5,
      box,
      assets: S2
    })
    const holder: { base: string } = { base: "" }
    for (const a of Object.values(item.assets)) {
      Object.defineProperty(a, "href", { get: () => href(holder.base), enumerable: true })
    }
    const f = yield* Effect.acquireRelease(
      Effect.promise(() => Fx.start({ items: [item], dialect: "query" })),
      (s) => Effect.promise(() => s.close())
    )
    holder.base = f.url
    const provider = { id: "earth-search", url: f.url }
    return yield* Find.find(patch, Presets.sentinel2L2A, summer, {
      provider,
      select: "least-cloudy"
    }).pipe(
      Effect.provide(
        Layer.merge(StacClient.layerWith({ requestsPerSecond: 0 }), AssetSigner.layerNone)
      )
    )
  }).pipe(Effect.scoped)

describe("asset hrefs of API items", () => {
  const unsupported = (href: (base: string) => string, reason: string) =>
    Effect.gen(function* () {
      const r = yield* findWith(href)
      assert.strictEqual(r._tag, "Missing")
      if (r._tag !== "Missing") return
      assert.strictEqual(r.reason, Reason.Reason.Unsupported)
      assert.include(r.detail, "refused by the access policy")
      assert.include(r.detail, reason)
    })

  it.live("/etc/passwd names a file on the API's host, never one on this machine", () =>
    Effect.gen(function* () {
      const r = yield* findWith(() => "/etc/passwd")
      assert.strictEqual(r._tag, "Found")
      if (r._tag !== "Found") return
      assert.match(r.assets.B04[0].href, /^http:\/\/127\.0\.0\.1:\d+\/etc\/passwd$/)
    })
  )
  it.live("file:///etc/passwd is Unsupported: refused, never read", () =>
    unsupported(() => "file:///etc/passwd", "may not reference local files")
  )
  it.live("/proc/self/environ as a file: URL is Unsupported", () =>
    unsupported(() => "file:///proc/self/environ", "may not reference local files")
  )
  it.live("the cloud metadata address is Unsupported", () =>
    unsupported(() => "http://169.254.169.254/latest/meta-data/", "169.254.169.254")
  )
  it.live("a COG on another host is Unsupported", () =>
    unsupported(() => `${other.base}/private.tif`, "127.0.0.2 is not among the hosts")
  )
})

describe("Retry-After", () => {
  const realWait = (ms: number) => Effect.promise(() => new Promise((r) => setTimeout(r, ms)))
  const until = (what: string, cond: () => boolean) =>
    Effect.gen(function* () {
      for (let i = 0; i < 300; i++) {
        if (cond()) return
        yield* realWait(10)
      }
      return yield* Effect.die(new Error(`timed out waiting for ${what}`))
    })
  const waitsFor = (header: string | ((nowMs: number) => string), expectedMs: number) =>
    Effect.gen(function* () {
      let answered = 0
      const server = yield* Effect.acquireRelease(
        Effect.promise(() =>
          serve("127.0.0.1", (_req, res) => {
            if (answered++ === 0) {
              const value = typeof header === "string" ? header : header(0)
              res.writeHead(429, { "retry-after": value }).end("slow down")
              return
            }
            json(res, { type: "Catalog", id: "api", conformsTo: [], links: [] })
          })
        ),
        (s) => Effect.promise(() => s.close())
      )
      const fiber = yield* Effect.forkChild(client().capabilities(server.base).pipe(Effect.exit))
      yield* until("the first request", () => server.log.length === 1)
      yield* TestClock.adjust(expectedMs - 100)
      yield* realWait(100)
      assert.strictEqual(server.log.length, 1, "retried before Retry-After elapsed")
      yield* TestClock.adjust(100)
      yield* until("the retry", () => server.log.length === 2)
      yield* Fiber.join(fiber)
    }).pipe(Effect.scoped)

  it.effect("a 429 asking for 3 s is retried after 3 s, not after the 5 ms backoff", () =>
    waitsFor("3", 3000)
  )
  it.effect("an HTTP-date is honoured", () =>
    waitsFor((now) => new Date(now + 7000).toUTCString(), 7000)
  )
  it.effect("a Retry-After of a day is capped at 60 s", () => waitsFor("86400", 60_000))
})
