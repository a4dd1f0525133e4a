// Request plans: every band of every pixel of the chip requested exactly once, every request under the
// limits, as few requests as the limits allow for a typical chip; NPY round trips.
import { assert, describe, it } from "@effect/vitest"
import { DType } from "@eoforge/core"
import fc from "fast-check"
import { Npy, Requests } from "../src/index.ts"

const dtypes: ReadonlyArray<DType.DType> = ["uint8", "int16", "uint16", "float32", "float64"]

describe("Requests.plan", () => {
  it("covers every band × pixel exactly once and keeps every request under the limits", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 120 }),
        fc.integer({ min: 1, max: 120 }),
        fc.integer({ min: 1, max: 12 }),
        fc.constantFrom(...dtypes),
        fc.integer({ min: 500, max: 200_000 }),
        fc.integer({ min: 8, max: 150 }),
        fc.integer({ min: 2, max: 16 }),
        (width, height, bands, dtype, maxBytes, maxSide, maxBands) => {
          const limits = { maxBytes, maxSide, maxBands }
          let parts: ReadonlyArray<Requests.Part>
          try {
            parts = Requests.plan(width, height, bands, dtype, limits)
          } catch (e) {
            // Only when one row of one band cannot fit.
            assert.instanceOf(e, Requests.TooLargeError)
            assert.isAbove(Math.min(width, maxSide) * (DType.byteSize(dtype) + 1), maxBytes)
            return
          }
          const seen = new Uint8Array(width * height * bands)
          for (const p of parts) {
            assert.isAtMost(p.width, maxSide)
            assert.isAtMost(p.height, maxSide)
            assert.isAtMost(p.bands.length + 1, maxBands)
            assert.isAtMost(
              p.width * p.height * (p.bands.length * DType.byteSize(dtype) + 1),
              maxBytes
            )
            for (const b of p.bands)
              for (let r = p.row0; r < p.row0 + p.height; r++)
                for (let c = p.col0; c < p.col0 + p.width; c++) seen[(b * height + r) * width + c]++
          }
          assert.isTrue(seen.every((v) => v === 1))
        }
      ),
      { numRuns: 200, seed: 18 }
    )
  })

  it("an SSL4EO-S12 chip (264 × 264, 13 uint16 bands) is one request under Earth Engine's limits", () => {
    assert.strictEqual(Requests.plan(264, 264, 13, "uint16").length, 1)
    // A 1,000 km patch at 10 m: 100,000 px per side, split into tiles of at most 32,768 px.
    const parts = Requests.plan(100_000, 100_000, 1, "uint8")
    assert.isTrue(parts.every((p) => p.width <= 32_768 && p.height <= 32_768))
  })
})

describe("Npy", () => {
  it("encodes and decodes structured arrays of every dtype", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 9 }),
        fc.array(fc.constantFrom(...DType.DType.literals), { minLength: 1, maxLength: 4 }),
        fc.integer(),
        (height, width, types, seed) => {
          const data = types.map((t, b) => {
            const a = DType.alloc(t, width * height)
            for (let i = 0; i < a.length; i++)
              a[i] = ((seed + i * 31 + b * 7) % 200) - (t.startsWith("u") ? 0 : 100)
            return a
          })
          const names = types.map((_, b) => `band_${b}`)
          const back = Npy.decode(Npy.encode({ names, dtypes: types, width, height, data }))
          assert.deepStrictEqual(back.names, names)
          assert.deepStrictEqual(back.dtypes, types)
          data.forEach((a, b) => assert.deepStrictEqual(Array.from(back.data[b]), Array.from(a)))
        }
      ),
      { numRuns: 100, seed: 18 }
    )
  })

  it("reads big-endian plain 3-D arrays and refuses truncated or foreign bytes", () => {
    const header = "{'descr': '>i2', 'fortran_order': False, 'shape': (1, 2, 2), }"
    const padded = header + " ".repeat(64 - ((10 + header.length + 1) % 64)) + "\n"
    const body = [0x00, 0x01, 0xff, 0xfe, 0x01, 0x00, 0x80, 0x00]
    const bytes = new Uint8Array([
      0x93,
      0x4e,
      0x55,
      0x4d,
      0x50,
      0x59,
      1,
      0,
      padded.length,
      0,
      ...Buffer.from(padded),
      ...body
    ])
    const d = Npy.decode(bytes)
    assert.deepStrictEqual(Array.from(d.data[0]), [1, 256])
    assert.deepStrictEqual(Array.from(d.data[1]), [-2, -32768])
    assert.throws(() => Npy.decode(bytes.subarray(0, bytes.length - 1)), Npy.NpyError)
    assert.throws(() => Npy.decode(new TextEncoder().encode("II*\u0000 not npy")), Npy.NpyError)
  })
})
