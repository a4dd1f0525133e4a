// Storing harmonised band values in one pass: the same stored values as mapping them into a float array
// (Radiometry.apply) and converting that, for every stored dtype, source dtype and map (identity included).
import { assert, describe, it } from "@effect/vitest"
import { DType } from "@eoforge/core"
import * as fc from "fast-check"
import { convert, convertLinear } from "../src/internal/storeValues.ts"
import * as Radiometry from "../src/Radiometry.ts"

const dtypes: ReadonlyArray<DType.DType> = DType.DType.literals

const bytes = (a: DType.TypedArray) =>
  Array.from(new Uint8Array(a.buffer, a.byteOffset, a.byteLength))

describe("convertLinear", () => {
  it("stores what converting Radiometry.apply's float array stores", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...dtypes),
        fc.constantFrom(...dtypes),
        fc.oneof(
          // Sentinel-2 baselines (DN / 10000 − 0.1 onto DN / 10000), arbitrary maps, and maps within
          // Radiometry's identity tolerance.
          fc.constant({ a: 1, b: -1000 }),
          // Halves, negative ones included: rounding half away from zero is exercised.
          fc.constant({ a: 0.5, b: 0 }),
          fc.constant({ a: 1, b: -0.5 }),
          fc.record({
            a: fc.double({ min: -3, max: 3, noNaN: true }),
            b: fc.double({ min: -70000, max: 70000, noNaN: true })
          }),
          fc.record({
            a: fc.double({ min: 1 - 5e-13, max: 1 + 5e-13, noNaN: true }),
            b: fc.double({ min: -5e-10, max: 5e-10, noNaN: true })
          })
        ),
        fc.array(fc.double({ min: -1e5, max: 5e9, noNaN: true }), { minLength: 1, maxLength: 64 }),
        fc.nat(3),
        (source, stored, map, values, offset) => {
          const src = DType.alloc(source, values.length)
          values.forEach((v, i) => (src[i] = source.startsWith("float") ? v : Math.round(v)))
          const expected = DType.alloc(stored, values.length + offset)
          const actual = DType.alloc(stored, values.length + offset)
          convert(Radiometry.apply(src, map), expected, offset, stored, "none")
          convertLinear(src, map, actual, offset, stored)
          assert.deepStrictEqual(bytes(actual), bytes(expected))
        }
      ),
      { numRuns: 1000 }
    )
  })

  it("stores the same through its per-dtype tables, for every value of 8- and 16-bit sources", () => {
    // Long bands take the table path (one stored value per source value, made once per map); each source
    // dtype's every value, under maps that round halves and clamp, twice (the second time from the cache).
    const sources: ReadonlyArray<DType.DType> = ["uint8", "int8", "uint16", "int16"]
    const maps = [
      { a: 1, b: (0 - -0.1) / 0.0001 },
      { a: 1, b: -1000 },
      { a: 0.5, b: -0.5 },
      { a: 0.5, b: 0.25 },
      { a: -1.5, b: 20000.5 },
      { a: 2.5e-5, b: 0 }
    ]
    for (const source of sources) {
      const [lo, hi] = DType.range(source)
      const src = DType.alloc(source, 2 * (hi - lo + 1))
      for (let i = 0; i < src.length; i++) src[i] = hi - (i % (hi - lo + 1))
      for (const stored of dtypes) {
        for (const map of [...maps, ...maps]) {
          // Offsets and lengths that line up with 32-bit words and that do not (uint16 sources stored
          // as uint16 are looked up two values at a time where they line up); an odd length leaves one.
          const parts =
            source === "uint16" && stored === "uint16"
              ? [
                  [1, 0, src.length],
                  [0, 0, src.length],
                  [2, 0, src.length - 1],
                  [0, 1, src.length - 1],
                  [1, 1, src.length - 2]
                ]
              : [[1, 0, src.length]]
          for (const [offset, start, length] of parts) {
            const part = src.subarray(start, start + length) as DType.TypedArray
            const expected = DType.alloc(stored, length + offset)
            const actual = DType.alloc(stored, length + offset)
            convert(Radiometry.apply(part, map), expected, offset, stored, "none")
            convertLinear(part, map, actual, offset, stored)
            // Compared as bytes (NaN and −0 included), the first difference named.
            const a = new Uint8Array(actual.buffer)
            const e = new Uint8Array(expected.buffer)
            const differ = a.findIndex((x, i) => x !== e[i])
            assert.strictEqual(
              differ,
              -1,
              `${source} → ${stored} ${map.a}, ${map.b}, offset ${offset}, values ${start}+${length}: byte ${differ}`
            )
          }
        }
      }
    }
  })
})
