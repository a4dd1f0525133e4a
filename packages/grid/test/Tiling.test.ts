import { assert, describe, it } from "@effect/vitest"
import type { Patch } from "@eoforge/core"
import { Crs } from "@eoforge/core"
import fc from "fast-check"
import { Aoi, PatchGeometry, Random, Sampler, Tiling, Zone } from "../src/index.ts"

const S = 2640
const options = { size: S, resolution: 10, snap: 60 }

const rect = (w: number, s: number, e: number, n: number): Array<Array<number>> => [
  [w, s],
  [e, s],
  [e, n],
  [w, n],
  [w, s]
]

// How many tiles contain (lon, lat): each zone's tiles sit on the lattice of multiples of S.
const coverage = (tiles: ReadonlyArray<Patch.Patch>) => {
  const byZone = new Map<number, Set<string>>()
  for (const t of tiles) {
    const epsg = Crs.epsgCode(t.grid.crs)!
    if (!byZone.has(epsg)) byZone.set(epsg, new Set())
    byZone.get(epsg)!.add(`${t.grid.x0 / S},${t.grid.y0 / S}`)
  }
  return (lon: number, lat: number): number => {
    let n = 0
    for (const [epsg, cells] of byZone) {
      const [x, y] = Zone.forward(epsg, lon, lat)
      if (cells.has(`${Math.floor(x / S)},${Math.ceil(y / S)}`)) n++
    }
    return n
  }
}

// Distance in degrees of longitude from the nearest UTM seam at that latitude.
const seamDistance = (lon: number, lat: number): number => {
  const z = Zone.zoneOf(lon, lat).zone
  let best = Infinity
  for (const d of [-0.3, 0.3]) {
    let l = lon
    while (Zone.zoneOf(l, lat).zone === z && Math.abs(l - lon) < 15) l += d / 30
    best = Math.min(best, Math.abs(l - lon))
  }
  return best
}

const check = (
  w: number,
  s: number,
  e: number,
  n: number,
  hole?: [number, number, number, number]
) => {
  const rings = [rect(w, s, e, n)]
  if (hole) rings.push(rect(...hole))
  const aoi = { type: "Polygon", coordinates: rings }
  const tiles = [...Tiling.tiles(aoi, options)]
  assert.isAbove(tiles.length, 0)
  const ids = new Set(tiles.map((t) => t.id))
  assert.strictEqual(ids.size, tiles.length, "tile ids are unique")
  const validated = Aoi.fromGeoJson(aoi)
  for (const t of tiles) {
    assert.isTrue(Aoi.contains(validated, t.lon, t.lat), `centre of ${t.id} in the AOI`)
    assert.strictEqual(Crs.epsgCode(t.grid.crs), Zone.zoneOf(t.lon, t.lat).epsg)
  }
  const covered = coverage(tiles)
  const margin = 0.06 // > a tile's diagonal (3.7 km) in degrees at these latitudes
  const r = Random.make(Math.round(w * 1000 + s))
  let tested = 0
  for (let i = 0; i < 300; i++) {
    const lon = w + r.next() * (e - w)
    const lat = s + r.next() * (n - s)
    const dLon = margin / Math.cos((lat * Math.PI) / 180)
    if (lon < w + dLon || lon > e - dLon || lat < s + margin || lat > n - margin) continue
    if (
      hole &&
      lon > hole[0] - dLon &&
      lon < hole[2] + dLon &&
      lat > hole[1] - margin &&
      lat < hole[3] + margin
    ) {
      if (
        lon > hole[0] + dLon &&
        lon < hole[2] - dLon &&
        lat > hole[1] + margin &&
        lat < hole[3] - margin
      ) {
        assert.strictEqual(covered(lon, lat), 0, `hole point (${lon}, ${lat}) is not tiled`)
      }
      continue
    }
    if (seamDistance(lon, lat) < dLon) continue
    tested++
    assert.strictEqual(covered(lon, lat), 1, `(${lon}, ${lat}) lies in exactly one tile`)
  }
  return { tiles, tested }
}

describe("Tiling", () => {
  it("covers every AOI point exactly once away from zone seams (no gaps, no duplicates)", () => {
    fc.assert(
      fc.property(
        fc.double({ min: -179, max: 178, noNaN: true }),
        fc.double({ min: -70, max: 69, noNaN: true }),
        fc.double({ min: 0.3, max: 0.8, noNaN: true }),
        (w, s, size) => {
          check(w, s, w + size, s + size * 0.6)
        }
      ),
      { numRuns: 12 }
    )
  })

  it("tiles an AOI across the 12°E seam in both zones without tiling anything twice", () => {
    const { tiles, tested } = check(11.5, 47, 12.5, 47.6, [11.9, 47.2, 12.1, 47.4])
    const zones = new Set(tiles.map((t) => Crs.epsgCode(t.grid.crs)))
    assert.deepStrictEqual([...zones].sort(), [32632, 32633])
    assert.isAbove(tested, 100)
    for (const t of tiles) {
      const epsg = Crs.epsgCode(t.grid.crs)!
      assert.strictEqual(epsg === 32632, t.lon < 12)
    }
  })

  it("follows the Norway exception: tiles west of 6°E at 60°N are in zone 32", () => {
    const tiles = [
      ...Tiling.tiles({ type: "Polygon", coordinates: [rect(4.5, 60, 6.5, 60.3)] }, options)
    ]
    assert.isTrue(tiles.every((t) => Crs.epsgCode(t.grid.crs) === 32632))
  })

  it("lays tiles on each zone's lattice of multiples of the size, which PatchGeometry.make reproduces", () => {
    const aoi = {
      type: "MultiPolygon",
      coordinates: [[rect(-0.2, 51.3, 0.2, 51.6)], [rect(151, -34, 151.2, -33.8)]]
    }
    const tiles = [...Tiling.tiles(aoi, options)]
    for (const t of tiles) {
      assert.strictEqual(t.grid.x0 % S, 0)
      assert.strictEqual(t.grid.y0 % S, 0)
      assert.deepStrictEqual(PatchGeometry.make({ lon: t.lon, lat: t.lat, ...options }), t)
    }
    const samples = [...Sampler.tiles(aoi, options)]
    assert.deepStrictEqual(
      samples.map((s) => s.id),
      tiles.map((t) => t.id)
    )
  })

  it("tiles an AOI beyond 84°N on the UPS north grid", () => {
    const tiles = [
      ...Tiling.tiles({ type: "Polygon", coordinates: [rect(-10, 85, 10, 85.3)] }, options)
    ]
    assert.isAbove(tiles.length, 100)
    assert.isTrue(tiles.every((t) => Crs.epsgCode(t.grid.crs) === 32661))
  })

  it("rejects empty, open, self-intersecting and non-polygon AOIs naming the polygon and ring", () => {
    const bad = (geojson: unknown, pattern: RegExp) => {
      try {
        Tiling.tiles(geojson, options)
        assert.fail("expected InvalidAoiError")
      } catch (e) {
        assert.instanceOf(e, Tiling.InvalidAoiError)
        assert.match(e.message, pattern)
      }
    }
    bad(
      { type: "MultiPolygon", coordinates: [] },
      /the MultiPolygon is empty; give at least one polygon/
    )
    bad({ type: "Polygon", coordinates: [] }, /polygon 0: the polygon has no rings/)
    bad({ type: "Polygon", coordinates: [[]] }, /polygon 0 ring 0 \(outer\): the ring is empty/)
    bad(
      {
        type: "Polygon",
        coordinates: [
          [
            [0, 0],
            [1, 0],
            [1, 1],
            [0, 1]
          ]
        ]
      },
      /ring 0 \(outer\): the ring is not closed.*repeat the first position/
    )
    bad(
      {
        type: "Polygon",
        coordinates: [
          rect(0, 0, 2, 2),
          [
            [0.5, 0.5],
            [1.5, 1.5],
            [1.5, 0.5],
            [0.5, 1.5],
            [0.5, 0.5]
          ]
        ]
      },
      /polygon 0 ring 1 \(hole\): the ring intersects itself \(edges 0 and 2\)/
    )
    bad(
      {
        type: "MultiPolygon",
        coordinates: [
          [rect(0, 0, 1, 1)],
          [
            [
              [0, 0],
              [1, 0],
              [2, 0],
              [0, 0]
            ]
          ]
        ]
      },
      /polygon 1 ring 0 \(outer\): the ring encloses no area/
    )
    bad(
      { type: "Point", coordinates: [0, 0] },
      /the geometry is Point; give a GeoJSON Polygon or MultiPolygon/
    )
    bad(
      { type: "Polygon", coordinates: [rect(0, 0, 1, 95)] },
      /outside lon \[-180, 180\], lat \[-90, 90\]/
    )
  })
})
