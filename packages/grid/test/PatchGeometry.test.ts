import { assert, describe, it } from "@effect/vitest"
import { Crs } from "@eoforge/core"
import fc from "fast-check"
import { PatchGeometry, Zone } from "../src/index.ts"

const location = fc.record({
  lon: fc.double({ min: -180, max: 179.999, noNaN: true }),
  lat: fc.double({ min: -89.9, max: 89.9, noNaN: true })
})

describe("PatchGeometry", () => {
  it("snaps the origin to a multiple of snap with the centre within snap/2 of the request", () => {
    fc.assert(
      fc.property(
        location,
        fc.constantFrom(
          { size: 2640, resolution: 10, snap: 60 },
          { size: 2640, resolution: 10, snap: 10 },
          { size: 4480, resolution: 10, snap: 20 },
          { size: 1200, resolution: 60, snap: 60 }
        ),
        ({ lon, lat }, spec) => {
          const p = PatchGeometry.make({ lon, lat, ...spec })
          const { grid } = p
          assert.strictEqual(Crs.epsgCode(grid.crs), Zone.zoneOf(lon, lat).epsg)
          assert.strictEqual(grid.x0 % spec.snap, 0)
          assert.strictEqual(grid.y0 % spec.snap, 0)
          assert.strictEqual(grid.width, spec.size / spec.resolution)
          assert.strictEqual(grid.height, grid.width)
          const [cx, cy] = Zone.forward(Crs.epsgCode(grid.crs)!, lon, lat)
          const [gx, gy] = PatchGeometry.centre(grid)
          assert.isAtMost(Math.abs(gx - cx), spec.snap / 2 + 1e-6)
          assert.isAtMost(Math.abs(gy - cy), spec.snap / 2 + 1e-6)
        }
      ),
      { numRuns: 500 }
    )
  })

  it("lays the footprint corners upper-left, upper-right, lower-right, lower-left on the grid edges", () => {
    const p = PatchGeometry.make({ lon: 15.1, lat: 45.2, size: 2640, resolution: 10, snap: 60 })
    const epsg = Crs.epsgCode(p.grid.crs)!
    const { x0, y0 } = p.grid
    const corners = [
      [x0, y0],
      [x0 + 2640, y0],
      [x0 + 2640, y0 - 2640],
      [x0, y0 - 2640]
    ]
    p.footprint.forEach(([lon, lat], i) => {
      const [x, y] = Zone.forward(epsg, lon, lat)
      assert.closeTo(x, corners[i][0], 1e-6)
      assert.closeTo(y, corners[i][1], 1e-6)
    })
    assert.isTrue(p.footprint[0][1] > p.footprint[3][1] && p.footprint[1][0] > p.footprint[0][0])
  })

  it("puts a patch at 85°N on the UPS north grid and one at 85°S on UPS south", () => {
    const n = PatchGeometry.make({ lon: 10, lat: 85, size: 2640, resolution: 10 })
    assert.deepStrictEqual(n.grid.crs, Crs.epsg(32661))
    assert.match(n.id, /^32661-/)
    const s = PatchGeometry.make({ lon: 10, lat: -85, size: 2640, resolution: 10 })
    assert.deepStrictEqual(s.grid.crs, Crs.epsg(32761))
  })

  it("uses the Norway and Svalbard zones for patches there", () => {
    const bergen = PatchGeometry.make({ lon: 5.32, lat: 60.39, size: 2640, resolution: 10 })
    assert.deepStrictEqual(bergen.grid.crs, Crs.epsg(32632))
    const longyearbyen = PatchGeometry.make({ lon: 15.63, lat: 78.22, size: 2640, resolution: 10 })
    assert.deepStrictEqual(longyearbyen.grid.crs, Crs.epsg(32633))
  })

  it("gives an id from the geometry alone that sorts by zone, easting and northing", () => {
    const a = PatchGeometry.make({ lon: 15, lat: 45, size: 2640, resolution: 10, snap: 60 })
    // cs2cs puts (15°E, 45°N) at (500000, 4982950.4) in EPSG:32633; the nearest 60 m origin of a
    // 2640 m square is (498660, 4984260).
    assert.strictEqual(a.id, "32633-0498660-04984260-10-264")
    assert.strictEqual(a.id, PatchGeometry.id(a.grid))
    // A nearby request snapping to the same grid has the same id.
    const b = PatchGeometry.make({
      lon: 15.0001,
      lat: 45.0001,
      size: 2640,
      resolution: 10,
      snap: 60
    })
    assert.strictEqual(b.id, a.id)
    const east = PatchGeometry.make({ lon: 15.5, lat: 45, size: 2640, resolution: 10, snap: 60 })
    const north = PatchGeometry.make({ lon: 15, lat: 45.5, size: 2640, resolution: 10, snap: 60 })
    assert.isTrue(a.id < east.id && a.id < north.id)
    const south = PatchGeometry.make({ lon: 15, lat: -0.001, size: 2640, resolution: 10 })
    assert.match(south.id, /^32733-0\d{6}-1\d{7}-10-264$/)
  })

  it("rejects a size that is not a multiple of the resolution and snap", () => {
    try {
      PatchGeometry.make({ lon: 15, lat: 45, size: 2650, resolution: 10, snap: 60 })
      assert.fail("expected InvalidPatchSizeError")
    } catch (e) {
      assert.instanceOf(e, PatchGeometry.InvalidPatchSizeError)
      assert.strictEqual(e.size, 2650)
      assert.match(e.message, /2650 m at resolution 10 m with snap 60 m/)
    }
    assert.throws(
      () => PatchGeometry.make({ lon: 15, lat: 45, size: 2645, resolution: 10 }),
      PatchGeometry.InvalidPatchSizeError
    )
    assert.throws(
      () => PatchGeometry.make({ lon: 15, lat: 45, size: 0, resolution: 10 }),
      PatchGeometry.InvalidPatchSizeError
    )
  })

  it("rejects latitude 95 and non-finite coordinates with InvalidLocationError naming the value", () => {
    try {
      PatchGeometry.make({ lon: 15, lat: 95, size: 2640, resolution: 10 })
      assert.fail("expected InvalidLocationError")
    } catch (e) {
      assert.instanceOf(e, PatchGeometry.InvalidLocationError)
      assert.match(e.message, /95/)
    }
    assert.throws(
      () => PatchGeometry.make({ lon: Number.NaN, lat: 0, size: 2640, resolution: 10 }),
      PatchGeometry.InvalidLocationError
    )
  })
})
