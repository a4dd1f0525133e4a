// Predictor 2 undone over some rows and only the leading columns a read needs, possibly in several steps, against
// a plain running sum over every row and column: 8/16/32-bit samples, strides 1–4, odd and even widths, views
// at offsets that rule out the 32-bit pair path.
import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import {
  type PredictedArray,
  undoHorizontalPredictor,
  undoPredictorRows
} from "../src/internal/horizontalPredictor.ts"

type Kind = 8 | 16 | 32

const make = (kind: Kind, n: number, seed: number): PredictedArray => {
  const values =
    kind === 8 ? new Uint8Array(n) : kind === 16 ? new Uint16Array(n) : new Uint32Array(n)
  let s = seed >>> 0
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0
    // Large values, so that sums wrap at the sample width.
    values[i] = kind === 32 ? Math.imul(s, 2654435761) >>> 0 : s >>> 8
  }
  return values
}

// The definition: each sample is its difference plus the previous sample of its lane, modulo its width.
const reference = (values: PredictedArray, rowLength: number, rows: number, stride: number) => {
  const out = values.slice()
  const modulus = 2 ** (8 * values.BYTES_PER_ELEMENT)
  for (let r = 0; r < rows; r++)
    for (let c = stride; c < rowLength; c++) {
      const i = r * rowLength + c
      out[i] = (out[i - stride] + out[i]) % modulus
    }
  return out
}

// A copy of `values` at a byte offset of `shift` samples into a larger buffer (shift 1 misaligns 16-bit pairs).
const shifted = (values: PredictedArray, shift: number): PredictedArray => {
  const Ctor = values.constructor as new (n: number) => PredictedArray
  const big = new Ctor(values.length + shift)
  big.set(values, shift)
  return big.subarray(shift) as PredictedArray
}

const kinds: ReadonlyArray<Kind> = [8, 16, 32]

describe("undoPredictorRows", () => {
  it("undoes whole rows exactly as the running sum does, for every sample width, stride and width", () => {
    for (const kind of kinds)
      for (const stride of [1, 2, 3, 4])
        for (const pixels of [1, 2, 3, 7, 16, 33, 512])
          for (const shift of [0, 1]) {
            const rowLength = pixels * stride
            const rows = 5
            const raw = shifted(
              make(kind, rowLength * rows, kind * 31 + stride * 7 + pixels),
              shift
            )
            const expected = reference(raw, rowLength, rows, stride)
            const got = raw.slice()
            undoHorizontalPredictor(got, rowLength, rows, stride)
            assert.deepStrictEqual(
              Array.from(got),
              Array.from(expected),
              `${kind}/${stride}/${pixels}`
            )
          }
  })

  it("undoes only rows [from, to) up to a column, in steps that continue from `done`, equal to the full undo there", () => {
    fc.assert(
      fc.property(
        fc.constantFrom<Kind>(8, 16, 32),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 70 }),
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat()), { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 0, max: 1 }),
        fc.integer(),
        (kind, stride, pixels, rows, steps, shift, seed) => {
          const rowLength = pixels * stride
          const raw = shifted(make(kind, rowLength * rows, seed), shift)
          const full = reference(raw, rowLength, rows, stride)
          const got = raw.slice()
          const done = new Int32Array(rows)
          // Per row, how many leading elements the steps asked for.
          const asked = new Int32Array(rows)
          for (const [a, b, c] of steps) {
            const from = a % rows
            const to = from + 1 + (b % (rows - from))
            const upTo = (1 + (c % pixels)) * stride
            undoPredictorRows(got, rowLength, from, to, stride, upTo, done)
            for (let r = from; r < to; r++) asked[r] = Math.max(asked[r], upTo)
          }
          for (let r = 0; r < rows; r++) {
            assert.strictEqual(done[r], asked[r])
            for (let c = 0; c < rowLength; c++) {
              const i = r * rowLength + c
              // Asked-for elements are values; the rest are still the differences (never touched).
              assert.strictEqual(got[i], c < asked[r] ? full[i] : raw[i], `row ${r} element ${c}`)
            }
          }
        }
      ),
      { numRuns: 400 }
    )
  })

  it("continues from every column to every later one, for every width, stride and alignment", () => {
    for (const kind of kinds)
      for (const stride of [1, 2, 3, 4])
        for (const pixels of [6, 7])
          for (const shift of [0, 1]) {
            const rowLength = pixels * stride
            const raw = shifted(make(kind, rowLength * 2, pixels + stride), shift)
            const full = reference(raw, rowLength, 2, stride)
            for (let a = 0; a <= pixels; a++)
              for (let b = a; b <= pixels; b++) {
                const got = raw.slice()
                const done = new Int32Array(2)
                undoPredictorRows(got, rowLength, 0, 2, stride, a * stride, done)
                undoPredictorRows(got, rowLength, 0, 2, stride, b * stride, done)
                for (let i = 0; i < got.length; i++)
                  assert.strictEqual(
                    got[i],
                    i % rowLength < b * stride ? full[i] : raw[i],
                    `${kind}-bit, stride ${stride}, ${pixels} px, shift ${shift}: ${a} then ${b}, element ${i}`
                  )
              }
          }
  })

  it("leaves rows outside [from, to) and columns past `upTo` untouched without `done`", () => {
    for (const kind of kinds) {
      const rowLength = 64
      const raw = make(kind, rowLength * 4, 99)
      const full = reference(raw, rowLength, 4, 1)
      const got = raw.slice()
      undoPredictorRows(got, rowLength, 1, 3, 1, 37, undefined)
      for (let r = 0; r < 4; r++)
        for (let c = 0; c < rowLength; c++) {
          const i = r * rowLength + c
          const inside = r >= 1 && r < 3 && c < 37
          assert.strictEqual(got[i], inside ? full[i] : raw[i])
        }
    }
  })
})
