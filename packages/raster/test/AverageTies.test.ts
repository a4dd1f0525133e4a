// `average` on integers where GDAL meets exact .5 ties (target pixel edges on source pixel edges): identical
// to gdalwarp only when source pixel positions match GDAL's to the last bit (GDALInvGeoTransform's inverse).
import { assert, describe, it } from "@effect/vitest"
import { Crs, type DType, PixelGrid } from "@eoforge/core"
import { Effect } from "effect"
import { readFileSync } from "node:fs"
import { fromFile } from "geotiff"
import { RasterSource } from "../src/index.ts"
import { compare, fixtures, type Case } from "./golden.ts"

const dir = new URL("./golden-global/", import.meta.url).pathname
const cases: ReadonlyArray<Case> = JSON.parse(readFileSync(`${dir}ties.json`, "utf8"))

describe("average ties as GDAL", () => {
  for (const c of cases) {
    it.effect(`${c.name}: every value and mask identical to gdalwarp -r average`, () =>
      Effect.gen(function* () {
        const raster = yield* RasterSource.RasterSource
        const info = yield* raster.open(fixtures + c.source)
        const grid = PixelGrid.make(Crs.epsg(c.epsg), c.x0, c.y0, c.resolution, c.width, c.height)
        const chip = yield* raster.read(info, grid, { resampling: "average" })
        const image = yield* Effect.promise(async () =>
          (await fromFile(`${dir}${c.golden}`)).getImage()
        )
        const rasters = (yield* Effect.promise(() =>
          image.readRasters({ interleave: false })
        )) as unknown as Array<DType.TypedArray>
        const alpha = rasters[rasters.length - 1]
        const golden = {
          bands: rasters.slice(0, -1),
          mask: Uint8Array.from(alpha, (v) => (v > 0 ? 1 : 0))
        }
        const d = compare(chip, golden, false)
        assert.isAbove(d.validPixels, 0)
        assert.strictEqual(d.maskMismatches, 0)
        assert.strictEqual(d.valueMismatches, 0)
      }).pipe(Effect.scoped, Effect.provide(RasterSource.layerGeoTiffWith({ workers: 0 })))
    )
  }
})
