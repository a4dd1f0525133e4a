import { assert, describe, it } from "@effect/vitest"
import type { Patch } from "@eoforge/core"
import { PatchGeometry, Zone } from "@eoforge/grid"
import * as fc from "fast-check"
import * as Package from "../src/index.ts"
import { Overlap } from "../src/index.ts"
import { square } from "./squares.ts"

type Pt = readonly [number, number]

// Reference: convex polygon clipping in one map projection, with plain arrays.
const clipArea = (subject: ReadonlyArray<Pt>, clipper: ReadonlyArray<Pt>): number => {
  const signed = (p: ReadonlyArray<Pt>) =>
    p.reduce((s, a, i) => {
      const b = p[(i + 1) % p.length]
      return s + a[0] * b[1] - b[0] * a[1]
    }, 0) / 2
  const orient = Math.sign(signed(clipper))
  let out: Array<Pt> = [...subject]
  for (let e = 0; e < clipper.length; e++) {
    const p = clipper[e]
    const q = clipper[(e + 1) % clipper.length]
    const side = (x: Pt) => orient * ((q[0] - p[0]) * (x[1] - p[1]) - (q[1] - p[1]) * (x[0] - p[0]))
    const input = out
    out = []
    for (let i = 0; i < input.length; i++) {
      const s = input[(i + input.length - 1) % input.length]
      const c = input[i]
      const ds = side(s)
      const dc = side(c)
      const cut = (): Pt => {
        const t = ds / (ds - dc)
        return [s[0] + t * (c[0] - s[0]), s[1] + t * (c[1] - s[1])]
      }
      if (dc >= 0) {
        if (ds < 0) out.push(cut())
        out.push(c)
      } else if (ds >= 0) out.push(cut())
    }
  }
  return out.length < 3 ? 0 : Math.abs(signed(out))
}

// The overlap fraction of `a` measured in the projection of `epsg` (UTM or UPS, via proj4 in @eoforge/grid).
const fractionIn = (epsg: number, a: Patch.Patch, b: Patch.Patch): number => {
  const pa = a.footprint.map(([lon, lat]) => Zone.forward(epsg, lon, lat))
  const pb = b.footprint.map(([lon, lat]) => Zone.forward(epsg, lon, lat))
  return clipArea(pa, pb) / clipArea(pa, pa)
}

const epsgOf = (p: Patch.Patch): number => (p.grid.crs._tag === "Epsg" ? p.grid.crs.code : 0)

const ssl4eo = (lon: number, lat: number) =>
  PatchGeometry.make({ lon, lat, size: 2640, resolution: 10, snap: 60 })

describe("Overlap", () => {
  it("the package exports exactly its documented modules", () => {
    assert.deepStrictEqual(Object.keys(Package).sort(), [
      "Nearest",
      "Overlap",
      "OverlapFilter",
      "SeamFill"
    ])
    assert.deepStrictEqual(Object.keys(Package.Overlap).sort(), [
      "InvalidFootprintError",
      "area",
      "exceeds",
      "fraction",
      "intersectionArea"
    ])
    assert.deepStrictEqual(Object.keys(Package.OverlapFilter).sort(), [
      "InvalidMaxOverlapError",
      "filterAll",
      "filterStream",
      "filterStreamWith",
      "make",
      "makeCompact"
    ])
    assert.deepStrictEqual(Object.keys(Package.Nearest).sort(), [
      "EARTH_RADIUS",
      "InvalidPointError",
      "distance",
      "make",
      "nearest"
    ])
  })

  it("identical footprints overlap by their whole area, anywhere on Earth", () => {
    for (const [lon, lat] of [
      [0, 0],
      [13.4, 52.5],
      [179.999, -33],
      [-45, 89.999],
      [120, -89.99]
    ] as const) {
      const a = square({ lon, lat, size: 2640, rotation: 17 })
      assert.closeTo(Overlap.fraction(a, a), 1, 1e-12)
      assert.closeTo(Overlap.area(a), 2640 * 2640, 2640 * 2640 * 1e-6)
      const p = ssl4eo(lon, Math.max(-89.9, Math.min(89.9, lat)))
      assert.closeTo(Overlap.fraction(p, p), 1, 1e-12)
    }
  })

  it("a square shifted by half its side overlaps by one half", () => {
    for (const [lon, lat] of [
      [0, 0],
      [7.5, 45],
      [-70, 70],
      [179.99, 85],
      [-180, -89.99],
      [30, 90]
    ] as const) {
      for (const rotation of [0, 30, -61]) {
        const a = square({ lon, lat, size: 2640, rotation })
        const shift = 1320
        const t = (rotation * Math.PI) / 180
        const b = square({
          lon,
          lat,
          size: 2640,
          rotation,
          east: shift * Math.cos(t),
          north: shift * Math.sin(t)
        })
        assert.closeTo(Overlap.fraction(a, b), 0.5, 1e-6)
        assert.closeTo(Overlap.fraction(b, a), 0.5, 1e-6)
        assert.closeTo(Overlap.intersectionArea(a, b), 2640 * 1320, 2640 * 1320 * 1e-6)
      }
    }
  })

  it("overlap is symmetric, across zone seams, the antimeridian and the poles", () => {
    const place = fc.oneof(
      fc.tuple(
        fc.double({ min: -180, max: 180, noNaN: true }),
        fc.double({ min: -89, max: 89, noNaN: true })
      ),
      fc.tuple(
        fc.double({ min: 179.9, max: 180, noNaN: true }),
        fc.double({ min: -80, max: 80, noNaN: true })
      ),
      fc.tuple(
        fc.double({ min: -180, max: 180, noNaN: true }),
        fc.double({ min: 89.9, max: 90, noNaN: true })
      ),
      fc.tuple(
        fc.constantFrom(-174, -6, 0, 6, 12, 174, 180),
        fc.double({ min: -60, max: 60, noNaN: true })
      )
    )
    fc.assert(
      fc.property(
        place,
        fc.double({ min: -4000, max: 4000, noNaN: true }),
        fc.double({ min: -4000, max: 4000, noNaN: true }),
        fc.double({ min: -45, max: 45, noNaN: true }),
        fc.double({ min: -45, max: 45, noNaN: true }),
        fc.integer({ min: 500, max: 5000 }),
        ([lon, lat], east, north, ra, rb, size) => {
          const a = square({ lon, lat, size, rotation: ra })
          const b = square({ lon, lat, size, rotation: rb, east, north })
          const ab = Overlap.intersectionArea(a, b)
          const ba = Overlap.intersectionArea(b, a)
          assert.closeTo(ab, ba, 1e-6 * size * size)
          assert.isAtLeast(ab, 0)
          assert.isAtMost(ab, size * size * (1 + 1e-6))
        }
      ),
      { numRuns: 2000, seed: 42 }
    )
  })

  it("overlap of real UTM/UPS patch grids is symmetric across zone seams, the antimeridian and 84°N", () => {
    const seam = fc.oneof(
      fc.tuple(
        fc.constantFrom(-180, -6, 0, 6, 12, 179.999),
        fc.double({ min: -79, max: 83, noNaN: true })
      ),
      fc.tuple(
        fc.double({ min: -180, max: 180, noNaN: true }),
        fc.constantFrom(83.99, 84.01, -79.99, -80.01)
      )
    )
    fc.assert(
      fc.property(
        seam,
        fc.double({ min: -0.02, max: 0.02, noNaN: true }),
        fc.double({ min: -0.02, max: 0.02, noNaN: true }),
        fc.double({ min: -0.02, max: 0.02, noNaN: true }),
        ([lon, lat], dx, dx2, dy) => {
          const a = ssl4eo(lon + dx, lat)
          const b = ssl4eo(lon + dx2, Math.max(-90, Math.min(90, lat + dy)))
          const ab = Overlap.intersectionArea(a, b)
          // Both orders clip in the same midpoint plane: equal to well under a square centimetre.
          assert.closeTo(ab, Overlap.intersectionArea(b, a), 1e-2)
          assert.closeTo(Overlap.fraction(a, b) * Overlap.area(a), ab, 1e-6 * Overlap.area(a))
        }
      ),
      { numRuns: 300, seed: 3 }
    )
  })

  it("patches in two UTM zones overlap as measured in either zone's projection", () => {
    // 6°E separates zones 31 and 32 at 50°N; 12°E separates 32 and 33 at 40°S.
    for (const [lon, lat, dlon] of [
      [5.995, 50, 0.012],
      [11.99, -40, 0.02],
      [-0.01, 0.5, 0.018]
    ] as const) {
      const a = ssl4eo(lon, lat)
      const b = ssl4eo(lon + dlon, lat + 0.004)
      assert.notStrictEqual(epsgOf(a), epsgOf(b))
      const f = Overlap.fraction(a, b)
      assert.isAbove(f, 0.05)
      assert.closeTo(f, fractionIn(epsgOf(a), a, b), 1e-5)
      assert.closeTo(f, fractionIn(epsgOf(b), a, b), 1e-5)
    }
  })

  it("a patch straddling the antimeridian overlaps its neighbour on the other side", () => {
    const a = ssl4eo(179.995, 10)
    const b = ssl4eo(-179.992, 10.003)
    assert.notStrictEqual(epsgOf(a), epsgOf(b))
    assert.isTrue(a.footprint.some(([lon]) => lon < 0) || b.footprint.some(([lon]) => lon > 0))
    const f = Overlap.fraction(a, b)
    assert.isAbove(f, 0.2)
    assert.closeTo(f, fractionIn(epsgOf(a), a, b), 1e-5)
    assert.isTrue(Overlap.exceeds(a, b, 0.1))
  })

  it("UPS patches around the poles overlap as measured in the polar projection", () => {
    for (const [lon, lat, dlon, dlat] of [
      [0, 89.99, 90, 0],
      [45, 89.985, 170, 0.002],
      [-100, -89.99, 0.3, -0.01],
      [10, 84.01, 0.02, 0]
    ] as const) {
      const a = ssl4eo(lon, lat)
      const b = ssl4eo(lon + dlon, lat + dlat)
      const f = Overlap.fraction(a, b)
      assert.isAbove(f, 0.01)
      assert.closeTo(f, fractionIn(lat > 0 ? 32661 : 32761, a, b), 1e-5)
    }
  })

  it("footprints further apart than their diagonals do not overlap", () => {
    const a = square({ lon: 10, lat: 50, size: 2640 })
    assert.strictEqual(
      Overlap.intersectionArea(a, square({ lon: 10, lat: 50, size: 2640, east: 2641 })),
      0
    )
    assert.strictEqual(Overlap.fraction(a, square({ lon: -170, lat: -50, size: 2640 })), 0)
    assert.isFalse(Overlap.exceeds(a, square({ lon: 10, lat: 50, size: 2640, east: 2640 }), 0))
  })

  it("a footprint with a latitude beyond 90° is rejected with an error naming the patch", () => {
    const a = square({ lon: 10, lat: 50, size: 2640, id: "bad-patch" })
    const bad = {
      ...a,
      footprint: [[0, 91], a.footprint[1], a.footprint[2], a.footprint[3]]
    } as Patch.Patch
    const error = (() => {
      try {
        Overlap.fraction(bad, a)
      } catch (e) {
        return e
      }
    })()
    assert.instanceOf(error, Overlap.InvalidFootprintError)
    assert.strictEqual((error as Overlap.InvalidFootprintError)._tag, "InvalidFootprintError")
    assert.match((error as Error).message, /bad-patch.*91/)
  })
})
