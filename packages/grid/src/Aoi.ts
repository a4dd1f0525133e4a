// Areas of interest: validated GeoJSON Polygon / MultiPolygon (with holes) in (lon, lat) degrees.
// Edges are straight in (lon, lat) as GeoJSON (RFC 7946) specifies; antimeridian crossings must be split.
import { BBox } from "@eoforge/core"
import { Schema } from "effect"

/** A validated AOI: polygons of rings, each ring flat [lon0, lat0, lon1, lat1, …] closed (last = first). */
export interface Aoi {
  /** polygons[p][0] is the outer ring, the rest are holes. */
  readonly polygons: ReadonlyArray<ReadonlyArray<Float64Array>>
  /** Bounds in degrees (x = lon, y = lat). */
  readonly bbox: BBox.BBox
}

/** A GeoJSON geometry that cannot serve as an AOI. polygon/ring are −1 when the whole input is at fault. */
export class InvalidAoiError extends Schema.TaggedError<InvalidAoiError>()("InvalidAoiError", {
  polygon: Schema.Number,
  ring: Schema.Number,
  reason: Schema.String,
  fix: Schema.String
}) {
  override get message(): string {
    const where =
      this.polygon < 0
        ? "the AOI"
        : this.ring < 0
          ? `polygon ${this.polygon}`
          : `polygon ${this.polygon} ring ${this.ring}${this.ring === 0 ? " (outer)" : " (hole)"}`
    return `invalid AOI: ${where}: ${this.reason}; ${this.fix}`
  }
}

const fail = (polygon: number, ring: number, reason: string, fix: string): never => {
  throw new InvalidAoiError({ polygon, ring, reason, fix })
}

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null

// Whether segments p1p2 and p3p4 share any point (collinear overlaps and touching endpoints included).
const orient = (ax: number, ay: number, bx: number, by: number, cx: number, cy: number) => {
  const v = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax)
  return v > 0 ? 1 : v < 0 ? -1 : 0
}
const onSegment = (ax: number, ay: number, bx: number, by: number, cx: number, cy: number) =>
  Math.min(ax, bx) <= cx &&
  cx <= Math.max(ax, bx) &&
  Math.min(ay, by) <= cy &&
  cy <= Math.max(ay, by)
const segmentsMeet = (r: Float64Array, i: number, j: number): boolean =>
  edgesMeet(
    r[2 * i],
    r[2 * i + 1],
    r[2 * i + 2],
    r[2 * i + 3],
    r[2 * j],
    r[2 * j + 1],
    r[2 * j + 2],
    r[2 * j + 3]
  )
const edgesMeet = (
  ax: number,
  ay: number,
  bx: number,
  by: number,
  cx: number,
  cy: number,
  dx: number,
  dy: number
): boolean => {
  const o1 = orient(ax, ay, bx, by, cx, cy)
  const o2 = orient(ax, ay, bx, by, dx, dy)
  const o3 = orient(cx, cy, dx, dy, ax, ay)
  const o4 = orient(cx, cy, dx, dy, bx, by)
  if (o1 !== o2 && o3 !== o4) return true
  return (
    (o1 === 0 && onSegment(ax, ay, bx, by, cx, cy)) ||
    (o2 === 0 && onSegment(ax, ay, bx, by, dx, dy)) ||
    (o3 === 0 && onSegment(cx, cy, dx, dy, ax, ay)) ||
    (o4 === 0 && onSegment(cx, cy, dx, dy, bx, by))
  )
}

/** The first pair of non-adjacent edges of a closed ring that meet, or undefined (sweep over edge x-ranges). */
export const selfIntersection = (ring: Float64Array): readonly [number, number] | undefined => {
  const n = ring.length / 2 - 1
  const order = Array.from({ length: n }, (_, i) => i)
  const minX = (i: number) => Math.min(ring[2 * i], ring[2 * i + 2])
  const maxX = (i: number) => Math.max(ring[2 * i], ring[2 * i + 2])
  order.sort((a, b) => minX(a) - minX(b))
  for (let a = 0; a < n; a++) {
    const i = order[a]
    const right = maxX(i)
    for (let b = a + 1; b < n && minX(order[b]) <= right; b++) {
      const j = order[b]
      const d = Math.abs(i - j)
      if (d === 1 || d === n - 1) continue
      if (segmentsMeet(ring, Math.min(i, j), Math.max(i, j)))
        return [Math.min(i, j), Math.max(i, j)]
    }
  }
  return undefined
}

const signedArea = (r: Float64Array): number => {
  let s = 0
  for (let i = 0; i + 3 < r.length; i += 2) s += r[i] * r[i + 3] - r[i + 2] * r[i + 1]
  return s / 2
}

const parseRing = (u: unknown, p: number, k: number): Float64Array => {
  if (!Array.isArray(u) || u.length === 0) {
    return fail(
      p,
      k,
      "the ring is empty",
      "give at least 4 positions [lon, lat], the last equal to the first"
    )
  }
  const ring = new Float64Array(u.length * 2)
  u.forEach((pos, i) => {
    const lon = Array.isArray(pos) ? pos[0] : undefined
    const lat = Array.isArray(pos) ? pos[1] : undefined
    if (
      typeof lon !== "number" ||
      typeof lat !== "number" ||
      !Number.isFinite(lon) ||
      !Number.isFinite(lat)
    ) {
      fail(
        p,
        k,
        `position ${i} is ${JSON.stringify(pos)}`,
        "give each position as [lon, lat] finite degrees"
      )
    }
    if (
      (lat as number) < -90 ||
      (lat as number) > 90 ||
      (lon as number) < -180 ||
      (lon as number) > 180
    ) {
      fail(
        p,
        k,
        `position ${i} [${lon}, ${lat}] is outside lon [-180, 180], lat [-90, 90]`,
        "give WGS 84 degrees, longitude first; split rings that cross the antimeridian"
      )
    }
    ring[2 * i] = lon as number
    ring[2 * i + 1] = lat as number
  })
  const m = ring.length
  if (ring[0] !== ring[m - 2] || ring[1] !== ring[m - 1]) {
    fail(
      p,
      k,
      `the ring is not closed (first [${ring[0]}, ${ring[1]}], last [${ring[m - 2]}, ${ring[m - 1]}])`,
      "repeat the first position at the end of the ring"
    )
  }
  if (u.length < 4) {
    fail(
      p,
      k,
      `the ring has ${u.length} positions`,
      "give at least 4 positions (a triangle plus the closing position)"
    )
  }
  const hit = selfIntersection(ring)
  if (hit !== undefined) {
    fail(
      p,
      k,
      `the ring intersects itself (edges ${hit[0]} and ${hit[1]})`,
      "remove the crossing, e.g. split the ring into two polygons or reorder its positions"
    )
  }
  if (signedArea(ring) === 0) {
    fail(
      p,
      k,
      "the ring encloses no area",
      "give a ring with at least three distinct non-collinear positions"
    )
  }
  return ring
}

const parsePolygon = (u: unknown, p: number): ReadonlyArray<Float64Array> => {
  if (!Array.isArray(u) || u.length === 0) {
    return fail(p, -1, "the polygon has no rings", "give an outer ring, then optional holes")
  }
  return u.map((ring, k) => parseRing(ring, p, k))
}

/** An AOI from a GeoJSON Polygon or MultiPolygon (bare, or as a Feature); InvalidAoiError names the bad polygon/ring. */
export const fromGeoJson = (geojson: unknown): Aoi => {
  const geometry = isRecord(geojson) && geojson.type === "Feature" ? geojson.geometry : geojson
  if (!isRecord(geometry) || (geometry.type !== "Polygon" && geometry.type !== "MultiPolygon")) {
    const type = isRecord(geometry) ? String(geometry.type) : typeof geometry
    return fail(
      -1,
      -1,
      `the geometry is ${type}`,
      "give a GeoJSON Polygon or MultiPolygon (or a Feature holding one)"
    )
  }
  const coordinates = geometry.coordinates
  const polygons =
    geometry.type === "Polygon"
      ? [parsePolygon(coordinates, 0)]
      : Array.isArray(coordinates)
        ? coordinates.map(parsePolygon)
        : []
  if (polygons.length === 0) {
    fail(-1, -1, "the MultiPolygon is empty", "give at least one polygon")
  }
  let minX = Infinity
  let minY = Infinity
  let maxX = -Infinity
  let maxY = -Infinity
  for (const polygon of polygons) {
    const outer = polygon[0]
    for (let i = 0; i < outer.length; i += 2) {
      minX = Math.min(minX, outer[i])
      maxX = Math.max(maxX, outer[i])
      minY = Math.min(minY, outer[i + 1])
      maxY = Math.max(maxY, outer[i + 1])
    }
  }
  return { polygons, bbox: BBox.make(minX, minY, maxX, maxY) }
}

/** Whether (lon, lat) degrees lies inside the AOI (even–odd rule per polygon, so holes are excluded). */
export const contains = (aoi: Aoi, lon: number, lat: number): boolean => {
  const b = aoi.bbox
  if (lon < b.minX || lon > b.maxX || lat < b.minY || lat > b.maxY) return false
  for (const polygon of aoi.polygons) {
    let inside = false
    for (const r of polygon) {
      for (let i = 0; i + 3 < r.length; i += 2) {
        const y1 = r[i + 1]
        const y2 = r[i + 3]
        if (y1 > lat !== y2 > lat) {
          const x = r[i] + ((lat - y1) * (r[i + 2] - r[i])) / (y2 - y1)
          if (lon < x) inside = !inside
        }
      }
    }
    if (inside) return true
  }
  return false
}

const cross = (ax: number, ay: number, bx: number, by: number, px: number, py: number): number =>
  (bx - ax) * (py - ay) - (by - ay) * (px - ax)

/**
 * Whether a convex quad of (lon, lat) corners shares ground with the AOI: a corner inside it, a ring vertex inside
 * the quad, or a ring edge crossing a quad edge. Edges are straight in (lon, lat) on both sides (a tile's edges,
 * straight in its projection, bend from that by well under a metre for tiles of a few km).
 */
export const intersectsQuad = (
  aoi: Aoi,
  quad: ReadonlyArray<readonly [number, number]>
): boolean => {
  for (const c of quad) if (contains(aoi, c[0], c[1])) return true
  let qMinX = Infinity
  let qMinY = Infinity
  let qMaxX = -Infinity
  let qMaxY = -Infinity
  for (const c of quad) {
    qMinX = Math.min(qMinX, c[0])
    qMaxX = Math.max(qMaxX, c[0])
    qMinY = Math.min(qMinY, c[1])
    qMaxY = Math.max(qMaxY, c[1])
  }
  const b = aoi.bbox
  if (qMaxX < b.minX || qMinX > b.maxX || qMaxY < b.minY || qMinY > b.maxY) return false
  const n = quad.length
  const area = quad.reduce((s, c, i) => {
    const d = quad[(i + 1) % n]
    return s + c[0] * d[1] - d[0] * c[1]
  }, 0)
  const sign = area >= 0 ? 1 : -1
  const insideQuad = (x: number, y: number) =>
    quad.every((c, i) => {
      const d = quad[(i + 1) % n]
      return sign * cross(c[0], c[1], d[0], d[1], x, y) >= 0
    })
  for (const polygon of aoi.polygons) {
    for (const r of polygon) {
      for (let i = 0; i + 3 < r.length; i += 2) {
        const ax = r[i]
        const ay = r[i + 1]
        const bx = r[i + 2]
        const by = r[i + 3]
        if (Math.max(ax, bx) < qMinX || Math.min(ax, bx) > qMaxX) continue
        if (Math.max(ay, by) < qMinY || Math.min(ay, by) > qMaxY) continue
        if (insideQuad(ax, ay)) return true
        for (let k = 0; k < n; k++) {
          const c = quad[k]
          const d = quad[(k + 1) % n]
          if (edgesMeet(ax, ay, bx, by, c[0], c[1], d[0], d[1])) return true
        }
      }
    }
  }
  return false
}
