import { assert, describe, it } from "@effect/vitest"
import { Crs, type Patch } from "@eoforge/core"
import { PatchGeometry, Zone } from "@eoforge/grid"
import * as Projected from "../src/internal/projected.ts"
import { Tiling } from "../src/index.ts"

// Positions from PROJ 9 (Debian proj-bin): `cs2cs -f %.4f +proj=longlat +datum=WGS84 +to ESRI:54009` and
// `… +to +proj=sinu +R=6371007.181 +units=m` (the MODIS grid's sphere).
const proj: ReadonlyArray<{
  readonly lonLat: readonly [number, number]
  readonly moll: readonly [number, number]
  readonly sinu: readonly [number, number]
}> = [
  { lonLat: [2.35, 48.85], moll: [181410.8199, 5752516.3718], sinu: [171949.4284, 5431878.2891] },
  { lonLat: [-0.52, 46], moll: [-41534.3299, 5448376.28], sinu: [-40166.1383, 5114972.3909] },
  {
    lonLat: [179.99, -16],
    moll: [17604304.4496, -1968443.5531],
    sinu: [19238689.0883, -1779120.8316]
  },
  { lonLat: [10, 60], moll: [648563.9305, 6876758.9933], sinu: [555975.2599, 6671703.1186] },
  {
    lonLat: [-70.1, -33.4],
    moll: [-6281846.0182, -4039160.7572],
    sinu: [-6507449.7035, -3713914.736]
  }
]

// The tile of a point, straight from the grid's definition.
const tileOfPoint = (grid: Projected.ProjectedGrid, lon: number, lat: number): string => {
  const [x, y] = grid.forward(lon, lat)
  return grid.name(Math.floor((grid.y0 - y) / grid.size), Math.floor((x - grid.x0) / grid.size))
}

// Brute force: the tiles of every point of a fine lattice over the patch grid (200 steps a side, edges included).
const bruteForce = (grid: Projected.ProjectedGrid, patch: Patch.Patch): ReadonlyArray<string> => {
  const g = patch.grid
  const epsg = Crs.epsgCode(g.crs)!
  const names = new Set<string>()
  const step = g.width / 200
  for (let r = 0; r <= g.height; r += step)
    for (let c = 0; c <= g.width; c += step) {
      const [lon, lat] = Zone.inverse(epsg, g.x0 + c * g.resolution, g.y0 - r * g.resolution)
      names.add(tileOfPoint(grid, lon, lat))
    }
  return [...names].sort()
}

const patchAt = (lon: number, lat: number, size = 4480) =>
  PatchGeometry.make({ lon, lat, size, resolution: 10 })

const namesOf = (tiling: Tiling.Tiling, patch: Patch.Patch) =>
  Tiling.coverOf(tiling, patch)
    .tiles.map((t) => t.name)
    .sort()

describe("projected tilings", () => {
  it("World Mollweide and the MODIS sinusoid agree with PROJ within 1 mm", () => {
    for (const p of proj) {
      const m = Projected.ghsMollweide.forward(...p.lonLat)
      const s = Projected.modisSinusoidal.forward(...p.lonLat)
      assert.closeTo(m[0], p.moll[0], 1e-3)
      assert.closeTo(m[1], p.moll[1], 1e-3)
      assert.closeTo(s[0], p.sinu[0], 1e-3)
      assert.closeTo(s[1], p.sinu[1], 1e-3)
    }
  })

  it("GHSL tiles are R{row}_C{col} from 1 at the upper left; MODIS tiles h{HH}v{VV} from 0", () => {
    // Paris: y 5.75e6 is the 4th 1000 km row below 9e6; x 0.18e6 the 19th column right of -18.041e6.
    assert.strictEqual(tileOfPoint(Projected.ghsMollweide, 2.35, 48.85), "R4_C19")
    assert.strictEqual(tileOfPoint(Projected.modisSinusoidal, 2.35, 48.85), "h18v04")
    assert.strictEqual(tileOfPoint(Projected.ghsMollweide, -70.1, -33.4), "R14_C12")
    assert.strictEqual(tileOfPoint(Projected.modisSinusoidal, -70.1, -33.4), "h12v12")
    assert.strictEqual(Projected.ghsMollweide.name(0, 0), "R1_C1")
    assert.strictEqual(Projected.modisSinusoidal.name(3, 18), "h18v03")
  })

  it("a UTM patch needs exactly the tiles a fine lattice of its pixels falls in", () => {
    const patches = [
      patchAt(-0.52, 46), // across GHS C18|C19 (x = -41,000 m)
      patchAt(0.001, 50.001), // MODIS h17|h18 and v03|v04 corner region
      patchAt(2.35, 48.85),
      patchAt(-70.1, -33.4),
      patchAt(10, 60, 20_000),
      patchAt(-179.999, -16), // across the antimeridian
      patchAt(24.5, 79.9, 20_000) // high latitude: the lon/lat box is far wider than the patch
    ]
    for (const p of patches) {
      assert.deepStrictEqual(namesOf("ghs-mollweide", p), bruteForce(Projected.ghsMollweide, p))
      assert.deepStrictEqual(
        namesOf("modis-sinusoidal", p),
        bruteForce(Projected.modisSinusoidal, p)
      )
    }
    assert.deepStrictEqual(namesOf("ghs-mollweide", patches[0]!), ["R4_C18", "R4_C19"])
    assert.deepStrictEqual(namesOf("ghs-mollweide", patches[5]!), ["R11_C1", "R11_C36"])
  })

  it("coverage is the part of the patch the present tiles hold, in metres of the tiling's CRS", () => {
    const p = patchAt(-0.52, 46)
    const cover = Tiling.coverOf("ghs-mollweide", p)
    const c18 = cover.tiles.find((t) => t.name === "R4_C18")!
    const c19 = cover.tiles.find((t) => t.name === "R4_C19")!
    // The patch centre is 534 m west of the C18|C19 edge: a bit more than half lies in C18.
    const west = cover.coverage([c18])
    assert.isAbove(west, 0.5)
    assert.isBelow(west, 0.75)
    assert.closeTo(west + cover.coverage([c19]), 1, 1e-12)
    assert.strictEqual(cover.coverage(cover.tiles), 1)
  })
})
