import { assert, describe, it } from "@effect/vitest"
import { AccessPolicy, Crs, type Patch } from "@eoforge/core"
import { Effect, Layer, Stream } from "effect"
import { mkdtempSync, readdirSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import * as Gen from "../../../tools/static-stac/generate.ts"
import * as Web from "../../../tools/static-stac/server.ts"
import {
  Access,
  AssetSigner,
  Find,
  type Product,
  Search,
  StacClient,
  StaticCatalog,
  type StacItem
} from "../src/index.ts"
import * as Fx from "./fixture/stacServer.ts"

const fast = { timeoutMs: 5000, backoffMs: 5, maxAttempts: 2, requestsPerSecond: 0 }
const quick = { ...fast, staticRequestsPerSecond: 0 }

const serve = (content: Web.Content, options?: Web.Options) =>
  Effect.acquireRelease(
    Effect.promise(() => Web.start(content, options)),
    (s) => Effect.promise(() => s.close())
  )

const tempDir = Effect.acquireRelease(
  Effect.sync(() => mkdtempSync(join(tmpdir(), "eoforge-static-"))),
  (d) => Effect.sync(() => rmSync(d, { recursive: true, force: true }))
)

const window = { start: Date.UTC(2021, 2, 1), end: Date.UTC(2021, 5, 30, 23, 59, 59, 999) }
const searches: ReadonlyArray<Search.SearchParams> = [
  { collections: ["alpha"], bbox: [10.2, 45.2, 10.4, 45.4], datetime: window },
  { collections: ["beta"], bbox: [10.5, 45.5, 10.6, 45.6], datetime: window, maxCloud: 40 },
  { collections: ["alpha", "beta"], bbox: [10, 45, 11, 46], maxCloud: 5 }
]

// What a search must return: the generated items filtered by the same rules, by brute force.
const expected = (g: Gen.Generated, p: Search.SearchParams) =>
  g.items
    .filter((i) => Search.matches(i as unknown as StacItem.Item, i.collection, p))
    .map((i) => i.id)
    .sort()

const ids = (items: Iterable<StacItem.Item>) => [...items].map((i) => i.id).sort()

const layouts: ReadonlyArray<Gen.Layout> = ["items-folder", "per-item", "by-month", "items-only"]

describe("static catalogues over HTTP", () => {
  for (const layout of layouts) {
    for (const absolute of [false, true]) {
      it.live(
        `${layout} layout, ${absolute ? "absolute" : "relative"} links: every search equals brute force and each document is fetched once`,
        () =>
          Effect.gen(function* () {
            const files = new Map<string, string>()
            const server = yield* serve({ files })
            const g = Gen.generate({
              items: 400,
              layout,
              collections: ["alpha", "beta"],
              ...(absolute ? { absoluteBase: server.url } : {})
            })
            for (const [k, v] of g.files) files.set(k, v)
            const client = StacClient.make(quick)
            const source = StacClient.staticCatalog(`${server.url}/catalog.json`)
            for (const p of searches) {
              const found = yield* Stream.runCollect(client.search(source, p))
              const want = expected(g, p)
              assert.isAbove(want.length, 0)
              assert.deepStrictEqual(ids(found), want)
              // Asset hrefs are resolved against the item's own URL, whatever its self link says.
              for (const item of found) {
                const path = g.itemPaths.get(item.id)!
                const raw = JSON.parse(g.files.get(path)!).assets.data.href
                assert.strictEqual(item.assets.data.href, new URL(raw, server.url + path).href)
                // So are its links; its self link still names where it was published.
                const rel = (r: string) => item.links?.find((l) => l.rel === r)?.href
                assert.strictEqual(
                  rel("collection"),
                  `${server.url}/${layout === "items-only" ? "catalog" : `${item.collection}/collection`}.json`
                )
                assert.strictEqual(rel("self"), `https://published.example.com/stac${path}`)
              }
            }
            const perPath = new Map<string, number>()
            for (const r of server.requests) perPath.set(r.path, (perPath.get(r.path) ?? 0) + 1)
            assert.isTrue([...perPath.values()].every((n) => n === 1))
            assert.strictEqual(server.requests.length, g.files.size)
          }).pipe(Effect.scoped)
      )
    }
  }

  it.live("the items of a collection nobody asks for are never read", () =>
    Effect.gen(function* () {
      const g = Gen.generate({ items: 50, layout: "per-item", collections: ["alpha", "beta"] })
      const server = yield* serve({ files: g.files })
      const client = StacClient.make(quick)
      yield* Stream.runCollect(
        client.search(StacClient.staticCatalog(`${server.url}/catalog.json`), searches[0])
      )
      assert.isAbove(server.requests.filter((r) => r.path.startsWith("/alpha/")).length, 25)
      // Its collection document is read (it names the collection), nothing below it.
      assert.deepStrictEqual(
        server.requests.filter((r) => r.path.startsWith("/beta/")).map((r) => r.path),
        ["/beta/collection.json"]
      )
    }).pipe(Effect.scoped)
  )

  it.live("a second build with the same document cache revalidates every document (304)", () =>
    Effect.gen(function* () {
      const g = Gen.generate({ items: 300, layout: "by-month" })
      const server = yield* serve({ files: g.files })
      const cache = yield* tempDir
      const run = () =>
        Stream.runCollect(
          StacClient.make(quick).search(
            StacClient.withCache(StacClient.staticCatalog(`${server.url}/catalog.json`), cache),
            searches[0]
          )
        )
      const first = yield* run()
      const fetched = server.count(200)
      assert.strictEqual(fetched, g.files.size)
      assert.strictEqual(server.count(304), 0)
      const second = yield* run()
      assert.deepStrictEqual(ids(second), ids(first))
      assert.strictEqual(server.count(200), fetched)
      assert.strictEqual(server.count(304), g.files.size)
      // One cache file per document, in 256 sub-folders by hash.
      const cached = readdirSync(cache, { recursive: true }).filter((f) =>
        String(f).endsWith(".json")
      )
      assert.strictEqual(cached.length, g.files.size)
    }).pipe(Effect.scoped)
  )

  it.live("a server sending only Last-Modified is revalidated with If-Modified-Since", () =>
    Effect.gen(function* () {
      const g = Gen.generate({ items: 20, layout: "items-folder" })
      const server = yield* serve(
        { files: g.files },
        { etag: false, lastModified: new Date(Date.UTC(2024, 5, 1)) }
      )
      const cache = yield* tempDir
      const source = StacClient.withCache(
        StacClient.staticCatalog(`${server.url}/catalog.json`),
        cache
      )
      yield* Stream.runCollect(StacClient.make(quick).search(source, searches[0]))
      yield* Stream.runCollect(StacClient.make(quick).search(source, searches[0]))
      assert.strictEqual(server.count(200), g.files.size)
      assert.strictEqual(server.count(304), g.files.size)
    }).pipe(Effect.scoped)
  )

  it.live("a changed document is fetched again, not served stale from the cache", () =>
    Effect.gen(function* () {
      const g = Gen.generate({ items: 20, layout: "items-folder" })
      const files = new Map(g.files)
      const server = yield* serve({ files })
      const cache = yield* tempDir
      const source = StacClient.withCache(
        StacClient.staticCatalog(`${server.url}/catalog.json`),
        cache
      )
      const all = { collections: ["alpha"] }
      yield* Stream.runCollect(StacClient.make(quick).search(source, all))
      const path = g.itemPaths.get(g.items[3].id)!
      const edited = JSON.parse(files.get(path)!)
      edited.properties["eo:cloud_cover"] = 99.5
      files.set(path, JSON.stringify(edited))
      // A fresh server: new ETags for the new bytes.
      const again = yield* serve({ files })
      const moved = StacClient.withCache(
        StacClient.staticCatalog(`${again.url}/catalog.json`),
        cache
      )
      const found = yield* Stream.runCollect(StacClient.make(quick).search(moved, all))
      assert.strictEqual(
        found.find((i) => i.id === g.items[3].id)?.properties["eo:cloud_cover"],
        99.5
      )
    }).pipe(Effect.scoped)
  )

  it.live("a catalogue named by a file:// URL is walked like a path", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const g = Gen.generate({ items: 80, layout: "per-item" })
      Gen.write(dir, g)
      const url = pathToFileURL(join(dir, "catalog.json")).href
      const found = yield* Stream.runCollect(
        StacClient.make(quick).search(StacClient.staticCatalog(url), searches[0])
      )
      assert.deepStrictEqual(ids(found), expected(g, searches[0]))
      assert.isTrue(found.every((i) => i.assets.data.href.startsWith(join(dir, "alpha"))))
    }).pipe(Effect.scoped)
  )
})

// Find on the same items, once from the static catalogue and once from the API fixture.
const preset: Product.Preset = {
  spec: { id: "gen", dtype: "uint8", resolution: 10, bands: [{ name: "b" }] },
  bindings: { gen: { collection: "alpha", assets: { b: "data" } } },
  cloudy: true,
  projected: false,
  valueTransform: "none"
}
const patchAt = (lon: number, lat: number, half = 0.004): Patch.Patch => ({
  id: `p_${lon}_${lat}`,
  lon,
  lat,
  grid: { crs: Crs.epsg(32632), x0: 0, y0: 0, resolution: 10, width: 64, height: 64 },
  footprint: [
    [lon - half, lat + half],
    [lon + half, lat + half],
    [lon + half, lat - half],
    [lon - half, lat - half]
  ]
})

/** Seeded patches over the generated area. */
export const patches = (n: number): ReadonlyArray<Patch.Patch> =>
  Array.from({ length: n }, (_, i) =>
    patchAt(10.05 + ((i * 0.618034) % 0.9), 45.05 + ((i * 0.381966) % 0.9))
  )

/** What a Find result says about the choice, comparable across sources. */
export const choiceOf = (r: Find.Found | Find.Missing) =>
  r._tag === "Found"
    ? { items: r.items.map((i) => i.id), cloud: r.cloud, mosaic: r.mosaic, datetime: r.datetime }
    : { reason: r.reason }

describe("selection from a static catalogue", () => {
  it.live("chooses what the STAC API path chooses on the same items", () =>
    Effect.gen(function* () {
      const g = Gen.generate({ items: 3000, layout: "by-month" })
      const web = yield* serve({ files: g.files })
      const api = yield* Effect.acquireRelease(
        Effect.promise(() => Fx.start({ items: g.items as never, dialect: "query" })),
        (f) => Effect.promise(() => f.close())
      )
      const slot = {
        id: "spring",
        start: window.start,
        end: window.end,
        reference: Date.UTC(2021, 3, 15)
      }
      const provider = { id: "gen", url: api.url }
      const staticSource = StacClient.staticCatalog(`${web.url}/catalog.json`)
      let found = 0
      for (const select of ["least-cloudy", "closest", "most-recent"] as const) {
        for (const patch of patches(12)) {
          const rules = { provider, select, maxCloud: 30 }
          const viaApi = yield* Find.find(patch, preset, slot, rules)
          const viaStatic = yield* Find.find(patch, preset, slot, {
            ...rules,
            source: staticSource
          })
          assert.deepStrictEqual(choiceOf(viaStatic), choiceOf(viaApi))
          if (viaApi._tag === "Found") found++
        }
      }
      assert.isAbove(found, 10)
    }).pipe(
      Effect.provide(Layer.merge(StacClient.layerWith(quick), AssetSigner.layerNone)),
      Effect.scoped
    )
  )
})

describe("bad static catalogues", () => {
  it.live("a 404 root fails the start-up check with the URL and the status", () =>
    Effect.gen(function* () {
      const server = yield* serve({ files: new Map() })
      const err = yield* Effect.flip(StaticCatalog.checkRoot(`${server.url}/catalog.json`))
      assert.strictEqual(err._tag, "StacHttpError")
      assert.strictEqual((err as any).status, 404)
      assert.include(err.message, `${server.url}/catalog.json`)
    }).pipe(Effect.scoped)
  )

  it.live("a root that is not JSON fails the start-up check naming the URL", () =>
    Effect.gen(function* () {
      const server = yield* serve({ files: new Map([["/catalog.json", "<html>hello</html>"]]) })
      const err = yield* Effect.flip(StaticCatalog.checkRoot(`${server.url}/catalog.json`))
      assert.strictEqual(err._tag, "NotStacError")
      assert.include(err.message, `${server.url}/catalog.json`)
    }).pipe(Effect.scoped)
  )

  it.live("a non-JSON item document fails the search naming its URL", () =>
    Effect.gen(function* () {
      const g = Gen.generate({ items: 10, layout: "items-folder" })
      const files = new Map(g.files)
      const bad = g.itemPaths.get(g.items[4].id)!
      files.set(bad, "{ not json")
      const server = yield* serve({ files })
      const err = yield* Effect.flip(
        Stream.runCollect(
          StacClient.make(quick).search(
            StacClient.staticCatalog(`${server.url}/catalog.json`),
            searches[0]
          )
        )
      )
      assert.strictEqual(err._tag, "NotStacError")
      assert.include(err.message, `${server.url}${bad}`)
    }).pipe(Effect.scoped)
  )

  it.live("a child link loop is an error naming the document, not an endless walk", () =>
    Effect.gen(function* () {
      const files = new Map<string, string>([
        [
          "/catalog.json",
          JSON.stringify({
            type: "Catalog",
            id: "r",
            links: [{ rel: "child", href: "./a/catalog.json" }]
          })
        ],
        [
          "/a/catalog.json",
          JSON.stringify({
            type: "Catalog",
            id: "a",
            links: [{ rel: "child", href: "../catalog.json" }]
          })
        ]
      ])
      const server = yield* serve({ files })
      const err = yield* Effect.flip(
        Stream.runCollect(
          StacClient.make(quick).search(
            StacClient.staticCatalog(`${server.url}/catalog.json`),
            searches[0]
          )
        )
      )
      assert.strictEqual(err._tag, "NotStacError")
      assert.include(err.message, `${server.url}/a/catalog.json`)
      assert.include(err.message, "loop")
      assert.strictEqual(server.requests.length, 2)
    }).pipe(Effect.scoped)
  )

  it.live(
    "an item link to a host the access policy does not allow is refused, naming the href",
    () =>
      Effect.gen(function* () {
        const g = Gen.generate({ items: 5, layout: "items-folder" })
        const files = new Map(g.files)
        const coll = JSON.parse(files.get("/alpha/collection.json")!)
        coll.links.push({ rel: "item", href: "http://127.0.0.2:9/stolen/item.json" })
        files.set("/alpha/collection.json", JSON.stringify(coll))
        const server = yield* serve({ files })
        const err = yield* Effect.flip(
          Stream.runCollect(
            StacClient.make(quick).search(
              StacClient.staticCatalog(`${server.url}/catalog.json`),
              searches[0]
            )
          )
        )
        assert.strictEqual(err._tag, "AccessError")
        assert.include(err.message, "http://127.0.0.2:9/stolen/item.json")
        assert.include(err.message, `${server.url}/alpha/collection.json`)
        // Allowed by the recipe's policy, the same link is followed (and here nothing answers).
        const base = AccessPolicy.withPrivateHosts(
          AccessPolicy.withHosts(AccessPolicy.make(), ["127.0.0.2"]),
          ["127.0.0.2"]
        )
        const root = `${server.url}/catalog.json`
        const err2 = yield* Effect.flip(
          Stream.runCollect(
            StacClient.make({ ...quick, maxAttempts: 1 }).search(
              StacClient.staticCatalog(root, Access.forCatalogue(root, base)),
              searches[0]
            )
          )
        )
        assert.strictEqual(err2._tag, "StacHttpError")
        assert.include(err2.message, "127.0.0.2:9/stolen/item.json")
      }).pipe(Effect.scoped)
  )
})

describe("static catalogue failures", () => {
  it.live("a walk that failed on a server error is tried again by the next search", () =>
    Effect.gen(function* () {
      const g = Gen.generate({ items: 30, layout: "items-folder" })
      let failing = true
      const bad = g.itemPaths.get(g.items[7].id)!
      const server = yield* serve(
        { files: g.files },
        { status: (p) => (failing && p === bad ? 503 : undefined) }
      )
      const client = StacClient.make({ ...quick, maxAttempts: 1 })
      const source = StacClient.staticCatalog(`${server.url}/catalog.json`)
      const all = { collections: ["alpha"] }
      const err = yield* Effect.flip(Stream.runCollect(client.search(source, all)))
      assert.strictEqual(err._tag, "StacHttpError")
      assert.include(err.message, bad)
      failing = false
      const found = yield* Stream.runCollect(client.search(source, all))
      assert.strictEqual(found.length, 30)
    }).pipe(Effect.scoped)
  )
})
