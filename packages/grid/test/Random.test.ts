import { assert, describe, it } from "@effect/vitest"
import fc from "fast-check"
import { Random } from "../src/index.ts"
import * as SplitMix from "../src/internal/splitmix64.ts"
import { Xoshiro128 } from "../src/internal/xoshiro128.ts"

const M64 = (1n << 64n) - 1n
// An independent BigInt splitmix64 finaliser, written straight from the reference C code.
const mixBig = (z0: bigint): bigint => {
  let z = z0 & M64
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M64
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M64
  return z ^ (z >> 31n)
}

const draw = (r: Random.Random, n: number): Array<number> =>
  Array.from({ length: n }, () => r.next())

describe("Random", () => {
  it("computes the splitmix64 finaliser exactly on 32-bit halves", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: M64 }), (z) => {
        SplitMix.mix(Number(z >> 32n), Number(z & 0xffffffffn))
        const got = (BigInt(SplitMix.out[0]) << 32n) | BigInt(SplitMix.out[1])
        assert.strictEqual(got, mixBig(z))
      }),
      { numRuns: 2000 }
    )
  })

  it("reproduces splitmix64's published sequence for seed 1234567", () => {
    // Successive splitmix64 outputs: mix(seed + k·golden), k = 1, 2, 3.
    const expected = [6457827717110365317n, 3203168211198807973n, 9817491932198370423n]
    let hi = 0
    let lo = 1234567
    for (const e of expected) {
      SplitMix.add(hi, lo, SplitMix.GOLDEN_HI, SplitMix.GOLDEN_LO)
      hi = SplitMix.out[0]
      lo = SplitMix.out[1]
      SplitMix.mix(hi, lo)
      assert.strictEqual((BigInt(SplitMix.out[0]) << 32n) | BigInt(SplitMix.out[1]), e)
    }
  })

  it("reproduces xoshiro128**'s reference outputs from state (1, 2, 3, 4)", () => {
    const g = new Xoshiro128(1, 2, 3, 4)
    const got = Array.from({ length: 6 }, () => g.nextUint32())
    assert.deepStrictEqual(got, [11520, 0, 5927040, 70819200, 2031721883, 1637235492])
  })

  it("gives the same numbers for the same seed and different ones for another seed", () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const a = draw(Random.make(seed), 16)
        assert.deepStrictEqual(draw(Random.make(seed), 16), a)
        assert.notDeepEqual(draw(Random.make(seed + 1), 16), a)
      })
    )
  })

  it("derives item i from (seed, i) alone, whatever was drawn before", () => {
    const forward = Array.from({ length: 200 }, (_, i) => draw(Random.derive(7, i), 3))
    const backward = Array.from({ length: 200 }, (_, k) => draw(Random.derive(7, 199 - k), 3))
    backward.reverse()
    assert.deepStrictEqual(backward, forward)
    assert.notDeepEqual(draw(Random.derive(8, 0), 3), forward[0])
    assert.notDeepEqual(draw(Random.derive(7, 1), 3), forward[0])
  })

  it("draws uniform doubles in [0, 1) with the right mean, variance and bucket counts", () => {
    const r = Random.make(42)
    const n = 200_000
    const buckets = new Float64Array(20)
    let sum = 0
    let sq = 0
    let outside = 0
    for (let i = 0; i < n; i++) {
      const u = r.next()
      if (!(u >= 0 && u < 1)) outside++
      sum += u
      sq += u * u
      buckets[Math.floor(u * 20)]++
    }
    assert.strictEqual(outside, 0)
    assert.closeTo(sum / n, 0.5, 0.005)
    assert.closeTo(sq / n - (sum / n) ** 2, 1 / 12, 0.002)
    // Pearson χ² with 19 degrees of freedom: 43.8 is the 0.999 quantile.
    const expected = n / 20
    const chi2 = buckets.reduce((acc, c) => acc + (c - expected) ** 2 / expected, 0)
    assert.isBelow(chi2, 43.8)
  })

  it("draws standard normal deviates across derived streams", () => {
    let sum = 0
    let sq = 0
    let within1 = 0
    const n = 100_000
    for (let i = 0; i < n; i++) {
      const z = Random.derive(3, i).normal()
      sum += z
      sq += z * z
      if (Math.abs(z) < 1) within1++
    }
    assert.closeTo(sum / n, 0, 0.015)
    assert.closeTo(sq / n, 1, 0.02)
    assert.closeTo(within1 / n, 0.6827, 0.006)
  })

  it("rejects a seed that is not a safe integer", () => {
    assert.throws(() => Random.make(1.5), Random.InvalidSeedError)
    assert.throws(() => Random.derive(1, 2 ** 60), /invalid index/)
  })
})
