import { assert, describe, it } from "@effect/vitest"
import type { Patch } from "@eoforge/core"
import { PatchGeometry, Sampler, Tiling } from "@eoforge/grid"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { PlanFile, Recipe, type Plan } from "../src/index.ts"

const planOf = (patches: ReadonlyArray<Patch.Patch>, snap: number): Plan.Plan => ({
  patches,
  splits: Uint8Array.from(patches, (_, i) => [0, 1, 2, 255][i % 4]),
  splitFit: {
    method: "random",
    seed: 3,
    proportions: { train: 0.8, val: 0.1, test: 0.1 }
  } as never,
  sampling: { candidates: patches.length + 5, accepted: patches.length, rejected: 5 },
  rejected: { lon: [], lat: [] },
  splitCounts: { train: 1, val: 1, test: 1, guard: 1 },
  snap
})

const roundTrip = (plan: Plan.Plan, size: number) => {
  const compact = PlanFile.decode(PlanFile.encode(plan, size), "test")
  if (compact instanceof PlanFile.PlanFileError) throw compact
  return compact
}

describe("PlanFile", () => {
  it("rebuilds every sampled patch exactly: ids, grids and footprints, polar zones and ±180° included", () => {
    const places: Array<readonly [number, number]> = [
      [179.99, 10],
      [-179.99, -10],
      [12.5, 89.5],
      [-60, -88],
      [0, 0],
      [-34.87, -8]
    ]
    let k = 0
    for (const s of Sampler.uniformSphere({ seed: 5 })) {
      if (k++ >= 500) break
      places.push([s.lon, s.lat])
    }
    const patches = places.map(([lon, lat]) =>
      PatchGeometry.make({ lon, lat, size: 2640, resolution: 10, snap: 60 })
    )
    const plan = planOf(patches, 60)
    const compact = roundTrip(plan, 2640)
    assert.strictEqual(compact.length, patches.length)
    for (let i = 0; i < patches.length; i++) assert.deepStrictEqual(compact.at(i), patches[i])
    assert.deepStrictEqual([...compact.splits], [...plan.splits])
    assert.deepStrictEqual(compact.header.splitFit, plan.splitFit)
    assert.deepStrictEqual(compact.header.sampling, plan.sampling)
  })

  it("rebuilds AOI tiles exactly, whose centres come from their grid", () => {
    const aoi = JSON.parse(
      readFileSync(join(Recipe.shippedDirectory, "olinda-aoi.geojson"), "utf8")
    )
    const patches = [...Tiling.tiles(aoi, { size: 960, resolution: 30, snap: 30 })]
    assert.isAbove(patches.length, 10)
    const compact = roundTrip(planOf(patches, 30), 960)
    patches.forEach((p, i) => assert.deepStrictEqual(compact.at(i), p))
  })

  it("holds 37 bytes per patch beside its header", () => {
    const patches = Array.from({ length: 1000 }, (_, i) =>
      PatchGeometry.make({ lon: -170 + i * 0.3, lat: 40, size: 2640, resolution: 10 })
    )
    const a = PlanFile.encode(planOf(patches.slice(0, 10), 10), 2640).length
    const b = PlanFile.encode(planOf(patches, 10), 2640).length
    // The header differs only in a few digits of its counts (and the padding to 8 bytes).
    assert.approximately(b - a, 990 * 37, 16)
  })

  it("refuses damaged, truncated or foreign bytes with a typed error naming the file", () => {
    const patches = [PatchGeometry.make({ lon: 10, lat: 45, size: 2640, resolution: 10 })]
    const bytes = PlanFile.encode(planOf(patches, 10), 2640)
    const zone = bytes.slice()
    // The zone column of the single patch: header, padding, 4 float columns, then the u32.
    zone.fill(0, bytes.length - 5, bytes.length - 1)
    for (const bad of [bytes.subarray(0, bytes.length - 1), new Uint8Array(20), zone]) {
      const r = PlanFile.decode(bad, "s.zarr/.eoforge/plan.bin")
      assert.instanceOf(r, PlanFile.PlanFileError)
      assert.include((r as PlanFile.PlanFileError).message, "s.zarr/.eoforge/plan.bin")
    }
  })
})
