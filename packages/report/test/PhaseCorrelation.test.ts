import { assert, describe, it } from "@effect/vitest"
import fc from "fast-check"
import { Alignment, PhaseCorrelation } from "../src/index.ts"
import { scene } from "./fixtures/store.ts"

const W = 64

const render = (sample: number, dx: number, dy: number) => {
  const f = scene(sample)
  const out = new Float64Array(W * W)
  for (let y = 0; y < W; y++) for (let x = 0; x < W; x++) out[y * W + x] = f(x - dx, y - dy, W)
  return out
}

const offsetOf = (a: Float64Array, b: Float64Array) =>
  PhaseCorrelation.measure(PhaseCorrelation.edges(a, W, W), PhaseCorrelation.edges(b, W, W), W, W)

describe("PhaseCorrelation", () => {
  // Content entering and leaving a chip makes a shift not quite a translation, so single cases may
  // miss by more; the distribution over generated scenes is what must hold.
  const errors = (whole: boolean) => {
    const cases = fc.sample(
      fc.tuple(
        fc.nat({ max: 10_000 }),
        fc.double({ min: -3, max: 3, noNaN: true }),
        fc.double({ min: -3, max: 3, noNaN: true })
      ),
      { numRuns: 60, seed: whole ? 20 : 21 }
    )
    const out: Array<number> = []
    for (const [sample, x, y] of cases) {
      const [dx, dy] = whole ? [Math.round(x) + 0, Math.round(y) + 0] : [x, y]
      const o = offsetOf(render(sample, 0, 0), render(sample, dx, dy))
      if (o.peak < Alignment.minPeak) continue
      if (whole)
        assert.deepStrictEqual([Math.round(o.dx) + 0, Math.round(o.dy) + 0], [dx, dy], `#${sample}`)
      out.push(Math.hypot(o.dx - dx, o.dy - dy))
    }
    return out.sort((a, b) => a - b)
  }

  it("recovers whole-pixel shifts up to ±3 px: the pixel always, the fraction to 0.1 px for 90 %", () => {
    const e = errors(true)
    assert.isAtLeast(e.length, 54)
    assert.isBelow(e[Math.floor(0.9 * (e.length - 1))], 0.1, e.join(" "))
  })

  it("measures sub-pixel shifts: median error under 0.1 px, 90 % under 0.15 px", () => {
    const e = errors(false)
    assert.isAtLeast(e.length, 54)
    assert.isBelow(e[Math.floor(0.5 * (e.length - 1))], 0.1, e.join(" "))
    assert.isBelow(e[Math.floor(0.9 * (e.length - 1))], 0.15, e.join(" "))
  })

  it("finds no offset between an image and itself, and a low peak between unrelated scenes", () => {
    const a = render(1, 0, 0)
    const same = offsetOf(a, a)
    assert.isBelow(Math.hypot(same.dx, same.dy), 1e-9)
    assert.isAbove(same.peak, 0.99)
    const unrelated = offsetOf(a, render(2, 0, 0))
    assert.isBelow(unrelated.peak, Alignment.minPeak)
  })

  it("marks class boundaries and ignores nodata edges", () => {
    const classes = [1, 1, 2, 2, 1, 1, 2, 2, 1, 1, 2, 2]
    const e = PhaseCorrelation.classEdges(classes, 4, 3)
    assert.deepStrictEqual(Array.from(e), [0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0])
    const img = new Float64Array(25).fill(5)
    img[12] = NaN
    assert.isTrue(PhaseCorrelation.edges(img, 5, 5).every((v) => v === 0))
  })
})
