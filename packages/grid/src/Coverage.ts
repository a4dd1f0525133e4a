// How well a set of tiles covers an AOI, checked point by point on a lattice: the test of "no holes" that
// a tiling must pass, independent of how the tiles were chosen (it only projects points into tile zones).
import type { Patch } from "@eoforge/core"
import * as Aoi from "./Aoi.ts"
import * as Zone from "./Zone.ts"

/** What to check: the tile side (m) and the lattice step (m on the ground). */
export interface Options {
  /** Side of the tiles in metres (tile origins on multiples of it, as `Tiling` lays them). */
  readonly size: number
  /** Spacing of the test points in metres (north–south and east–west at each latitude). */
  readonly stepM: number
  /** Only points in this lon/lat box (default: the AOI's bounding box). */
  readonly box?: {
    readonly minX: number
    readonly minY: number
    readonly maxX: number
    readonly maxY: number
  }
  /** At most this many uncovered points are listed (default 20). */
  readonly examples?: number
}

/** The outcome of `check`. */
export interface Report {
  /** Lattice points inside the AOI. */
  readonly inside: number
  /** Of those, points whose own zone's tile (the cell of its zone's lattice holding it) has its centre in the AOI: the ground a tiling must cover. */
  readonly target: number
  /** Target points no tile covers: holes. */
  readonly holes: number
  /** Points inside the AOI no tile covers (holes plus the AOI's edge strip outside the tiles). */
  readonly uncovered: number
  /** Up to `examples` holes as (lon, lat). */
  readonly examples: ReadonlyArray<readonly [number, number]>
}

const M_PER_DEG = 111_320

/**
 * Lays a lattice of points over the AOI (rows `stepM` apart, points `stepM` apart along each row) and checks each
 * point inside the AOI against the tiles, by projecting it into every zone the tiles use: a point is covered
 * when it lies in a tile's square [x0, x0 + size) × (y0 − size, y0] of that tile's zone.
 */
export const check = (
  aoi: unknown,
  tiles: ReadonlyArray<Patch.Patch>,
  options: Options
): Report => {
  const area = isAoi(aoi) ? aoi : Aoi.fromGeoJson(aoi)
  const { size, stepM } = options
  const keys = new Set<string>()
  const zones = new Set<number>()
  for (const t of tiles) {
    if (t.grid.crs._tag !== "Epsg") continue
    const epsg = t.grid.crs.code
    zones.add(epsg)
    keys.add(`${epsg}/${Math.round(t.grid.x0 / size)}/${Math.round(t.grid.y0 / size)}`)
  }
  const zoneList = [...zones].sort((a, b) => a - b)
  const b = options.box ?? area.bbox
  const limit = options.examples ?? 20
  const examples: Array<readonly [number, number]> = []
  let inside = 0
  let target = 0
  let holes = 0
  let uncovered = 0
  const dLat = stepM / M_PER_DEG
  for (let lat = b.minY + dLat / 2; lat < b.maxY; lat += dLat) {
    const dLon = stepM / (M_PER_DEG * Math.max(1e-6, Math.cos((lat * Math.PI) / 180)))
    for (let lon = b.minX + dLon / 2; lon < b.maxX; lon += dLon) {
      if (!Aoi.contains(area, lon, lat)) continue
      inside++
      let covered = false
      for (const epsg of zoneList) {
        const [x, y] = Zone.forward(epsg, lon, lat)
        if (keys.has(`${epsg}/${Math.floor(x / size)}/${Math.ceil(y / size)}`)) {
          covered = true
          break
        }
      }
      const own = Zone.zoneOf(lon, lat).epsg
      const [x, y] = Zone.forward(own, lon, lat)
      const [clon, clat] = Zone.inverse(
        own,
        (Math.floor(x / size) + 0.5) * size,
        (Math.ceil(y / size) - 0.5) * size
      )
      const isTarget = Aoi.contains(area, clon, clat)
      if (isTarget) target++
      if (!covered) {
        uncovered++
        if (isTarget) {
          holes++
          if (examples.length < limit) examples.push([lon, lat])
        }
      }
    }
  }
  return { inside, target, holes, uncovered, examples }
}

const isAoi = (u: unknown): u is Aoi.Aoi =>
  typeof u === "object" && u !== null && "polygons" in u && "bbox" in u && !("type" in u)
