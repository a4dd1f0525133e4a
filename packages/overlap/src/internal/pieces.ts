// Convex polygons in a plane (flat [x0, y0, x1, y1, …] arrays, counter-clockwise) and their differences:
// what is left of a tile once other tiles are cut away, as convex pieces, with exact clipping arithmetic.

/** A convex polygon, counter-clockwise, as flat (x, y) pairs in metres. */
export type Polygon = ReadonlyArray<number>

/** Signed area (m²) by the shoelace formula; positive when counter-clockwise. */
export const signedArea = (p: Polygon): number => {
  let s = 0
  const n = p.length / 2
  for (let i = 0, j = n - 1; i < n; j = i++) s += p[2 * j] * p[2 * i + 1] - p[2 * i] * p[2 * j + 1]
  return s / 2
}

/** The polygon counter-clockwise (reversed when it was clockwise). */
export const counterClockwise = (p: Polygon): Polygon => {
  if (signedArea(p) >= 0) return p
  const out: Array<number> = []
  for (let i = p.length / 2 - 1; i >= 0; i--) out.push(p[2 * i], p[2 * i + 1])
  return out
}

// Sutherland–Hodgman against one directed line: keeps the side where (b − a) × (q − a) has the sign `side`.
const clipSide = (
  p: Polygon,
  ax: number,
  ay: number,
  ex: number,
  ey: number,
  side: 1 | -1
): Array<number> => {
  const out: Array<number> = []
  const n = p.length / 2
  if (n === 0) return out
  let sx = p[2 * (n - 1)]
  let sy = p[2 * (n - 1) + 1]
  let sd = side * (ex * (sy - ay) - ey * (sx - ax))
  for (let i = 0; i < n; i++) {
    const qx = p[2 * i]
    const qy = p[2 * i + 1]
    const qd = side * (ex * (qy - ay) - ey * (qx - ax))
    if (qd >= 0) {
      if (sd < 0) {
        const t = sd / (sd - qd)
        out.push(sx + t * (qx - sx), sy + t * (qy - sy))
      }
      out.push(qx, qy)
    } else if (sd >= 0) {
      const t = sd / (sd - qd)
      out.push(sx + t * (qx - sx), sy + t * (qy - sy))
    }
    sx = qx
    sy = qy
    sd = qd
  }
  return out.length < 6 ? [] : out
}

/**
 * `p` minus the convex counter-clockwise polygon `cut`, as convex pieces: for each edge of `cut` in turn,
 * the part of what is left outside that edge is a piece, and the inside part goes on to the next edge.
 * Pieces of area ≤ `minArea` (m²) are dropped (rounding slivers along shared edges).
 */
export const subtract = (p: Polygon, cut: Polygon, minArea: number): Array<Polygon> => {
  const pieces: Array<Polygon> = []
  let rest: Polygon = p
  const n = cut.length / 2
  for (let e = 0; e < n && rest.length > 0; e++) {
    const ax = cut[2 * e]
    const ay = cut[2 * e + 1]
    const f = (e + 1) % n
    const ex = cut[2 * f] - ax
    const ey = cut[2 * f + 1] - ay
    const outside = clipSide(rest, ax, ay, ex, ey, -1)
    if (outside.length > 0 && signedArea(outside) > minArea) pieces.push(outside)
    rest = clipSide(rest, ax, ay, ex, ey, 1)
  }
  return pieces
}
