import { assert, describe, it } from "@effect/vitest"
import { Coverage, Tiling } from "../src/index.ts"

const box = (lon0: number, lat0: number, lon1: number, lat1: number) => ({
  type: "Polygon",
  coordinates: [
    [
      [lon0, lat0],
      [lon1, lat0],
      [lon1, lat1],
      [lon0, lat1],
      [lon0, lat0]
    ]
  ]
})

describe("Coverage", () => {
  it("a tiling inside one zone has no hole; removing one tile makes a hole of its size", () => {
    const aoi = box(4.1, 52.0, 4.4, 52.2)
    const tiles = [...Tiling.tiles(aoi, { size: 2000, resolution: 10 })]
    const full = Coverage.check(aoi, tiles, { size: 2000, stepM: 100 })
    assert.strictEqual(full.holes, 0)
    assert.isTrue(full.target > 5000)
    // The AOI's edge strip outside every tile is uncovered but no hole (its own tile's centre is outside).
    assert.isTrue(full.uncovered > 0)
    // A tile well inside the AOI: its 2 km square holds about (2000 / 100)² lattice points.
    const inner = tiles.findIndex(
      (t) => Math.abs(t.lon - 4.25) < 0.02 && Math.abs(t.lat - 52.1) < 0.012
    )
    assert.isAtLeast(inner, 0)
    const without = tiles.filter((_, i) => i !== inner)
    const r = Coverage.check(aoi, without, { size: 2000, stepM: 100 })
    assert.isTrue(r.holes > 300 && r.holes < 500, `${r.holes} holes`)
    const [lon, lat] = r.examples[0]
    assert.isTrue(
      Math.abs(lon - tiles[inner].lon) < 0.02 && Math.abs(lat - tiles[inner].lat) < 0.012
    )
  })

  it("across a zone seam the per-zone tiles alone leave holes, and the seam tiles close them", () => {
    const aoi = box(5.8, 51.0, 6.2, 51.4)
    const own = [...Tiling.tiles(aoi, { size: 4480, resolution: 10 })]
    const spill = [...Tiling.seamTiles(aoi, { size: 4480, resolution: 10 })]
    assert.isTrue(spill.length > 0)
    // Every seam tile belongs to a zone other than its centre's, and reaches back into its own.
    for (const t of spill)
      assert.notStrictEqual(t.lon < 6 ? 32631 : 32632, (t.grid.crs as { code: number }).code)
    const before = Coverage.check(aoi, own, { size: 4480, stepM: 100 })
    const after = Coverage.check(aoi, [...own, ...spill], { size: 4480, stepM: 100 })
    assert.isTrue(before.holes > 0)
    assert.strictEqual(after.holes, 0)
  })
})
