// The seam rule of tiled AOIs: where two UTM zones' lattices meet, a zero-overlap tiling leaves holes; with
// `sampling.seam: least-overlap` every lattice point of the AOI whose own zone's tile lies in the AOI is covered.
import { assert, describe, it } from "@effect/vitest"
import { Coverage } from "@eoforge/grid"
import { Overlap } from "@eoforge/overlap"
import { Result } from "effect"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { Plan, Recipe } from "../src/index.ts"

const demoFile = join(Recipe.shippedDirectory, "demo.yaml")
const parsed = Recipe.parse(readFileSync(demoFile, "utf8"), demoFile)
if (Result.isFailure(parsed)) throw new Error(parsed.failure.message)
const base = (parsed as Result.Success<Recipe.Recipe, Recipe.RecipeError>).success
const netherlands = JSON.parse(
  readFileSync(join(Recipe.shippedDirectory, "netherlands-aoi.geojson"), "utf8")
)

const tiled = (
  size: number,
  seam: "none" | "least-overlap",
  edge: "centre" | "cover" = "centre"
): Recipe.Recipe => ({
  ...base,
  sampling: {
    sampler: "tiles",
    aoi: "aoi.geojson",
    seam,
    edge,
    topN: 10000,
    sigmaKm: 50,
    weighting: "uniform"
  },
  patch: { size, resolution: 10, snap: 10 },
  overlap: { maxOverlap: 0 }
})
const planOf = (
  aoi: unknown,
  size: number,
  seam: "none" | "least-overlap",
  edge: "centre" | "cover" = "centre"
) => Plan.make(tiled(size, seam, edge), { aoi }, [10])

const box = (lon0: number, lat0: number, lon1: number, lat1: number) => ({
  type: "Polygon",
  coordinates: [
    [
      [lon0, lat0],
      [lon1, lat0],
      [lon1, lat1],
      [lon0, lat1],
      [lon0, lat0]
    ]
  ]
})

// The largest share of one tile's area covered by another tile of the plan, over every pair (exact, brute force near;
// patches are compared by id: the plan's array view rebuilds a patch at each access).
const largestOverlap = (
  patches: ReadonlyArray<Plan.Plan["patches"][number]>,
  of: ReadonlySet<string>
) => {
  let max = 0
  for (const a of patches) {
    if (!of.has(a.id)) continue
    for (const b of patches) {
      if (a.id === b.id || Math.abs(a.lat - b.lat) > 0.1 || Math.abs(a.lon - b.lon) > 0.2) continue
      max = Math.max(max, Overlap.fraction(a, b))
    }
  }
  return max
}

describe("seam rule", () => {
  it("the Netherlands AOI: 35 tiles lost at the 31/32 seam leave holes; least-overlap closes every one", () => {
    const before = planOf(netherlands, 4480, "none")
    const after = planOf(netherlands, 4480, "least-overlap")
    assert.strictEqual(before.sampling.candidates, 4156)
    assert.strictEqual(before.patches.length, 4121)
    assert.strictEqual(before.sampling.seam, undefined)
    const seam = after.sampling.seam!
    assert.strictEqual(after.patches.length, 4121 + seam.tiles)
    assert.deepStrictEqual(
      after.patches.slice(0, 4121).map((p) => p.id),
      before.patches.map((p) => p.id)
    )
    assert.strictEqual(after.sampling.candidates, after.sampling.accepted + after.sampling.rejected)
    assert.strictEqual(after.sampling.candidates, 4156 + seam.candidates - 35)
    assert.isTrue(seam.tiles > 35 && seam.tiles < 120, `${seam.tiles} seam tiles`)
    // The reported overlap is the exact one, recomputed pair by pair.
    const added = new Set(after.patches.slice(4121).map((p) => p.id))
    assert.closeTo(seam.maxOverlap, largestOverlap(after.patches, added), 1e-12)
    assert.isTrue(
      seam.maxOverlap < 1 && seam.meanOverlap > 0 && seam.meanOverlap <= seam.maxOverlap
    )
    // Coverage on a 250 m lattice along the seam (5.5–6.5°E) and a 1 km one over the whole AOI.
    const strip = { minX: 5.5, minY: 50.75, maxX: 6.5, maxY: 53.55 }
    const was = Coverage.check(netherlands, before.patches, { size: 4480, stepM: 250, box: strip })
    const is = Coverage.check(netherlands, after.patches, { size: 4480, stepM: 250, box: strip })
    assert.isTrue(was.holes > 1000, `${was.holes} holes before`)
    assert.strictEqual(is.holes, 0, JSON.stringify(is.examples))
    assert.isTrue(is.target > 150_000)
    const whole = Coverage.check(netherlands, after.patches, { size: 4480, stepM: 1000 })
    assert.strictEqual(whole.holes, 0)
    assert.isTrue(whole.target > 80_000)
    // Splits are assigned to the seam tiles like any other.
    assert.strictEqual(after.splits.length, after.patches.length)
  })

  it("other seams, latitudes, hemispheres and tile sizes: no holes, overlap below one tile", () => {
    const variants: ReadonlyArray<readonly [string, unknown, number]> = [
      ["32/33 at 10°N, 4.48 km", box(11.7, 9.8, 12.3, 10.4), 4480],
      ["18/19 at 40°S, 2.64 km", box(-72.3, -40.3, -71.7, -39.8), 2640],
      ["31V/32V at 60°N (Norway), 4.48 km", box(2.5, 59.8, 3.5, 60.2), 4480],
      ["34/35 at 70°N, 10 km", box(23.2, 69.7, 24.8, 70.3), 10000],
      ["equator, zone 35 north/south, 4.48 km", box(26.5, -0.25, 27, 0.25), 4480],
      ["30/31 at 51°N, 1.28 km", box(-0.2, 50.9, 0.2, 51.1), 1280]
    ]
    let holesBefore = 0
    for (const [name, aoi, size] of variants) {
      const before = planOf(aoi, size, "none")
      const after = planOf(aoi, size, "least-overlap")
      const step = Math.max(80, size / 25)
      const was = Coverage.check(aoi, before.patches, { size, stepM: step })
      const is = Coverage.check(aoi, after.patches, { size, stepM: step })
      holesBefore += was.holes
      assert.strictEqual(is.holes, 0, `${name}: holes at ${JSON.stringify(is.examples)}`)
      assert.isTrue(is.target > 5_000, name)
      const seam = after.sampling.seam!
      assert.isTrue(seam.tiles > 0, name)
      assert.isTrue(seam.maxOverlap < 1, `${name}: ${seam.maxOverlap}`)
    }
    assert.isTrue(holesBefore > 1000)
  })

  it("edge: cover with the seam rule covers every point of the AOI, border included", () => {
    // An irregular AOI across the 6°E seam, a square one across 12°E at 10°N, and the Netherlands' seam strip.
    const wedge = {
      type: "Polygon",
      coordinates: [
        [
          [5.62, 51.0],
          [6.41, 51.08],
          [6.2, 51.47],
          [5.93, 51.31],
          [5.7, 51.52],
          [5.62, 51.0]
        ]
      ]
    }
    const variants: ReadonlyArray<readonly [string, unknown, number]> = [
      ["wedge across 6°E, 4.48 km", wedge, 4480],
      ["square across 12°E at 10°N, 2.64 km", box(11.8, 9.9, 12.2, 10.3), 2640],
      ["Netherlands' seam strip, 4.48 km", box(5.5, 50.75, 6.5, 51.6), 4480]
    ]
    for (const [name, aoi, size] of variants) {
      const centre = planOf(aoi, size, "least-overlap")
      const cover = planOf(aoi, size, "least-overlap", "cover")
      const step = Math.max(80, size / 30)
      const was = Coverage.check(aoi, centre.patches, { size, stepM: step })
      const is = Coverage.check(aoi, cover.patches, { size, stepM: step })
      assert.isTrue(was.uncovered > 0 && was.holes === 0, `${name}: centre leaves only the border`)
      assert.strictEqual(is.uncovered, 0, `${name}: ${JSON.stringify(is)}`)
      assert.isTrue(cover.patches.length > centre.patches.length, name)
      const ids = new Set(cover.patches.map((p) => p.id))
      assert.strictEqual(ids.size, cover.patches.length, `${name}: no tile twice`)
    }
  })

  it("seam: least-overlap is a recipe error for samplers other than tiles", () => {
    const text = readFileSync(demoFile, "utf8").replace(
      "sampler: aoi",
      "sampler: aoi\n  seam: least-overlap"
    )
    const r = Recipe.parse(text, demoFile)
    assert.isTrue(Result.isFailure(r))
    assert.include((r as Result.Failure<Recipe.Recipe, Recipe.RecipeError>).failure.message, "seam")
  })
})
