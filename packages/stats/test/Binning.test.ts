import { assert, describe, it } from "@effect/vitest"
import { Binning, StatsError } from "../src/index.ts"

describe("Binning", () => {
  it("8- and 16-bit integers get exact 1-DN bins, floats a linear range with an error bound", () => {
    assert.deepStrictEqual(Binning.forDType("uint16"), { _tag: "Exact", lo: 0, bins: 65536 })
    assert.deepStrictEqual(Binning.forDType("int8"), { _tag: "Exact", lo: -128, bins: 256 })
    const f = Binning.forDType("float32", [-50, 10], 6000)
    assert.strictEqual(Binning.slots(f), 6002)
    assert.strictEqual(Binning.errorBound(f), 0.01)
    assert.strictEqual(Binning.errorBound(Binning.forDType("uint8")), 0)
  })

  it("an empty range or a non-positive bin count is a typed error naming the value", () => {
    assert.throws(() => Binning.linear(5, 5), /range \[5, 5\) is empty/)
    assert.throws(() => Binning.linear(0, 1, 0), StatsError.InvalidBinning)
    assert.throws(() => Binning.linear(0, 1, 0), /bin count 0/)
  })
})
