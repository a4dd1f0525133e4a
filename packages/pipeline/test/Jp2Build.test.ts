// An SSL4EO-S12-style build of Sentinel-2 L1C (JPEG 2000, as Earth Search ships it) and L2A (COG) against a
// local STAC API serving the real Earth Search items of one datatake (S2B_20EPT_20250731, ../shared/real), their
// hrefs re-pointed to local files served with HTTP ranges (tools/fixtures/make-jp2.py s2build): L1C paired
// with L2A by datatake, both with data, and L1C values as GDAL reads them from the JP2 files.
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Crs, PixelGrid, Reason } from "@eoforge/core"
import { GeoTiffWriter, RasterSource } from "@eoforge/raster"
import { Reader } from "@eoforge/zarr"
import { Effect } from "effect"
import { copyFileSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { Build, Services } from "../src/index.ts"
import * as StacApi from "./stacApi.ts"
import { tempDir } from "./tree.ts"

const fixture = fileURLToPath(new URL("./fixtures/jp2-build/", import.meta.url))
const x0 = 696540
const y0 = 3298060
const side = 3360
/** L2A bands (no B10) and resolutions, as the sentinel-2-l2a preset reads them. */
const l2aBands: ReadonlyArray<readonly [string, number]> = [
  ["B01", 60],
  ["B02", 10],
  ["B03", 10],
  ["B04", 10],
  ["B05", 20],
  ["B06", 20],
  ["B07", 20],
  ["B08", 10],
  ["B8A", 20],
  ["B09", 60],
  ["B11", 20],
  ["B12", 20]
]
/** The L2A COGs' pixels: a formula, so stored chips can be checked against its range. */
const l2aValue = (band: number, col: number, row: number, res: number) =>
  1000 + band * 211 + ((col * res * 7 + row * res * 3) % 997)

const tmp = tempDir("jp2-build")
const store = join(tmp.path, "s2.zarr")
let server: StacApi.StacApiServer

beforeAll(async () => {
  const data = join(tmp.path, "data")
  mkdirSync(join(data, "l1c"), { recursive: true })
  mkdirSync(join(data, "l2a"), { recursive: true })
  for (const f of readdirSync(join(fixture, "l1c")))
    copyFileSync(join(fixture, "l1c", f), join(data, "l1c", f))
  for (const [i, [name, res]] of l2aBands.entries()) {
    const n = side / res
    const values = new Uint16Array(n * n)
    for (let r = 0; r < n; r++)
      for (let c = 0; c < n; c++) values[r * n + c] = l2aValue(i, c, r, res)
    const grid = PixelGrid.make(Crs.epsg(32720), x0, y0, res, n, n)
    writeFileSync(
      join(data, "l2a", `${name}.tif`),
      GeoTiffWriter.encodeSync(
        { grid, dtype: "uint16", bands: 1, data: values },
        { tileSize: 128, nodata: 0 }
      )
    )
  }
  const item = (file: string) => {
    const text = readFileSync(join(fixture, file), "utf8").replaceAll("{BASE}", "/files")
    return { ...JSON.parse(text), links: [] }
  }
  const collection = (id: string) => ({
    type: "Collection",
    stac_version: "1.0.0",
    id,
    description: id,
    license: "proprietary",
    extent: {
      spatial: { bbox: [[-180, -90, 180, 90]] },
      temporal: { interval: [["2015-06-27T00:00:00Z", null]] }
    },
    links: []
  })
  server = await StacApi.start({
    pageSize: 5,
    catalogue: {
      dir: data,
      collections: [collection("sentinel-2-l1c"), collection("sentinel-2-l2a")],
      items: [item("l1c.json"), item("l2a.json")]
    }
  })
  writeFileSync(join(tmp.path, "locations.csv"), "id,lon,lat\nrio-grande,-59.4,-60.42\n")
  const recipe = join(tmp.path, "s2.yaml")
  writeFileSync(
    recipe,
    `name: s2-jp2-e2e
seed: 3
sampling:
  sampler: locations
  locations: locations.csv
patch:
  size: 2640
  resolution: 10
  snap: 60
sources:
  earth-search:
    type: stac-api
    url: ${server.url}
slots:
  seasons:
    kind: calendar-seasons
    year: 2025
products:
  - id: s2l2a
    preset: sentinel-2-l2a
    source: earth-search
    slots: seasons
    maxCloud: 30
  - id: s2l1c
    preset: sentinel-2-l1c
    source: earth-search
    slots: seasons
    maxCloud: 30
    pair: { with: s2l2a, rule: same-datatake }
split:
  method: random
output:
  store: out/unused.zarr
  shardSamples: 1
concurrency: 2
`
  )
  await Effect.runPromise(
    Build.build({ recipe, out: store, createdAt: "2025-12-01T00:00:00.000Z" }).pipe(
      Effect.provide(Services.layer)
    )
  )
}, 300_000)

afterAll(async () => {
  await server?.close()
  tmp.remove()
})

describe("SSL4EO-S12-style build: Sentinel-2 L1C from JPEG 2000 and L2A from COGs over a local STAC API", () => {
  it("stores both products for the datatake's season, L1C paired with L2A, with the real item ids", () =>
    Effect.gen(function* () {
      const ds = yield* Reader.make(store)
      assert.strictEqual(ds.layout.samples, 1)
      const sample = yield* ds.readSample(0)
      const { Ok, NoItemInWindow, PairingFailed } = Reason.Reason
      // Calendar seasons of 2025: DJF, MAM, JJA (the 2025-07-31 datatake), SON.
      for (const [product, id] of [
        ["s2l2a", "S2B_20EPT_20250731_0_L2A"],
        ["s2l1c", "S2B_20EPT_20250731_0_L1C"]
      ] as const) {
        const p = sample.products[product]
        // Without an L2A item in a season, L1C has nothing to pair with.
        const none = product === "s2l2a" ? NoItemInWindow : PairingFailed
        assert.deepStrictEqual([...p.reason], [none, none, Ok, none], product)
        assert.deepStrictEqual([...p.valid], [0, 0, 1, 0])
        assert.strictEqual(p.item[2], id)
      }
    }).pipe(Effect.scoped, Effect.runPromise))

  it("L1C chips are GDAL's gdalwarp chips of the JP2 files (reprojected to UTM 21S); L2A chips hold the COGs' values", () =>
    Effect.gen(function* () {
      const ds = yield* Reader.make(store)
      const sample = yield* ds.readSample(0)
      const l1c = sample.products.s2l1c
      const [, bands, height, width] = l1c.shape
      // The patch of -59.4, -60.42 lies in UTM zone 21 although its S2 tile is 20EPT: chips are reprojected.
      assert.deepStrictEqual(
        [sample.epsg, sample.x0, sample.y0, width, height],
        [32721, 366540, 3300720, 264, 264]
      )
      const grid = PixelGrid.make(Crs.epsg(32721), sample.x0, sample.y0, 10, width, height)
      const raster = yield* RasterSource.RasterSource
      const names = [
        "B01",
        "B02",
        "B03",
        "B04",
        "B05",
        "B06",
        "B07",
        "B08",
        "B8A",
        "B09",
        "B10",
        "B11",
        "B12"
      ]
      const n = width * height
      for (const name of ["B02", "B05", "B01"]) {
        const golden = yield* raster.open(join(fixture, `gdal_${name}.tif`))
        const chip = yield* raster.read(golden, grid, { resampling: "nearest" })
        const b = names.indexOf(name)
        let compared = 0
        for (let i = 0; i < n; i++) {
          if (chip.data[n + i] === 0) continue // GDAL's alpha band: no source pixel
          assert.strictEqual(l1c.data[(2 * bands + b) * n + i], chip.data[i], `${name} pixel ${i}`)
          compared++
        }
        assert.isAbove(compared, n * 0.9, name)
      }
      // L2A (bilinear from the COGs): every value within the range its band's formula takes.
      const l2a = sample.products.s2l2a
      for (const [b] of l2aBands.entries()) {
        const lo = 1000 + b * 211
        for (let i = 0; i < n; i += 97) {
          const v = l2a.data[(2 * l2aBands.length + b) * n + i]
          assert.isTrue(v >= lo && v < lo + 997, `L2A band ${b} pixel ${i}: ${v}`)
        }
      }
    }).pipe(
      Effect.scoped,
      Effect.provide(RasterSource.layerGeoTiffWith({ workers: 0 })),
      Effect.runPromise
    ))

  it("read the JP2 and COG assets by HTTP range requests, never whole files", () => {
    const files = server.requests.filter((r) => r.path.startsWith("/files/"))
    const jp2 = files.filter((r) => r.path.endsWith(".jp2"))
    assert.strictEqual(new Set(jp2.map((r) => r.path)).size, 13)
    assert.isTrue(files.every((r) => r.status === 206 && r.range !== undefined))
    assert.isTrue(files.some((r) => r.path.endsWith(".tif")))
  })
})
