import { assert, describe, it } from "@effect/vitest"
import { fileURLToPath } from "node:url"
import { Crs, PixelGrid } from "@eoforge/core"
import { Effect, Exit } from "effect"
import { RasterSource } from "../src/index.ts"

// A radar-geometry GeoTIFF with GCPs only (tools/s1-sim: a generated Sentinel-1 GRD measurement).
const gcpTiff = fileURLToPath(
  new URL("../../sentinel1/test/fixture/flat/measurement/iw-vv.tiff", import.meta.url)
)

describe("RasterSource.readWindow", () => {
  it.effect(
    "a GCP-only GeoTIFF is refused for grids, and opened for window reads with #georeferencing=ignore",
    () =>
      Effect.gen(function* () {
        const raster = yield* RasterSource.RasterSource
        const plain = yield* Effect.exit(raster.open(gcpTiff))
        assert.isTrue(Exit.isFailure(plain))
        const err = Exit.isFailure(plain)
          ? plain.cause.reasons.find((r) => r._tag === "Fail")
          : undefined
        assert.strictEqual(err?._tag === "Fail" ? err.error.problem : "", "NoGeoreferencing")
        assert.include(err?._tag === "Fail" ? err.error.message : "", "30 ground control points")

        const info = yield* raster.open(`${gcpTiff}#georeferencing=ignore`)
        assert.strictEqual(info.width, 300)
        assert.strictEqual(info.height, 240)
        const [whole] = yield* raster.readWindow(info, [0, 0, 300, 240], [0])
        const [part] = yield* raster.readWindow(info, [250, 200, 300, 240], [0])
        assert.strictEqual(part.length, 50 * 40)
        for (let y = 0; y < 40; y++)
          for (let x = 0; x < 50; x++)
            assert.strictEqual(part[y * 50 + x], whole[(200 + y) * 300 + 250 + x])
        assert.isAbove(Math.max(...Array.from(part)), 0)

        const outside = yield* Effect.exit(raster.readWindow(info, [290, 0, 310, 10], [0]))
        assert.isTrue(Exit.isFailure(outside))
        const onGrid = yield* Effect.exit(
          raster.read(info, PixelGrid.make(Crs.epsg(4326), 0, 10, 1, 4, 4), {
            resampling: "nearest"
          })
        )
        assert.isTrue(Exit.isFailure(onGrid))
        assert.include(Exit.isFailure(onGrid) ? String(onGrid.cause) : "", "no georeferencing")
      }).pipe(Effect.scoped, Effect.provide(RasterSource.layerGeoTiffWith({ workers: 0 })))
  )
})
