import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import { Nearest } from "../src/index.ts"
import { random } from "./squares.ts"

// Points bunched at the antimeridian and both poles, plus a uniform background on the sphere.
const awkwardPoints = (seed: number, n: number): Array<Nearest.Point> => {
  const rnd = random(seed)
  return Array.from({ length: n }, (_, i) => {
    switch (i % 4) {
      case 0:
        return {
          lon: rnd() < 0.5 ? 180 - rnd() * 0.05 : -180 + rnd() * 0.05,
          lat: (rnd() - 0.5) * 0.1
        }
      case 1:
        return { lon: rnd() * 360 - 180, lat: 90 - rnd() * 0.05 }
      case 2:
        return { lon: rnd() * 360 - 180, lat: -90 + rnd() * 0.05 }
      default:
        return { lon: rnd() * 360 - 180, lat: (Math.asin(2 * rnd() - 1) * 180) / Math.PI }
    }
  })
}

describe("Nearest", () => {
  it("k nearest neighbours equal a brute-force great-circle ranking, across the antimeridian and poles", () => {
    const points = awkwardPoints(5, 4000)
    const index = Nearest.make(points)
    fc.assert(
      fc.property(
        fc.double({ min: -180, max: 180, noNaN: true }),
        fc.oneof(
          fc.double({ min: -90, max: 90, noNaN: true }),
          fc.double({ min: 89.9, max: 90, noNaN: true }),
          fc.double({ min: -0.1, max: 0.1, noNaN: true })
        ),
        fc.integer({ min: 1, max: 12 }),
        (lon, lat, k) => {
          const got = Nearest.nearest(index, lon, lat, k)
          const brute = points
            .map((p, i) => ({ i, d: Nearest.distance(lon, lat, p.lon, p.lat) }))
            .sort((a, b) => a.d - b.d || a.i - b.i)
            .slice(0, k)
          assert.strictEqual(got.indices.length, k)
          for (let m = 0; m < k; m++) {
            // Equal within a millimetre; the order of near-ties may differ by rounding.
            assert.closeTo(got.distances[m], brute[m].d, 1e-3)
            assert.closeTo(
              Nearest.distance(lon, lat, points[got.indices[m]].lon, points[got.indices[m]].lat),
              brute[m].d,
              1e-3
            )
          }
        }
      ),
      { numRuns: 300, seed: 11 }
    )
  })

  it("finds the neighbour on the other side of the antimeridian and across the pole", () => {
    const index = Nearest.make([
      { lon: 179.999, lat: 0 },
      { lon: 170, lat: 0 },
      { lon: 0, lat: 89.999 },
      { lon: 10, lat: 80 }
    ])
    const east = Nearest.nearest(index, -179.999, 0, 1)
    assert.deepStrictEqual([...east.indices], [0])
    assert.closeTo(east.distances[0], (0.002 * Math.PI * Nearest.EARTH_RADIUS) / 180, 1e-3)
    const pole = Nearest.nearest(index, 180, 89.999, 2)
    assert.deepStrictEqual([...pole.indices], [2, 3])
    assert.closeTo(pole.distances[0], (0.002 * Math.PI * Nearest.EARTH_RADIUS) / 180, 1e-3)
  })

  it("asking for more neighbours than points returns all of them, nearest first", () => {
    const index = Nearest.make([
      { lon: 0, lat: 2 },
      { lon: 0, lat: 1 },
      { lon: 0, lat: 3 }
    ])
    const all = Nearest.nearest(index, 0, 0, 10)
    assert.deepStrictEqual([...all.indices], [1, 0, 2])
    assert.isTrue(all.distances[0] < all.distances[1] && all.distances[1] < all.distances[2])
    assert.strictEqual(Nearest.nearest(index, 0, 0, 0).indices.length, 0)
    assert.strictEqual(Nearest.nearest(Nearest.make([]), 0, 0, 3).indices.length, 0)
  })

  it("a point with a latitude outside [-90, 90] is a typed error naming it", () => {
    assert.throws(
      () =>
        Nearest.make([
          { lon: 0, lat: 0 },
          { lon: 5, lat: 95 }
        ]),
      /point 1 \(lon 5, lat 95\)/
    )
    const error = (() => {
      try {
        Nearest.nearest(Nearest.make([]), Number.NaN, 0, 1)
      } catch (e) {
        return e
      }
    })()
    assert.instanceOf(error, Nearest.InvalidPointError)
    assert.match((error as Error).message, /query point \(lon NaN/)
  })
})
