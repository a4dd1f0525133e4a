import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { DryRun, Recipe, Services } from "../src/index.ts"
import * as StacApi from "./stacApi.ts"
import { tempDir } from "./tree.ts"

// The demo STAC API: ls7s has no scene in DJF, one in MAM and SON, only cloudy ones in JJA; landcover has
// its 2001 item in summer only; ls7pair pairs with ls7s within a day (the same scene is its own partner).
const recipe = (url: string) => `
name: dry-run
seed: 11
sampling:
  sampler: aoi
  aoi: ${join(Recipe.shippedDirectory, "olinda-aoi.geojson")}
  count: 3
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
  - id: ls7pair
    source: demo
    collection: ls7-seasonal
    dtype: uint8
    resolution: 30
    slots: cal
    pair: { with: ls7s, rule: within-days, maxDays: 1 }
    bands:
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

const tmp = tempDir("dry-run")
let server: StacApi.StacApiServer
let file = ""

beforeAll(async () => {
  server = await StacApi.start({ pageSize: 50 })
  file = join(tmp.path, "recipe.yaml")
  writeFileSync(file, recipe(server.url))
})

afterAll(async () => {
  await server?.close()
  tmp.remove()
})

describe("DryRun", () => {
  it("reports the reason codes of whole probed samples, pairing included, and the searches it will send", async () => {
    const r = await Effect.runPromise(
      DryRun.run({ recipe: file }, 12).pipe(Effect.provide(Services.layer))
    )
    assert.strictEqual(r.probe.chips, 12)
    // ls7s: NoItemInWindow, Ok, TooCloudy, Ok; ls7pair: the partner missing twice, found twice;
    // landcover: Ok in summer only.
    assert.deepStrictEqual(r.probe.reasons, {
      NoItemInWindow: 4,
      Ok: 5,
      TooCloudy: 1,
      PairingFailed: 2
    })
    assert.strictEqual(r.probe.missing, 7)
    assert.include(r.probe.details.TooCloudy, "ls7s JJA")
    assert.include(r.probe.details.TooCloudy, "5 % cloud")
    assert.isAtLeast(r.searches.cells, 1)
    assert.strictEqual(r.searches.viaCells, r.searches.cells * 12)
    assert.strictEqual(r.searches.perPatchAtLeast, r.chips)
    assert.strictEqual(r.chips, 3 * 12)
    assert.isDefined(r.estimatedSeconds)
    assert.approximately(
      r.estimatedSeconds!,
      r.assumptions.readSeconds + r.assumptions.searchSeconds,
      1e-9
    )
    assert.strictEqual(
      r.assumptions.readSeconds,
      Math.max(r.assumptions.cpuSeconds, r.assumptions.networkSeconds)
    )
    // The demo's COGs are served over HTTP: the first read of each readable chip fetched ranges, and the
    // server saw at least those.
    const ranged = server.requests.filter((q) => q.range !== undefined).length
    assert.isAbove(r.probe.requestsPerChip, 0)
    assert.isAbove(r.probe.bytesPerChip, 0)
    assert.isAbove(r.probe.msPerRequest, 0)
    assert.isAtMost(r.probe.requestsPerChip * 5, ranged)
    assert.strictEqual(r.assumptions.latencyMs, r.probe.msPerRequest)
    assert.include(DryRun.format(r), "range requests")
    assert.strictEqual(r.assumptions.searchesPerSecond, 10)
    assert.include(DryRun.format(r), "PairingFailed 2")
  })

  it("gives no time estimate when no probed chip is readable, and says why", async () => {
    const none = join(tmp.path, "none.yaml")
    writeFileSync(
      none,
      recipe(server.url).replace("year: 2002", "year: 1990").replace("year: 2001", "year: 1991")
    )
    const r = await Effect.runPromise(
      DryRun.run({ recipe: none }, 12).pipe(Effect.provide(Services.layer))
    )
    assert.strictEqual(r.probe.chips, 12)
    assert.strictEqual(r.probe.reasons.Ok, undefined)
    assert.isAbove(r.probe.reasons.NoItemInWindow ?? 0, 0)
    assert.isUndefined(r.estimatedSeconds)
    assert.strictEqual(r.probe.requestsPerChip, 0)
    const text = DryRun.format(r)
    assert.include(text, "estimate  none")
    assert.notInclude(text, "for the whole build")
    assert.include(text, "NoItemInWindow")
  })
})
