// GDAL conformance at the antimeridian and the poles: UTM/UPS patch grids read from a global 0.25° grid
// (tools/fixtures/make-global-golden.sh, gdalwarp -et 0), stored −180..180, 0..360, and with overviews.
import { assert, describe, it } from "@effect/vitest"
import { Crs, type DType, PixelGrid } from "@eoforge/core"
import { Effect } from "effect"
import { readFileSync } from "node:fs"
import { fromFile } from "geotiff"
import { RasterSource } from "../src/index.ts"
import { compare, fixtures, type Case } from "./golden.ts"

const dir = new URL("./golden-global/", import.meta.url).pathname
const cases: ReadonlyArray<Case> = JSON.parse(readFileSync(`${dir}cases.json`, "utf8"))

const readGolden = async (c: Case) => {
  const image = await (await fromFile(`${dir}${c.golden}`)).getImage()
  const rasters = (await image.readRasters({
    interleave: false
  })) as unknown as Array<DType.TypedArray>
  const alpha = rasters[rasters.length - 1]
  return { bands: rasters.slice(0, -1), mask: Uint8Array.from(alpha, (v) => (v > 0 ? 1 : 0)) }
}

const gridOf = (c: Case) =>
  PixelGrid.make(Crs.epsg(c.epsg), c.x0, c.y0, c.resolution, c.width, c.height)
const resamplingOf = (c: Case) => (c.resampling === "near" ? "nearest" : c.resampling)
const layer = RasterSource.layerGeoTiffWith({ workers: 0 })

describe("a global geographic grid read across ±180° and at ±85° is identical to gdalwarp -et 0", () => {
  for (const c of cases) {
    it.effect(
      `${c.name}: same mask and values as GDAL (−180..180, 0..360 and overview copies)`,
      () =>
        Effect.gen(function* () {
          const raster = yield* RasterSource.RasterSource
          const info = yield* raster.open(fixtures + c.source)
          const chip = yield* raster.read(info, gridOf(c), { resampling: resamplingOf(c) })
          const golden = yield* Effect.promise(() => readGolden(c))
          const d = compare(chip, golden, true)
          assert.isAbove(d.validPixels, 0)
          assert.strictEqual(d.maskMismatches, 0, "mask")
          assert.strictEqual(
            d.maxDiff,
            0,
            `largest relative difference, ${d.valueMismatches} values`
          )
        }).pipe(Effect.scoped, Effect.provide(layer))
    )
  }
})

// Bilinear and cubic kernels stop at the storage edge (±180° for one copy, 0° for the other), in GDAL as
// here, so across ±180° only the point and footprint rules (and any rule away from both edges) agree.
describe("a 0..360 copy of a global grid gives the chips of the −180..180 original", () => {
  const originals = cases.filter(
    (c) =>
      c.source === "global/geoid025.tif" &&
      (["near", "average", "mode"].includes(c.resampling) || /^[ns]85/.test(c.name))
  )
  for (const c of originals) {
    it.effect(`${c.name} read from the 0..360 copy is byte-identical`, () =>
      Effect.gen(function* () {
        const raster = yield* RasterSource.RasterSource
        const a = yield* raster.open(fixtures + c.source)
        const b = yield* raster.open(fixtures + "global/geoid025_360.tif")
        const options = { resampling: resamplingOf(c) } as const
        const ca = yield* raster.read(a, gridOf(c), options)
        const cb = yield* raster.read(b, gridOf(c), options)
        assert.deepStrictEqual(cb.mask, ca.mask)
        assert.deepStrictEqual(cb.data, ca.data)
        assert.strictEqual(
          (ca.mask ?? new Uint8Array()).reduce((s, v) => s + v, 0),
          c.width * c.height
        )
      }).pipe(Effect.scoped, Effect.provide(layer))
    )
  }
})
