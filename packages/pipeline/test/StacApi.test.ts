import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Reason } from "@eoforge/core"
import { Reader, Store } from "@eoforge/zarr"
import { Effect } from "effect"
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { Build, Inspect, Job, Recipe, Services } from "../src/index.ts"
import * as StacApi from "./stacApi.ts"
import { tempDir } from "./tree.ts"

// Two products over the demo sources. ls7s: calendar seasons of 2002 with scenes below 5 % cloud — DJF has
// no scene (NoItemInWindow), MAM and SON have one (Ok), JJA only scenes of 47 % and 6.8 % (TooCloudy).
// landcover: SSL4EO-S12 seasons of 2001 — only the summer window holds its 2001-07-01 item.
const recipeText = (source: string) => `
name: stac-api-e2e
seed: 7
sampling:
  sampler: aoi
  aoi: ${join(Recipe.shippedDirectory, "olinda-aoi.geojson")}
  count: 4
patch:
  size: 960
  resolution: 30
  snap: 30
sources:
  demo:
${source}
access:
  localRoots: [${join(StacApi.demoStac, "..")}]
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
      - { name: B4, asset: data, index: 4, nodata: 0 }
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
const tmp = tempDir("stac-api")
const apiStore = join(tmp.path, "api.zarr")
const staticStore = join(tmp.path, "static.zarr")
let server: StacApi.StacApiServer
let apiTransfer: Build.Transfer | undefined

const build = (recipe: string, out: string) =>
  Effect.runPromise(Build.build({ recipe, out, createdAt }).pipe(Effect.provide(Services.layer)))

beforeAll(async () => {
  server = await StacApi.start({ pageSize: 1 })
  const apiRecipe = join(tmp.path, "api.yaml")
  const staticRecipe = join(tmp.path, "static.yaml")
  writeFileSync(apiRecipe, recipeText(`    type: stac-api\n    url: ${server.url}`))
  writeFileSync(
    staticRecipe,
    recipeText(`    type: static\n    catalog: ${join(StacApi.demoStac, "catalog.json")}`)
  )
  apiTransfer = (await build(apiRecipe, apiStore)).transfer
  await build(staticRecipe, staticStore)
})

afterAll(async () => {
  await server?.close()
  tmp.remove()
})

const { NoItemInWindow, Ok, TooCloudy } = Reason.Reason

describe("Build from a STAC API", () => {
  it("records NoItemInWindow, TooCloudy and Ok per slot in the store's reason and valid arrays", () =>
    Effect.gen(function* () {
      const ds = yield* Reader.make(apiStore)
      assert.strictEqual(ds.layout.samples, 4)
      for (let s = 0; s < ds.layout.samples; s++) {
        const sample = yield* ds.readSample(s)
        assert.deepStrictEqual(
          [...sample.products.ls7s.reason],
          [NoItemInWindow, Ok, TooCloudy, Ok]
        )
        assert.deepStrictEqual([...sample.products.ls7s.valid], [0, 1, 0, 1])
        assert.deepStrictEqual(
          [...sample.products.landcover.reason],
          [NoItemInWindow, Ok, NoItemInWindow, NoItemInWindow]
        )
        assert.deepStrictEqual(sample.products.ls7s.item, [
          "",
          "ls7-seasonal-olinda-2002-03-20",
          "",
          "ls7-seasonal-olinda-2002-09-22"
        ])
        assert.approximately(sample.products.ls7s.cloud[1], 0.031, 1e-6)
      }
    }).pipe(Effect.scoped, Effect.runPromise))

  it("counts the reasons per slot in the availability of the finalized store", () =>
    Effect.gen(function* () {
      const summary = yield* Inspect.at(apiStore)
      const ls7s = summary.products.find((p) => p.id === "ls7s")!
      const landcover = summary.products.find((p) => p.id === "landcover")!
      assert.deepStrictEqual(ls7s.availability, {
        DJF: { NoItemInWindow: 4 },
        MAM: { Ok: 4 },
        JJA: { TooCloudy: 4 },
        SON: { Ok: 4 }
      })
      assert.deepStrictEqual(landcover.availability, {
        spring: { NoItemInWindow: 4 },
        summer: { Ok: 4 },
        autumn: { NoItemInWindow: 4 },
        winter: { NoItemInWindow: 4 }
      })
    }).pipe(Effect.scoped, Effect.runPromise))

  it("explains each missing slot in the job records, naming the window and the cloud limit", () =>
    Effect.gen(function* () {
      const record = yield* Job.readRecord(0)
      const jja = record.failures.filter((f) => f.product === "ls7s" && f.slot === "JJA")
      assert.strictEqual(jja.length, 2)
      for (const f of jja) {
        assert.strictEqual(f.reason, "TooCloudy")
        assert.include(f.detail, "5 % cloud")
        assert.include(f.detail, "2002-06")
      }
      const djf = record.failures.find((f) => f.product === "ls7s" && f.slot === "DJF")
      assert.strictEqual(djf?.reason, "NoItemInWindow")
    }).pipe(Effect.provide(Store.layerFileSystem(apiStore)), Effect.runPromise))

  it("stores the same pixels and facts as a build of the same recipe from the static catalogue", () =>
    Effect.gen(function* () {
      const api = yield* Reader.make(apiStore)
      const local = yield* Reader.make(staticStore)
      assert.deepStrictEqual(api.layout.products, local.layout.products)
      let chips = 0
      for (let s = 0; s < api.layout.samples; s++) {
        const a = yield* api.readSample(s)
        const b = yield* local.readSample(s)
        assert.strictEqual(a.id, b.id)
        for (const product of api.products) {
          const pa = a.products[product]
          const pb = b.products[product]
          assert.deepStrictEqual(pa.data, pb.data, `${product} of sample ${s}`)
          assert.deepStrictEqual([...pa.reason], [...pb.reason])
          assert.deepStrictEqual(pa.acquired, pb.acquired)
          assert.deepStrictEqual(pa.item, pb.item)
          assert.deepStrictEqual([...pa.cloud], [...pb.cloud])
          chips += pa.valid.reduce((n, v) => n + v, 0)
        }
      }
      assert.strictEqual(chips, 4 * 3)
    }).pipe(Effect.scoped, Effect.runPromise))

  it("reports the range requests and bytes of its chips: every request the data host answered", () => {
    const files = server.requests.filter((r) => r.path.startsWith("/files/"))
    assert.isDefined(apiTransfer)
    const t = apiTransfer!
    assert.strictEqual(t.chips, 4 * 3)
    assert.strictEqual(t.requests, files.length)
    assert.strictEqual(t.retries, 0)
    assert.strictEqual(t.throttled, 0)
    assert.isAbove(t.bytes, 0)
    assert.approximately(t.requestsPerChip, files.length / 12, 1e-9)
    assert.approximately(t.bytesPerChip, t.bytes / 12, 1e-9)
  })

  it("searched with the query extension, followed POST next links and read COGs by range", () => {
    const searches = server.requests.filter((r) => r.path === "/search")
    assert.isTrue(searches.length > 0)
    const first = searches[0].body
    assert.strictEqual(first.intersects.type, "Polygon")
    assert.match(first.datetime, /^\d{4}-\d{2}-\d{2}T.*\/\d{4}-\d{2}-\d{2}T/)
    assert.isTrue(
      searches.some((r) => r.body.query?.["eo:cloud_cover"]?.lt === 5),
      "the cloud limit goes to the server as a query"
    )
    const followed = searches.filter((r) => r.body.token !== undefined)
    assert.isTrue(followed.length > 0, "a next link was followed")
    for (const r of followed) assert.deepStrictEqual(r.body.collections, ["ls7-seasonal"])
    assert.isTrue(server.requests.some((r) => r.path === "/collections/ls7-seasonal"))
    const files = server.requests.filter((r) => r.path.startsWith("/files/"))
    assert.isTrue(files.length > 0)
    assert.isTrue(files.every((r) => r.status === 206 && r.range !== undefined))
    assert.isTrue(files.some((r) => r.path.endsWith("ls7-seasonal-olinda-2002-03-20.tif")))
    assert.isFalse(
      files.some((r) => r.path.endsWith("2002-06-05.tif")),
      "a scene above the cloud limit is never read"
    )
  })
})

describe("Build from a STAC API whose data host refuses requests as too many", () => {
  it("reports the refused requests as throttled and retried, and stores the same pixels", async () => {
    // The first three range requests are answered 503 (S3's SlowDown), the rest served.
    let refusals = 3
    const slow = await StacApi.start({
      pageSize: 1,
      assetStatus: () => (refusals-- > 0 ? 503 : undefined)
    })
    const recipe = join(tmp.path, "throttled.yaml")
    const out = join(tmp.path, "throttled.zarr")
    try {
      writeFileSync(recipe, recipeText(`    type: stac-api\n    url: ${slow.url}`))
      const t = (await build(recipe, out)).transfer!
      const files = slow.requests.filter((r) => r.path.startsWith("/files/"))
      assert.strictEqual(files.filter((r) => r.status === 503).length, 3)
      assert.strictEqual(t.throttled, 3)
      assert.strictEqual(t.retries, 3)
      assert.strictEqual(t.requests, files.length)
    } finally {
      await slow.close()
    }
    await Effect.gen(function* () {
      const a = yield* Reader.make(out)
      const b = yield* Reader.make(apiStore)
      for (let s = 0; s < a.layout.samples; s++) {
        const x = yield* a.readSample(s)
        const y = yield* b.readSample(s)
        for (const product of a.products)
          assert.deepStrictEqual(x.products[product].data, y.products[product].data)
      }
    }).pipe(Effect.scoped, Effect.runPromise)
  })
})
