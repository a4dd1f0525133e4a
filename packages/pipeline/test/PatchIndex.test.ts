import { assert, describe, it } from "@effect/vitest"
import * as Index from "../src/internal/patchIndex.ts"

const ring = (g: Index.Geometry) => (g.type === "Polygon" ? g.coordinates[0] : [])

describe("patch index geometry (RFC 7946)", () => {
  it("writes a clockwise square as a closed counter-clockwise exterior", () => {
    const g = Index.patchGeometry([
      [10, 1],
      [11, 1],
      [11, 0],
      [10, 0]
    ])
    assert.strictEqual(g.type, "Polygon")
    const r = ring(g)
    assert.deepStrictEqual(r[0], r[r.length - 1])
    assert.isTrue(Index.signedArea(r.slice(0, -1)) > 0)
  })

  it("splits a patch straddling ±180° into two counter-clockwise parts meeting at the antimeridian", () => {
    const g = Index.patchGeometry([
      [179.99, 1],
      [-179.99, 1],
      [-179.99, 0.99],
      [179.99, 0.99]
    ])
    assert.strictEqual(g.type, "MultiPolygon")
    if (g.type !== "MultiPolygon") return
    const [west, east] = g.coordinates.map((p) => p[0])
    for (const r of [west, east]) {
      assert.isTrue(Index.signedArea(r.slice(0, -1)) > 0)
      const lons = r.map((p) => p[0])
      assert.isTrue(Math.max(...lons) - Math.min(...lons) < 0.011, "each part is 0.01° wide")
    }
    assert.strictEqual(Math.max(...west.map((p) => p[0])), 180)
    assert.strictEqual(Math.min(...east.map((p) => p[0])), -180)
  })

  it("quotes CSV fields that hold commas or quotes and leaves NaN empty", () => {
    assert.strictEqual(Index.csvLine(["a,b", 'say "x"', NaN, 1.5]), '"a,b","say ""x""",,1.5\n')
    assert.strictEqual(Index.float32(Math.fround(0.031)), 0.031)
  })
})
