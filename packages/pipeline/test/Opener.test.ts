import { assert, describe, it } from "@effect/vitest"
import { Crs, PixelGrid } from "@eoforge/core"
import { RasterSource } from "@eoforge/raster"
import { Effect } from "effect"
import { fileURLToPath } from "node:url"
import { Opener } from "../src/index.ts"

const file = (name: string) =>
  fileURLToPath(new URL(`../../../fixtures/demo/data/ls7-seasonal/${name}.tif`, import.meta.url))
const a = file("ls7-seasonal-olinda-2002-03-20")
const b = file("ls7-seasonal-olinda-2002-06-21")
const grid = PixelGrid.make(Crs.epsg(32725), 292_000, 9_116_000, 30, 16, 16)

describe("Opener", () => {
  it.effect("never closes a source while a read uses it, even past its capacity", () =>
    Effect.gen(function* () {
      const raster = yield* RasterSource.RasterSource
      const opener = yield* Opener.make(1)
      const chip = yield* opener.use([a], ([infoA]) =>
        Effect.gen(function* () {
          // Opening another source beyond the capacity of 1 must not close A, which is in use.
          yield* opener.use([b], ([infoB]) => raster.read(infoB, grid, { resampling: "nearest" }))
          return yield* raster.read(infoA, grid, { resampling: "nearest" })
        })
      )
      assert.strictEqual(chip.data.length, 6 * 16 * 16)
      // After both uses ended, an unused source was closed to honour the capacity; reads still work.
      const again = yield* opener.use([a, b], (infos) =>
        Effect.forEach(infos, (info) => raster.read(info, grid, { resampling: "nearest" }))
      )
      assert.deepStrictEqual(Array.from(again[0].data), Array.from(chip.data))
    }).pipe(Effect.scoped, Effect.provide(RasterSource.layerGeoTiff))
  )

  it.effect("a failed open releases the sources it already held and names the missing file", () =>
    Effect.gen(function* () {
      const opener = yield* Opener.make(1)
      const error = yield* opener
        .use([a, "/nonexistent/x.tif"], () => Effect.void)
        .pipe(Effect.flip)
      assert.strictEqual(error._tag, "RasterOpenError")
      assert.include(error.message, "/nonexistent/x.tif")
      // A is not left pinned: opening B now evicts it without trouble and reads work.
      const raster = yield* RasterSource.RasterSource
      const chip = yield* opener.use([b], ([info]) =>
        raster.read(info, grid, { resampling: "nearest" })
      )
      assert.strictEqual(chip.bands, 6)
    }).pipe(Effect.scoped, Effect.provide(RasterSource.layerGeoTiff))
  )
})
