// Output transforms: a Sentinel-2 L2A item (baseline 05.10, offset −0.1) stored natively and as M3LEO's
// S2RGB uint8 (reflectance 0–0.3 → 0–255): every stored byte follows the stated rule (checked with integer
// arithmetic), nodata pixels hold the output's nodata, attributes and Croissant say so, statistics are of bytes.
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Reader } from "@eoforge/zarr"
import { Effect, Exit, type Layer } from "effect"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { Build, Output, Services } from "../src/index.ts"
import { baselineScenes, juneSlots, writeCatalogue, writeRecipe } from "./sceneCatalogue.ts"
import { tempDir } from "./tree.ts"

const tmp = tempDir("output")
const run = <A, E>(effect: Effect.Effect<A, E, Layer.Success<typeof Services.layer>>) =>
  Effect.runPromiseExit(effect.pipe(Effect.provide(Services.layer)))

// One reflectance field of the Olinda demo area, written as each baseline encodes it.
// DN 1000 is reflectance 0 at baseline 05.10; the field runs past 0.3 (DN 4000) and has nodata (0) holes.
const dn = new Uint16Array(800 * 800).map((_, k) =>
  k % 97 === 0 ? 0 : 900 + (((k % 800) * 97 + Math.floor(k / 800) * 131) % 3700)
)
const items = [
  {
    id: "S2_L2A_N0510",
    date: "2023-06-15",
    baseline: "05.10",
    shift: 0,
    bands: { scale: 0.0001, offset: -0.1 }
  }
] as const

let recipe = ""
beforeAll(() => {
  const catalog = writeCatalogue(tmp.path, "sentinel-2-l2a", "one item", baselineScenes(items, dn))
  recipe = writeRecipe(tmp.path, "output", 3, catalog, juneSlots(items), [
    {
      id: "s2",
      preset: "sentinel-2-l2a",
      source: "local",
      resampling: "nearest",
      bands: [{ name: "B04" }]
    },
    {
      id: "s2rgb",
      preset: "sentinel-2-l2a",
      source: "local",
      resampling: "nearest",
      bands: [{ name: "B04" }],
      output: { dtype: "uint8", range: [0, 0.3] }
    }
  ])
})
afterAll(() => tmp.remove())

// M3LEO's S2RGB byte of a baseline-05.10 DN in integers: x = (DN − 1000) / 10000 / 0.3 × 255 = (DN − 1000) × 17 / 200,
// rounded half up, clipped; no float arithmetic, so it cannot share a rounding slip with the code under test.
const s2rgbByte = (d: number): number => {
  const q = Math.floor((2 * (d - 1000) * 17 + 200) / 400)
  return Math.min(255, Math.max(0, q))
}

describe("output transform", () => {
  it("the rule: range ends, clipping, half-up and floor rounding, NaN and infinities", () => {
    const m3leo = Output.make({ dtype: "uint8", range: [0, 0.3] })
    assert.strictEqual(m3leo.rounding, "nearest")
    assert.strictEqual(m3leo.nodata, 0)
    assert.strictEqual(Output.toStored(0, m3leo), 0)
    assert.strictEqual(Output.toStored(0.3, m3leo), 255)
    assert.strictEqual(Output.toStored(-0.05, m3leo), 0)
    assert.strictEqual(Output.toStored(0.9, m3leo), 255)
    assert.strictEqual(Output.toStored(Number.NaN, m3leo), 0)
    assert.strictEqual(Output.toStored(Infinity, m3leo), 255)
    assert.strictEqual(Output.toStored(-Infinity, m3leo), 0)
    // Generated ranges: a value k + 0.5 steps above lo rounds up (nearest) or down (floor); k steps is k.
    const floor = (t: ReturnType<typeof Output.make>) => ({ ...t, rounding: "floor" as const })
    for (const [lo, hi] of [
      [0, 0.3],
      [0, 1],
      [-25, 0],
      [-0.1, 1.6],
      [100, 3000]
    ] as const) {
      const t = Output.make({ dtype: "uint8", range: [lo, hi], nodata: 255 })
      for (let k = 0; k < 255; k++) {
        const step = (hi - lo) / 255
        assert.strictEqual(Output.toStored(lo + k * step, t), k, `${lo}..${hi} k=${k}`)
        assert.strictEqual(
          Output.toStored(lo + (k + 0.5) * step, t),
          k + 1,
          `${lo}..${hi} k+½=${k}`
        )
        assert.strictEqual(Output.toStored(lo + (k + 0.5) * step, floor(t)), k)
        assert.strictEqual(Output.toStored(lo + (k + 0.25) * step, t), k)
        assert.strictEqual(Output.toStored(lo + (k + 0.75) * step, t), k + 1)
      }
      assert.strictEqual(Output.toStored(Number.NaN, t), 255)
    }
  })

  it("SSL4EO-S12's uint8 (DN ÷ 10000 × 255, truncated) is range [0, 1] with floor rounding on baseline < 04.00", () => {
    const t = Output.make({ dtype: "uint8", range: [0, 1], rounding: "floor" })
    const valid = new Uint8Array(12001).fill(1)
    const out = new Uint8Array(12001)
    const dns = Float64Array.from({ length: 12001 }, (_, d) => d)
    Output.apply(dns, { scale: 1e-4, offset: 0 }, "none", t, out, 0, valid)
    for (let d = 0; d <= 12000; d++) {
      // Exact integer reference; SSL4EO-S12 does not clip (astype wraps above DN 10000): we clip at 255.
      assert.strictEqual(out[d], Math.min(255, Math.floor((d * 255) / 10000)), `DN ${d}`)
    }
  })

  it("M3LEO's S2RGB from harmonised DN, and dB from linear power", () => {
    const t = Output.make({ dtype: "uint8", range: [0, 0.3] })
    const dns = Float64Array.from({ length: 6001 }, (_, d) => d)
    const out = new Uint8Array(dns.length)
    Output.apply(dns, { scale: 1e-4, offset: -0.1 }, "none", t, out, 0, new Uint8Array(dns.length))
    for (let d = 0; d <= 6000; d++) assert.strictEqual(out[d], s2rgbByte(d), `DN ${d}`)
    const db = Output.make({ dtype: "uint8", range: [-25, 0], nodata: 0 })
    const power = [1, 0.1, 0.01, 0.001, 0, -1, Number.NaN]
    const bytes = new Uint8Array(power.length)
    const valid = new Uint8Array(power.length).fill(1)
    Output.apply(power, {}, "dB", db, bytes, 0, valid)
    assert.deepStrictEqual(Array.from(bytes), [255, 153, 51, 0, 0, 0, 0])
    assert.deepStrictEqual(Array.from(valid), [1, 1, 1, 1, 0, 0, 0])
  })

  it("a build stores every byte by the rule, records it and computes statistics on the bytes", async () => {
    const out = join(tmp.path, "output.zarr")
    const exit = await run(Build.build({ recipe, out, createdAt: "2024-01-01T00:00:00.000Z" }))
    assert.isTrue(Exit.isSuccess(exit), String(Exit.isFailure(exit) ? exit.cause : ""))
    const bytes: Array<number> = []
    const train: Array<number> = []
    await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const ds = yield* Reader.make(out)
          for (let s = 0; s < ds.layout.samples; s++) {
            const sample = yield* ds.readSample(s)
            const native = sample.products["s2"]!
            const rgb = sample.products["s2rgb"]!
            assert.strictEqual(rgb.valid[0], 1)
            assert.instanceOf(rgb.data, Uint8Array)
            let holes = 0
            native.data.forEach((d, i) => {
              // Native nodata (DN 0) is nodata in both; every other byte follows the integer rule.
              const want = d === 0 ? 0 : s2rgbByte(Number(d))
              if (d === 0) holes++
              assert.strictEqual(rgb.data[i], want, `sample ${s} pixel ${i} DN ${d}`)
              if (d !== 0) bytes.push(want)
              // Statistics skip the band's nodata (0): a valid byte 0 counts as nodata there too.
              if (sample.split === 0 && want !== 0) train.push(want)
            })
            assert.isAbove(holes, 0)
          }
        })
      )
    )
    assert.isTrue(bytes.includes(255) && bytes.includes(0), "the field reaches both ends")
    const doc = JSON.parse(readFileSync(join(out, "s2rgb", "zarr.json"), "utf8")).attributes
    assert.strictEqual(doc.dtype, "uint8")
    assert.deepStrictEqual(doc.output.range, [0, 0.3])
    assert.strictEqual(doc.output.rounding, "nearest")
    assert.closeTo(doc.scale[0], 0.3 / 255, 1e-15)
    assert.strictEqual(doc.offset[0], 0)
    assert.strictEqual(doc.nodata[0], 0)
    const native = JSON.parse(readFileSync(join(out, "s2", "zarr.json"), "utf8")).attributes
    assert.strictEqual(native.dtype, "uint16")
    assert.isUndefined(native.output)
    const croissant = readFileSync(join(out, "croissant.json"), "utf8")
    assert.include(croissant, "Stored as uint8: x = (v − 0) / (0.3 − 0) × 255")
    assert.isNotNull(doc.statistics)
    // The train statistics are those of the stored bytes.
    const rows = doc.statistics.splits.train as ReadonlyArray<Record<string, number | string>>
    const row = rows.find((r) => r.band === "B04")!
    assert.isAbove(train.length, 0)
    assert.strictEqual(row.count, train.length)
    assert.closeTo(row.mean as number, train.reduce((a, b) => a + b, 0) / train.length, 1e-9)
    assert.strictEqual(row.min, Math.min(...train))
    assert.strictEqual(row.max, Math.max(...train))
  })
})
