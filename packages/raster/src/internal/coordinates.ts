// Source pixel positions of target grid points: exact (per point, as gdalwarp -et 0) or
// approximate (a sparse lattice of exact points, bilinearly interpolated, refined until ≤ 0.125 px off).
import type { GeoTransform } from "@eoforge/core"
import proj4 from "proj4"
import { register as registerMollweide } from "./mollweide.ts"
import { transverseMercator } from "./transverseMercator.ts"

// PROJ's Mollweide replaces proj4js' before any transform is made (see mollweide.ts).
registerMollweide()

/** Maps target (x, y) in the target CRS to source (x, y); writes NaN where the transform fails. */
export type PointTransform = (x: Float64Array, y: Float64Array) => void

const converters = new Map<string, proj4.Converter>()

/**
 * A reusable transform between two definitions (identity when equal): the exact Krüger-series transverse
 * Mercator when both are TM/UTM or geographic on one datum, proj4 otherwise.
 */
export const pointTransform = (from: string, to: string): PointTransform | undefined => {
  if (from === to) return undefined
  const key = `${from}\u0000${to}`
  let t = transforms.get(key)
  if (t === undefined) {
    t = transverseMercator(from, to) ?? proj4Transform(from, to)
    transforms.set(key, t)
  }
  return t
}

const transforms = new Map<string, PointTransform>()

/** The proj4 transform between two definitions, point by point. */
export const proj4Transform = (from: string, to: string): PointTransform => {
  const key = `${from}\u0000${to}`
  let converter = converters.get(key)
  if (converter === undefined) {
    converter = proj4(from, to)
    converters.set(key, converter)
  }
  const c = converter
  const point = { x: 0, y: 0 }
  return (xs, ys) => {
    for (let i = 0; i < xs.length; i++) {
      point.x = xs[i]
      point.y = ys[i]
      let r: { x: number; y: number } | undefined
      try {
        r = c.forward(point) as { x: number; y: number }
      } catch {
        r = undefined
      }
      if (r === undefined || !Number.isFinite(r.x) || !Number.isFinite(r.y)) {
        xs[i] = NaN
        ys[i] = NaN
      } else {
        xs[i] = r.x
        ys[i] = r.y
      }
    }
  }
}

/** A lattice of target points: (col0 + i, row0 + j) target pixel positions, i < nx, j < ny. */
export interface Lattice {
  readonly nx: number
  readonly ny: number
  /** Pixel offset of the first point (0.5 for centres, 0 for corners). */
  readonly start: number
}

/**
 * Source pixel positions (in the pixel space of a source with geotransform `srcInv`⁻¹) of every lattice
 * point of a target grid with geotransform `dstGt`. Row-major arrays of nx × ny.
 */
export const exact = (
  lattice: Lattice,
  dstGt: GeoTransform.GeoTransform,
  srcInv: GeoTransform.GeoTransform,
  transform: PointTransform | undefined
): { readonly x: Float64Array; readonly y: Float64Array } => {
  const n = lattice.nx * lattice.ny
  const xs = new Float64Array(n)
  const ys = new Float64Array(n)
  for (let j = 0, k = 0; j < lattice.ny; j++) {
    const row = lattice.start + j
    for (let i = 0; i < lattice.nx; i++, k++) {
      const col = lattice.start + i
      xs[k] = dstGt[0] + col * dstGt[1] + row * dstGt[2]
      ys[k] = dstGt[3] + col * dstGt[4] + row * dstGt[5]
    }
  }
  if (transform !== undefined) transform(xs, ys)
  toPixels(xs, ys, srcInv)
  return { x: xs, y: ys }
}

/**
 * Source pixel positions of a target grid whose axes are parallel to the source's (no transform, no rotation
 * term in `dstGt` or `srcInv`): x depends on the column only, y on the row only.
 */
export interface Axes {
  /** Source pixel x of lattice column i. */
  readonly cols: Float64Array
  /** Source pixel y of lattice row j. */
  readonly rows: Float64Array
  /** The same positions point by point, as `exact` gives them (computed once, on demand). */
  readonly points: () => { readonly x: Float64Array; readonly y: Float64Array }
}

/**
 * `exact`'s positions per column and per row, or undefined where they are not separable. The expressions are
 * exact's with the zero rotation terms left out: adding a product with ±0 changes at most the sign of a zero.
 */
export const axes = (
  lattice: Lattice,
  dstGt: GeoTransform.GeoTransform,
  srcInv: GeoTransform.GeoTransform,
  transform: PointTransform | undefined
): Axes | undefined => {
  if (transform !== undefined) return undefined
  if (dstGt[2] !== 0 || dstGt[4] !== 0 || srcInv[2] !== 0 || srcInv[4] !== 0) return undefined
  const cols = new Float64Array(lattice.nx)
  const rows = new Float64Array(lattice.ny)
  for (let i = 0; i < lattice.nx; i++) {
    const gx = dstGt[0] + (lattice.start + i) * dstGt[1]
    // A non-finite coordinate times a zero rotation term is NaN in exact: left to it.
    if (!Number.isFinite(gx)) return undefined
    cols[i] = srcInv[0] + gx * srcInv[1]
  }
  for (let j = 0; j < lattice.ny; j++) {
    const gy = dstGt[3] + (lattice.start + j) * dstGt[5]
    if (!Number.isFinite(gy)) return undefined
    rows[j] = srcInv[3] + gy * srcInv[5]
  }
  let points: { readonly x: Float64Array; readonly y: Float64Array } | undefined
  return {
    cols,
    rows,
    points: () => {
      if (points === undefined) {
        const x = new Float64Array(cols.length * rows.length)
        const y = new Float64Array(cols.length * rows.length)
        for (let j = 0, k = 0; j < rows.length; j++) {
          x.set(cols, k)
          y.fill(rows[j], k, k + cols.length)
          k += cols.length
        }
        points = { x, y }
      }
      return points
    }
  }
}

const toPixels = (xs: Float64Array, ys: Float64Array, inv: GeoTransform.GeoTransform) => {
  const [a0, a1, a2, b0, b1, b2] = inv
  for (let k = 0; k < xs.length; k++) {
    const gx = xs[k]
    const gy = ys[k]
    xs[k] = a0 + gx * a1 + gy * a2
    ys[k] = b0 + gx * b1 + gy * b2
  }
}

/** Largest error of the approximate transform, in source pixels. */
export const maxApproximationError = 0.125

/**
 * Like `exact`, but transforms only a sparse lattice of points and interpolates bilinearly between
 * them. The step halves until every cell's centre is within 0.125 source pixels of its exact position.
 */
export const approximate = (
  lattice: Lattice,
  dstGt: GeoTransform.GeoTransform,
  srcInv: GeoTransform.GeoTransform,
  transform: PointTransform | undefined
): { readonly x: Float64Array; readonly y: Float64Array } => {
  const { nx, ny, start } = lattice
  if (transform === undefined || nx < 3 || ny < 3) return exact(lattice, dstGt, srcInv, transform)
  for (let step = 32; step >= 2; step >>= 1) {
    const cx = Math.ceil((nx - 1) / step) + 1
    const cy = Math.ceil((ny - 1) / step) + 1
    // Node (i, j) sits at lattice position min(i·step, nx−1), min(j·step, ny−1).
    const nodeX = new Float64Array(cx * cy)
    const nodeY = new Float64Array(cx * cy)
    const probeX = new Float64Array((cx - 1) * (cy - 1))
    const probeY = new Float64Array((cx - 1) * (cy - 1))
    const at = (i: number, n: number) => Math.min(i * step, n - 1)
    for (let j = 0; j < cy; j++) {
      for (let i = 0; i < cx; i++) {
        const col = start + at(i, nx)
        const row = start + at(j, ny)
        nodeX[j * cx + i] = dstGt[0] + col * dstGt[1] + row * dstGt[2]
        nodeY[j * cx + i] = dstGt[3] + col * dstGt[4] + row * dstGt[5]
      }
    }
    for (let j = 0; j < cy - 1; j++) {
      for (let i = 0; i < cx - 1; i++) {
        const col = start + (at(i, nx) + at(i + 1, nx)) / 2
        const row = start + (at(j, ny) + at(j + 1, ny)) / 2
        probeX[j * (cx - 1) + i] = dstGt[0] + col * dstGt[1] + row * dstGt[2]
        probeY[j * (cx - 1) + i] = dstGt[3] + col * dstGt[4] + row * dstGt[5]
      }
    }
    transform(nodeX, nodeY)
    toPixels(nodeX, nodeY, srcInv)
    transform(probeX, probeY)
    toPixels(probeX, probeY, srcInv)
    let ok = true
    for (let j = 0; j < cy - 1 && ok; j++) {
      for (let i = 0; i < cx - 1; i++) {
        const a = j * cx + i
        const mx = (nodeX[a] + nodeX[a + 1] + nodeX[a + cx] + nodeX[a + cx + 1]) / 4
        const my = (nodeY[a] + nodeY[a + 1] + nodeY[a + cx] + nodeY[a + cx + 1]) / 4
        const p = j * (cx - 1) + i
        const err = Math.hypot(mx - probeX[p], my - probeY[p])
        if (!(err <= maxApproximationError / 2)) {
          ok = false
          break
        }
      }
    }
    if (!ok) continue
    const xs = new Float64Array(nx * ny)
    const ys = new Float64Array(nx * ny)
    for (let j = 0; j < ny; j++) {
      const gj = Math.min(Math.floor(j / step), cy - 2)
      const j0 = at(gj, ny)
      const j1 = at(gj + 1, ny)
      const fy = j1 === j0 ? 0 : (j - j0) / (j1 - j0)
      for (let i = 0; i < nx; i++) {
        const gi = Math.min(Math.floor(i / step), cx - 2)
        const i0 = at(gi, nx)
        const i1 = at(gi + 1, nx)
        const fx = i1 === i0 ? 0 : (i - i0) / (i1 - i0)
        const a = gj * cx + gi
        const w00 = (1 - fx) * (1 - fy)
        const w10 = fx * (1 - fy)
        const w01 = (1 - fx) * fy
        const w11 = fx * fy
        const k = j * nx + i
        xs[k] = nodeX[a] * w00 + nodeX[a + 1] * w10 + nodeX[a + cx] * w01 + nodeX[a + cx + 1] * w11
        ys[k] = nodeY[a] * w00 + nodeY[a + 1] * w10 + nodeY[a + cx] * w01 + nodeY[a + cx + 1] * w11
      }
    }
    return { x: xs, y: ys }
  }
  return exact(lattice, dstGt, srcInv, transform)
}
