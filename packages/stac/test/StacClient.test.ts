import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, Fiber, Stream } from "effect"
import { mkdtempSync, writeFileSync, mkdirSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { StacClient } from "../src/index.ts"
import * as Fx from "./fixture/stacServer.ts"

const serve = (options: Fx.ServerOptions) =>
  Effect.acquireRelease(
    Effect.promise(() => Fx.start(options)),
    (f) => Effect.promise(() => f.close())
  )

const fast = { timeoutMs: 2000, backoffMs: 5, maxAttempts: 4, requestsPerSecond: 0 }

const many = (n: number, collection = "sentinel-2-l2a") =>
  Array.from({ length: n }, (_, i) =>
    Fx.item({
      id: `S2_${String(i).padStart(3, "0")}`,
      collection,
      datetime: `2021-06-${String(1 + (i % 28)).padStart(2, "0")}T10:00:00Z`,
      cloud: i % 20,
      box: [10, 45, 11, 46],
      assets: ["red"]
    })
  )

const params = {
  collections: ["sentinel-2-l2a"],
  bbox: [10.2, 45.2, 10.3, 45.3] as const,
  datetime: { start: Date.UTC(2021, 5, 1), end: Date.UTC(2021, 5, 30, 23, 59, 59, 999) }
}

const collect = (client: StacClient.StacClient["Service"], url: string, p = params) =>
  Stream.runCollect(client.search(StacClient.api(url), p))

describe("StacClient", () => {
  it.live("follows next links across pages, merging the POST body as the link asks", () =>
    Effect.gen(function* () {
      const f = yield* serve({ items: many(25), dialect: "query" })
      const client = StacClient.make({ ...fast, pageLimit: 10 })
      const items = yield* collect(client, f.url)
      assert.strictEqual(items.length, 25)
      assert.strictEqual(new Set(items.map((i) => i.id)).size, 25)
      const searches = f.requests.filter((r) => r.path === "/search")
      assert.strictEqual(searches.length, 3)
      const second = searches[1].body as Record<string, unknown>
      assert.strictEqual(second.token, "next:10")
      assert.deepStrictEqual(second.collections, ["sentinel-2-l2a"])
      assert.strictEqual(second.limit, 10)
    }).pipe(Effect.scoped)
  )

  it.live("uses the query extension on a server that advertises only query", () =>
    Effect.gen(function* () {
      const f = yield* serve({ items: many(20), dialect: "query" })
      const client = StacClient.make(fast)
      const items = yield* collect(client, f.url, { ...params, maxCloud: 5 } as any)
      assert.isTrue(items.length > 0)
      assert.isTrue(items.every((i) => (i.properties["eo:cloud_cover"] as number) < 5))
      const body = f.requests.find((r) => r.path === "/search")!.body as Record<string, unknown>
      assert.deepStrictEqual(body.query, { "eo:cloud_cover": { lt: 5 } })
      assert.isUndefined(body.filter)
    }).pipe(Effect.scoped)
  )

  it.live("uses a CQL2-JSON filter on a server that advertises only the filter extension", () =>
    Effect.gen(function* () {
      const f = yield* serve({ items: many(20), dialect: "cql2" })
      const client = StacClient.make(fast)
      const items = yield* collect(client, f.url, { ...params, maxCloud: 5 } as any)
      assert.strictEqual(items.length, 5)
      const body = f.requests.find((r) => r.path === "/search")!.body as Record<string, unknown>
      assert.deepStrictEqual(body.filter, { op: "<", args: [{ property: "eo:cloud_cover" }, 5] })
      assert.strictEqual(body["filter-lang"], "cql2-json")
      assert.isUndefined(body.query)
    }).pipe(Effect.scoped)
  )

  it.live("filters cloud cover locally when the server offers no filter dialect", () =>
    Effect.gen(function* () {
      const f = yield* serve({ items: many(20), dialect: "none" })
      const client = StacClient.make(fast)
      const items = yield* collect(client, f.url, { ...params, maxCloud: 5 } as any)
      assert.strictEqual(items.length, 5)
      const body = f.requests.find((r) => r.path === "/search")!.body as Record<string, unknown>
      assert.isUndefined(body.query)
      assert.isUndefined(body.filter)
    }).pipe(Effect.scoped)
  )

  it.live("reads the landing page once per server and caches its conformance", () =>
    Effect.gen(function* () {
      const f = yield* serve({ items: many(3), dialect: "query" })
      const client = StacClient.make(fast)
      yield* collect(client, f.url)
      yield* collect(client, f.url)
      assert.strictEqual(f.requests.filter((r) => r.path === "/").length, 1)
      assert.strictEqual(f.requests.filter((r) => r.path === "/search").length, 2)
    }).pipe(Effect.scoped)
  )

  it.live(
    "sends one landing-page and one collection request for searches that start together",
    () =>
      Effect.gen(function* () {
        const f = yield* serve({ items: many(3), dialect: "query" })
        const client = StacClient.make(fast)
        const all = yield* Effect.forEach(
          Array.from({ length: 12 }, () => collect(client, f.url)),
          (search) => search,
          { concurrency: "unbounded" }
        )
        assert.isTrue(all.every((items) => items.length === 3))
        assert.strictEqual(f.requests.filter((r) => r.path === "/").length, 1)
        assert.strictEqual(
          f.requests.filter((r) => r.path === "/collections/sentinel-2-l2a").length,
          1
        )
        assert.strictEqual(f.requests.filter((r) => r.path === "/search").length, 12)
      }).pipe(Effect.scoped)
  )

  it.live("a search waiting on a shared request whose sender is interrupted sends it itself", () =>
    Effect.gen(function* () {
      const f = yield* serve({ items: many(3), dialect: "query", landingDelayMs: 300 })
      const client = StacClient.make(fast)
      const leader = yield* Effect.forkChild(collect(client, f.url))
      // The leader's landing-page request is in flight; a second search now waits on it.
      while (f.requests.filter((r) => r.path === "/").length === 0) yield* Effect.sleep("5 millis")
      const waiter = yield* Effect.forkChild(collect(client, f.url))
      yield* Effect.sleep("50 millis")
      yield* Fiber.interrupt(leader)
      const items = yield* Fiber.join(waiter).pipe(Effect.timeout("5 seconds"))
      assert.strictEqual(items.length, 3)
      // The waiter sent the landing page again (the interrupted one's answer is not used).
      assert.strictEqual(f.requests.filter((r) => r.path === "/").length, 2)
    }).pipe(Effect.scoped)
  )

  it.live("fails every search waiting on a shared collection request with its error", () =>
    Effect.gen(function* () {
      const f = yield* serve({ items: many(3), dialect: "query" })
      const client = StacClient.make(fast)
      const unknown = { ...params, collections: ["sentinel-9-l5"] }
      const exits = yield* Effect.forEach(
        Array.from({ length: 4 }, () => Effect.exit(collect(client, f.url, unknown))),
        (search) => search,
        { concurrency: "unbounded" }
      )
      assert.isTrue(exits.every(Exit.isFailure))
      for (const exit of exits)
        assert.include(
          Exit.isFailure(exit) ? String(Cause.squash(exit.cause)) : "",
          "sentinel-9-l5",
          "each search fails with the unknown collection named"
        )
      assert.strictEqual(
        f.requests.filter((r) => r.path === "/collections/sentinel-9-l5").length,
        1
      )
      // A failure is not kept: a later search asks again.
      yield* Effect.exit(collect(client, f.url, unknown))
      assert.strictEqual(
        f.requests.filter((r) => r.path === "/collections/sentinel-9-l5").length,
        2
      )
    }).pipe(Effect.scoped)
  )

  it.live("retries a search after injected 503 responses", () =>
    Effect.gen(function* () {
      const f = yield* serve({ items: many(4), dialect: "query", fail503: 2 })
      const client = StacClient.make(fast)
      const items = yield* collect(client, f.url)
      assert.strictEqual(items.length, 4)
      assert.strictEqual(f.requests.filter((r) => r.path === "/search").length, 3)
    }).pipe(Effect.scoped)
  )

  it.live("gives up after the bounded attempts with an error naming the URL and status", () =>
    Effect.gen(function* () {
      const f = yield* serve({ items: many(4), dialect: "query", fail503: 10 })
      const client = StacClient.make({ ...fast, maxAttempts: 3 })
      const exit = yield* Effect.exit(collect(client, f.url))
      assert.isTrue(Exit.isFailure(exit))
      const err = Exit.isFailure(exit) ? (exit.cause as any).reasons[0].error : undefined
      assert.strictEqual(err._tag, "StacHttpError")
      assert.strictEqual(err.status, 503)
      assert.include(err.message, `${f.url}/search`)
      assert.strictEqual(f.requests.filter((r) => r.path === "/search").length, 3)
    }).pipe(Effect.scoped)
  )

  it.live("times out a stalled request and succeeds on retry", () =>
    Effect.gen(function* () {
      const f = yield* serve({ items: many(4), dialect: "query", stalls: 1, stallMs: 800 })
      const client = StacClient.make({ ...fast, timeoutMs: 150 })
      const items = yield* collect(client, f.url)
      assert.strictEqual(items.length, 4)
      assert.strictEqual(f.requests.filter((r) => r.path === "/search").length, 2)
    }).pipe(Effect.scoped)
  )

  it.live("reports a timeout when every attempt stalls", () =>
    Effect.gen(function* () {
      const f = yield* serve({ items: many(4), dialect: "query", stalls: 5, stallMs: 800 })
      const client = StacClient.make({ ...fast, timeoutMs: 100, maxAttempts: 2 })
      const err = yield* Effect.flip(collect(client, f.url))
      assert.strictEqual(err._tag, "StacHttpError")
      assert.include(err.message, "no response within 100 ms")
    }).pipe(Effect.scoped)
  )

  it.live("rejects a server whose landing page is not STAC JSON", () =>
    Effect.gen(function* () {
      const f = yield* serve({ items: [], dialect: "query", notStac: true })
      const err = yield* Effect.flip(collect(StacClient.make(fast), f.url))
      assert.strictEqual(err._tag, "NotStacError")
      assert.include(err.message, f.url)
    }).pipe(Effect.scoped)
  )

  it.live("rejects an unknown collection by name", () =>
    Effect.gen(function* () {
      const f = yield* serve({ items: many(2), dialect: "query" })
      const err = yield* Effect.flip(
        collect(StacClient.make(fast), f.url, { ...params, collections: ["sentinel-9-l5"] })
      )
      assert.strictEqual(err._tag, "UnknownCollectionError")
      assert.include(err.message, "sentinel-9-l5")
    }).pipe(Effect.scoped)
  )

  it.live("limits requests per second per host", () =>
    Effect.gen(function* () {
      const f = yield* serve({ items: many(30), dialect: "query" })
      const client = StacClient.make({ ...fast, pageLimit: 10, requestsPerSecond: 20 })
      yield* collect(client, f.url)
      // 1 landing + 1 collection + 3 pages at 20/s: the fifth starts ≥ 4 × 50 ms after the first
      // (a lower bound the limiter guarantees; 150 leaves room for clock and socket jitter).
      assert.strictEqual(f.requests.length, 5)
      assert.isAtLeast(f.requests[4].at - f.requests[0].at, 150)
    }).pipe(Effect.scoped)
  )
})

describe("static catalogues", () => {
  const tree = () => {
    const root = mkdtempSync(join(tmpdir(), "eoforge-stac-"))
    const items = many(6)
    mkdirSync(join(root, "s2", "items"), { recursive: true })
    mkdirSync(join(root, "other"), { recursive: true })
    writeFileSync(
      join(root, "catalog.json"),
      JSON.stringify({
        type: "Catalog",
        id: "root",
        stac_version: "1.0.0",
        links: [
          { rel: "child", href: "./s2/collection.json" },
          { rel: "child", href: "./other/collection.json" }
        ]
      })
    )
    writeFileSync(
      join(root, "s2", "collection.json"),
      JSON.stringify({
        type: "Collection",
        id: "sentinel-2-l2a",
        links: items.map((i) => ({ rel: "item", href: `./items/${i.id}.json` }))
      })
    )
    for (const i of items) {
      const { collection: _c, ...rest } = i
      writeFileSync(join(root, "s2", "items", `${i.id}.json`), JSON.stringify(rest))
    }
    // Items of a collection nobody asks for are never read: these links point nowhere.
    writeFileSync(
      join(root, "other", "collection.json"),
      JSON.stringify({
        type: "Collection",
        id: "other",
        links: [{ rel: "item", href: "./missing.json" }]
      })
    )
    return { root, items }
  }

  it.live(
    "walks a catalog.json tree on disk and filters by collection, time and cloud locally",
    () =>
      Effect.gen(function* () {
        const { root, items } = tree()
        const client = StacClient.make(fast)
        const found = yield* Stream.runCollect(
          client.search(StacClient.staticCatalog(join(root, "catalog.json")), {
            ...params,
            datetime: { start: Date.UTC(2021, 5, 1), end: Date.UTC(2021, 5, 4, 23, 59, 59, 999) },
            maxCloud: 3
          })
        )
        const expected = items
          .filter((i) => (i.properties["eo:cloud_cover"] as number) < 3)
          .filter(
            (i) =>
              Date.parse(String(i.properties.datetime)) <= Date.UTC(2021, 5, 4, 23, 59, 59, 999)
          )
          .map((i) => i.id)
        assert.deepStrictEqual(
          found.map((i) => i.id),
          expected
        )
        assert.isTrue(expected.length > 0)
      })
  )

  it.live("names a collection that is nowhere in the catalogue", () =>
    Effect.gen(function* () {
      const { root } = tree()
      const err = yield* Effect.flip(
        Stream.runCollect(
          StacClient.make(fast).search(StacClient.staticCatalog(join(root, "catalog.json")), {
            ...params,
            collections: ["sentinel-1-grd"]
          })
        )
      )
      assert.strictEqual(err._tag, "UnknownCollectionError")
      assert.include(err.message, "sentinel-1-grd")
    })
  )

  it.live("rejects a root that is not a STAC document", () =>
    Effect.gen(function* () {
      const root = mkdtempSync(join(tmpdir(), "eoforge-stac-"))
      writeFileSync(join(root, "catalog.json"), JSON.stringify({ hello: "world" }))
      const err = yield* Effect.flip(
        Stream.runCollect(
          StacClient.make(fast).search(StacClient.staticCatalog(join(root, "catalog.json")), params)
        )
      )
      assert.strictEqual(err._tag, "NotStacError")
      assert.include(err.message, "catalog.json")
    })
  )
})
