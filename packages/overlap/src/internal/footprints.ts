// Footprints as corner quads in Earth-centred (ECEF) metres, packed in a flat Float64Array.
// The intersection of two quads is clipped exactly in the plane tangent to the ellipsoid at their midpoint.
import * as OffHeap from "./offHeap.ts"

/** WGS 84 semi-major axis (m), flattening and first eccentricity squared. */
const A = 6378137
const FLAT = 1 / 298.257223563
const E2 = FLAT * (2 - FLAT)
const INV_A2 = 1 / (A * A)
const INV_B2 = 1 / (A * A * (1 - E2))
const RAD = Math.PI / 180

/**
 * Doubles per footprint: centroid (x, y, z), radius, then the 4 corners (x, y, z) relative to the
 * centroid, in the footprint's order (UL, UR, LR, LL).
 */
export const STRIDE = 16

/** Footprints per block of a Store. */
export const BLOCK = 1 << 14
/** log2(BLOCK): footprint i lives in blocks[i >>> SHIFT] at i & (BLOCK - 1). */
export const SHIFT = 14

/**
 * A growable array of footprints in fixed blocks (2 MiB each, outside V8's external-memory accounting):
 * growing never copies and never makes V8 collect the caller's whole heap.
 */
export interface Store {
  readonly blocks: Array<Float64Array>
}

/** An empty store. */
export const makeStore = (): Store => ({ blocks: [] })

/** Copies footprint 0 of `from` into `slot` of the store, adding a block when needed. */
export const put = (store: Store, slot: number, from: Float64Array): void => {
  const b = slot >>> SHIFT
  if (b === store.blocks.length) store.blocks.push(OffHeap.float64(BLOCK * STRIDE))
  store.blocks[b].set(from.subarray(0, STRIDE), (slot & (BLOCK - 1)) * STRIDE)
}

const corner = new Float64Array(12)
const lonLat = new Float64Array(8)

/**
 * Writes a footprint given as 4 (lon, lat) corners in degrees into `slot` (which must exist).
 * Returns false, writing nothing useful, when a corner is not a finite position with |lat| ≤ 90.
 */
export const write = (
  data: Float64Array,
  slot: number,
  footprint: ReadonlyArray<readonly [number, number]>
): boolean => read(footprint, lonLat, 0) && convert(data, slot, lonLat, 0)

/**
 * Copies a footprint's 4 (lon, lat) corners to `to[o]`, …, `to[o + 7]`; false when a corner is not a finite
 * position with |lat| ≤ 90 (or there are not 4).
 */
export const read = (
  footprint: ReadonlyArray<readonly [number, number]>,
  to: Float64Array,
  o: number
): boolean => {
  if (footprint.length !== 4) return false
  for (let k = 0; k < 4; k++) {
    const c = footprint[k]
    const lon = c[0]
    const lat = c[1]
    if (!(lat >= -90 && lat <= 90) || !Number.isFinite(lon)) return false
    to[o + 2 * k] = lon
    to[o + 2 * k + 1] = lat
  }
  return true
}

/**
 * Writes the footprint whose corners are (lon, lat) degrees at `from[o]`, …, `from[o + 7]` (valid positions,
 * as `write` checks) into `slot`; returns false for a footprint of no extent. The same bits as `write`.
 */
export const convert = (
  data: Float64Array,
  slot: number,
  from: Float64Array,
  o: number
): boolean => {
  let sx = 0
  let sy = 0
  let sz = 0
  for (let k = 0; k < 4; k++) {
    const phi = from[o + 2 * k + 1] * RAD
    const lam = from[o + 2 * k] * RAD
    const sp = Math.sin(phi)
    const cp = Math.cos(phi)
    const n = A / Math.sqrt(1 - E2 * sp * sp)
    const x = n * cp * Math.cos(lam)
    const y = n * cp * Math.sin(lam)
    const z = n * (1 - E2) * sp
    corner[3 * k] = x
    corner[3 * k + 1] = y
    corner[3 * k + 2] = z
    sx += x
    sy += y
    sz += z
  }
  const d = slot * STRIDE
  const cx = sx / 4
  const cy = sy / 4
  const cz = sz / 4
  data[d] = cx
  data[d + 1] = cy
  data[d + 2] = cz
  let r2 = 0
  for (let k = 0; k < 4; k++) {
    const dx = corner[3 * k] - cx
    const dy = corner[3 * k + 1] - cy
    const dz = corner[3 * k + 2] - cz
    data[d + 4 + 3 * k] = dx
    data[d + 5 + 3 * k] = dy
    data[d + 6 + 3 * k] = dz
    const d2 = dx * dx + dy * dy + dz * dz
    if (d2 > r2) r2 = d2
  }
  // A hair of slack so the disjointness pre-check never rejects a touching pair through rounding.
  data[d + 3] = Math.sqrt(r2) * (1 + 1e-9) + 1e-6
  return r2 > 0
}

/** The bounding radius (m) of footprint `slot` around its centroid. */
export const radius = (data: Float64Array, slot: number): number => data[slot * STRIDE + 3]

const pa = new Float64Array(8)
const pb = new Float64Array(8)
const bufIn = new Float64Array(32)
const bufOut = new Float64Array(32)

/** Result of `overlap`: [intersection area m², area of a m², area of b m²], all in the midpoint tangent plane. */
export const result = new Float64Array(3)

const shoelace = (p: Float64Array, n: number): number => {
  let s = 0
  for (let i = 0, j = n - 1; i < n; j = i++) {
    s += p[2 * j] * p[2 * i + 1] - p[2 * i] * p[2 * j + 1]
  }
  return s / 2
}

/**
 * Fills `result` for footprints `a` (in `da`) and `b` (in `db`): all zeros, without clipping, when their
 * bounding spheres are apart. Returns nothing, so that no number is boxed per call.
 */
export const overlap = (da: Float64Array, a: number, db: Float64Array, b: number): void => {
  const oa = a * STRIDE
  const ob = b * STRIDE
  const ax = da[oa]
  const ay = da[oa + 1]
  const az = da[oa + 2]
  const bx = db[ob]
  const by = db[ob + 1]
  const bz = db[ob + 2]
  const hx = (bx - ax) / 2
  const hy = (by - ay) / 2
  const hz = (bz - az) / 2
  const reach = da[oa + 3] + db[ob + 3]
  if (4 * (hx * hx + hy * hy + hz * hz) >= reach * reach) {
    result[0] = 0
    result[1] = 0
    result[2] = 0
    return
  }
  // Plane normal: the mean of the two ellipsoid normals, so the frame is the same whichever patch comes first.
  let ux = ax * INV_A2 + bx * INV_A2
  let uy = ay * INV_A2 + by * INV_A2
  let uz = az * INV_B2 + bz * INV_B2
  const ul = 1 / Math.sqrt(ux * ux + uy * uy + uz * uz)
  ux *= ul
  uy *= ul
  uz *= ul
  // e1 = normalize(u × axis), with the axis least aligned with u; e2 = u × e1 (right-handed).
  let e1x: number
  let e1y: number
  let e1z: number
  if (Math.abs(uz) <= Math.abs(ux) || Math.abs(uz) <= Math.abs(uy)) {
    // u × ẑ = (uy, -ux, 0)
    const l = 1 / Math.sqrt(ux * ux + uy * uy)
    e1x = uy * l
    e1y = -ux * l
    e1z = 0
  } else {
    // u × x̂ = (0, uz, -uy)
    const l = 1 / Math.sqrt(uy * uy + uz * uz)
    e1x = 0
    e1y = uz * l
    e1z = -uy * l
  }
  const e2x = uy * e1z - uz * e1y
  const e2y = uz * e1x - ux * e1z
  const e2z = ux * e1y - uy * e1x
  // Corners relative to the midpoint: a's centroid sits at -h, b's at +h.
  for (let k = 0; k < 4; k++) {
    let x = da[oa + 4 + 3 * k] - hx
    let y = da[oa + 5 + 3 * k] - hy
    let z = da[oa + 6 + 3 * k] - hz
    pa[2 * k] = x * e1x + y * e1y + z * e1z
    pa[2 * k + 1] = x * e2x + y * e2y + z * e2z
    x = db[ob + 4 + 3 * k] + hx
    y = db[ob + 5 + 3 * k] + hy
    z = db[ob + 6 + 3 * k] + hz
    pb[2 * k] = x * e1x + y * e1y + z * e1z
    pb[2 * k + 1] = x * e2x + y * e2y + z * e2z
  }
  const areaA = shoelace(pa, 4)
  const areaB = shoelace(pb, 4)
  const inter = clip(pa, pb, areaB >= 0 ? 1 : -1)
  result[0] = inter
  result[1] = Math.abs(areaA)
  result[2] = Math.abs(areaB)
}

// Sutherland–Hodgman: clips convex quad `subject` by convex quad `clipper` (orientation `sign`); returns the area.
const clip = (subject: Float64Array, clipper: Float64Array, sign: number): number => {
  let src = bufIn
  let dst = bufOut
  for (let i = 0; i < 8; i++) src[i] = subject[i]
  let n = 4
  for (let e = 0; e < 4 && n > 0; e++) {
    const px = clipper[2 * e]
    const py = clipper[2 * e + 1]
    const f = e === 3 ? 0 : e + 1
    const ex = clipper[2 * f] - px
    const ey = clipper[2 * f + 1] - py
    let m = 0
    let sx = src[2 * (n - 1)]
    let sy = src[2 * (n - 1) + 1]
    let sd = sign * (ex * (sy - py) - ey * (sx - px))
    for (let i = 0; i < n; i++) {
      const qx = src[2 * i]
      const qy = src[2 * i + 1]
      const qd = sign * (ex * (qy - py) - ey * (qx - px))
      if (qd >= 0) {
        if (sd < 0) {
          const t = sd / (sd - qd)
          dst[2 * m] = sx + t * (qx - sx)
          dst[2 * m + 1] = sy + t * (qy - sy)
          m++
        }
        dst[2 * m] = qx
        dst[2 * m + 1] = qy
        m++
      } else if (sd >= 0) {
        const t = sd / (sd - qd)
        dst[2 * m] = sx + t * (qx - sx)
        dst[2 * m + 1] = sy + t * (qy - sy)
        m++
      }
      sx = qx
      sy = qy
      sd = qd
    }
    const tmp = src
    src = dst
    dst = tmp
    n = m
  }
  return n < 3 ? 0 : Math.abs(shoelace(src, n))
}
