// Where a raster lies on the globe: its outline (edges sampled along the pixel grid) transformed exactly
// from its CRS to WGS 84 longitude/latitude, unwrapped across the antimeridian, and the boxes it covers.
import type { Crs, GeoTransform } from "@eoforge/core"
import { definition } from "./internal/crs.ts"
import { pointTransform } from "./internal/coordinates.ts"

/** [west, south, east, north] in degrees, west ≤ east, within [-180, 180]. */
export type LonLatBox = readonly [number, number, number, number]

/** A raster's outline in WGS 84. */
export interface Footprint {
  /**
   * Closed ring of (lon, lat) degrees along the raster's edges, counter-clockwise or not as the raster lies.
   * Longitudes are continuous: a raster across the antimeridian has some beyond ±180.
   */
  readonly ring: ReadonlyArray<readonly [number, number]>
  /** The boxes it covers, split at the antimeridian (one box, or two). */
  readonly boxes: ReadonlyArray<LonLatBox>
}

const wgs84 = "+proj=longlat +datum=WGS84 +no_defs"

/** Makes longitudes continuous along a ring (no step over 180°), starting from the first point's. */
export const unwrap = (
  ring: ReadonlyArray<readonly [number, number]>
): Array<readonly [number, number]> => {
  const out: Array<readonly [number, number]> = []
  let previous: number | undefined
  for (const [lon, lat] of ring) {
    let x = lon
    if (previous !== undefined) {
      while (x - previous > 180) x -= 360
      while (x - previous < -180) x += 360
    }
    out.push([x, lat])
    previous = x
  }
  return out
}

/** The boxes of a continuous ring, split at ±180 and folded back into [-180, 180]. */
export const boxesOf = (ring: ReadonlyArray<readonly [number, number]>): Array<LonLatBox> => {
  let w = Infinity
  let s = Infinity
  let e = -Infinity
  let n = -Infinity
  for (const [x, y] of ring) {
    if (x < w) w = x
    if (x > e) e = x
    if (y < s) s = y
    if (y > n) n = y
  }
  if (!(e >= w)) return []
  if (e - w >= 360) return [[-180, s, 180, n]]
  // Shift so the west edge lies in [-180, 180); the part past 180 wraps to the west.
  const k = Math.floor((w + 180) / 360)
  const w0 = w - 360 * k
  const e0 = e - 360 * k
  return e0 <= 180
    ? [[w0, s, e0, n]]
    : [
        [w0, s, 180, n],
        [-180, s, e0 - 360, n]
      ]
}

/**
 * The outline of a raster of `width` × `height` pixels with geotransform `gt` in `crs`: each edge sampled at
 * `samplesPerEdge` points (corners included), each point transformed exactly; throws when the CRS is unknown.
 * Points the transform cannot map (outside the projection's domain) are left out.
 */
export const of = (
  crs: Crs.Crs,
  gt: GeoTransform.GeoTransform,
  width: number,
  height: number,
  samplesPerEdge = 16
): Footprint => {
  const k = Math.max(2, Math.floor(samplesPerEdge))
  const pixels: Array<readonly [number, number]> = []
  for (let i = 0; i < k; i++) pixels.push([(width * i) / k, 0])
  for (let i = 0; i < k; i++) pixels.push([width, (height * i) / k])
  for (let i = 0; i < k; i++) pixels.push([width - (width * i) / k, height])
  for (let i = 0; i < k; i++) pixels.push([0, height - (height * i) / k])
  const xs = new Float64Array(pixels.length)
  const ys = new Float64Array(pixels.length)
  pixels.forEach(([c, r], i) => {
    xs[i] = gt[0] + c * gt[1] + r * gt[2]
    ys[i] = gt[3] + c * gt[4] + r * gt[5]
  })
  const transform = pointTransform(definition(crs), wgs84)
  transform?.(xs, ys)
  const points: Array<readonly [number, number]> = []
  for (let i = 0; i < xs.length; i++)
    if (Number.isFinite(xs[i]) && Number.isFinite(ys[i])) points.push([xs[i], ys[i]])
  const ring = unwrap(points)
  if (ring.length > 0) ring.push(ring[0])
  return { ring, boxes: boxesOf(ring) }
}

/** Whether two boxes (each within [-180, 180]) intersect, edges included. */
export const boxesIntersect = (a: LonLatBox, b: LonLatBox): boolean =>
  a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3]

const inside = (ring: ReadonlyArray<readonly [number, number]>, x: number, y: number): boolean => {
  let c = false
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]
    const [xj, yj] = ring[j]
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) c = !c
  }
  return c
}

const cross = (
  [ax, ay]: readonly [number, number],
  [bx, by]: readonly [number, number],
  [cx, cy]: readonly [number, number]
) => (bx - ax) * (cy - ay) - (by - ay) * (cx - ax)

const segmentsMeet = (
  p1: readonly [number, number],
  p2: readonly [number, number],
  q1: readonly [number, number],
  q2: readonly [number, number]
): boolean => {
  const d1 = cross(q1, q2, p1)
  const d2 = cross(q1, q2, p2)
  const d3 = cross(p1, p2, q1)
  const d4 = cross(p1, p2, q2)
  return ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))
}

const shifted = (ring: ReadonlyArray<readonly [number, number]>, dx: number) =>
  ring.map(([x, y]) => [x + dx, y] as const)

const ringsMeet = (
  a: ReadonlyArray<readonly [number, number]>,
  b: ReadonlyArray<readonly [number, number]>
): boolean => {
  if (a.some(([x, y]) => inside(b, x, y)) || b.some(([x, y]) => inside(a, x, y))) return true
  for (let i = 1; i < a.length; i++)
    for (let j = 1; j < b.length; j++) if (segmentsMeet(a[i - 1], a[i], b[j - 1], b[j])) return true
  return false
}

/**
 * Whether two continuous lon/lat rings overlap (interiors meet), whatever side of the antimeridian each
 * was unwrapped to: the second is also tried shifted by ±360°.
 */
export const ringsIntersect = (
  a: ReadonlyArray<readonly [number, number]>,
  b: ReadonlyArray<readonly [number, number]>
): boolean => [0, 360, -360].some((dx) => ringsMeet(a, dx === 0 ? b : shifted(b, dx)))

/** The fraction of `samples` (lon, lat) points inside the ring (any ±360° shift). */
export const fractionInside = (
  ring: ReadonlyArray<readonly [number, number]>,
  samples: ReadonlyArray<readonly [number, number]>
): number => {
  if (samples.length === 0) return 0
  let n = 0
  for (const [x, y] of samples)
    if (inside(ring, x, y) || inside(ring, x + 360, y) || inside(ring, x - 360, y)) n++
  return n / samples.length
}
