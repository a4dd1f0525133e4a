// Centre-distance bounds for the bulk filter's decisions, from the shapes of all candidates: below `yes` a
// pair's exact test certainly blocks, at or above `no` it certainly does not, so neither needs the clip.
//
// Why they hold. The exact test (footprints.ts `overlap`) projects both quads orthographically onto the plane
// P ⊥ u, u = normalise(g(ct) + g(cb)), g(p) = (x/a², y/a², z/b²) the ellipsoid's gradient at a centroid c,
// clips them and compares inter > limit · area(t). For the later footprint t (corners c_k relative to ct):
//  1. Every vector x among x_k = c_k × c_(k+1) and the turns e_k × e_(k+1) (e_k = c_(k+1) − c_k) makes an
//     angle ≤ γ = acos(cosMin) with σ·ν (ν = g(ct)/|g(ct)|, σ the footprint's orientation), measured here.
//  2. u lies between g(ct) and g(cb), so angle(ν, u) ≤ ψ with sin ψ ≤ |g(ct) − g(cb)| / |g(ct)|
//     ≤ (d / b²) / (b √E_min / a²) (|G p| ≥ |p| / a², |p| ≥ b √E(p), E(p) = x²/a² + y²/a² + z²/b²), d ≤ 2 R_max
//     for any pair the test measures. So σ x·u ≥ |x| κ, κ = cos(γ + ψ) > 0.
//  3. Projected, (P c_k × P c_(k+1))·u = x_k·u: all four turns and all four triangles (ct, c_k, c_(k+1))
//     keep one orientation, so the projected quad is convex (the clip is then its exact intersection) and
//     contains the disc of radius ρ κ around P ct, ρ = min |x_k| / |e_k| (its distance to edge k is
//     |x_k·u| / |P e_k| ≥ |x_k| κ / |e_k|). Its area is |A_t · u| with A_t = ½ Σ x_k: between |A_t| κ and |A_t|.
//  4. It lies inside the disc of radius R_max (projection shortens), and the projected centres are d_u apart
//     with √(d² − w²) ≤ d_u ≤ d: (ct − cb)·(g(ct) + g(cb)) = E(ct) − E(cb), so
//     |(ct − cb)·u| ≤ (E_max − E_min) a² / (2 b √E_min − d) = w.
// Hence inter ≥ lens(ρ_min κ, d) and area(t) ≤ A_max: the pair blocks when lens(ρ_min κ, d) > limit · A_max;
// and inter ≤ lens(R_max, √(d² − w²)), area(t) ≥ A_min κ: it does not when that lens ≤ limit · A_min κ.
// (lens(r, d): the area two discs of radius r, d apart, share.) Both thresholds are then moved 1e-4 of
// themselves (and the rounding of the areas 1e-6) towards doing nothing; MARGIN in lazy.ts covers float32 centres.
import { STRIDE } from "./footprints.ts"

const A = 6378137
const FLAT = 1 / 298.257223563
const B = A * (1 - FLAT)
const INV_A2 = 1 / (A * A)
const INV_B2 = 1 / (B * B)
const A2_OVER_B2 = (A * A) / (B * B)

/** Past this bounding radius (m) the bounds are not used: the angles above stop being negligible. */
const R_LIMIT = 20_000

/**
 * Running extremes of the shapes of footprints (see the proof above), kept squared so that adding one costs
 * no square root: ρ², cos² γ, |A|² (×4) and E.
 */
export class Shapes {
  rho2 = Infinity
  area4Max = 0
  area4Min = Infinity
  cos2Min = 1
  eMin = Infinity
  eMax = -Infinity

  /** Adds the converted footprint in `slot` of `data` (footprints.ts layout). */
  add(data: Float64Array, slot: number): void {
    const o = slot * STRIDE + 4
    const cx = data[o - 4]
    const cy = data[o - 3]
    const cz = data[o - 2]
    const e = (cx * cx + cy * cy) * INV_A2 + cz * cz * INV_B2
    if (e < this.eMin) this.eMin = e
    if (e > this.eMax) this.eMax = e
    // g ∝ the gradient at the centroid (scaled by a², so its components are of order 1).
    const gx = cx
    const gy = cy
    const gz = cz * A2_OVER_B2
    const g2 = gx * gx + gy * gy + gz * gz
    let sx = 0
    let sy = 0
    let sz = 0
    // Running minima compared by multiplication (a division only when one falls): ρ² and cos² γ · |g|².
    let rho2 = this.rho2
    let cos2 = this.cos2Min * g2
    let sign = 0
    let ok = true
    for (let k = 0; k < 4; k++) {
      const p = o + 3 * k
      const q = o + 3 * ((k + 1) & 3)
      const r = o + 3 * ((k + 2) & 3)
      const ax = data[p]
      const ay = data[p + 1]
      const az = data[p + 2]
      const bx = data[q]
      const by = data[q + 1]
      const bz = data[q + 2]
      // x_k = c_k × c_(k+1); e_k and e_(k+1); the turn e_k × e_(k+1).
      const xx = ay * bz - az * by
      const xy = az * bx - ax * bz
      const xz = ax * by - ay * bx
      const ex = bx - ax
      const ey = by - ay
      const ez = bz - az
      const fx = data[r] - bx
      const fy = data[r + 1] - by
      const fz = data[r + 2] - bz
      const tx = ey * fz - ez * fy
      const ty = ez * fx - ex * fz
      const tz = ex * fy - ey * fx
      sx += xx
      sy += xy
      sz += xz
      const x2 = xx * xx + xy * xy + xz * xz
      const t2 = tx * tx + ty * ty + tz * tz
      const e2 = ex * ex + ey * ey + ez * ez
      const xd = xx * gx + xy * gy + xz * gz
      const td = tx * gx + ty * gy + tz * gz
      if (sign === 0) sign = xd >= 0 ? 1 : -1
      // Both must point to the footprint's side (σ g); NaN fails every comparison and marks it unusable.
      if (!(sign * xd > 0 && sign * td > 0)) ok = false
      if (xd * xd < cos2 * x2) cos2 = (xd * xd) / x2
      if (td * td < cos2 * t2) cos2 = (td * td) / t2
      if (x2 < rho2 * e2) rho2 = x2 / e2
    }
    const area4 = sx * sx + sy * sy + sz * sz
    if (!ok || !(rho2 >= 0) || !(cos2 >= 0)) {
      this.cos2Min = -1
      this.rho2 = 0
    } else {
      this.rho2 = rho2
      if (cos2 / g2 < this.cos2Min) this.cos2Min = cos2 / g2
    }
    if (area4 > this.area4Max) this.area4Max = area4
    if (area4 < this.area4Min) this.area4Min = area4
  }
}

/** The area (m²) two discs of radius r share when their centres are d apart. */
export const lens = (r: number, d: number): number => {
  if (d >= 2 * r) return 0
  if (d <= 0) return Math.PI * r * r
  return 2 * r * r * Math.acos(d / (2 * r)) - (d / 2) * Math.sqrt(4 * r * r - d * d)
}

/** Centre distances (m): a pair closer than `yes` blocks, one at least `no` apart does not. */
export interface Thresholds {
  readonly yes: number
  readonly no: number
}

/** No bound: every pair within reach is measured. */
export const none: Thresholds = { yes: 0, no: Infinity }

// Where lens(r, d) (falling with d) crosses `target`, by bisection: lens(r, lo) ≥ target > lens(r, hi)
// (both 0 when lens(r, 0) < target; both 2r when target ≤ 0).
const crossing = (r: number, target: number): { readonly lo: number; readonly hi: number } => {
  if (!(lens(r, 0) >= target)) return { lo: 0, hi: 0 }
  if (!(target > 0)) return { lo: 2 * r, hi: 2 * r }
  let lo = 0
  let hi = 2 * r
  for (let i = 0; i < 80; i++) {
    const mid = (lo + hi) / 2
    if (lens(r, mid) >= target) lo = mid
    else hi = mid
  }
  return { lo, hi }
}

/**
 * The bounds for a set of footprints of largest bounding radius `rMax` (m) and a blocking threshold `limit`
 * (maxOverlap + slack), or `none` when the shapes do not allow them (non-convex quads, large footprints).
 */
export const thresholds = (shapes: Shapes, rMax: number, limit: number): Thresholds => {
  const { eMin, eMax } = shapes
  const rho = Math.sqrt(shapes.rho2)
  const cosMin = shapes.cos2Min >= 0 ? Math.sqrt(Math.min(1, shapes.cos2Min)) : -1
  const areaMax = Math.sqrt(shapes.area4Max) / 2
  const areaMin = Math.sqrt(shapes.area4Min) / 2
  if (!(cosMin > 0.5) || !(rMax > 0) || rMax > R_LIMIT || !(rho > 0) || !(areaMin > 0)) return none
  const d = 2 * rMax
  const sinPsi = (d * A * A) / (B * B * B * Math.sqrt(eMin))
  if (!(sinPsi < 0.1)) return none
  const sinGamma = Math.sqrt(1 - cosMin * cosMin)
  const kappa = cosMin * Math.sqrt(1 - sinPsi * sinPsi) - sinGamma * sinPsi
  if (!(kappa > 0.5)) return none
  const w = ((eMax - eMin) * A * A) / (2 * B * Math.sqrt(eMin) - d)
  const yes = crossing(rho * kappa, limit * areaMax * (1 + 1e-6)).lo * (1 - 1e-4)
  const d0 = crossing(rMax, limit * areaMin * kappa * (1 - 1e-6)).hi
  const no = Math.sqrt(d0 * d0 + w * w) * (1 + 1e-4)
  return { yes, no: no < 2 * rMax ? no : Infinity }
}
