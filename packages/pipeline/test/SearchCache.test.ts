import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Find, type Search, StacClient } from "@eoforge/stac"
import { Effect, Logger } from "effect"
import { existsSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { Build, Opener, Recipe, SearchCache, Services } from "../src/index.ts"
import * as StacApi from "./stacApi.ts"
import { digest, tempDir } from "./tree.ts"

// Eight patches over the demo STAC API (calendar seasons with a cloud limit, and a second product), built
// per patch, then through search cells in one process, then through cells in two shard processes.
const recipe = (url: string) => `
name: search-cells
seed: 11
sampling:
  sampler: aoi
  aoi: ${join(Recipe.shippedDirectory, "olinda-aoi.geojson")}
  count: 8
patch:
  size: 960
  resolution: 30
  snap: 30
sources:
  demo:
    type: stac-api
    url: ${url}
slots:
  cal:
    kind: calendar-seasons
    year: 2002
  seasons:
    kind: seasons
    year: 2001
    halfWindowDays: 16
products:
  - id: ls7s
    source: demo
    collection: ls7-seasonal
    dtype: uint8
    resolution: 30
    slots: cal
    maxCloud: 5
    bands:
      - { name: B3, asset: data, index: 3, nodata: 0 }
  - id: landcover
    source: demo
    collection: landcover
    dtype: uint8
    resolution: 30
    resampling: mode
    slots: seasons
    bands:
      - { name: class, asset: data, index: 1, nodata: 0 }
split:
  method: random
output:
  store: out/unused.zarr
  shardSamples: 2
concurrency: 2
`

const createdAt = "2024-01-01T00:00:00.000Z"
const tmp = tempDir("search-cells")
let server: StacApi.StacApiServer
let file = ""

const searchesSince = (from: number) =>
  server.requests.slice(from).filter((r) => r.path === "/search").length

const build = (out: string, extra: Partial<Build.BuildOptions> = {}) => {
  const events: Array<Build.Event> = []
  return Effect.runPromise(
    Build.build({ recipe: file, out, createdAt, onEvent: (e) => events.push(e), ...extra }).pipe(
      Effect.provide(Services.layer)
    )
  ).then(() => events)
}

beforeAll(async () => {
  server = await StacApi.start({ pageSize: 50 })
  file = join(tmp.path, "recipe.yaml")
  writeFileSync(file, recipe(server.url))
})

afterAll(async () => {
  await server?.close()
  tmp.remove()
})

describe("Search cells in builds", () => {
  it("a build through cells stores the same bytes as a per-patch build with a fraction of the searches", async () => {
    const perPatch = join(tmp.path, "per-patch.zarr")
    const cells = join(tmp.path, "cells.zarr")
    let from = server.requests.length
    await build(perPatch, { searchCells: false })
    const patchSearches = searchesSince(from)
    from = server.requests.length
    const events = await build(cells)
    const cellSearches = searchesSince(from)
    assert.deepStrictEqual(digest(cells), digest(perPatch))
    const done = events.find((e) => e.type === "done")
    assert.strictEqual(done?.type === "done" ? done.searches?.cellSearches : -1, cellSearches)
    // 8 patches × 8 slots and the cloud checks per patch; per cell (Olinda spans two 1° cells) once.
    assert.isAtLeast(patchSearches, 64)
    assert.isAtMost(cellSearches * 4, patchSearches, `${cellSearches} vs ${patchSearches}`)
    assert.deepStrictEqual(
      Object.keys(digest(cells)).filter((k) => k.startsWith(".eoforge/search")),
      [],
      "finalize removes the cache"
    )
  })

  it("a second shard process reads the cell lists the first one left in the store", async () => {
    const sharded = join(tmp.path, "sharded.zarr")
    const first = await build(sharded, { shard: { index: 0, count: 2 } })
    assert.isTrue(
      existsSync(join(sharded, ".eoforge", "search")),
      "cell lists persist until finalize"
    )
    const from = server.requests.length
    const second = await build(sharded, { shard: { index: 1, count: 2 } })
    const doneOf = (events: ReadonlyArray<Build.Event>) => {
      const d = events.find((e) => e.type === "done")
      return d?.type === "done" ? d.searches : undefined
    }
    assert.isAbove(doneOf(first)?.cellSearches ?? 0, 0)
    assert.isAbove(doneOf(second)?.diskHits ?? 0, 0)
    assert.strictEqual(searchesSince(from), doneOf(second)?.cellSearches)
    assert.deepStrictEqual(digest(sharded), digest(join(tmp.path, "per-patch.zarr")))
  })
  it("prefetching shards asks for each product's cell searches of their samples, partners first", async () => {
    const asked: Array<{ readonly source: string; readonly params: Search.SearchParams }> = []
    const prefetch = (source: StacClient.Source, params: Search.SearchParams) =>
      Effect.sync(() => void asked.push({ source: source.url, params }))
    const ctx = await Effect.runPromise(
      Effect.gen(function* () {
        const prepared = yield* Build.prepare(file)
        const layout = yield* Build.layoutOf(prepared, createdAt)
        return Build.jobContext(prepared, layout, yield* Opener.make())
      }).pipe(Effect.scoped, Effect.provide(Services.layer))
    )
    // Shards of 2 samples: shards 1 and 2 are samples 2–5; shard 99 does not exist.
    await Effect.runPromise(SearchCache.prefetchShards(ctx, [1, 2, 99], prefetch))
    const [ls7s, landcover] = ctx.products
    const expected = [1, 2].flatMap((k) =>
      [ls7s, landcover].flatMap((product) =>
        [2 * k, 2 * k + 1].flatMap((s) =>
          product.slots.map((slot) => ({
            source: server.url,
            params: Find.searchParams(ctx.patches.at(s)!, product.preset, slot, product.rules)!
          }))
        )
      )
    )
    assert.strictEqual(asked.length, 2 * 2 * (4 + 4))
    assert.deepStrictEqual(asked, expected)
  })

  it("a prefetch that dies does not fail the shards but is logged as a warning", async () => {
    const ctx = await Effect.runPromise(
      Effect.gen(function* () {
        const prepared = yield* Build.prepare(file)
        const layout = yield* Build.layoutOf(prepared, createdAt)
        return Build.jobContext(prepared, layout, yield* Opener.make())
      }).pipe(Effect.scoped, Effect.provide(Services.layer))
    )
    const logged: Array<{ readonly level: string; readonly message: unknown }> = []
    const capture = Logger.make((o) => void logged.push({ level: o.logLevel, message: o.message }))
    const exit = await Effect.runPromiseExit(
      SearchCache.prefetchShards(ctx, [1], () => Effect.die(new Error("broken prefetch"))).pipe(
        Effect.provide(Logger.layer([capture]))
      )
    )
    assert.strictEqual(exit._tag, "Success")
    assert.strictEqual(logged.length, 1)
    assert.strictEqual(logged[0].level, "Warn")
    assert.match(JSON.stringify(logged[0].message), /shards 1.*broken prefetch/)
  })
})
