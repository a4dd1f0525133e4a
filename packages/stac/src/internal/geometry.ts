// Planar lon/lat geometry for footprints: point in polygon, quadrilateral containment, sampled coverage, valid
// anywhere on Earth: footprints split at the antimeridian (RFC 7946), crossing it (longitudes past ±180° or
// jumping across it), spanning all longitudes (global boxes), and patches straddling ±180°.
import type { Geometry } from "../StacItem.ts"

type Pt = readonly [number, number]
type Ring = ReadonlyArray<Pt>

const unwrap = (lon: number, centre: number): number => lon + 360 * Math.round((centre - lon) / 360)

const polygons = (g: Geometry): ReadonlyArray<ReadonlyArray<Ring>> =>
  g.type === "Polygon" ? [g.coordinates] : g.coordinates

/**
 * A ring as drawn: a jump of more than 180° (and less than 360°) between consecutive vertices is the short way
 * across the antimeridian, so such a ring is unwrapped vertex by vertex; an edge of a full 360° (a global
 * box's edge along a parallel) and rings in [−180, 180] or beyond it are kept as they are.
 */
const drawn = (ring: Ring): Ring => {
  let jumps = false
  for (let i = 1; i < ring.length; i++) {
    const d = Math.abs(ring[i][0] - ring[i - 1][0])
    if (d > 180 && d < 360 - 1e-9) jumps = true
  }
  if (!jumps) return ring
  const out: Array<Pt> = []
  let prev = ring[0][0]
  for (const [x, y] of ring) {
    const u = out.length === 0 ? x : unwrap(x, prev)
    out.push([u, y])
    prev = u
  }
  return out
}

/** Cached drawn polygons of a geometry. */
const cache = new WeakMap<Geometry, ReadonlyArray<ReadonlyArray<Ring>>>()
const shapes = (g: Geometry): ReadonlyArray<ReadonlyArray<Ring>> => {
  let s = cache.get(g)
  if (s === undefined) {
    s = polygons(g).map((poly) => poly.map(drawn))
    cache.set(g, s)
  }
  return s
}

/** Whether any vertex lies on or past the antimeridian (a split, crossing or global footprint). */
const touchesAntimeridian = (g: Geometry): boolean =>
  shapes(g).some((poly) => poly.some((ring) => ring.some(([x]) => Math.abs(x) >= 180 - 1e-9)))

/** Even-odd point-in-ring test (planar lon/lat). */
export const inRing = (x: number, y: number, ring: Ring): boolean => {
  let inside = false
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]
    const [xj, yj] = ring[j]
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside
  }
  return inside
}

/** In the outer ring and in no hole. */
export const inPolygon = (x: number, y: number, poly: ReadonlyArray<Ring>): boolean =>
  poly.length > 0 && inRing(x, y, poly[0]) && !poly.slice(1).some((h) => inRing(x, y, h))

/** Whether the point, at its longitude or one turn east or west, lies in one of the polygons. */
const inShapes = (x: number, y: number, polys: ReadonlyArray<ReadonlyArray<Ring>>): boolean =>
  polys.some((p) => inPolygon(x, y, p) || inPolygon(x + 360, y, p) || inPolygon(x - 360, y, p))

const cross = (o: Pt, a: Pt, b: Pt): number =>
  (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

/** Whether segments ab and cd cross at a point interior to both. */
const properlyCross = (a: Pt, b: Pt, c: Pt, d: Pt): boolean => {
  const d1 = cross(c, d, a)
  const d2 = cross(c, d, b)
  const d3 = cross(a, b, c)
  const d4 = cross(a, b, d)
  return ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))
}

const quadCentreLon = (quad: ReadonlyArray<Pt>): number => {
  const ref = quad[0][0]
  let s = 0
  for (const [x] of quad) s += unwrap(x, ref)
  return s / quad.length
}

/** Whether the quad (longitudes continuous) lies inside the polygon. */
const quadInPolygon = (q: ReadonlyArray<Pt>, poly: ReadonlyArray<Ring>): boolean => {
  if (!q.every(([x, y]) => inPolygon(x, y, poly))) return false
  for (const ring of poly) {
    for (let i = 0; i + 1 < ring.length; i++) {
      for (let k = 0; k < q.length; k++) {
        if (properlyCross(ring[i], ring[i + 1], q[k], q[(k + 1) % q.length])) return false
      }
    }
  }
  // A hole entirely inside the quad crosses none of its edges: check one of its vertices.
  return !poly.slice(1).some((hole) => hole.length > 0 && inRing(hole[0][0], hole[0][1], q))
}

/**
 * Whether the quadrilateral (lon, lat corners in order) lies inside the geometry: inside one polygon (at its
 * longitudes or one turn east or west), or — for footprints split at or spanning the antimeridian — every
 * point of a dense sample of the quad (corners, edges, 16 × 16 interior) inside some part.
 */
export const containsQuad = (g: Geometry, quad: ReadonlyArray<Pt>): boolean => {
  const c = quadCentreLon(quad)
  const q = quad.map(([x, y]) => [unwrap(x, c), y] as const)
  const polys = shapes(g)
  for (const shift of [0, 360, -360]) {
    const qs = q.map(([x, y]) => [x + shift, y] as const)
    if (polys.some((poly) => quadInPolygon(qs, poly))) return true
  }
  if (!touchesAntimeridian(g)) return false
  const points: Array<Pt> = [...q, ...samplePoints(quad, 16)]
  for (let k = 0; k < 4; k++) {
    const [ax, ay] = q[k]
    const [bx, by] = q[(k + 1) % 4]
    for (let t = 1; t < 16; t++) points.push([ax + ((bx - ax) * t) / 16, ay + ((by - ay) * t) / 16])
  }
  return points.every(([x, y]) => inShapes(unwrap(x, c), y, polys))
}

/** n × n sample points spread over the quadrilateral (bilinear in its corners UL, UR, LR, LL). */
export const samplePoints = (quad: ReadonlyArray<Pt>, n: number): ReadonlyArray<Pt> => {
  const c = quadCentreLon(quad)
  const [ul, ur, lr, ll] = quad.map(([x, y]) => [unwrap(x, c), y] as const)
  const out: Array<Pt> = []
  for (let j = 0; j < n; j++) {
    const v = (j + 0.5) / n
    for (let i = 0; i < n; i++) {
      const u = (i + 0.5) / n
      const top: Pt = [ul[0] + (ur[0] - ul[0]) * u, ul[1] + (ur[1] - ul[1]) * u]
      const bottom: Pt = [ll[0] + (lr[0] - ll[0]) * u, ll[1] + (lr[1] - ll[1]) * u]
      out.push([top[0] + (bottom[0] - top[0]) * v, top[1] + (bottom[1] - top[1]) * v])
    }
  }
  return out
}

/** Which of the points (longitudes continuous around `centre`) lie in the geometry. */
export const covers = (g: Geometry, points: ReadonlyArray<Pt>, centre: number): Uint8Array => {
  const polys = shapes(g)
  const hit = new Uint8Array(points.length)
  for (let i = 0; i < points.length; i++) {
    const [x, y] = points[i]
    if (inShapes(unwrap(x, centre), y, polys)) hit[i] = 1
  }
  return hit
}

/** The longitude the quad's points are unwrapped around. */
export const centreLon = quadCentreLon

/**
 * Whether two [west, south, east, north] boxes in degrees intersect, a box with west > east crossing the
 * antimeridian (STAC / RFC 7946 §5.2) and a box 360° wide covering every longitude.
 */
export const bboxesIntersect = (
  a: readonly [number, number, number, number],
  b: readonly [number, number, number, number]
): boolean => {
  if (a[1] > b[3] || b[1] > a[3]) return false
  const spans = (w: number, e: number): ReadonlyArray<readonly [number, number]> =>
    e - w >= 360
      ? [[-Infinity, Infinity]]
      : w > e
        ? [
            [w, e + 360],
            [w - 360, e]
          ]
        : [[w, e]]
  const sa = spans(a[0], a[2])
  const sb = spans(b[0], b[2])
  for (const [w1, e1] of sa) {
    for (const [w2, e2] of sb) {
      for (const k of [-360, 0, 360]) if (w1 <= e2 + k && w2 + k <= e1) return true
    }
  }
  return false
}
