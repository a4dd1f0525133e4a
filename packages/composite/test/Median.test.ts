import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import { Median } from "../src/index.ts"

const sortedMedian = (values: ReadonlyArray<number>): number => {
  const s = [...values].sort((a, b) => a - b)
  const h = s.length >> 1
  return s.length % 2 === 1 ? s[h] : (s[h - 1] + s[h]) / 2
}

describe("Median.ofValues", () => {
  it("equals the median of the sorted values for every count, ties included (selection past 24 values)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -20, max: 20 }), { minLength: 1, maxLength: 90 }),
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 90 }),
        (ints, floats) => {
          for (const values of [ints, floats]) {
            const s = Float64Array.from(values)
            assert.strictEqual(Median.ofValues(s, values.length), sortedMedian(values))
          }
        }
      ),
      { numRuns: 400, seed: 17 }
    )
  })

  it("is NaN for no value", () => {
    assert.isNaN(Median.ofValues(new Float64Array(3), 0))
  })
})
