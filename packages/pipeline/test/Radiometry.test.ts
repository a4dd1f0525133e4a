// Radiometry: Sentinel-2 L2A items of the same place from processing baselines 02.12 (no raster:bands, as
// Planetary Computer publishes), 03.00 (offset 0) and 05.10 (offset −0.1, +1000 DN) are stored on one
// harmonised scale; the store records each chip's baseline, source scale and offset, and statistics agree.
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Reader } from "@eoforge/zarr"
import { Effect, Exit, type Layer } from "effect"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { Build, Radiometry, Services } from "../src/index.ts"
import { baselineScenes, juneSlots, writeCatalogue, writeRecipe } from "./sceneCatalogue.ts"
import { tempDir } from "./tree.ts"

const tmp = tempDir("radiometry")
const run = <A, E>(effect: Effect.Effect<A, E, Layer.Success<typeof Services.layer>>) =>
  Effect.runPromiseExit(effect.pipe(Effect.provide(Services.layer)))

// One reflectance field of the Olinda demo area, written as each baseline encodes it.
const dn = new Uint16Array(800 * 800).map(
  (_, k) => 500 + (((k % 800) * 7 + Math.floor(k / 800) * 13) % 3000)
)
const items = [
  { id: "S2_L2A_N0212", date: "2019-06-15", baseline: "02.12", shift: 0, bands: undefined },
  {
    id: "S2_L2A_N0300",
    date: "2021-06-15",
    baseline: "03.00",
    shift: 0,
    bands: { scale: 0.0001, offset: 0 }
  },
  {
    id: "S2_L2A_N0510",
    date: "2023-06-15",
    baseline: "05.10",
    shift: 1000,
    bands: { scale: 0.0001, offset: -0.1 }
  }
] as const

let recipe = ""
beforeAll(() => {
  const catalog = writeCatalogue(
    tmp.path,
    "sentinel-2-l2a",
    "three baselines",
    baselineScenes(items, dn)
  )
  recipe = writeRecipe(
    tmp.path,
    "radiometry",
    3,
    catalog,
    juneSlots(items),
    items.map((it) => ({
      id: `s2_${it.baseline.replace(".", "")}`,
      preset: "sentinel-2-l2a",
      source: "local",
      slots: `y${it.date.slice(0, 4)}`,
      resampling: "nearest",
      bands: [{ name: "B04" }]
    }))
  )
})
afterAll(() => tmp.remove())

describe("Sentinel-2 radiometry across processing baselines", () => {
  it("maps each baseline's scale and offset onto the harmonised one", () => {
    const target = { scale: 0.0001, offset: -0.1 }
    const shift = Radiometry.linear({ scale: 0.0001, offset: 0 }, target)
    assert.strictEqual(shift.a, 1)
    assert.closeTo(shift.b, 1000, 1e-9)
    assert.deepStrictEqual(Radiometry.linear({ scale: 0.0001, offset: -0.1 }, target), {
      a: 1,
      b: 0
    })
    const s2 = {
      convention: "",
      defaults: [
        { fromBaseline: "00.00", scale: 1e-4, offset: 0 },
        { fromBaseline: "04.00", scale: 1e-4, offset: -0.1 }
      ]
    }
    assert.deepStrictEqual(Radiometry.defaultFor(s2, "02.12"), { scale: 1e-4, offset: 0 })
    assert.deepStrictEqual(Radiometry.defaultFor(s2, "04.00"), { scale: 1e-4, offset: -0.1 })
    assert.deepStrictEqual(Radiometry.defaultFor(s2, "10.01"), { scale: 1e-4, offset: -0.1 })
  })

  it("stores identical chips from the three baselines and records baseline, scale and offset per chip", async () => {
    const out = join(tmp.path, "radiometry.zarr")
    const exit = await run(Build.build({ recipe, out, createdAt: "2024-01-01T00:00:00.000Z" }))
    assert.isTrue(Exit.isSuccess(exit), String(Exit.isFailure(exit) ? exit.cause : ""))
    const checked = await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const ds = yield* Reader.make(out)
          let chips = 0
          for (let s = 0; s < ds.layout.samples; s++) {
            const sample = yield* ds.readSample(s)
            const [old, mid, now] = ["s2_0212", "s2_0300", "s2_0510"].map(
              (id) => sample.products[id]!
            )
            for (const p of [old, mid, now]) assert.strictEqual(p.valid[0], 1, `sample ${s}`)
            assert.deepStrictEqual(Array.from(old.data), Array.from(now.data), `sample ${s}`)
            assert.deepStrictEqual(Array.from(mid.data), Array.from(now.data), `sample ${s}`)
            // Harmonised values are the source DN + 1000 (no value of the field is below 500 DN).
            assert.isAtLeast(Math.min(...Array.from(now.data)), 1500)
            assert.deepStrictEqual(
              [old, mid, now].map((p) => [
                p.radiometry!.baseline[0],
                p.radiometry!.scale[0],
                p.radiometry!.offset[0]
              ]),
              [
                ["02.12", 0.0001, 0],
                ["03.00", 0.0001, 0],
                ["05.10", 0.0001, -0.1]
              ]
            )
            chips += 3
          }
          const attrs = ds.layout.products.map((p) => [
            p.spec.bands[0]!.scale,
            p.spec.bands[0]!.offset,
            p.spec.radiometry?.defaults?.length
          ])
          return { chips, attrs }
        })
      )
    )
    assert.strictEqual(checked.chips, 9)
    // Statistics are computed on the harmonised values: the three products' are the same.
    const stats = ["s2_0212", "s2_0300", "s2_0510"].map((id) => {
      const doc = JSON.parse(readFileSync(join(out, id, "zarr.json"), "utf8"))
      const report = doc.attributes.statistics
      assert.isNotNull(report, id)
      return JSON.stringify({ ...report, product: "" })
    })
    assert.include(stats[2], '"mean"')
    assert.strictEqual(stats[0], stats[2])
    assert.strictEqual(stats[1], stats[2])
    assert.deepStrictEqual(checked.attrs, [
      [0.0001, -0.1, 2],
      [0.0001, -0.1, 2],
      [0.0001, -0.1, 2]
    ])
  })
})
