// RFC 7946 geometry of a lon/lat quadrilateral (a patch footprint): a Polygon with a counter-clockwise
// exterior, or — when its corners straddle ±180° — a MultiPolygon of the parts on either side, one ending at
// 180° and one starting at −180° (RFC 7946 §3.1.9). Written where a geometry leaves EOForge: the patch index
// files, and the `intersects` of catalogue searches (an unsplit ring there is read by a server as a polygon
// around the whole latitude band).

/** A lon/lat position in degrees. */
export type Position = readonly [number, number]

/** An RFC 7946 Polygon or MultiPolygon. */
export type Geometry =
  | { readonly type: "Polygon"; readonly coordinates: ReadonlyArray<ReadonlyArray<Position>> }
  | {
      readonly type: "MultiPolygon"
      readonly coordinates: ReadonlyArray<ReadonlyArray<ReadonlyArray<Position>>>
    }

/** Twice the signed area of an open ring in the lon/lat plane: positive when counter-clockwise. */
export const signedArea = (ring: ReadonlyArray<Position>): number => {
  let a = 0
  for (let i = 0; i < ring.length; i++) {
    const [x1, y1] = ring[i]
    const [x2, y2] = ring[(i + 1) % ring.length]
    a += x1 * y2 - x2 * y1
  }
  return a
}

/** Whether a ring's longitudes span more than 180°: it crosses the antimeridian (no footprint is that wide). */
export const crossesAntimeridian = (ring: ReadonlyArray<Position>): boolean => {
  let w = Infinity
  let e = -Infinity
  for (const [x] of ring) {
    if (x < w) w = x
    if (x > e) e = x
  }
  return e - w > 180
}

// Sutherland–Hodgman against one vertical line: keep the side where `inside(lon)` holds.
const clip = (
  ring: ReadonlyArray<Position>,
  at: number,
  inside: (lon: number) => boolean
): Array<Position> => {
  const out: Array<Position> = []
  for (let i = 0; i < ring.length; i++) {
    const p = ring[i]
    const q = ring[(i + 1) % ring.length]
    const pIn = inside(p[0])
    const qIn = inside(q[0])
    if (pIn) out.push(p)
    if (pIn !== qIn) {
      const t = (at - p[0]) / (q[0] - p[0])
      out.push([at, p[1] + t * (q[1] - p[1])])
    }
  }
  return out
}

/** Options of `polygonOf`. */
export interface Options {
  /** Round every coordinate to this many decimals (written files); default: kept as computed. */
  readonly decimals?: number
}

/**
 * The RFC 7946 geometry of a convex lon/lat ring given open (any start, either orientation): a Polygon with
 * a closed counter-clockwise exterior, or a MultiPolygon of the parts west and east of ±180° when the ring
 * crosses it (a part reduced to a line by touching 180° is dropped).
 */
export const polygonOf = (corners: ReadonlyArray<Position>, options: Options = {}): Geometry => {
  const scale = options.decimals === undefined ? undefined : 10 ** options.decimals
  const round = (x: number) => (scale === undefined ? x : Math.round(x * scale) / scale)
  const close = (r: ReadonlyArray<Position>): ReadonlyArray<Position> => {
    const out = r.map(([x, y]) => [round(x), round(y)] as const)
    return [...out, out[0]]
  }
  const crosses = crossesAntimeridian(corners)
  let ring: ReadonlyArray<Position> = crosses
    ? corners.map(([x, y]) => [x < 0 ? x + 360 : x, y] as const)
    : corners
  if (signedArea(ring) < 0) ring = [...ring].reverse()
  if (!crosses) return { type: "Polygon", coordinates: [close(ring)] }
  const west = clip(ring, 180, (x) => x <= 180)
  const east = clip(ring, 180, (x) => x >= 180).map(([x, y]) => [x - 360, y] as const)
  const parts = [west, east].filter((r) => r.length >= 3).map((r) => [close(r)])
  return parts.length === 1
    ? { type: "Polygon", coordinates: parts[0] }
    : { type: "MultiPolygon", coordinates: parts }
}
