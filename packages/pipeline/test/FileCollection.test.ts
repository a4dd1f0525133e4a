// A build of a user's labels from a file collection (recipe `type: file-collection`): fixtures/collection
// (tools/fixtures/make-collection.py) in UTM, LAEA, WGS 84 and PDC Mercator, dated by file name. Covered
// patches equal reading the chosen files directly onto their grids (two tiles of one date mosaicked, a file
// across the antimeridian); the season picks the file of its date; other chips have reasons.
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Crs, PixelGrid, Reason } from "@eoforge/core"
import { Mosaic, RasterSource, type RasterInfo } from "@eoforge/raster"
import { Reader } from "@eoforge/zarr"
import { Effect } from "effect"
import { existsSync, readdirSync, writeFileSync } from "node:fs"
import { join, resolve } from "node:path"
import { Build, Services } from "../src/index.ts"
import { tempDir } from "./tree.ts"

const fixtures = resolve(__dirname, "../../../fixtures/collection")
const tmp = tempDir("collection")
const store = join(tmp.path, "labels.zarr")

const locations = [
  ["tile", 15.005, 47.845],
  ["edge", 15.0257, 47.845],
  ["fiji", 179.99, -16.6],
  ["none", 16.5, 47.0]
] as const

beforeAll(async () => {
  writeFileSync(
    join(tmp.path, "locations.csv"),
    `id,lon,lat\n${locations.map((l) => l.join(",")).join("\n")}\n`
  )
  const recipe = join(tmp.path, "labels.yaml")
  writeFileSync(
    recipe,
    `name: labels-e2e
seed: 1
sampling:
  sampler: locations
  locations: locations.csv
patch:
  size: 600
  resolution: 10
access:
  localRoots: [${fixtures}]
sources:
  labels:
    type: file-collection
    files: ${fixtures}/labels_*_2021*.tif
    datetime: "{yyyy}{mm}{dd}"
slots:
  summer:
    kind: window
    start: "2021-06-01"
    end: "2021-07-31"
  autumn:
    kind: window
    start: "2021-09-01"
    end: "2021-09-30"
products:
  - id: labels
    source: labels
    collection: labels
    dtype: uint8
    slots: summer
    bands: [{ name: class, index: 1, nodata: 0, resampling: nearest }]
  - id: labels_autumn
    source: labels
    collection: labels
    dtype: uint8
    slots: autumn
    bands: [{ name: class, index: 1, nodata: 0, resampling: nearest }]
split:
  method: random
output:
  store: out/unused.zarr
  shardSamples: 8
concurrency: 1
`
  )
  await Effect.runPromise(
    Build.build({ recipe, out: store, createdAt: "2026-01-01T00:00:00.000Z" }).pipe(
      Effect.provide(Services.layer)
    )
  )
}, 300_000)

afterAll(() => tmp.remove())

const samples = Effect.gen(function* () {
  const ds = yield* Reader.make(store)
  const all: Array<Reader.Sample> = []
  for (let s = 0; s < ds.layout.samples; s++) all.push(yield* ds.readSample(s))
  return (name: (typeof locations)[number][0]) => {
    const [, lon, lat] = locations.find((l) => l[0] === name)!
    return all.find((s) => Math.abs(s.lon - lon) < 1e-9 && Math.abs(s.lat - lat) < 1e-9)!
  }
})

describe("a build from a file collection (a user's labels, indexed once)", () => {
  it("each slot gets the file of its date; uncovered and undated chips have reasons", () =>
    Effect.gen(function* () {
      const byName = yield* samples
      const tile = byName("tile").products
      assert.deepStrictEqual([...tile.labels.reason], [Reason.Reason.Ok])
      assert.strictEqual(tile.labels.item[0], "labels_utm33_20210614.tif")
      assert.strictEqual(tile.labels.acquired[0], Date.UTC(2021, 5, 14))
      assert.strictEqual(tile.labels_autumn.item[0], "labels_utm33_20210905.tif")
      assert.strictEqual(
        byName("edge").products.labels.item[0],
        "labels_utm33_20210614.tif+labels_utm33_20210614_east.tif"
      )
      assert.strictEqual(byName("fiji").products.labels.item[0], "labels_pdc_20210710.tif")
      assert.deepStrictEqual(
        [...byName("fiji").products.labels_autumn.reason],
        [Reason.Reason.NoItemInWindow]
      )
      assert.deepStrictEqual([...byName("none").products.labels.reason], [Reason.Reason.NotCovered])
    }).pipe(Effect.scoped, Effect.runPromise))

  it("chips equal the chosen files read directly onto each patch grid", () =>
    Effect.gen(function* () {
      const byName = yield* samples
      const raster = yield* RasterSource.RasterSource
      let withData = 0
      for (const [name, product, files] of [
        ["tile", "labels", ["labels_utm33_20210614.tif"]],
        ["tile", "labels_autumn", ["labels_utm33_20210905.tif"]],
        ["edge", "labels", ["labels_utm33_20210614.tif", "labels_utm33_20210614_east.tif"]],
        ["fiji", "labels", ["labels_pdc_20210710.tif"]]
      ] as const) {
        const s = byName(name)
        const p = s.products[product]!
        const [, , height, width] = p.shape
        const grid = PixelGrid.make(Crs.epsg(s.epsg), s.x0, s.y0, 10, width, height)
        const infos: Array<RasterInfo.RasterInfo> = []
        for (const f of files) infos.push(yield* raster.open(join(fixtures, f)))
        const direct = yield* Mosaic.read(infos, grid, { resampling: "nearest", bands: [0] })
        for (let i = 0; i < width * height; i++) {
          const expected = direct.mask === undefined || direct.mask[i] === 1 ? direct.data[i] : 0
          if (p.data[i] !== expected)
            assert.fail(`${name}/${product} pixel ${i}: ${p.data[i]} stored, ${expected} read`)
          if (expected !== 0) withData++
        }
      }
      assert.isAbove(withData, 4 * 60 * 60 * 0.8)
    }).pipe(
      Effect.scoped,
      Effect.provide(RasterSource.layerGeoTiffWith({ workers: 0 })),
      Effect.runPromise
    ))

  it("a finished store keeps no source cache", () => {
    const cache = join(store, ".eoforge", "sources")
    const files = existsSync(cache)
      ? readdirSync(cache, { recursive: true, withFileTypes: true }).filter((e) => e.isFile())
      : []
    assert.deepStrictEqual(files, [])
    assert.isTrue(existsSync(join(store, "zarr.json")))
  })
})
