import { assert, describe, it } from "@effect/vitest"
import type { Patch } from "@eoforge/core"
import { PatchGeometry, Sampler, Tiling } from "@eoforge/grid"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { Store } from "@eoforge/zarr"
import { Effect } from "effect"
import { PatchColumns, PlanFile, Recipe, type Plan } from "../src/index.ts"

const planOf = (patches: ReadonlyArray<Patch.Patch>, snap: number): Plan.Plan => {
  const g = patches[0]?.grid
  const columns = new PatchColumns.PatchColumns(
    g === undefined ? 1 : g.width * g.resolution,
    g?.resolution ?? 1
  )
  patches.forEach((p) => columns.push(p))
  return planWith(patches, columns, snap)
}

const planWith = (
  patches: ReadonlyArray<Patch.Patch>,
  columns: PatchColumns.PatchColumns,
  snap: number
): Plan.Plan => ({
  patches,
  columns,
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

describe("PatchColumns", () => {
  it("rows span several blocks; the array view rebuilds, slices, iterates and refuses writes", () => {
    const columns = new PatchColumns.PatchColumns(2640, 10)
    const patches: Array<Patch.Patch> = []
    let k = 0
    for (const s of Sampler.uniformSphere({ seed: 9 })) {
      if (k++ >= 300_000) break
      const p = PatchGeometry.make({ lon: s.lon, lat: s.lat, size: 2640, resolution: 10, snap: 60 })
      columns.push(p)
      if (k % 1000 === 1 || k > 299_990) patches.push(p)
    }
    const view = columns.view()
    assert.strictEqual(view.length, 300_000)
    assert.deepStrictEqual(view[0], patches[0])
    assert.deepStrictEqual(view[1000], patches[1])
    assert.deepStrictEqual(view[299_999], patches.at(-1))
    assert.strictEqual(columns.id(262_144 + 856), view[262_144 + 856]!.id)
    assert.deepStrictEqual(
      view.slice(299_995).map((p) => p.id),
      patches.slice(-5).map((p) => p.id)
    )
    assert.strictEqual(view[300_000], undefined)
    assert.isTrue(Array.isArray(view))
    assert.throws(() => {
      ;(view as Array<Patch.Patch>)[0] = patches[1]
    })
    const lon = columns.column("lon")
    assert.strictEqual(lon.length, 300_000)
    assert.strictEqual(lon[299_999], patches.at(-1)!.lon)
    assert.strictEqual(
      columns.chunks("epsg").reduce((n, c) => n + c.length, 0),
      4 * 300_000
    )
  })

  it("refuses a patch of another size or resolution", () => {
    const columns = new PatchColumns.PatchColumns(2640, 10)
    assert.throws(
      () => columns.push(PatchGeometry.make({ lon: 0, lat: 0, size: 960, resolution: 10 })),
      /differs from the plan's 2640 m \/ 10 m grid/
    )
    assert.strictEqual(columns.length, 0)
  })
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

  it.effect(
    "reads a shard's rows by slices: the same patches and splits as the whole file, ranges checked",
    () =>
      Effect.gen(function* () {
        const patches: Array<Patch.Patch> = []
        let k = 0
        for (const s of Sampler.uniformSphere({ seed: 8 })) {
          if (k++ >= 700) break
          patches.push(
            PatchGeometry.make({ lon: s.lon, lat: s.lat, size: 2640, resolution: 10, snap: 60 })
          )
        }
        const plan = planOf(patches, 60)
        const bytes = PlanFile.encode(plan, 2640)
        // Written from the column chunks, as a build writes it.
        const map = new Map<string, Uint8Array>()
        const store = Store.makeMemory(map)
        yield* store.set(PlanFile.key, PlanFile.encodeChunks(plan, 2640))
        assert.deepStrictEqual(map.get(PlanFile.key), bytes)
        let ranges = 0
        const counted: Store.StoreApi = {
          ...store,
          get: () => Effect.die("a sliced plan is never read whole"),
          getRange: (key, range) => {
            ranges++
            return store.getRange!(key, range)
          }
        }
        const sliced = yield* PlanFile.open(counted, "s.zarr/.eoforge/plan.bin")
        assert.isDefined(sliced)
        assert.strictEqual(sliced!.length, 700)
        assert.deepStrictEqual([...sliced!.splits], [...plan.splits])
        const opened = ranges
        const rows = yield* sliced!.range(256, 512)
        assert.strictEqual(ranges - opened, 5, "four float columns and the zone column")
        assert.deepStrictEqual(rows, patches.slice(256, 512))
        assert.deepStrictEqual(yield* sliced!.range(690, 700), patches.slice(690))
        const outside = yield* Effect.flip(sliced!.range(690, 701))
        assert.include(outside.message, "no patches 690 … 700 in a plan of 700")
        // Without range reads, the whole file is decoded instead.
        const whole = yield* PlanFile.open({ ...store, getRange: undefined }, "w")
        assert.deepStrictEqual(yield* whole!.range(3, 5), patches.slice(3, 5))
        assert.isUndefined(yield* PlanFile.open(Store.makeMemory(), "absent"))
      })
  )

  it.effect(
    "a sliced plan refuses truncated, extended or foreign files with a typed error naming the file",
    () =>
      Effect.gen(function* () {
        const patches = [PatchGeometry.make({ lon: 10, lat: 45, size: 2640, resolution: 10 })]
        const bytes = PlanFile.encode(planOf(patches, 10), 2640)
        const zone = bytes.slice()
        zone.fill(0, bytes.length - 5, bytes.length - 1)
        const extended = new Uint8Array(bytes.length + 1)
        extended.set(bytes)
        for (const bad of [bytes.subarray(0, bytes.length - 1), new Uint8Array(20), extended]) {
          const store = Store.makeMemory(new Map([[PlanFile.key, bad]]))
          const error = yield* Effect.flip(PlanFile.open(store, "s.zarr/.eoforge/plan.bin"))
          assert.strictEqual(error._tag, "PlanFileError")
          assert.include(error.message, "s.zarr/.eoforge/plan.bin")
        }
        const store = Store.makeMemory(new Map([[PlanFile.key, zone]]))
        const sliced = yield* PlanFile.open(store, "z.zarr/.eoforge/plan.bin")
        const error = yield* Effect.flip(sliced!.range(0, 1))
        assert.include(error.message, "patch 0 has no UTM/UPS zone")
      })
  )
})
