// Planar lon/lat geometry for footprints: point in polygon, quadrilateral containment, sampled coverage.
// Longitudes are unwrapped around the patch centre so footprints near the antimeridian compare correctly.
import type { Geometry } from "../StacItem.ts"

type Pt = readonly [number, number]
type Ring = ReadonlyArray<Pt>

const unwrap = (lon: number, centre: number): number => lon + 360 * Math.round((centre - lon) / 360)

const polygons = (g: Geometry): ReadonlyArray<ReadonlyArray<Ring>> =>
  g.type === "Polygon" ? [g.coordinates] : g.coordinates

const normalise = (g: Geometry, centre: number): ReadonlyArray<ReadonlyArray<Ring>> =>
  polygons(g).map((poly) =>
    poly.map((ring) => ring.map(([x, y]) => [unwrap(x, centre), y] as const))
  )

const inRing = (x: number, y: number, ring: Ring): boolean => {
  let inside = false
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]
    const [xj, yj] = ring[j]
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside
  }
  return inside
}

const inPolygon = (x: number, y: number, poly: ReadonlyArray<Ring>): boolean =>
  poly.length > 0 && inRing(x, y, poly[0]) && !poly.slice(1).some((h) => inRing(x, y, h))

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

/** Whether the quadrilateral (lon, lat corners in order) lies inside one polygon of the geometry. */
export const containsQuad = (g: Geometry, quad: ReadonlyArray<Pt>): boolean => {
  const c = quadCentreLon(quad)
  const q = quad.map(([x, y]) => [unwrap(x, c), y] as const)
  return normalise(g, c).some((poly) => {
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
  })
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

/** Which of the points (already unwrapped around `centre`) lie in the geometry. */
export const covers = (g: Geometry, points: ReadonlyArray<Pt>, centre: number): Uint8Array => {
  const polys = normalise(g, centre)
  const hit = new Uint8Array(points.length)
  for (let i = 0; i < points.length; i++) {
    const [x, y] = points[i]
    for (const p of polys) {
      if (inPolygon(x, y, p)) {
        hit[i] = 1
        break
      }
    }
  }
  return hit
}

/** The longitude the quad's points are unwrapped around. */
export const centreLon = quadCentreLon
