import { assert, describe, it } from "@effect/vitest"
import fc from "fast-check"
import { Accumulator, Binning, StatsError } from "../src/index.ts"
import { chip, fsum, gauss, numpyPercentile, prng, rel, validValues } from "./fixtures.ts"

const assertSameStats = (
  a: Accumulator.Accumulator,
  b: Accumulator.Accumulator,
  tolerance: number
) => {
  for (let i = 0; i < a.names.length; i++) {
    assert.strictEqual(a.count[i], b.count[i])
    assert.strictEqual(a.min[i], b.min[i])
    assert.strictEqual(a.max[i], b.max[i])
    assert.isAtMost(rel(a.mean[i], b.mean[i]), tolerance, `mean of band ${i}`)
    assert.isAtMost(rel(a.m2[i], b.m2[i]), tolerance, `M2 of band ${i}`)
  }
  assert.deepStrictEqual(Array.from(a.histogram), Array.from(b.histogram))
}

describe("Accumulator", () => {
  it("uint16 statistics near 10,000 equal exact BigInt integer sums to 1e-9", () => {
    const rand = prng(7)
    const acc = Accumulator.empty(3, { dtype: "uint16", nodata: 0 })
    const sums = [0n, 0n, 0n]
    const squares = [0n, 0n, 0n]
    const counts = [0, 0, 0]
    const all: Array<Array<number>> = [[], [], []]
    for (let k = 0; k < 6; k++) {
      const mask = new Uint8Array(40 * 40).map(() => (rand() < 0.9 ? 1 : 0))
      const c = chip(
        "uint16",
        3,
        40,
        (b) => (rand() < 0.05 ? 0 : Math.round(10_000 + (b + 1) * 150 * gauss(rand))),
        mask
      )
      Accumulator.add(acc, c)
      for (let b = 0; b < 3; b++) {
        for (const v of validValues(c, b, 0)) {
          sums[b] += BigInt(v)
          squares[b] += BigInt(v) * BigInt(v)
          counts[b]++
          all[b].push(v)
        }
      }
    }
    const summary = Accumulator.finalize(acc)
    for (let b = 0; b < 3; b++) {
      const n = BigInt(counts[b])
      const mean = Number(sums[b]) / counts[b]
      const variance = Number(n * squares[b] - sums[b] * sums[b]) / Number(n * n)
      assert.strictEqual(summary[b].count, counts[b])
      assert.isAtMost(rel(summary[b].mean, mean), 1e-9)
      assert.isAtMost(rel(summary[b].populationStd ** 2, variance), 1e-9)
      assert.isAtMost(
        rel(summary[b].sampleStd ** 2, (variance * counts[b]) / (counts[b] - 1)),
        1e-9
      )
      assert.strictEqual(summary[b].min, Math.min(...all[b]))
      assert.strictEqual(summary[b].max, Math.max(...all[b]))
      for (const p of [1, 2, 50, 98, 99] as const) {
        const key = `p${p}` as "p1" | "p2" | "p50" | "p98" | "p99"
        assert.strictEqual(summary[b][key], numpyPercentile(all[b], p), `p${p} of band ${b}`)
      }
      assert.strictEqual(summary[b].percentileErrorBound, 0)
    }
  })

  it("float32 dB statistics around −20 equal an fsum two-pass reference to 1e-9", () => {
    const rand = prng(11)
    const acc = Accumulator.empty(2, { dtype: "float32", range: [-60, 20], bins: 8000 })
    const all: Array<Array<number>> = [[], []]
    for (let k = 0; k < 5; k++) {
      const c = chip("float32", 2, 48, (b) =>
        rand() < 0.03 ? NaN : -20 + (b === 0 ? 5 : 3) * gauss(rand)
      )
      Accumulator.add(acc, c)
      for (let b = 0; b < 2; b++) all[b].push(...validValues(c, b))
    }
    const summary = Accumulator.finalize(acc)
    for (let b = 0; b < 2; b++) {
      const xs = all[b]
      const mean = fsum(xs) / xs.length
      const variance = fsum(xs.map((x) => (x - mean) ** 2)) / xs.length
      assert.strictEqual(summary[b].count, xs.length)
      assert.isAtMost(rel(summary[b].mean, mean), 1e-9)
      assert.isAtMost(rel(summary[b].populationStd ** 2, variance), 1e-9)
      const bound = Binning.errorBound(acc.binning)
      assert.strictEqual(summary[b].percentileErrorBound, 0.01)
      for (const p of [1, 2, 98, 99] as const) {
        const key = `p${p}` as "p1" | "p2" | "p98" | "p99"
        assert.isAtMost(Math.abs(summary[b][key] - numpyPercentile(xs, p)), bound)
      }
    }
  })

  it("a band that is entirely nodata in one chip leaves that band's totals untouched", () => {
    const rand = prng(3)
    for (const [dtype, nodata] of [
      ["int16", -32768],
      ["float32", NaN],
      ["uint8", 255]
    ] as const) {
      const good = chip(dtype, 2, 16, () => Math.round(100 * rand()))
      const withBad = Accumulator.add(
        Accumulator.add(Accumulator.empty(2, { dtype, nodata }), good),
        chip(dtype, 2, 16, (b, i) => (b === 1 ? nodata : i % 7))
      )
      const alone = Accumulator.add(Accumulator.empty(2, { dtype, nodata }), good)
      const [, band1] = Accumulator.finalize(withBad)
      assert.strictEqual(band1.count, 256)
      assert.isTrue(Number.isFinite(band1.mean) && Number.isFinite(band1.populationStd))
      assert.strictEqual(band1.mean, Accumulator.finalize(alone)[1].mean)
      assert.strictEqual(withBad.m2[1], alone.m2[1])
      assert.strictEqual(Accumulator.finalize(withBad)[0].count, 512)
    }
  })

  it("a fully masked chip band adds nothing and an empty band finalises to NaN, not 0", () => {
    const mask = new Uint8Array(2 * 8 * 8)
    mask.fill(1, 0, 64) // band 0 valid, band 1 fully masked
    const acc = Accumulator.add(
      Accumulator.empty(2, { dtype: "uint16" }),
      chip("uint16", 2, 8, (b, i) => 1000 * (b + 1) + i, mask)
    )
    const [b0, b1] = Accumulator.finalize(acc)
    assert.strictEqual(b0.count, 64)
    assert.strictEqual(b0.mean, 1000 + 31.5)
    assert.strictEqual(b1.count, 0)
    assert.isNaN(b1.mean)
    assert.isNaN(b1.p99)
  })

  it("merge is associative and equals sequential add to 1e-12", () => {
    const chipArb = fc.record({ seed: fc.integer(), size: fc.integer({ min: 1, max: 12 }) })
    fc.assert(
      fc.property(
        fc.constantFrom("uint16" as const, "float32" as const, "int16" as const),
        fc.array(chipArb, { minLength: 3, maxLength: 6 }),
        (dtype, specs) => {
          const options = { dtype, nodata: 0, range: [-5000, 20000] as const, bins: 500 }
          const chips = specs.map((s) => {
            const rand = prng(s.seed)
            return chip(dtype, 2, s.size, () =>
              dtype === "float32" ? 3000 + 900 * gauss(rand) : Math.round(12000 * rand())
            )
          })
          const one = (c: (typeof chips)[number]) =>
            Accumulator.add(Accumulator.empty(2, options), c)
          const sequential = chips.reduce(
            (acc, c) => Accumulator.add(acc, c),
            Accumulator.empty(2, options)
          )
          const parts = chips.map(one)
          const left = parts.reduce((a, b) => Accumulator.merge(a, b))
          const right = parts.reduceRight((a, b) => Accumulator.merge(b, a))
          const [x, y, ...rest] = parts
          const paired = rest.reduce(Accumulator.merge, Accumulator.merge(x, y))
          assertSameStats(left, sequential, 1e-12)
          assertSameStats(right, sequential, 1e-12)
          assertSameStats(paired, left, 1e-12)
        }
      ),
      { seed: 42, numRuns: 60 }
    )
  })

  it("an accumulator round-trips through JSON text exactly", () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.constantFrom("uint8" as const, "int16" as const, "float32" as const),
        fc.boolean(),
        (seed, dtype, leaveEmpty) => {
          const rand = prng(seed)
          const acc = Accumulator.empty(3, { dtype, nodata: [undefined, 7, -1], range: [-1, 1] })
          if (!leaveEmpty) {
            Accumulator.add(
              acc,
              chip(dtype, 3, 9, (b) =>
                b === 2 ? -1 : dtype === "float32" ? gauss(rand) : Math.round(100 * rand())
              )
            )
          }
          const back = Accumulator.fromJson(JSON.parse(JSON.stringify(Accumulator.toJson(acc))))
          assert.deepStrictEqual(back, acc)
          assert.deepStrictEqual(Accumulator.finalize(back), Accumulator.finalize(acc))
        }
      ),
      { seed: 5, numRuns: 40 }
    )
  })

  it("a chip with another band count fails with an error naming both counts", () => {
    const acc = Accumulator.empty(13, { dtype: "uint16" })
    try {
      Accumulator.add(
        acc,
        chip("uint16", 12, 4, () => 1)
      )
      assert.fail("expected BandCountMismatch")
    } catch (e) {
      assert.instanceOf(e, StatsError.BandCountMismatch)
      assert.strictEqual(e.expected, 13)
      assert.strictEqual(e.actual, 12)
      assert.match(e.message, /13 bands but the chip has 12/)
    }
    assert.throws(
      () => Accumulator.add(acc, { ...chip("uint16", 13, 4, () => 1), dtype: "int16" }),
      /holds uint16 but got int16/
    )
    assert.throws(
      () => Accumulator.merge(acc, Accumulator.empty(12, { dtype: "uint16" })),
      /13 bands but the chip has 12/
    )
    assert.throws(
      () =>
        Accumulator.add(
          acc,
          chip("uint16", 13, 4, () => 1, new Uint8Array(5))
        ),
      /mask has 5 values/
    )
  })

  it("malformed serialised statistics fail with InvalidStatsJson", () => {
    const json = Accumulator.toJson(Accumulator.empty(2, { dtype: "uint8" }))
    assert.throws(
      () => Accumulator.fromJson({ ...json, count: [1] }),
      /"count" has 1 entries for 2 bands/
    )
    assert.throws(
      () => Accumulator.fromJson({ ...json, format: "other" }),
      StatsError.InvalidStatsJson
    )
    assert.throws(
      () => Accumulator.fromJson({ ...json, histogram: [[300, 1], []] }),
      /slot 300 outside 0..255/
    )
  })

  it("16-bit data with linear bins keeps exact moments and bounded percentiles", () => {
    const rand = prng(9)
    const acc = Accumulator.empty(1, { dtype: "uint16", binning: Binning.linear(0, 20000, 200) })
    const c = chip("uint16", 1, 30, () => Math.round(10000 + 2000 * gauss(rand)))
    Accumulator.add(acc, c)
    const xs = validValues(c, 0)
    const [s] = Accumulator.finalize(acc)
    assert.strictEqual(s.percentileErrorBound, 100)
    assert.isAtMost(rel(s.mean, fsum(xs) / xs.length), 1e-12)
    for (const p of [1, 50, 99]) {
      assert.isAtMost(Math.abs(Accumulator.percentile(acc, 0, p) - numpyPercentile(xs, p)), 100)
    }
  })

  it("8- and 16-bit chips give the exact count, moments, range and histogram of their valid values", () => {
    // Chips below and above the size where values are counted before the moments are taken, masks of
    // 0, 1 and 255, nodata inside or outside the dtype's range.
    const ranges = {
      uint8: [0, 255],
      int8: [-128, 127],
      uint16: [0, 65535],
      int16: [-32768, 32767]
    }
    fc.assert(
      fc.property(
        fc.constantFrom("uint8" as const, "int8" as const, "uint16" as const, "int16" as const),
        fc.constantFrom(3, 40, 140, 300),
        fc.constantFrom<"none" | "zeros" | "bytes">("none", "zeros", "bytes"),
        fc.constantFrom<number | undefined>(undefined, 0, -0, 7, -3, 70000, 0.5),
        fc.integer(),
        (dtype, size, maskKind, nodata, seed) => {
          const rand = prng(seed)
          const [lo, hi] = ranges[dtype]
          // Narrow clusters and the extremes, so that some slots repeat and min/max reach the range's ends.
          const centre = lo + Math.floor(rand() * (hi - lo))
          const value = () => {
            const r = rand()
            if (r < 0.01) return lo
            if (r < 0.02) return hi
            if (r < 0.05 && nodata !== undefined && nodata >= lo && nodata <= hi) return nodata
            return Math.min(hi, Math.max(lo, centre + Math.round(40 * gauss(rand))))
          }
          const mask =
            maskKind === "none"
              ? undefined
              : new Uint8Array(size * size).map(() =>
                  rand() < 0.2 ? 0 : maskKind === "bytes" && rand() < 0.5 ? 255 : 1
                )
          const c = chip(dtype, 2, size, value, mask)
          const acc = Accumulator.add(Accumulator.empty(2, { dtype, nodata }), c)
          const slots = Binning.slots(acc.binning)
          for (let b = 0; b < 2; b++) {
            const xs: Array<number> = []
            for (let i = 0; i < size * size; i++) {
              const v = c.data[b * size * size + i]
              if ((mask === undefined || mask[i] !== 0) && v !== nodata) xs.push(v)
            }
            assert.strictEqual(acc.count[b], xs.length)
            const hist = new Float64Array(slots)
            for (const v of xs) hist[v - acc.binning.lo]++
            const got = acc.histogram.subarray(b * slots, (b + 1) * slots)
            const differ = got.findIndex((k, i) => k !== hist[i])
            assert.strictEqual(differ, -1, `slot ${differ}: ${got[differ]} vs ${hist[differ]}`)
            if (xs.length === 0) continue
            const sum = xs.reduce((t, v) => t + BigInt(v), 0n)
            const squares = xs.reduce((t, v) => t + BigInt(v) * BigInt(v), 0n)
            const n = BigInt(xs.length)
            assert.strictEqual(acc.mean[b], Number(sum) / xs.length)
            assert.strictEqual(acc.m2[b], Number(n * squares - sum * sum) / xs.length)
            assert.strictEqual(
              acc.min[b],
              xs.reduce((m, v) => Math.min(m, v))
            )
            assert.strictEqual(
              acc.max[b],
              xs.reduce((m, v) => Math.max(m, v))
            )
          }
        }
      ),
      { seed: 11, numRuns: 60 }
    )
  })
})
