import { assert, describe, it } from "@effect/vitest"
import type { Patch } from "@eoforge/core"
import { PatchGeometry } from "@eoforge/grid"
import { Overlap } from "../src/index.ts"
import * as Bounds from "../src/internal/bounds.ts"
import * as Footprints from "../src/internal/footprints.ts"
import { random, square } from "./squares.ts"

const RAD = Math.PI / 180
const EARTH = 6_371_008.8

// The point `metres` from (lon, lat) on the sphere at `bearing` degrees (close enough: distances are measured).
const destination = (lon: number, lat: number, metres: number, bearing: number) => {
  const d = metres / EARTH
  const p1 = lat * RAD
  const t = bearing * RAD
  const p2 = Math.asin(Math.sin(p1) * Math.cos(d) + Math.cos(p1) * Math.sin(d) * Math.cos(t))
  const l2 =
    lon * RAD +
    Math.atan2(Math.sin(t) * Math.sin(d) * Math.cos(p1), Math.cos(d) - Math.sin(p1) * Math.sin(p2))
  const lonOut = (((l2 / RAD + 540) % 360) + 360) % 360
  return [lonOut - 180, p2 / RAD] as const
}

const converted = (p: Patch.Patch): Float64Array => {
  const data = new Float64Array(Footprints.STRIDE)
  assert.isTrue(Footprints.write(data, 0, p.footprint))
  return data
}

const centreDistance = (a: Float64Array, b: Float64Array): number =>
  Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2])

// Checks the bounds of the set made of all the pairs' footprints against the exact test, in both orders,
// and returns how many pairs fell just inside `yes` and just past `no` (so that the check was not vacuous).
const check = (
  pairs: ReadonlyArray<readonly [Patch.Patch, Patch.Patch]>,
  maxOverlap: number
): { thresholds: Bounds.Thresholds; nearYes: number; nearNo: number } => {
  const shapes = new Bounds.Shapes()
  let rMax = 0
  const data = pairs.map(([a, b]) => [converted(a), converted(b)] as const)
  for (const [a, b] of data) {
    shapes.add(a, 0)
    shapes.add(b, 0)
    rMax = Math.max(rMax, Footprints.radius(a, 0), Footprints.radius(b, 0))
  }
  const thresholds = Bounds.thresholds(shapes, rMax, maxOverlap + 1e-9)
  let nearYes = 0
  let nearNo = 0
  pairs.forEach(([a, b], i) => {
    const d = centreDistance(data[i][0], data[i][1])
    if (d < thresholds.yes) {
      assert.isTrue(Overlap.exceeds(a, b, maxOverlap), `${a.id} ${b.id} ${d} < ${thresholds.yes}`)
      assert.isTrue(Overlap.exceeds(b, a, maxOverlap), `${b.id} ${a.id} ${d} < ${thresholds.yes}`)
      if (d > 0.97 * thresholds.yes) nearYes++
    }
    if (d >= thresholds.no) {
      assert.isFalse(Overlap.exceeds(a, b, maxOverlap), `${a.id} ${b.id} ${d} ≥ ${thresholds.no}`)
      assert.isFalse(Overlap.exceeds(b, a, maxOverlap), `${b.id} ${a.id} ${d} ≥ ${thresholds.no}`)
      if (d < 1.03 * thresholds.no) nearNo++
    }
  })
  return { thresholds, nearYes, nearNo }
}

// Distances concentrated around the thresholds of 2,640 m squares (0–4 km, a third near each).
const distances = (rnd: () => number, yes: number, no: number): number => {
  const u = rnd()
  if (u < 1 / 3) return yes * (0.95 + 0.1 * rnd())
  if (u < 2 / 3) return no * (0.95 + 0.1 * rnd())
  return 4000 * rnd()
}

// Zone seams, the antimeridian, the equator, high latitudes up to UTM's 84°N, the UPS caps, Svalbard.
const places: ReadonlyArray<readonly [number, number]> = [
  [6, 50],
  [-0.001, 0],
  [180, -20],
  [-179.99, 65],
  [25, 70],
  [3, 56],
  [15, 78],
  [9, 83.9],
  [40, 84.5],
  [-120, -79.99],
  [60, -85],
  [0, 89.9]
]

const ssl4eo = (lon: number, lat: number) =>
  PatchGeometry.make({ lon, lat, size: 2640, resolution: 10, snap: 60 })

describe("bounds (the bulk filter's centre-distance shortcuts)", () => {
  it("below `yes` real patches always block each other, from `no` on never (seams, poles, ±180°)", () => {
    const rnd = random(77)
    const pairs: Array<readonly [Patch.Patch, Patch.Patch]> = []
    for (let i = 0; i < 6000; i++) {
      const [lon, lat] = places[i % places.length]
      const a = ssl4eo(lon + (rnd() - 0.5) * 0.05, Math.max(-90, Math.min(90, lat)))
      const [blon, blat] = destination(a.lon, a.lat, distances(rnd, 1494, 2738), 360 * rnd())
      pairs.push([a, ssl4eo(blon, blat)])
    }
    for (const maxOverlap of [0.25, 0, 0.1, 0.5]) {
      const { thresholds, nearYes, nearNo } = check(pairs, maxOverlap)
      // The bounds are of use (not switched off) and the pairs probed them closely.
      assert.isAbove(thresholds.no, thresholds.yes)
      assert.isAbove(thresholds.yes, 0)
      // At 0 every touching pair blocks: nothing closer than the bounding discs can be skipped.
      if (maxOverlap === 0) assert.strictEqual(thresholds.no, Infinity)
      else assert.isBelow(thresholds.no, 3740)
      if (maxOverlap === 0.25) {
        assert.isAbove(thresholds.yes, 1400)
        assert.isBelow(thresholds.no, 2800)
        assert.isAbove(nearYes, 100)
        assert.isAbove(nearNo, 100)
      }
    }
  })

  it("holds for squares rotated any way against each other", () => {
    const rnd = random(78)
    const rotated: Array<readonly [Patch.Patch, Patch.Patch]> = []
    for (let i = 0; i < 4000; i++) {
      const [lon, lat] = places[i % places.length]
      const d = distances(rnd, 1494, 2738)
      const t = 360 * rnd()
      const east = d * Math.cos(t * RAD)
      const north = d * Math.sin(t * RAD)
      const size = 2640
      rotated.push([
        square({ lon, lat, size, rotation: 90 * rnd(), id: `a${i}` }),
        square({ lon, lat, size, east, north, rotation: 90 * rnd(), id: `b${i}` })
      ])
    }
    const r = check(rotated, 0.25)
    assert.isAbove(r.thresholds.yes, 1400)
    assert.isAbove(r.nearYes, 50)
    assert.isAbove(r.nearNo, 50)
  })

  it("holds for mixed sizes, probed at the mixed set's own thresholds", () => {
    // The shapes (sizes 2,000–2,640 m — a smaller one inside a larger one still covers over half of it —, rotations) are drawn once; the bounds depend on them only, not on where
    // the pairs lie. A first set at distances around the 2,640 m thresholds gives the mixed set's own; a second
    // set of the same shapes then lies around those, so that pairs just inside `yes` and just past `no` are
    // checked at every allowed overlap.
    const rnd = random(79)
    const shapes = Array.from({ length: 4000 }, (_, i) => ({
      place: places[i % places.length],
      sizes: [2000 + 640 * rnd(), 2000 + 640 * rnd()] as const,
      rotation: 90 * rnd(),
      bearing: 360 * rnd(),
      u: rnd(),
      v: rnd()
    }))
    const pairsAt = (yes: number, no: number) =>
      shapes.map(({ place: [lon, lat], sizes, rotation, bearing, u, v }, i) => {
        // A third near each threshold, a third anywhere up to 4 km (as `distances`, from the drawn u, v).
        const d = u < 1 / 3 ? yes * (0.95 + 0.1 * v) : u < 2 / 3 ? no * (0.95 + 0.1 * v) : 4000 * v
        const east = d * Math.cos(bearing * RAD)
        const north = d * Math.sin(bearing * RAD)
        return [
          square({ lon, lat, size: sizes[0], rotation, id: `m${i}` }),
          square({ lon, lat, size: sizes[1], east, north, id: `n${i}` })
        ] as const
      })
    const first = check(pairsAt(1494, 2738), 0.25)
    // Mixed sizes widen the bounds (the smallest inscribed disc, the largest area), still never wrong.
    assert.isBelow(first.thresholds.yes, 1494)
    for (const maxOverlap of [0.25, 0.1, 0.4]) {
      const { thresholds } = check(pairsAt(1494, 2738), maxOverlap)
      assert.isAbove(thresholds.yes, 0)
      assert.isBelow(thresholds.no, Infinity)
      const probed = check(pairsAt(thresholds.yes, thresholds.no), maxOverlap)
      // The same shapes elsewhere on the ellipsoid: the same bounds to well under a metre.
      assert.closeTo(probed.thresholds.yes, thresholds.yes, 0.01)
      assert.closeTo(probed.thresholds.no, thresholds.no, 0.01)
      assert.isAbove(probed.nearYes, 100, `${maxOverlap}: pairs just inside yes`)
      assert.isAbove(probed.nearNo, 100, `${maxOverlap}: pairs just past no`)
    }
    // At 0 every touching pair blocks (no `no` short of the discs); from about the smaller area's share of
    // the larger one on, no distance guarantees a block (`yes` is 0); at 1 nothing may block. Still never wrong.
    for (const maxOverlap of [0, 0.5, 0.6, 1]) check(pairsAt(1494, 2738), maxOverlap)
  })

  it("are off for footprints they cannot bound: a bow-tie, a footprint of no extent, one over 20 km", () => {
    const good = ssl4eo(6, 50)
    const f = good.footprint
    const of = (...ps: ReadonlyArray<Patch.Patch>) => {
      const shapes = new Bounds.Shapes()
      let rMax = 0
      for (const p of ps) {
        const data = converted(p)
        shapes.add(data, 0)
        rMax = Math.max(rMax, Footprints.radius(data, 0))
      }
      return Bounds.thresholds(shapes, rMax, 0.25)
    }
    assert.isAbove(of(good).yes, 0)
    const bowTie: Patch.Patch = { ...good, footprint: [f[0], f[2], f[1], f[3]] }
    assert.deepStrictEqual(of(good, bowTie), Bounds.none)
    const flat: Patch.Patch = { ...good, footprint: [f[0], f[1], f[1], f[0]] }
    assert.deepStrictEqual(of(good, flat), Bounds.none)
    const huge = PatchGeometry.make({ lon: 6, lat: 50, size: 30_000, resolution: 10 })
    assert.deepStrictEqual(of(good, huge), Bounds.none)
  })

  it("lens: the shared area of two discs, from the whole disc to nothing", () => {
    assert.closeTo(Bounds.lens(2, 0), 4 * Math.PI, 1e-12)
    assert.strictEqual(Bounds.lens(2, 4), 0)
    // Half apart by one radius: 2r²·acos(½) − (r/2)·√3·r.
    assert.closeTo(Bounds.lens(1, 1), (2 * Math.PI) / 3 - Math.sqrt(3) / 2, 1e-12)
    // Monte Carlo over the square around both discs.
    const rnd = random(5)
    let inside = 0
    const n = 200_000
    for (let i = 0; i < n; i++) {
      const x = -1 + 3.4 * rnd()
      const y = -1 + 2 * rnd()
      if (x * x + y * y < 1 && (x - 1.4) ** 2 + y * y < 1) inside++
    }
    assert.closeTo(Bounds.lens(1, 1.4), (inside / n) * 6.8, 0.01)
  })
})
