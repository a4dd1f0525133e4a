import { assert, describe, it } from "@effect/vitest"
import { Leakage } from "../src/index.ts"

const haversine = (a: { lon: number; lat: number }, b: { lon: number; lat: number }) => {
  const r = Math.PI / 180
  const h =
    Math.sin(((b.lat - a.lat) * r) / 2) ** 2 +
    Math.cos(a.lat * r) * Math.cos(b.lat * r) * Math.sin(((b.lon - a.lon) * r) / 2) ** 2
  return 2 * 6_371_008.8 * Math.asin(Math.sqrt(h))
}

describe("Leakage", () => {
  it("distances to the nearest train sample equal a brute-force great-circle search", () => {
    let s = 99
    const rand = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296
    const samples = Array.from({ length: 400 }, (_, i) => ({
      id: String(i),
      lon: 179 + 2 * rand() - 1,
      lat: 60 + rand()
    }))
    const codes = samples.map((_, i) => (i % 5 === 0 ? 1 : i % 5 === 1 ? 2 : i % 7 === 0 ? 255 : 0))
    const report = Leakage.report(samples, codes)
    const brute = (code: number) =>
      samples
        .filter((_, i) => codes[i] === code)
        .map((v) =>
          Math.min(...samples.filter((_, i) => codes[i] === 0).map((t) => haversine(v, t)))
        )
        .sort((a, b) => a - b)
    const val = brute(1)
    assert.strictEqual(report.val.count, val.length)
    assert.closeTo(report.val.minM, val[0], 1e-6)
    assert.closeTo(report.val.medianM, val[Math.ceil(val.length / 2) - 1], 1e-6)
    assert.closeTo(report.test.p5M, brute(2)[Math.ceil(brute(2).length * 0.05) - 1], 1e-6)
  })

  it("without train samples every distance is infinite", () => {
    const r = Leakage.report([{ id: "a", lon: 0, lat: 0 }], [1])
    assert.strictEqual(r.val.minM, Infinity)
    assert.strictEqual(r.test.count, 0)
  })
})
