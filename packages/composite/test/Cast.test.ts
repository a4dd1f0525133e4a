import { assert, describe, it } from "@effect/vitest"
import { Cast, Median, Running } from "../src/index.ts"

describe("Cast", () => {
  it("rounds ties to the even integer as numpy rint does", () => {
    const cases: ReadonlyArray<readonly [number, number]> = [
      [0.5, 0],
      [1.5, 2],
      [2.5, 2],
      [3.5, 4],
      [-0.5, -0],
      [-1.5, -2],
      [-2.5, -2],
      [2.4999, 2],
      [2.5001, 3],
      [65534.5, 65534]
    ]
    for (const [v, want] of cases) assert.strictEqual(Cast.roundHalfEven(v), want, String(v))
  })

  it("clamps integer composites to the dtype's range", () => {
    const out = new Uint8Array(3)
    const write = Cast.writerFor("uint8")
    write(out, 0, -3)
    write(out, 1, 300)
    write(out, 2, 254.5)
    assert.deepStrictEqual(Array.from(out), [0, 255, 254])
  })
})

describe("Running and Median shapes", () => {
  it("refuses an acquisition that does not fit the chip", () => {
    const r = Running.make("mean", "uint16", 2, 4)
    assert.throws(() => Running.add(r, new Uint16Array(7), new Uint8Array(4)), /does not fit/)
    assert.throws(
      () => Median.ofStack([{ data: new Uint16Array(8), mask: new Uint8Array(3) }], "uint16", 2, 4),
      /does not fit/
    )
  })

  it("first-valid keeps the best-ranked valid value and ignores later ones", () => {
    const r = Running.make("first-valid", "uint16", 1, 3)
    Running.add(r, Uint16Array.from([10, 11, 12]), Uint8Array.from([0, 1, 0]))
    Running.add(r, Uint16Array.from([20, 21, 22]), Uint8Array.from([1, 1, 0]))
    const out = Running.finish(r, [9])
    assert.deepStrictEqual(Array.from(out.data), [20, 11, 9])
    assert.deepStrictEqual(Array.from(out.filled), [1, 1, 0])
    assert.deepStrictEqual(Array.from(out.count), [1, 2, 0])
  })
})
