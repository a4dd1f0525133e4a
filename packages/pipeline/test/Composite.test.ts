// Composite slots end to end: ten June scenes, each lacking a different part of every patch (nodata blocks),
// give a gap-free monthly median (spilled to the store: more scenes than the in-memory limit), mean and
// first-valid equal to the same rules applied to the single-scene chips of the same build (and the count
// of valid observations per pixel stored beside the median); July's two
// scenes have no valid pixel (NoValidPixel, never a zero chip); months without scenes are NoItemInWindow;
// a product limited to one orbit direction composites only that direction's scenes.
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Reason } from "@eoforge/core"
import { Reader } from "@eoforge/zarr"
import { Effect, Exit, type Layer } from "effect"
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { Build, Composite, Services } from "../src/index.ts"
import { side as size, writeCatalogue, writeRecipe } from "./sceneCatalogue.ts"
import { tempDir } from "./tree.ts"

const tmp = tempDir("composite")
const run = <A, E>(effect: Effect.Effect<A, E, Layer.Success<typeof Services.layer>>) =>
  Effect.runPromiseExit(effect.pipe(Effect.provide(Services.layer)))

const june = Array.from({ length: 10 }, (_, k) => ({
  id: `S2_2021060${k}_${k}`,
  date: `2021-06-${String(k + 1).padStart(2, "0")}`,
  cloud: 3 + 7 * ((k * 3) % 10), // ranks the scenes in an order other than by date
  orbit: k % 2 === 0 ? "ascending" : "descending",
  // Scene k lacks the 12 × 12 px blocks with (bx + 2 by) mod 5 = k mod 5: every pixel lacks 2 of 10.
  lacks: (x: number, y: number) => (Math.floor(x / 12) + 2 * Math.floor(y / 12)) % 5 === k % 5,
  value: (x: number, y: number) => 500 + ((x * 7 + y * 13 + k * 37) % 3001)
}))
const july = [0, 1].map((k) => ({
  id: `S2_2021070${k}_empty`,
  date: `2021-07-0${k + 1}`,
  cloud: 1,
  orbit: "ascending",
  lacks: () => true,
  value: () => 0
}))
const scenes = [...june, ...july]

let recipe = ""
beforeAll(() => {
  const catalog = writeCatalogue(
    tmp.path,
    "s2",
    "scenes with holes",
    scenes.map((sc) => {
      const data = new Uint16Array(size * size)
      for (let y = 0; y < size; y++)
        for (let x = 0; x < size; x++) data[y * size + x] = sc.lacks(x, y) ? 0 : sc.value(x, y)
      return {
        id: sc.id,
        date: sc.date,
        properties: { "eo:cloud_cover": sc.cloud, "sat:orbit_state": sc.orbit },
        data,
        asset: { type: "image/tiff; application=geotiff" }
      }
    })
  )
  const product = (id: string, slots: string) => ({
    id,
    source: "local",
    collection: "s2",
    dtype: "uint16",
    slots,
    resampling: "nearest",
    bands: [{ name: "B04", asset: "red", nodata: 0 }]
  })
  recipe = writeRecipe(
    tmp.path,
    "composite",
    5,
    catalog,
    {
      median: { kind: "months", year: 2021, rule: "median" },
      mean: { kind: "months", year: 2021, rule: "mean" },
      first: { kind: "months", year: 2021, rule: "first-valid" },
      ...Object.fromEntries(
        june.map((sc, k) => [`d${k}`, { kind: "window", start: sc.date, end: sc.date }])
      )
    },
    [
      { ...product("med", "median"), composite: { validCount: true } },
      product("avg", "mean"),
      product("first", "first"),
      { ...product("asc", "median"), orbitDirection: "ascending" },
      // A uint8 visualisation of the median: composited as values, transformed once.
      { ...product("vis", "median"), output: { dtype: "uint8", range: [0, 4000] } },
      ...june.map((_, k) => product(`d${k}`, `d${k}`))
    ]
  )
})
afterAll(() => tmp.remove())

const rint = (v: number) => {
  const r = Math.round(v)
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r
}

describe("composite slots", () => {
  it("fill every pixel from ten scenes with holes and record NoValidPixel for a month without a valid pixel", async () => {
    const out = join(tmp.path, "composite.zarr")
    const exit = await run(Build.build({ recipe, out, createdAt: "2024-01-01T00:00:00.000Z" }))
    assert.isTrue(Exit.isSuccess(exit), String(Exit.isFailure(exit) ? exit.cause : ""))
    const checked = await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const ds = yield* Reader.make(out)
          let pixels = 0
          let halves = 0
          let ascMissing = 0
          let visDiffers = 0
          for (let s = 0; s < ds.layout.samples; s++) {
            const sample = yield* ds.readSample(s)
            const { med, avg, first } = sample.products as Record<
              string,
              (typeof sample.products)[string]
            >
            const singles = june.map((_, k) => sample.products[`d${k}`]!)
            const n = med.shape[2] * med.shape[3]
            const t = 5 // June
            for (const p of [med, avg, first]) {
              assert.strictEqual(p.valid[t], 1, `sample ${s}`)
              assert.strictEqual(p.reason[t], Reason.Reason.Ok)
              assert.strictEqual(p.nodata[t], 0, "gap-free")
              assert.strictEqual(p.reason[6], Reason.Reason.NoValidPixel, "July")
              assert.strictEqual(p.valid[6], 0)
              assert.strictEqual(p.reason[0], Reason.Reason.NoItemInWindow, "January")
            }
            // Every single scene lacks part of the patch.
            for (const d of singles) {
              assert.strictEqual(d.valid[0], 1)
              assert.isAbove(d.nodata[0], 0.05)
            }
            // The contributing items, least cloudy first.
            const ranked = [...june].sort((a, b) => a.cloud - b.cloud).map((sc) => sc.id)
            assert.strictEqual(med.item[t], ranked.join("+"))
            const chip = (p: typeof med) => p.data.subarray(t * n, (t + 1) * n)
            const [m, a, f] = [chip(med), chip(avg), chip(first)]
            // One orbit direction: only its scenes make the composite.
            const asc = sample.products.asc!
            const ascending = june.flatMap((sc, k) => (sc.orbit === "ascending" ? [k] : []))
            assert.strictEqual(
              asc.item[t],
              ranked.filter((id) => ascending.some((k) => june[k].id === id)).join("+")
            )
            const up = chip(asc)
            const vis = chip(sample.products.vis!)
            const stored = (v: number) => {
              const x = (v / 4000) * 255
              return Math.min(255, Math.floor(x + 0.5 + 1e-9))
            }
            // Valid observations per pixel, stored for the median product only.
            assert.isUndefined(avg.count)
            const count = med.count!
            assert.strictEqual(count.length, 12 * n)
            assert.isTrue(
              count.subarray(6 * n, 7 * n).every((c) => c === 0),
              "July: no chip"
            )
            for (let i = 0; i < n; i++) {
              const valid = singles.map((d) => d.data[i]).filter((v) => v !== 0)
              assert.strictEqual(count[t * n + i], valid.length, `count, sample ${s} pixel ${i}`)
              assert.isAtLeast(valid.length, 1)
              const sorted = [...valid].sort((x, y) => x - y)
              const h = sorted.length >> 1
              const median = sorted.length % 2 === 1 ? sorted[h] : (sorted[h - 1] + sorted[h]) / 2
              if (median % 1 === 0.5) halves++
              assert.strictEqual(m[i], rint(median), `median, sample ${s} pixel ${i}`)
              assert.strictEqual(vis[i], stored(median), `uint8 median, sample ${s} pixel ${i}`)
              // Transforming each scene first and taking the median of the bytes would differ here.
              const bytes = sorted.map(stored)
              const byteMedian =
                bytes.length % 2 === 1 ? bytes[h] : rint((bytes[h - 1] + bytes[h]) / 2)
              if (byteMedian !== stored(median)) visDiffers++
              const mean = valid.reduce((x, y) => x + y, 0) / valid.length
              assert.strictEqual(a[i], rint(mean), `mean, sample ${s} pixel ${i}`)
              const best = june
                .map((sc, k) => ({ cloud: sc.cloud, v: singles[k].data[i] }))
                .filter((x) => x.v !== 0)
                .sort((x, y) => x.cloud - y.cloud)[0]
              assert.strictEqual(f[i], best.v, `first-valid, sample ${s} pixel ${i}`)
              const ascValid = ascending.map((k) => singles[k].data[i]).filter((v) => v !== 0)
              if (ascValid.length > 0) {
                const so = [...ascValid].sort((x, y) => x - y)
                const hh = so.length >> 1
                const am = so.length % 2 === 1 ? so[hh] : (so[hh - 1] + so[hh]) / 2
                assert.strictEqual(up[i], rint(am), `ascending median, sample ${s} pixel ${i}`)
              } else ascMissing++
              pixels++
            }
          }
          return { pixels, halves, ascMissing, visDiffers }
        })
      )
    )
    assert.strictEqual(checked.pixels, 3 * 32 * 32)
    // Even counts with an odd sum exist, so the rounding of x.5 medians is exercised.
    assert.isAbove(checked.halves, 10)
    // Five ascending scenes, each pixel lacking in one or two of them: all covered.
    assert.strictEqual(checked.ascMissing, 0)
    // The order of compositing and transforming matters on these pixels, and the store has the right one.
    assert.isAbove(checked.visDiffers, 10)
    const record = JSON.parse(readFileSync(join(out, ".eoforge/jobs/0.json"), "utf8"))
    assert.strictEqual(record.availability.med["2021-07"].NoValidPixel, 3)
    const failure = record.failures.find(
      (f: { product: string; reason: string }) => f.product === "med" && f.reason === "NoValidPixel"
    )
    assert.match(failure.detail, /2 acquisition\(s\) in the window, no pixel of the patch valid/)
    assert.include(failure.detail, "S2_20210700_empty NotCovered")
    // How each composite was made is in the job record.
    const made = record.provenance.find(
      (p: { product: string; slot: string }) => p.product === "med" && p.slot === "2021-06"
    )
    assert.deepStrictEqual(made.facts, {
      composite: "median",
      scale: "dB",
      acquisitions: 10,
      contributed: 10
    })
    // The spilled median stacks are gone.
    const spill = join(out, Composite.tmpPrefix)
    const left = existsSync(spill)
      ? readdirSync(spill, { recursive: true, withFileTypes: true }).filter((e) => e.isFile())
      : []
    assert.deepStrictEqual(left, [])
  })
})
