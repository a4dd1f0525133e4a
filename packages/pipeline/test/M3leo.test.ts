// The shipped m3leo recipe, planned offline: M3LEO's 4.48 km tiles over the Netherlands AOI with the seam
// rule (no holes), its products resolved (S1 by orbit direction, S2 RGB as uint8 0–0.3), its 60-band split.
import { assert, describe, it } from "@effect/vitest"
import { Coverage } from "@eoforge/grid"
import { Effect } from "effect"
import { readFileSync } from "node:fs"
import { Plan, Products, Recipe } from "../src/index.ts"

describe("the m3leo recipe", () => {
  it.effect(
    "plans 4,287 tiles covering the whole AOI, a 60/20/20 split over 60 bands, and resolves its products",
    () =>
      Effect.gen(function* () {
        const loaded = yield* Recipe.load("m3leo")
        const recipe = loaded.recipe
        const aoi = JSON.parse(
          readFileSync(Recipe.resolvePath(loaded, recipe.sampling.aoi!), "utf8")
        )
        const products = Products.resolve(recipe, (p) => Recipe.resolvePath(loaded, p))
        const plan = Plan.make(
          recipe,
          { aoi },
          products.map((p) => p.spec.resolution)
        )
        // 4,210 tiles of the zero-overlap tiling (every tile sharing ground with the AOI) plus the seam rule's.
        const seam = plan.sampling.seam!
        assert.strictEqual(plan.patches.length, 4210 + seam.tiles)
        assert.strictEqual(plan.patches.length, 4287)
        assert.strictEqual(seam.fromRejected, 37)
        assert.isTrue(plan.patches.every((p) => p.grid.width === 448 && p.grid.resolution === 10))
        // Every lattice point of the AOI (1 km over it, 300 m along the 6°E seam), border included, lies in a tile.
        const whole = Coverage.check(aoi, plan.patches, { size: 4480, stepM: 1000 })
        const strip = Coverage.check(aoi, plan.patches, {
          size: 4480,
          stepM: 300,
          box: { minX: 5.6, minY: 50.75, maxX: 6.4, maxY: 53.55 }
        })
        assert.strictEqual(whole.uncovered + strip.uncovered, 0, JSON.stringify(strip.examples))
        assert.isTrue(whole.target > 80_000 && strip.target > 50_000)
        // The split: 60/20/20 by tile count within 2 points, no guard, over ~60 bands of 6.23 km.
        const { train, val, test, guard } = plan.splitCounts
        const n = train + val + test
        assert.strictEqual(guard, 0)
        assert.strictEqual(n, plan.patches.length)
        assert.closeTo(train / n, 0.6, 0.02)
        assert.closeTo(val / n, 0.2, 0.02)
        assert.closeTo(test / n, 0.2, 0.02)
        const fit = plan.splitFit
        assert.strictEqual(fit.method, "banding")
        if (fit.method === "banding") {
          assert.strictEqual(fit.widthM, 6230)
          assert.strictEqual(fit.bearingDeg, 15)
          assert.strictEqual(fit.guardM, 0)
        }
        // Bands: the tiles' extent along the band normal (bearing 15°) over the band width.
        const t = (15 * Math.PI) / 180
        const lat0 = plan.patches.reduce((s, p) => s + p.lat, 0) / n
        const along = plan.patches.map(
          (p) =>
            ((p.lon * Math.cos((lat0 * Math.PI) / 180) * Math.sin(t) + p.lat * Math.cos(t)) *
              Math.PI *
              6371.0088) /
            180
        )
        const bands = (Math.max(...along) - Math.min(...along) + 4.48) / 6.23
        assert.closeTo(bands, 60, 1)
        // Products: S1 by orbit direction, S2 RGB stored as uint8 0–0.3, the archives at coarser nested grids.
        assert.deepStrictEqual(
          products.map((p) => [p.spec.id, p.spec.dtype, p.spec.resolution]),
          [
            ["s1grd_asc", "float32", 10],
            ["s1grd_desc", "float32", 10],
            ["s2rgb", "uint8", 10],
            ["srtm", "int16", 40],
            ["esawc", "uint8", 10],
            ["gssic", "uint16", 80],
            ["agb", "float32", 80],
            ["modis_vcf", "uint8", 80],
            ["gunw", "float32", 80],
            ["ghs_built_s", "uint16", 80]
          ]
        )
        // Seasonal S1 and monthly S2 RGB are per-pixel medians; S2 scenes are cloud-masked first; S1 is
        // terrain-corrected with the recipe's SRTM product.
        assert.deepStrictEqual(
          products.map((p) => p.composite?.rule),
          [
            "median",
            "median",
            "median",
            undefined,
            undefined,
            undefined,
            undefined,
            undefined,
            undefined,
            undefined
          ]
        )
        assert.isDefined(products[2].spec.cloudMask)
        assert.strictEqual(products[0].uses?.["srtm"], products[3])
        assert.strictEqual(products[0].preset.equals?.["sat:orbit_state"], "ascending")
        assert.strictEqual(products[1].preset.equals?.["sat:orbit_state"], "descending")
        assert.deepStrictEqual(products[2].spec.output?.range, [0, 0.3])
        assert.deepStrictEqual(
          products[2].spec.bands.map((b) => b.name),
          ["B04", "B03", "B02"]
        )
        assert.deepStrictEqual(
          products.map((p) => p.slots.length),
          [4, 4, 12, 1, 1, 4, 1, 1, 4, 1]
        )
      })
  )
})
