import { assert, describe, it } from "@effect/vitest"
import { GeoJson } from "../src/index.ts"

type P = GeoJson.Position

// A square footprint of half-side `half`° turned by `turn` radians about (lon, lat), corners wrapped to ±180°
// as a projection gives them, listed clockwise from the upper left (the order of a patch's footprint).
const quad = (lon: number, lat: number, half: number, turn: number): Array<P> => {
  const wrap = (x: number) => (x > 180 ? x - 360 : x <= -180 ? x + 360 : x)
  const c = Math.cos(turn)
  const s = Math.sin(turn)
  return [
    [-1, 1],
    [1, 1],
    [1, -1],
    [-1, -1]
  ].map(([u, v]) => [wrap(lon + half * (u * c - v * s)), lat + half * (u * s + v * c)] as const)
}

const unwrapped = (ring: ReadonlyArray<P>): Array<P> =>
  ring.map(([x, y]) => [x < 0 ? x + 360 : x, y])
// Shoelace about the ring's first vertex (coordinates near 180° would cancel digits otherwise).
const area = (ring: ReadonlyArray<P>) =>
  Math.abs(GeoJson.signedArea(ring.map(([x, y]) => [x - ring[0][0], y - ring[0][1]] as const))) / 2
const open = (ring: ReadonlyArray<P>) => ring.slice(0, -1)

describe("GeoJson.polygonOf (RFC 7946)", () => {
  it("splits every footprint straddling ±180° into parts within ±180° that keep its area", () => {
    let crossing = 0
    for (const lat of [-84, -60, -17, 0, 33.3, 71.9, 84])
      for (const offset of [-0.011, -0.004, -1e-7, 0, 1e-7, 0.0035, 0.0109])
        for (const turn of [0, 0.05, -0.3, Math.PI / 4]) {
          const corners = quad(180 + offset, lat, 0.012, turn)
          const g = GeoJson.polygonOf(corners)
          const whole = area(corners.some(([x]) => x < 0) ? unwrapped(corners) : corners)
          assert.strictEqual(GeoJson.crossesAntimeridian(corners), g.type === "MultiPolygon")
          const parts = g.type === "Polygon" ? [g.coordinates[0]] : g.coordinates.map((p) => p[0])
          let sum = 0
          for (const r of parts) {
            assert.deepStrictEqual(r[0], r[r.length - 1], "closed")
            assert.isTrue(GeoJson.signedArea(open(r)) > 0, "counter-clockwise")
            for (const [x] of r) assert.isTrue(x >= -180 && x <= 180, `lon ${x} within ±180°`)
            sum += area(open(r))
          }
          assert.approximately(sum, whole, whole * 1e-9)
          if (g.type === "MultiPolygon") {
            crossing++
            const [west, east] = parts
            assert.strictEqual(Math.max(...west.map((q) => q[0])), 180)
            assert.strictEqual(Math.min(...east.map((q) => q[0])), -180)
            // The cut is the same segment of ±180° on both sides.
            const cut = (r: ReadonlyArray<P>, at: number) =>
              r
                .filter(([x]) => x === at)
                .map(([, y]) => y)
                .sort((a, b) => a - b)
            const [w0, w1] = [Math.min(...cut(west, 180)), Math.max(...cut(west, 180))]
            const [e0, e1] = [Math.min(...cut(east, -180)), Math.max(...cut(east, -180))]
            assert.approximately(w0, e0, 1e-12)
            assert.approximately(w1, e1, 1e-12)
          }
        }
    assert.isAbove(crossing, 100)
  })

  it("keeps a footprint away from ±180° as one closed counter-clockwise polygon of its corners", () => {
    for (const lon of [-179.9, -45, 0, 12.5, 179.9])
      for (const turn of [0, 0.2]) {
        const corners = quad(lon, 10, 0.05, turn)
        const g = GeoJson.polygonOf(corners)
        assert.strictEqual(g.type, "Polygon")
        if (g.type !== "Polygon") continue
        const r = g.coordinates[0]
        assert.strictEqual(r.length, 5)
        assert.isTrue(GeoJson.signedArea(open(r)) > 0)
        assert.sameDeepMembers(open(r) as Array<P>, corners)
      }
  })

  it("rounds to the decimals asked", () => {
    const g = GeoJson.polygonOf(quad(179.99999, 1.123456789123, 0.0001, 0.1), { decimals: 6 })
    const all = (g.type === "Polygon" ? [g.coordinates] : g.coordinates).flat(2)
    for (const [x, y] of all) {
      assert.strictEqual(Math.round(x * 1e6) / 1e6, x)
      assert.strictEqual(Math.round(y * 1e6) / 1e6, y)
    }
  })
})
