// Exact transverse Mercator (Krüger series to order n⁶, Karney 2011, J. Geodesy 85:475) for transforms between
// UTM/TM and geographic CRSs on one datum; nanometre agreement with PROJ within a zone, ~10× faster than proj4.
import proj4 from "proj4"

/** Maps (x, y) arrays in place; NaN where the transform fails. */
type PointTransform = (x: Float64Array, y: Float64Array) => void

/** One side of a transform: a TM projection or geographic degrees on an ellipsoid. */
interface Side {
  readonly geographic: boolean
  readonly a: number
  readonly es: number
  readonly e: number
  readonly lon0: number
  readonly k0: number
  readonly x0: number
  readonly y0: number
  readonly toMeter: number
  /** k0 · A (A: the rectifying radius). */
  readonly kA: number
  /** Northing of the natural origin's latitude on the central meridian, in metres before false northing. */
  readonly m0: number
  readonly alpha: Float64Array
  readonly beta: Float64Array
}

const series = (n: number) => {
  const n2 = n * n
  const n3 = n2 * n
  const n4 = n3 * n
  const n5 = n4 * n
  const n6 = n5 * n
  const alpha = Float64Array.of(
    n / 2 - (2 * n2) / 3 + (5 * n3) / 16 + (41 * n4) / 180 - (127 * n5) / 288 + (7891 * n6) / 37800,
    (13 * n2) / 48 - (3 * n3) / 5 + (557 * n4) / 1440 + (281 * n5) / 630 - (1983433 * n6) / 1935360,
    (61 * n3) / 240 - (103 * n4) / 140 + (15061 * n5) / 26880 + (167603 * n6) / 181440,
    (49561 * n4) / 161280 - (179 * n5) / 168 + (6601661 * n6) / 7257600,
    (34729 * n5) / 80640 - (3418889 * n6) / 1995840,
    (212378941 * n6) / 319334400
  )
  const beta = Float64Array.of(
    n / 2 - (2 * n2) / 3 + (37 * n3) / 96 - n4 / 360 - (81 * n5) / 512 + (96199 * n6) / 604800,
    n2 / 48 + n3 / 15 - (437 * n4) / 1440 + (46 * n5) / 105 - (1118711 * n6) / 3870720,
    (17 * n3) / 480 - (37 * n4) / 840 - (209 * n5) / 4480 + (5569 * n6) / 90720,
    (4397 * n4) / 161280 - (11 * n5) / 504 - (830251 * n6) / 7257600,
    (4583 * n5) / 161280 - (108847 * n6) / 3991680,
    (20648693 * n6) / 638668800
  )
  const rectifying = (1 + n2 / 4 + n4 / 64 + n6 / 256) / (1 + n)
  return { alpha, beta, rectifying }
}

/** τ′ = tan of the conformal latitude, from τ = tan φ (Karney 2011, eq. 7–9). */
const conformal = (tau: number, e: number): number => {
  const s = Math.sqrt(1 + tau * tau)
  const sigma = Math.sinh(e * Math.atanh((e * tau) / s))
  return tau * Math.sqrt(1 + sigma * sigma) - sigma * s
}

/** τ from τ′ by Newton's method (Karney 2011, eq. 19–21). */
const geodetic = (taup: number, e: number, es: number): number => {
  const e2m = 1 - es
  let tau = taup / e2m
  for (let i = 0; i < 6; i++) {
    const tp = conformal(tau, e)
    const s = Math.sqrt(1 + tau * tau)
    const d = ((taup - tp) * (1 + e2m * tau * tau)) / (e2m * Math.sqrt(1 + tp * tp) * s)
    tau += d
    if (!(Math.abs(d) >= 1e-14 * Math.max(1, Math.abs(tau)))) break
  }
  return tau
}

/** Wraps a longitude difference into [−π, π]. */
const wrap = (l: number): number =>
  l > Math.PI || l < -Math.PI ? l - 2 * Math.PI * Math.round(l / (2 * Math.PI)) : l

// Scratch results of the complex Clenshaw sum (avoid allocating per point).
let sumR = 0
let sumI = 0

/** Σ c_j sin(2j(ξ + iη)) for j = 1..6, by Clenshaw's recurrence on complex numbers; result in sumR/sumI. */
const clenshaw = (c: Float64Array, xi: number, eta: number): void => {
  const s2 = Math.sin(2 * xi)
  const c2 = Math.cos(2 * xi)
  const ex = Math.exp(2 * eta)
  const sh2 = (ex - 1 / ex) / 2
  const ch2 = (ex + 1 / ex) / 2
  const ar = 2 * c2 * ch2
  const ai = -2 * s2 * sh2
  let yr1 = 0
  let yi1 = 0
  let yr0 = 0
  let yi0 = 0
  for (let j = 5; j >= 0; j--) {
    const yr = ar * yr1 - ai * yi1 - yr0 + c[j]
    const yi = ar * yi1 + ai * yr1 - yi0
    yr0 = yr1
    yi0 = yi1
    yr1 = yr
    yi1 = yi
  }
  sumR = yr1 * s2 * ch2 - yi1 * c2 * sh2
  sumI = yr1 * c2 * sh2 + yi1 * s2 * ch2
}

interface ProjObject {
  readonly projName?: string
  readonly a: number
  readonly es: number
  readonly e?: number
  readonly lat0?: number
  readonly long0?: number
  readonly k0?: number
  readonly x0?: number
  readonly y0?: number
  readonly to_meter?: number
  readonly from_greenwich?: number
  readonly long_wrap?: number
  readonly axis?: string
  readonly datumCode?: string
  readonly datum?: {
    readonly datum_type: number
    readonly a: number
    readonly es: number
    readonly datum_params?: ReadonlyArray<number>
  }
}

const sideOf = (p: ProjObject): Side | undefined => {
  const geographic = p.projName === "longlat"
  const tm = p.projName === "utm" || p.projName === "tmerc" || p.projName === "etmerc"
  if (!geographic && !tm) return undefined
  if ((p.axis ?? "enu") !== "enu" || p.from_greenwich || p.long_wrap !== undefined) return undefined
  if (!(p.a > 0 && p.es >= 0 && p.es < 1)) return undefined
  const e = Math.sqrt(p.es)
  const f = 1 - Math.sqrt(1 - p.es)
  const n = f / (2 - f)
  const { alpha, beta, rectifying } = series(n)
  const k0 = p.k0 ?? 1
  const kA = k0 * p.a * rectifying
  let m0 = 0
  const lat0 = geographic ? 0 : (p.lat0 ?? 0)
  if (lat0 !== 0) {
    const xi = Math.atan(conformal(Math.tan(lat0), e))
    clenshaw(alpha, xi, 0)
    m0 = kA * (xi + sumR)
  }
  return {
    geographic,
    a: p.a,
    es: p.es,
    e,
    lon0: geographic ? 0 : (p.long0 ?? 0),
    k0,
    x0: p.x0 ?? 0,
    y0: p.y0 ?? 0,
    toMeter: p.to_meter ?? 1,
    kA,
    m0,
    alpha,
    beta
  }
}

// proj4's datum handling (datum_transform.js): no shift between equal datums or when either has none.
const noDatumShift = (a: ProjObject, b: ProjObject): boolean => {
  const da = a.datum
  const db = b.datum
  if (da === undefined || db === undefined) return false
  const towgs = (t: number) => t === 1 || t === 2 || t === 3
  if (
    (towgs(da.datum_type) && b.datumCode !== "WGS84") ||
    (towgs(db.datum_type) && a.datumCode !== "WGS84")
  )
    return false
  if (da.datum_type === 5 || db.datum_type === 5) return true
  if (da.datum_type !== db.datum_type) return false
  if (da.a !== db.a || Math.abs(da.es - db.es) > 5e-11) return false
  const pa = da.datum_params ?? []
  const pb = db.datum_params ?? []
  const count = da.datum_type === 1 ? 3 : da.datum_type === 2 ? 7 : 0
  for (let i = 0; i < count; i++) if (Number(pa[i]) !== Number(pb[i])) return false
  return true
}

/**
 * The exact transform between two proj4 definitions when both are transverse Mercator (UTM, tmerc) or
 * geographic and proj4 applies no datum shift between them; undefined otherwise (use proj4).
 */
export const transverseMercator = (from: string, to: string): PointTransform | undefined => {
  let src: ProjObject
  let dst: ProjObject
  try {
    src = proj4.Proj(from) as unknown as ProjObject
    dst = proj4.Proj(to) as unknown as ProjObject
  } catch {
    return undefined
  }
  const s = sideOf(src)
  const d = sideOf(dst)
  if (s === undefined || d === undefined || (s.geographic && d.geographic)) return undefined
  if (!noDatumShift(src, dst)) return undefined
  const sameEllipsoid = s.a === d.a && s.es === d.es
  const deg = Math.PI / 180
  return (xs, ys) => {
    for (let k = 0; k < xs.length; k++) {
      // Source → (τ′ on the source ellipsoid, absolute longitude λ).
      let taup: number
      let lon: number
      if (s.geographic) {
        lon = xs[k] * deg
        const phi = ys[k] * deg
        if (!(Math.abs(phi) <= Math.PI / 2)) {
          xs[k] = NaN
          ys[k] = NaN
          continue
        }
        taup = conformal(Math.tan(phi), s.e)
      } else {
        const eta = (xs[k] * s.toMeter - s.x0) / s.kA
        const xi = (ys[k] * s.toMeter - s.y0 + s.m0) / s.kA
        clenshaw(s.beta, xi, eta)
        const xip = xi - sumR
        const etap = eta - sumI
        const shp = Math.sinh(etap)
        const cxp = Math.cos(xip)
        taup = Math.sin(xip) / Math.hypot(shp, cxp)
        lon = s.lon0 + Math.atan2(shp, cxp)
      }
      if (!sameEllipsoid || d.geographic) {
        const tau = geodetic(taup, s.e, s.es)
        if (d.geographic) {
          xs[k] = wrap(lon) / deg
          ys[k] = Math.atan(tau) / deg
          continue
        }
        taup = conformal(tau, d.e)
      }
      const lam = wrap(lon - d.lon0)
      const cl = Math.cos(lam)
      const xip = Math.atan2(taup, cl)
      const etap = Math.asinh(Math.sin(lam) / Math.hypot(taup, cl))
      clenshaw(d.alpha, xip, etap)
      const x = d.x0 + d.kA * (etap + sumI)
      const y = d.y0 + d.kA * (xip + sumR) - d.m0
      if (Number.isFinite(x) && Number.isFinite(y)) {
        xs[k] = x / d.toMeter
        ys[k] = y / d.toMeter
      } else {
        xs[k] = NaN
        ys[k] = NaN
      }
    }
  }
}
