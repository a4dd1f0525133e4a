// A chip's validity mask: clearing it word by word from a read's mask gives what a byte loop gives, for
// masks of any values, lengths and alignments.
import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import { clearMasked, countValid, fillInvalid } from "../src/internal/validity.ts"

describe("validity", () => {
  it("clears exactly the pixels whose mask byte is zero, whatever the mask's offset", () => {
    fc.assert(
      fc.property(
        // Mostly valid masks with runs of zeros, as reads give, and arbitrary bytes.
        fc.oneof(
          fc.array(fc.constantFrom(0, 1, 1, 1, 1, 1, 1, 255), { maxLength: 300 }),
          fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 300 })
        ),
        fc.nat(7),
        fc.array(fc.constantFrom(0, 1, 1, 1), { minLength: 300, maxLength: 300 }),
        (maskValues, offset, before) => {
          const backing = new Uint8Array(offset + maskValues.length)
          backing.set(maskValues, offset)
          const mask = backing.subarray(offset)
          const n = maskValues.length
          const valid = Uint8Array.from(before.slice(0, n))
          const expected = Uint8Array.from(before.slice(0, n))
          for (let i = 0; i < n; i++) if (maskValues[i] === 0) expected[i] = 0
          clearMasked(valid, mask, n)
          assert.deepStrictEqual(valid, expected)
          assert.strictEqual(
            countValid(valid, n),
            expected.reduce((a, b) => a + b, 0)
          )
        }
      ),
      { numRuns: 2000 }
    )
  })

  it("writes the nodata value where a pixel is invalid and leaves the others", () => {
    const out = new Float32Array([1, 2, 3, 4, 5, 6])
    fillInvalid(out, 3, new Uint8Array([1, 0, 0]), 3, NaN)
    assert.deepStrictEqual(Array.from(out), [1, 2, 3, 4, NaN, NaN])
    const ints = new Uint16Array([7, 7, 7])
    fillInvalid(ints, 0, new Uint8Array([0, 1, 0]), 3, 65535)
    assert.deepStrictEqual(Array.from(ints), [65535, 7, 65535])
  })
})
