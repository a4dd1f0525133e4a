import { assert, describe, it } from "@effect/vitest"
import { Sampler } from "@eoforge/grid"
import fc from "fast-check"
import { Assignment, Banding, Leakage, SplitError } from "../src/index.ts"

const citySamples = (seed: number, count: number) =>
  Array.from(Sampler.citiesGaussian({ seed, count }), (s) => ({
    id: `c${seed}-${s.index}`,
    lon: s.lon,
    lat: s.lat
  }))

const big = citySamples(1, 100_000)

const recipes: ReadonlyArray<Assignment.Recipe> = [
  { method: "banding", widthKm: 50, bearingDeg: 30 },
  { method: "blocks", seed: 3, cellKm: 100 },
  { method: "random", seed: 3 }
]

const sampleArb = fc.record({
  id: fc.string({ minLength: 1, maxLength: 8 }),
  lon: fc.double({ min: 5, max: 15, noNaN: true }),
  lat: fc.double({ min: 40, max: 50, noNaN: true })
})

describe("Assignment", () => {
  it("over columns fits and assigns exactly as over sample objects, past the fitting limit", () => {
    // 410,001 samples: fitting reads every 3rd of them (⌈n / 200,000⌉), in both forms.
    const samples = [...big, ...citySamples(2, 310_001)]
    const columns: Assignment.Columns = {
      lon: Float64Array.from(samples, (s) => s.lon),
      lat: Float64Array.from(samples, (s) => s.lat),
      id: (i) => samples[i].id
    }
    for (const recipe of recipes) {
      const a = Assignment.run(samples, recipe)
      const b = Assignment.runColumns(columns, recipe)
      assert.deepStrictEqual(b.fitted, a.fitted)
      assert.deepStrictEqual(b.counts, a.counts)
      assert.isTrue(
        b.codes.every((c, i) => c === a.codes[i]),
        `${recipe.method}: the same code for every sample`
      )
    }
  })

  it("meets 60/20/20 within ±2 % by sample count on 100,000 city-sampled patches", () => {
    for (const recipe of recipes) {
      const r = Assignment.run(big, recipe)
      assert.isAtMost(r.deviation, 0.02, `${recipe.method}: ${JSON.stringify(r.proportions)}`)
      const { train, val, test, guard } = r.counts
      assert.strictEqual(train + val + test + guard, big.length)
      assert.strictEqual(r.codes.filter((c) => c === 255).length, guard)
      if (recipe.method === "random") assert.strictEqual(guard, 0)
      else assert.isAbove(guard, 0)
    }
  })

  it("with a guard of g km no val or test patch lies within g of a train patch; random splits do", () => {
    const samples = big.slice(0, 30_000)
    for (const guardKm of [2.64, 10]) {
      for (const recipe of [
        { method: "banding", widthKm: 50, bearingDeg: 30, guardKm },
        { method: "blocks", seed: 3, cellKm: 100, guardKm }
      ] as const) {
        const r = Assignment.run(samples, recipe)
        const leak = Leakage.report(samples, r.codes)
        assert.isAtLeast(leak.val.minM, guardKm * 1000, `${recipe.method} val, g = ${guardKm} km`)
        assert.isAtLeast(leak.test.minM, guardKm * 1000, `${recipe.method} test, g = ${guardKm} km`)
        assert.isAtLeast(leak.val.p5M, leak.val.minM)
        assert.isAtLeast(leak.val.medianM, leak.val.p5M)
      }
    }
    const random = Assignment.run(samples, { method: "random", seed: 1 })
    assert.isBelow(Leakage.report(samples, random.codes).val.minM, 2640)
  })

  it("the same samples, parameters and seed give the same fitted recipe and assignment", () => {
    fc.assert(
      fc.property(
        fc.array(sampleArb, { minLength: 1, maxLength: 200 }),
        fc.constantFrom(...recipes),
        (samples, recipe) => {
          const a = Assignment.run(samples, recipe)
          const b = Assignment.run(
            samples.map((s) => ({ ...s })),
            recipe
          )
          assert.deepStrictEqual(b.fitted, a.fitted)
          assert.deepStrictEqual(Array.from(b.codes), Array.from(a.codes))
        }
      ),
      { seed: 17, numRuns: 40 }
    )
  })

  it("appending samples never moves an existing sample once the recipe is fitted", () => {
    fc.assert(
      fc.property(
        fc.array(sampleArb, { minLength: 1, maxLength: 150 }),
        fc.array(sampleArb, { minLength: 1, maxLength: 150 }),
        fc.constantFrom(...recipes),
        (first, later, recipe) => {
          const fitted = JSON.parse(
            JSON.stringify(Assignment.fit(first, recipe))
          ) as Assignment.Fitted
          const before = Assignment.assignAll(fitted, first).codes
          const after = Assignment.assignAll(fitted, [...first, ...later]).codes
          assert.deepStrictEqual(Array.from(after.subarray(0, first.length)), Array.from(before))
        }
      ),
      { seed: 23, numRuns: 40 }
    )
  })

  it("bands are perpendicular to the bearing and measured in metres", () => {
    const samples = [
      { id: "a", lon: 10, lat: 45 },
      { id: "b", lon: 10.2, lat: 45 }
    ]
    const frame = Banding.fit(samples, { widthKm: 20, bearingDeg: 90, guardKm: 0 })
    const codeAt = (lon: number, lat: number) => Banding.assign(frame, lon, lat)
    // Bearing 90°: the axis runs east, so moving north along a meridian near the centre stays in one band.
    const x = 10.05
    const north = [44.9, 45, 45.1].map((lat) => codeAt(x, lat))
    assert.deepStrictEqual(north, [north[1], north[1], north[1]])
    // One full period of bands east (L · 20 km) returns to the same split.
    const periodKm = frame.pattern.length * 20
    const dLon = periodKm / (111.195 * Math.cos((frame.centreLat * Math.PI) / 180))
    assert.strictEqual(
      codeAt(frame.centreLon + 0.01 + dLon, frame.centreLat),
      codeAt(frame.centreLon + 0.01, frame.centreLat)
    )
    // Every split of the pattern occurs within one period east of the centre.
    const seen = new Set<number>()
    for (let km = 0; km < periodKm; km += 5) {
      seen.add(
        codeAt(
          frame.centreLon + km / (111.195 * Math.cos((frame.centreLat * Math.PI) / 180)),
          frame.centreLat
        )
      )
    }
    assert.deepStrictEqual([...seen].sort(), [...new Set(frame.pattern)].sort())
  })

  it("a patch on a band boundary is guard and a zero guard keeps every patch", () => {
    const samples = big.slice(0, 2000)
    const guarded = Assignment.run(samples, { method: "banding", widthKm: 30, guardKm: 5 })
    const open = Assignment.run(samples, { method: "banding", widthKm: 30, guardKm: 0 })
    assert.strictEqual(open.counts.guard, 0)
    assert.isAbove(guarded.counts.guard, 0)
    const f = guarded.fitted as Banding.Frame
    // Find a boundary between two different splits and put a sample exactly on it.
    const j = f.pattern.findIndex((s, i) => s !== f.pattern[(i + 1) % f.pattern.length])
    const boundaryM = f.phaseM + (j + 1) * f.widthM
    const dLat = (boundaryM / 6_371_008.8) * (180 / Math.PI)
    assert.strictEqual(
      Banding.assign({ ...f, bearingDeg: 0 }, f.centreLon, f.centreLat + dLat),
      255
    )
  })

  it("bad proportions and a negative guard width are typed errors naming the value", () => {
    assert.throws(
      () =>
        Assignment.fit(big.slice(0, 10), {
          method: "random",
          seed: 1,
          proportions: { train: 0.6, val: 0.3, test: 0.2 }
        }),
      /train 0.6 \/ val 0.3 \/ test 0.2 sum to 1.1/
    )
    assert.throws(
      () =>
        Assignment.fit(big.slice(0, 10), {
          method: "blocks",
          seed: 1,
          proportions: { train: 0.6, val: 0.3, test: 0.2 }
        }),
      SplitError.InvalidProportions
    )
    assert.throws(
      () => Assignment.fit(big.slice(0, 10), { method: "banding", widthKm: 10, guardKm: -1 }),
      /guard width -1 km is invalid/
    )
    assert.throws(
      () => Assignment.fit(big.slice(0, 10), { method: "blocks", seed: 1, guardKm: -2 }),
      SplitError.InvalidGuardWidth
    )
    assert.throws(
      () => Assignment.fit([], { method: "banding", widthKm: 10 }),
      SplitError.NoSamples
    )
    assert.throws(() => Assignment.fit(big, { method: "banding", widthKm: 0 }), /widthKm = 0/)
  })
})
