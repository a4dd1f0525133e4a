// RasterSource: georeferencing as GDAL reads it, band metadata, band selection, the approximate transform,
// mosaics, and typed errors for bad files and failing servers.
import { assert, describe, it } from "@effect/vitest"
import { type Chip, Crs, GeoTransform, PixelGrid } from "@eoforge/core"
import { Effect, Exit, type Scope } from "effect"
import fc from "fast-check"
import { writeArrayBuffer } from "geotiff"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import proj4 from "proj4"
import { afterAll, beforeAll } from "vitest"
import { Mosaic, RasterSource } from "../src/index.ts"
import { approximate, exact, pointTransform } from "../src/internal/coordinates.ts"
import { epsgDefinition } from "../src/internal/crs.ts"
import { cases, compare, fixtures, gridOf, readGolden } from "./golden.ts"
import * as Server from "./server.ts"

const layer = RasterSource.layerGeoTiffWith({
  workers: 0,
  http: { timeoutMs: 300, backoffMs: 10, maxAttempts: 3 }
})
const run = <A, E>(effect: Effect.Effect<A, E, RasterSource.RasterSource | Scope.Scope>) =>
  effect.pipe(Effect.scoped, Effect.provide(layer))
const open = (path: string) =>
  Effect.gen(function* () {
    const raster = yield* RasterSource.RasterSource
    return yield* raster.open(path)
  })

describe("georeferencing as GDAL reads it", () => {
  it.effect("an EPSG-coded file has GDAL's origin, pixel size, dtype, bands and overviews", () =>
    run(
      Effect.gen(function* () {
        const info = yield* open(`${fixtures}L7_ETMs.tif`)
        assert.deepStrictEqual(info.crs, Crs.epsg(31985))
        assert.closeTo(info.geoTransform[0], 288776.250000803149305, 1e-6)
        assert.closeTo(info.geoTransform[3], 9120760.750028736889362, 1e-6)
        assert.closeTo(info.geoTransform[1], 28.499999999274539, 1e-9)
        assert.closeTo(info.geoTransform[5], -28.499999999274539, 1e-9)
        assert.strictEqual(info.dtype, "uint8")
        assert.strictEqual(info.bands, 6)
        assert.deepStrictEqual(
          info.overviews.map((o) => o.width),
          [175, 88, 44, 22]
        )
      })
    )
  )

  it.effect("UTM through ProjectionGeoKey on a user-defined datum becomes a proj4 UTM string", () =>
    run(
      Effect.gen(function* () {
        const info = yield* open(`${fixtures}olinda_dem_utm25s.tif`)
        assert.strictEqual(info.crs._tag, "Proj")
        const def = Crs.format(info.crs)
        assert.include(def, "+proj=utm +zone=25 +south")
        assert.include(def, "+rf=298.257222101")
        assert.strictEqual(info.dtype, "float32")
      })
    )
  )

  it.effect(
    "a user-defined Albers projection keeps its parallels, origin and band description",
    () =>
      run(
        Effect.gen(function* () {
          const info = yield* open(`${fixtures}lc.tif`)
          const def = Crs.format(info.crs)
          for (const part of ["+proj=aea", "+lat_0=23", "+lon_0=-96", "+lat_1=29.5", "+lat_2=45.5"])
            assert.include(def, part)
          assert.deepStrictEqual(info.descriptions, ["Layer_1"])
        })
      )
  )

  it.effect("GDAL_NODATA and the band description are read; cached statistics are ignored", () =>
    run(
      Effect.gen(function* () {
        const info = yield* open(`${fixtures}elev.tif`)
        assert.strictEqual(info.nodata, -32768)
        assert.deepStrictEqual(info.descriptions, ["elevation"])
        assert.deepStrictEqual(info.scale, [1])
        assert.deepStrictEqual(info.offset, [0])
        assert.deepStrictEqual(info.crs, Crs.wgs84)
      })
    )
  )

  it.effect(
    "PixelIsPoint is shifted half a pixel so that it matches the pixel-is-area original",
    () =>
      run(
        Effect.gen(function* () {
          const area = yield* open(`${fixtures}olinda_dem_utm25s.tif`)
          const point = yield* open(`${fixtures}derived/olinda_point.tif`)
          for (let i = 0; i < 6; i++)
            assert.closeTo(point.geoTransform[i], area.geoTransform[i], 1e-6)
        })
      )
  )

  it.effect("a rotated ModelTransformation with PixelIsPoint gives GDAL's geotransform", () =>
    run(
      Effect.gen(function* () {
        const info = yield* open(`${fixtures}geomatrix.tif`)
        assert.deepStrictEqual([...info.geoTransform], [1841001.75, 1.5, -5, 1144003.25, -5, -1.5])
        assert.deepStrictEqual(info.crs, Crs.epsg(32611))
      })
    )
  )

  it.effect("a projection in US survey feet lands where its metre original is", () =>
    run(
      Effect.gen(function* () {
        const feet = yield* open(`${fixtures}derived/olinda_usft.tif`)
        const metres = yield* open(`${fixtures}olinda_dem_utm25s.tif`)
        assert.include(Crs.format(feet.crs), "+to_meter=0.3048006")
        const lonLat = (crs: Crs.Crs, gt: GeoTransform.GeoTransform) =>
          proj4(Crs.format(crs), "WGS84", [...GeoTransform.apply(gt, 0, 0)])
        const [a, b] = [
          lonLat(feet.crs, feet.geoTransform),
          lonLat(metres.crs, metres.geoTransform)
        ]
        // gdalwarp aligned the feet grid to whole 300 ft pixels: the corners agree within one pixel.
        assert.isBelow(Math.abs(a[0] - b[0]) * 110_000, 92)
        assert.isBelow(Math.abs(a[1] - b[1]) * 110_000, 92)
      })
    )
  )
})

describe("reading", () => {
  it.effect("a band selection returns those bands, in the requested order", () =>
    run(
      Effect.gen(function* () {
        const raster = yield* RasterSource.RasterSource
        const info = yield* raster.open(`${fixtures}L7_ETMs.tif`)
        const grid = gridOf(cases[0])
        const all = yield* raster.read(info, grid, { resampling: "nearest" })
        const some = yield* raster.read(info, grid, { resampling: "nearest", bands: [4, 1] })
        const n = grid.width * grid.height
        assert.strictEqual(some.bands, 2)
        assert.deepStrictEqual(some.data.subarray(0, n), all.data.subarray(4 * n, 5 * n))
        assert.deepStrictEqual(some.data.subarray(n, 2 * n), all.data.subarray(n, 2 * n))
      })
    )
  )

  it.effect("a band index that does not exist is a typed error naming the file", () =>
    run(
      Effect.gen(function* () {
        const raster = yield* RasterSource.RasterSource
        const info = yield* raster.open(`${fixtures}elev.tif`)
        const error = yield* Effect.flip(
          raster.read(info, gridOf(cases[0]), { resampling: "nearest", bands: [3] })
        )
        assert.strictEqual(error._tag, "RasterReadError")
        assert.include(error.message, "elev.tif")
      })
    )
  )

  it.effect(
    "an aligned same-CRS nearest read (row copies) equals the per-pixel path, nodata and edges included",
    () =>
      run(
        Effect.gen(function* () {
          const raster = yield* RasterSource.RasterSource
          const sources = [
            yield* open(`${fixtures}L7_ETMs.tif`),
            yield* open(`${fixtures}elev.tif`)
          ]
          const samples = fc.sample(
            fc.tuple(
              fc.integer({ min: 0, max: 1 }),
              fc.integer({ min: -40, max: 120 }),
              fc.integer({ min: -40, max: 120 }),
              fc.integer({ min: 1, max: 60 }),
              fc.integer({ min: 1, max: 60 })
            ),
            { numRuns: 40, seed: 7 }
          )
          for (const [s, col, row, w, h] of samples) {
            const info = sources[s]
            const gt = info.geoTransform
            const at = (c: number, r: number, shift: number) =>
              PixelGrid.make(
                info.crs,
                gt[0] + (c + shift) * gt[1],
                gt[3] + (r + shift) * gt[5],
                gt[1],
                w,
                h
              )
            const aligned = yield* raster.read(info, at(col, row, 0), { resampling: "nearest" })
            // A shift of 0.01 px picks the same pixels but takes the per-pixel path.
            const general = yield* raster.read(info, at(col, row, 0.01), { resampling: "nearest" })
            assert.deepStrictEqual(aligned.mask, general.mask, `${info.uri} at ${col}, ${row}`)
            assert.deepStrictEqual(aligned.data, general.data, `${info.uri} at ${col}, ${row}`)
          }
        })
      )
  )

  for (const [file, what] of [
    ["L7_ETMs_cog.tif", "DEFLATE"],
    ["L7_ETMs_cog_pred2.tif", "DEFLATE with the horizontal predictor"]
  ] as const) {
    it.effect(
      `reads that continue partly inflated ${what} tiles give the same chip as one read from scratch`,
      () =>
        Effect.gen(function* () {
          const path = `${fixtures}derived/${file}`
          const chipOf = (heights: ReadonlyArray<number>) =>
            Effect.gen(function* () {
              const raster = yield* RasterSource.RasterSource
              const info = yield* raster.open(path)
              const gt = info.geoTransform
              let last: Chip.Chip | undefined
              for (const h of heights) {
                const grid = PixelGrid.make(info.crs, gt[0] + 5 * gt[1], gt[3], gt[1], 300, h)
                last = yield* raster.read(info, grid, { resampling: "nearest" })
              }
              return last
            }).pipe(Effect.scoped, Effect.provide(RasterSource.layerGeoTiffWith({ workers: 0 })))
          // 128-row tiles: 3, then 70, then 300 rows continue the same tiles' streams twice.
          const continued = yield* chipOf([3, 70, 300])
          const fresh = yield* chipOf([300])
          assert.isDefined(continued)
          assert.deepStrictEqual(continued?.data, fresh?.data)
          assert.deepStrictEqual(continued?.mask, fresh?.mask)
          assert.isAbove(fresh?.mask?.reduce((a, v) => a + v, 0) ?? 0, 0)
        })
    )
  }

  it("the approximate transform stays within 0.125 source pixels of the exact one", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 23, max: 26 }),
        fc.double({ min: 200_000, max: 800_000, noNaN: true }),
        fc.double({ min: 8_000_000, max: 9_500_000, noNaN: true }),
        fc.constantFrom(10, 20, 60),
        (zone, x0, y0, res) => {
          const transform = pointTransform(epsgDefinition(32700 + zone)!, epsgDefinition(31985)!)
          const lattice = { nx: 128, ny: 128, start: 0.5 }
          const dst = GeoTransform.northUp(x0, y0, res)
          const inv = GeoTransform.invert(GeoTransform.northUp(100_000, 9_900_000, 28.5))!
          const e = exact(lattice, dst, inv, transform)
          const a = approximate(lattice, dst, inv, transform)
          let worst = 0
          for (let i = 0; i < e.x.length; i++)
            worst = Math.max(worst, Math.hypot(e.x[i] - a.x[i], e.y[i] - a.y[i]))
          return worst <= 0.125
        }
      ),
      { numRuns: 10, seed: 4 }
    )
  })

  it.effect("an approximate reprojected read stays within 1 DN of GDAL's exact chip", () =>
    run(
      Effect.gen(function* () {
        const raster = yield* RasterSource.RasterSource
        const c = cases.find((k) => k.name === "l7_utm24_bilinear")!
        const info = yield* raster.open(`${fixtures}${c.source}`)
        const chip = yield* raster.read(info, gridOf(c), {
          resampling: "bilinear",
          approximate: true
        })
        const d = compare(chip, yield* Effect.promise(() => readGolden(c)), false)
        assert.strictEqual(d.maskMismatches, 0)
        assert.isAtMost(d.maxDiff, 1)
        assert.isBelow(d.valueMismatches / (d.validPixels * chip.bands), 0.01)
      })
    )
  )
})

describe("mosaics", () => {
  let constant: string
  beforeAll(() => {
    // A one-band raster of 200s east of the Landsat scene's edge, EPSG:31985, 20 m.
    const values = new Uint8Array(100 * 100).fill(200)
    const buffer = writeArrayBuffer(values, {
      width: 100,
      height: 100,
      ModelPixelScale: [20, 20, 0],
      ModelTiepoint: [0, 0, 0, 298000, 9112000, 0],
      GTModelTypeGeoKey: 1,
      GTRasterTypeGeoKey: 1,
      ProjectedCSTypeGeoKey: 31985
    })
    constant = join(mkdtempSync(join(tmpdir(), "eoforge-raster-")), "constant.tif")
    writeFileSync(constant, new Uint8Array(buffer))
  })

  it.effect("the first valid pixel wins, in the caller's order", () =>
    run(
      Effect.gen(function* () {
        const raster = yield* RasterSource.RasterSource
        const grid = gridOf(cases.find((k) => k.name === "l7_edge_near")!)
        const landsat = yield* raster.open(`${fixtures}L7_ETMs.tif`)
        const flat = yield* raster.open(constant)
        const options = { resampling: "nearest", bands: [0] } as const
        const alone = yield* raster.read(landsat, grid, options)
        const first = yield* Mosaic.read([landsat, flat], grid, options)
        const second = yield* Mosaic.read([flat, landsat], grid, options)
        const flatAlone = yield* raster.read(flat, grid, options)
        let fromFlat = 0
        for (let i = 0; i < grid.width * grid.height; i++) {
          if (alone.mask![i] === 1) assert.strictEqual(first.data[i], alone.data[i])
          else if (flatAlone.mask![i] === 1) {
            assert.strictEqual(first.data[i], 200)
            fromFlat++
          }
          if (flatAlone.mask![i] === 1) assert.strictEqual(second.data[i], 200)
          assert.strictEqual(first.mask![i], alone.mask![i] | flatAlone.mask![i])
        }
        assert.isAbove(fromFlat, 0)
      })
    )
  )
})

describe("bad input gives typed errors naming the source", () => {
  const expectOpen = (path: string, problem: string) =>
    run(
      Effect.gen(function* () {
        const error = yield* Effect.flip(open(path))
        assert.strictEqual(error._tag, "RasterOpenError")
        assert.strictEqual(error.problem, problem)
        assert.include(error.message, path)
      })
    )
  it.effect("a file that is not a TIFF", () =>
    expectOpen(`${fixtures}derived/not_a_tiff.tif`, "NotTiff")
  )
  it.effect("a truncated file", () => expectOpen(`${fixtures}derived/truncated.tif`, "Truncated"))
  it.effect("a TIFF without georeferencing", () =>
    expectOpen(`${fixtures}derived/no_georef.tif`, "NoGeoreferencing")
  )
  it.effect("a WebP-compressed TIFF", () =>
    expectOpen(`${fixtures}derived/L7_ETMs_webp.tif`, "UnsupportedCodec")
  )
  it.effect("a projected CRS code no database knows (ProjectedCSTypeGeoKey 30999)", () =>
    expectOpen(
      new URL("./golden/crs/refused/unknown_pcs.tif", import.meta.url).pathname,
      "UnsupportedCrs"
    )
  )
  it.effect("a missing file", () => expectOpen(`${fixtures}does_not_exist.tif`, "NotFound"))

  it.effect("a patch grid in a made-up EPSG code fails the read with a typed error naming it", () =>
    run(
      Effect.gen(function* () {
        const raster = yield* RasterSource.RasterSource
        const info = yield* raster.open(`${fixtures}elev.tif`)
        const grid = PixelGrid.make(Crs.epsg(999999), 2600000, 1200000, 10, 8, 8)
        const error = yield* Effect.flip(raster.read(info, grid, { resampling: "nearest" }))
        assert.strictEqual(error.problem, "Crs")
        assert.include(error.message, "EPSG:999999")
      })
    )
  )
})

describe("HTTP failures", () => {
  let server: Server.TestServer
  const cog = `${fixtures}derived/L7_ETMs_cog.tif`
  beforeAll(async () => {
    server = await Server.start({ "/cog.tif": cog })
  })
  afterAll(() => server.close())

  it.effect("a 404 is NotFound, without retries", () =>
    run(
      Effect.gen(function* () {
        const url = server.url("/missing.tif")
        const error = yield* Effect.flip(open(url))
        assert.strictEqual(error.problem, "NotFound")
        assert.include(error.message, url)
        assert.strictEqual(server.requests.get("/missing.tif"), 1)
      })
    )
  )

  it.live("a server that never answers is a Timeout after the bounded attempts", () =>
    run(
      Effect.gen(function* () {
        const url = server.url("/hang/cog.tif")
        const error = yield* Effect.flip(open(url))
        assert.strictEqual(error.problem, "Timeout")
        assert.strictEqual(server.requests.get("/hang/cog.tif"), 3)
      })
    )
  )

  it.live("transient 503s are retried with backoff and the open succeeds", () =>
    run(
      Effect.gen(function* () {
        const info = yield* open(server.url("/flaky/2/cog.tif"))
        assert.strictEqual(info.width, 349)
        assert.isAtLeast(server.requests.get("/flaky/2/cog.tif") ?? 0, 3)
      })
    )
  )

  it.live("tiles failing after every retry give a RasterReadError, not a crash", () =>
    run(
      Effect.gen(function* () {
        const raster = yield* RasterSource.RasterSource
        const url = server.url("/headeronly/cog.tif")
        const info = yield* raster.open(url)
        const exit = yield* Effect.exit(
          raster.read(info, gridOf(cases[0]), { resampling: "bilinear" })
        )
        assert.isTrue(Exit.isFailure(exit))
        const error = yield* Effect.flip(
          raster.read(info, gridOf(cases[0]), { resampling: "bilinear" })
        )
        assert.strictEqual(error._tag, "RasterReadError")
        assert.strictEqual(error.problem, "Transfer")
        assert.include(error.message, url)
      })
    )
  )
})
