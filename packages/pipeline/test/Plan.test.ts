import { assert, describe, it } from "@effect/vitest"
import { Split, type Patch } from "@eoforge/core"
import { PatchGeometry, Sampler } from "@eoforge/grid"
import { Overlap, OverlapFilter } from "@eoforge/overlap"
import { Assignment } from "@eoforge/split"
import { Result } from "effect"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { Plan, Recipe } from "../src/index.ts"

const demoFile = join(Recipe.shippedDirectory, "demo.yaml")
const demoText = readFileSync(demoFile, "utf8")
const aoi = JSON.parse(readFileSync(join(Recipe.shippedDirectory, "olinda-aoi.geojson"), "utf8"))

const recipeOf = (text: string): Recipe.Recipe => {
  const result = Recipe.parse(text, demoFile)
  if (Result.isFailure(result)) assert.fail(result.failure.message)
  return (result as Result.Success<Recipe.Recipe, Recipe.RecipeError>).success
}

const demo = recipeOf(demoText)
const resolutions = demo.products.map((p) => p.resolution ?? demo.patch.resolution)
const planOf = (recipe: Recipe.Recipe) => Plan.make(recipe, { aoi }, resolutions)

describe("Plan", () => {
  it("gives the same patch ids, order and splits when the same recipe is planned twice", () => {
    const a = planOf(recipeOf(demoText))
    const b = planOf(recipeOf(demoText))
    assert.isTrue(a.patches.length > 0)
    assert.deepStrictEqual(
      a.patches.map((p) => p.id),
      b.patches.map((p) => p.id)
    )
    assert.deepStrictEqual([...a.splits], [...b.splits])
    assert.deepStrictEqual(a.sampling, b.sampling)
    assert.deepStrictEqual(a.splitCounts, b.splitCounts)
  })

  it("draws other patches under another seed", () => {
    const a = planOf(demo)
    const b = planOf({ ...demo, seed: demo.seed + 1 })
    const ids = new Set(a.patches.map((p) => p.id))
    assert.isTrue(b.patches.some((p) => !ids.has(p.id)))
  })

  it("accepts exactly `count` patches and counts every candidate as accepted or rejected", () => {
    for (const count of [5, 17, demo.sampling.count!]) {
      const plan = planOf({ ...demo, sampling: { ...demo.sampling, count } })
      assert.strictEqual(plan.patches.length, count)
      assert.strictEqual(plan.sampling.accepted, count)
      assert.strictEqual(plan.sampling.candidates, plan.sampling.accepted + plan.sampling.rejected)
      assert.strictEqual(plan.splits.length, count)
    }
  })

  it("a smaller count plans a prefix of the larger plan's patches", () => {
    const all = planOf(demo)
    const few = planOf({ ...demo, sampling: { ...demo.sampling, count: 6 } })
    assert.deepStrictEqual(
      few.patches.map((p) => p.id),
      all.patches.slice(0, 6).map((p) => p.id)
    )
  })

  // Planning as it was before patches became columns: every Patch kept by the streaming filter, splits
  // assigned over the Patch objects. The column plan must give the same patches, splits and fit.
  const arrayPlan = (recipe: Recipe.Recipe, draw: Iterable<{ lon: number; lat: number }>) => {
    const { size, resolution } = recipe.patch
    const filter = OverlapFilter.make({ maxOverlap: recipe.overlap.maxOverlap })
    const want = recipe.sampling.count!
    let drawn = 0
    for (const c of draw) {
      if (drawn >= recipe.sampling.maxCandidates! || filter.counts().accepted >= want) break
      drawn++
      filter.offer(
        PatchGeometry.make({ lon: c.lon, lat: c.lat, size, resolution, snap: recipe.patch.snap! })
      )
    }
    const patches: ReadonlyArray<Patch.Patch> = filter.accepted()
    const s = recipe.split
    const proportions = { train: s.proportions[0], val: s.proportions[1], test: s.proportions[2] }
    const common = {
      proportions,
      patchSizeM: size,
      ...(s.guardKm === undefined ? {} : { guardKm: s.guardKm })
    }
    const assigned = Assignment.run(
      patches,
      s.method === "banding"
        ? { method: "banding", widthKm: s.bandKm!, bearingDeg: s.bearingDeg, ...common }
        : s.method === "blocks"
          ? { method: "blocks", cellKm: s.blockKm, seed: recipe.seed, ...common }
          : { method: "random", seed: recipe.seed, proportions }
    )
    return { patches, assigned, drawn }
  }

  for (const method of ["banding", "blocks", "random"] as const) {
    it(`plans the same patches, splits and fit as the Patch-array planning (${method} split, dense cities)`, () => {
      const recipe: Recipe.Recipe = {
        ...demo,
        seed: 11,
        sampling: {
          ...demo.sampling,
          sampler: "cities",
          topN: 50,
          sigmaKm: 5,
          weighting: "uniform",
          count: 1500,
          maxCandidates: 6000
        },
        split: { ...demo.split, method, bandKm: 20, blockKm: 30 }
      } as Recipe.Recipe
      const plan = planOf(recipe)
      const old = arrayPlan(
        recipe,
        Sampler.citiesGaussian({ seed: 11, topN: 50, sigmaKm: 5, weighting: "uniform" })
      )
      assert.isAbove(plan.sampling.rejected, 100, "dense enough that the filter rejects")
      assert.strictEqual(plan.sampling.candidates, old.drawn)
      assert.deepStrictEqual(
        plan.patches.map((p) => p),
        [...old.patches]
      )
      assert.deepStrictEqual([...plan.splits], [...old.assigned.codes])
      assert.deepStrictEqual(plan.splitFit, old.assigned.fitted)
      assert.deepStrictEqual(plan.splitCounts, old.assigned.counts)
    })
  }

  it("stops at the candidate budget when count cannot be reached", () => {
    const plan = planOf({
      ...demo,
      sampling: { ...demo.sampling, count: 10_000, maxCandidates: 60 }
    })
    assert.strictEqual(plan.sampling.candidates, 60)
    assert.isTrue(plan.patches.length < 60)
  })

  for (const maxOverlap of [0, 0.1, 0.25]) {
    it(`no two accepted patches overlap by more than ${maxOverlap * 100} % of either's area`, () => {
      const plan = planOf({
        ...demo,
        overlap: { maxOverlap },
        sampling: { ...demo.sampling, count: 40 }
      })
      assert.isTrue(
        plan.sampling.rejected > 0,
        "the AOI is small enough that some candidates collide"
      )
      const ps = plan.patches
      let touching = 0
      for (let i = 0; i < ps.length; i++) {
        for (let j = i + 1; j < ps.length; j++) {
          const f = Math.max(Overlap.fraction(ps[i], ps[j]), Overlap.fraction(ps[j], ps[i]))
          if (f > 0) touching++
          assert.isAtMost(f, maxOverlap + 1e-9, `${ps[i].id} and ${ps[j].id} overlap by ${f}`)
        }
      }
      if (maxOverlap > 0) assert.isTrue(touching > 0, "some accepted pairs do overlap a little")
    })
  }

  it("records the centre of every rejected candidate, each within ¾ of a patch of an accepted one", () => {
    const plan = planOf({ ...demo, sampling: { ...demo.sampling, count: 40 } })
    assert.strictEqual(plan.rejected.lon.length, plan.sampling.rejected)
    assert.strictEqual(plan.rejected.lat.length, plan.sampling.rejected)
    const size = demo.patch.size
    plan.rejected.lon.forEach((lon, k) => {
      const lat = plan.rejected.lat[k]
      const kx = 111_320 * Math.cos((lat * Math.PI) / 180)
      const nearest = Math.min(
        ...plan.patches.map((p) => Math.hypot((p.lon - lon) * kx, (p.lat - lat) * 110_574))
      )
      // Rejected for overlap > 25 %: its centre lies closer than ¾ of a side (+ snapping) to a patch.
      assert.isBelow(nearest, 0.75 * size + demo.patch.snap!, `${lon}, ${lat}`)
    })
    const record = JSON.parse(new TextDecoder().decode(Plan.rejectedRecord(plan)))
    assert.strictEqual(record.lon.length, plan.sampling.rejected)
    assert.isBelow(Math.abs(record.lat[0] - plan.rejected.lat[0]), 1e-6)
  })

  it("assigns every patch a split code whose counts match the reported split counts", () => {
    const plan = planOf(demo)
    const counts = { train: 0, val: 0, test: 0, guard: 0 }
    for (const code of plan.splits) counts[Split.name(code)]++
    assert.deepStrictEqual(counts, { ...plan.splitCounts })
    assert.isTrue(counts.train > 0 && counts.val > 0 && counts.test > 0)
  })

  it("lays every patch on the recipe's grid: size, resolution and snapped origin", () => {
    const plan = planOf(demo)
    assert.strictEqual(plan.snap, demo.patch.snap)
    for (const p of plan.patches) {
      assert.strictEqual(p.grid.resolution, demo.patch.resolution)
      assert.strictEqual(p.grid.width * p.grid.resolution, demo.patch.size)
      assert.strictEqual(p.grid.height * p.grid.resolution, demo.patch.size)
      assert.strictEqual(p.grid.x0 % plan.snap, 0)
      assert.strictEqual(p.grid.y0 % plan.snap, 0)
    }
  })

  it("writes the plan as GeoJSON with one closed footprint and split per patch", () => {
    const plan = planOf(demo)
    const fc = Plan.toGeoJson(plan)
    assert.strictEqual(fc.features.length, plan.patches.length)
    fc.features.forEach((f, i) => {
      assert.strictEqual(f.id, plan.patches[i].id)
      assert.strictEqual(f.properties.split, Split.name(plan.splits[i]))
      const ring = f.geometry.coordinates[0]
      assert.strictEqual(ring.length, 5)
      assert.deepStrictEqual(ring[0], ring[4])
    })
  })
})
