// Planar lon/lat intersection of an item footprint with a polygon, as a STAC API evaluates `intersects`
// (PostGIS ST_Intersects on SRID 4326 geometries): boundaries touching count, no antimeridian unwrapping.
import type { Geometry } from "../StacItem.ts"
import { inPolygon } from "./geometry.ts"

type Pt = readonly [number, number]
type Ring = ReadonlyArray<Pt>

const orient = (o: Pt, a: Pt, b: Pt): number =>
  (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

const onSegment = (a: Pt, b: Pt, p: Pt): boolean =>
  Math.min(a[0], b[0]) <= p[0] &&
  p[0] <= Math.max(a[0], b[0]) &&
  Math.min(a[1], b[1]) <= p[1] &&
  p[1] <= Math.max(a[1], b[1])

/** Whether the closed segments ab and cd share a point (touching included). */
const segmentsMeet = (a: Pt, b: Pt, c: Pt, d: Pt): boolean => {
  const d1 = orient(c, d, a)
  const d2 = orient(c, d, b)
  const d3 = orient(a, b, c)
  const d4 = orient(a, b, d)
  if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0)))
    return true
  return (
    (d1 === 0 && onSegment(c, d, a)) ||
    (d2 === 0 && onSegment(c, d, b)) ||
    (d3 === 0 && onSegment(a, b, c)) ||
    (d4 === 0 && onSegment(a, b, d))
  )
}

const polygonsOf = (g: Geometry): ReadonlyArray<ReadonlyArray<Ring>> =>
  g.type === "Polygon" ? [g.coordinates] : g.coordinates

/**
 * Whether geometry `g` and the simple polygon `ring` (closed or not, lon/lat) share a point: an edge of one
 * meets an edge of the other, or one lies inside the other (holes respected).
 */
export const intersectsRing = (g: Geometry, ring: Ring): boolean => {
  const target = [ring]
  for (const poly of polygonsOf(g)) {
    if (poly.length === 0 || poly[0].length === 0) continue
    for (const r of poly) {
      for (let i = 0; i + 1 < r.length; i++) {
        for (let k = 0; k + 1 < ring.length; k++) {
          if (segmentsMeet(r[i], r[i + 1], ring[k], ring[k + 1])) return true
        }
      }
    }
    // No edges meet: either one contains the other entirely, or they are apart.
    if (inPolygon(ring[0][0], ring[0][1], poly)) return true
    if (inPolygon(poly[0][0][0], poly[0][0][1], target)) return true
  }
  return false
}
