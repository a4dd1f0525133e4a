// GDAL conformance: every golden case of tools/fixtures/make-golden.sh (gdalwarp -et 0) reproduced from the
// committed fixtures, from local files and through HTTP range requests on a COG copy; transforms vs PROJ.
import { assert, describe, it } from "@effect/vitest"
import { Crs } from "@eoforge/core"
import { Effect } from "effect"
import { readFileSync, statSync } from "node:fs"
import proj4 from "proj4"
import { afterAll, beforeAll } from "vitest"
import { RasterSource } from "../src/index.ts"
import type { RasterInfo } from "../src/RasterInfo.ts"
import { definition } from "../src/internal/crs.ts"
import { cases, compare, fixtures, gridOf, goldenDir, readGolden, resamplingOf } from "./golden.ts"
import * as Server from "./server.ts"

const layer = RasterSource.layerGeoTiffWith({ workers: 2 })

describe("GDAL conformance from local files", () => {
  for (const c of cases) {
    it.effect(
      `${c.name} matches gdalwarp -r ${c.resampling} (mask identical, integers identical, floats within 1e-4 relative)`,
      () =>
        Effect.gen(function* () {
          const raster = yield* RasterSource.RasterSource
          const info = yield* raster.open(fixtures + c.source)
          const chip = yield* raster.read(info, gridOf(c), { resampling: resamplingOf(c) })
          const golden = yield* Effect.promise(() => readGolden(c))
          const float = info.dtype.startsWith("float")
          const d = compare(chip, golden, float)
          assert.isAbove(d.validPixels, 0)
          assert.strictEqual(d.maskMismatches, 0)
          const exactRule = c.resampling === "near" || c.resampling === "mode"
          assert.isAtMost(d.maxDiff, float && !exactRule ? 1e-4 : 0)
        }).pipe(Effect.scoped, Effect.provide(layer))
    )
  }
})

describe("GDAL conformance through the decoded-tile cache", () => {
  it.effect(
    "every case read twice in one layer (second read from cached tiles) still matches GDAL",
    () =>
      Effect.gen(function* () {
        const raster = yield* RasterSource.RasterSource
        const infos = new Map<string, RasterInfo>()
        for (const pass of [0, 1]) {
          for (const c of cases) {
            const info = infos.get(c.source) ?? (yield* raster.open(fixtures + c.source))
            infos.set(c.source, info)
            const chip = yield* raster.read(info, gridOf(c), { resampling: resamplingOf(c) })
            const golden = yield* Effect.promise(() => readGolden(c))
            const float = info.dtype.startsWith("float")
            const d = compare(chip, golden, float)
            assert.strictEqual(d.maskMismatches, 0, `${c.name}, pass ${pass}`)
            const exactRule = c.resampling === "near" || c.resampling === "mode"
            assert.isAtMost(d.maxDiff, float && !exactRule ? 1e-4 : 0, `${c.name}, pass ${pass}`)
          }
        }
      }).pipe(
        Effect.scoped,
        // A cache smaller than the reads' tiles exercises eviction as well as hits.
        Effect.provide(RasterSource.layerGeoTiffWith({ workers: 0, tileCacheBytes: 200_000 }))
      )
  )
})

describe("GDAL conformance through HTTP range requests on a COG", () => {
  let server: Server.TestServer
  const cog = `${fixtures}derived/L7_ETMs_cog.tif`
  beforeAll(async () => {
    server = await Server.start({ "/L7_ETMs_cog.tif": cog })
  })
  afterAll(() => server.close())

  for (const c of cases.filter((c) => c.source === "L7_ETMs.tif")) {
    it.effect(`${c.name} read over HTTP is identical to GDAL's chip`, () =>
      Effect.gen(function* () {
        const raster = yield* RasterSource.RasterSource
        const info = yield* raster.open(server.url("/L7_ETMs_cog.tif"))
        const chip = yield* raster.read(info, gridOf(c), { resampling: resamplingOf(c) })
        const golden = yield* Effect.promise(() => readGolden(c))
        const d = compare(chip, golden, false)
        assert.strictEqual(d.maskMismatches, 0)
        assert.strictEqual(d.maxDiff, 0)
      }).pipe(Effect.scoped, Effect.provide(layer))
    )
  }

  it.effect("a small chip fetches the header and one tile: a small fraction of the file", () =>
    Effect.gen(function* () {
      const raster = yield* RasterSource.RasterSource
      const url = server.url("/L7_ETMs_cog.tif")
      const before = server.sent.get("/L7_ETMs_cog.tif") ?? 0
      const info = yield* raster.open(url)
      const grid = { ...gridOf(cases[0]), x0: 293000, y0: 9116500, width: 48, height: 48 }
      const chip = yield* raster.read(info, grid, { resampling: "bilinear" })
      const transfer = yield* raster.transfer(info)
      const served = (server.sent.get("/L7_ETMs_cog.tif") ?? 0) - before
      const size = statSync(cog).size
      assert.strictEqual(transfer.bytes, served)
      assert.isBelow(served / size, 0.25)
      assert.isTrue(chip.mask !== undefined && chip.mask.every((v) => v === 1))
    }).pipe(Effect.scoped, Effect.provide(layer))
  )

  it.effect("re-opening a URL reuses the cached header: no request until pixels are needed", () =>
    Effect.gen(function* () {
      const raster = yield* RasterSource.RasterSource
      const url = server.url("/L7_ETMs_cog.tif")
      yield* Effect.scoped(raster.open(url))
      const again = yield* raster.open(url)
      assert.strictEqual((yield* raster.transfer(again)).requests, 0)
      assert.strictEqual(again.width, 349)
    }).pipe(Effect.scoped, Effect.provide(layer))
  )
})

describe("coordinates agree with PROJ (cs2cs)", () => {
  const coords: ReadonlyArray<{
    case: string
    source: string
    epsg: number
    points: ReadonlyArray<readonly [number, number, number, number]>
  }> = JSON.parse(readFileSync(`${goldenDir}coords.json`, "utf8"))
  for (const entry of coords) {
    it.effect(`${entry.case}: target → source within 1 mm of cs2cs`, () =>
      Effect.gen(function* () {
        const raster = yield* RasterSource.RasterSource
        const info = yield* raster.open(fixtures + entry.source)
        const src = definition(info.crs)
        const dst = definition(Crs.epsg(entry.epsg))
        const geographic = Crs.epsgCode(info.crs) === 4326
        for (const [x, y, ex, ey] of entry.points) {
          const [sx, sy] = proj4(dst, src, [x, y])
          if (geographic) {
            // 1 mm is about 9e-9 degrees of latitude.
            assert.isAtMost(Math.abs(sx - ex) * 111_320 * Math.cos((ey * Math.PI) / 180), 0.001)
            assert.isAtMost(Math.abs(sy - ey) * 111_320, 0.001)
          } else {
            assert.isAtMost(Math.hypot(sx - ex, sy - ey), 0.001)
          }
        }
      }).pipe(Effect.scoped, Effect.provide(layer))
    )
  }
})
