// Range-Doppler geolocation of a GRD: (lat, lon, height) ↔ (line, pixel) through the zero-Doppler time on the
// interpolated orbit and the annotated slant↔ground range polynomials (S1-RS-MDA-52-7441 §6.2.3, §6.2.9).
import * as Annotation from "./Annotation.ts"
import * as Orbit from "./Orbit.ts"

/** Speed of light, m/s (the value of the S1 product specification). */
export const speedOfLight = 299_792_458

/** Geolocation model of one product annotation. */
export interface Model {
  readonly annotation: Annotation.ProductAnnotation
  readonly orbit: Orbit.Orbit
  readonly a: number
  readonly b: number
  readonly e2: number
  /**
   * Two-way slant range time (s) at which a line's time is its zero-Doppler time. A GRD line holds the
   * targets of zero-Doppler time line·Δt + (τ − τref)/2 (the bistatic delay: the sensor moves while the echo
   * travels, ESA's grid shows the slope of exactly ½), so a target at (t, τ) lies on line (t − (τ − τref)/2)/Δt. Estimated from the annotation's
   * geolocation grid (least squares, slope fixed at ½); the image's mid-range when it has no grid.
   */
  readonly bistaticReference: number
}

// One orbit state reused by the solvers (single-threaded: never held across calls).
const scratch = new Float64Array(Orbit.stateLength)

const poly = (c: Float64Array, x: number): number => {
  let v = 0
  for (let i = c.length - 1; i >= 0; i--) v = v * x + c[i]
  return v
}

const estimateBistaticReference = (
  an: Annotation.ProductAnnotation,
  orbit: Orbit.Orbit
): number => {
  let sum = 0
  let n = 0
  for (const g of an.grid) {
    // line·Δt = t − (τ − τref)/2  ⇒  τref = τ + 2(line·Δt − t)
    sum += g.slantRangeTime + 2 * (Annotation.lineTime(an, g.line) - g.t)
    n++
  }
  if (n > 0) return sum / n
  // No grid: the image's mid-range.
  const mid =
    an.rangeConversions.length > 0
      ? an.rangeConversions[an.rangeConversions.length >> 1]
      : undefined
  void orbit
  return mid === undefined
    ? an.slantRangeTime
    : (2 * poly(mid.grsr, (an.samples / 2) * an.rangePixelSpacing - mid.gr0)) / speedOfLight
}

/** The model of an annotation. */
export const make = (annotation: Annotation.ProductAnnotation): Model => {
  const { a, b } = annotation.ellipsoid
  const orbit = Orbit.make(annotation.orbit)
  return {
    annotation,
    orbit,
    a,
    b,
    e2: 1 - (b * b) / (a * a),
    bistaticReference: estimateBistaticReference(annotation, orbit)
  }
}

/** The (fractional) line imaging a target with zero-Doppler time t (s after the epoch) at slant range r (m). */
export const lineOf = (m: Model, t: number, r: number): number =>
  Annotation.timeLine(m.annotation, t - ((2 * r) / speedOfLight - m.bistaticReference) / 2)

/** Earth-centred Earth-fixed coordinates (metres) of a geodetic point (degrees, metres above the ellipsoid). */
export const toEcef = (m: Model, lat: number, lon: number, h: number): [number, number, number] => {
  const phi = (lat * Math.PI) / 180
  const lam = (lon * Math.PI) / 180
  const s = Math.sin(phi)
  const c = Math.cos(phi)
  const n = m.a / Math.sqrt(1 - m.e2 * s * s)
  return [(n + h) * c * Math.cos(lam), (n + h) * c * Math.sin(lam), (n * (1 - m.e2) + h) * s]
}

/** Geodetic (lat°, lon°, height m) of an ECEF point (Bowring's start, then fixed-point iterations). */
export const toGeodetic = (m: Model, x: number, y: number, z: number): [number, number, number] => {
  const p = Math.hypot(x, y)
  const lon = Math.atan2(y, x)
  let phi = Math.atan2(z, p * (1 - m.e2))
  let h = 0
  for (let i = 0; i < 6; i++) {
    const s = Math.sin(phi)
    const n = m.a / Math.sqrt(1 - m.e2 * s * s)
    h = p / Math.cos(phi) - n
    phi = Math.atan2(z, p * (1 - (m.e2 * n) / (n + h)))
  }
  return [(phi * 180) / Math.PI, (lon * 180) / Math.PI, h]
}

/**
 * The zero-Doppler time (seconds after the epoch) of an ECEF point: the root of (P − S(t))·V(t) by Newton's
 * method from `guess`. NaN when it leaves the orbit's span.
 */
export const zeroDopplerTime = (
  m: Model,
  x: number,
  y: number,
  z: number,
  guess: number
): number => {
  const s = scratch
  let t = guess
  for (let i = 0; i < 20; i++) {
    if (!Orbit.covers(m.orbit, t)) return Number.NaN
    Orbit.atInto(m.orbit, t, s)
    const dx = x - s[0]
    const dy = y - s[1]
    const dz = z - s[2]
    const f = dx * s[3] + dy * s[4] + dz * s[5]
    const df = -(s[3] * s[3] + s[4] * s[4] + s[5] * s[5]) + dx * s[6] + dy * s[7] + dz * s[8]
    const step = f / df
    t -= step
    if (Math.abs(step) < 1e-10) return Orbit.covers(m.orbit, t) ? t : Number.NaN
  }
  return t
}

/**
 * The slant↔ground range record that applies at time t: the nearest in time. The IPF's records jump from
 * one to the next (each is fitted to its own reference terrain height), and ESA's geolocation grid follows
 * the nearest record (0.008 px) where interpolating between records misses it by up to 1.5 px.
 */
export const conversionAt = (m: Model, t: number): Annotation.RangeConversion => {
  const list = m.annotation.rangeConversions
  let lo = 0
  let hi = list.length - 1
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1
    if (list[mid].t <= t) lo = mid
    else hi = mid
  }
  return Math.abs(list[lo].t - t) <= Math.abs(list[hi].t - t) ? list[lo] : list[hi]
}

/** Ground range (m) of a slant range (m) at time t, from the srgr polynomials interpolated in time. */
export const groundRange = (m: Model, t: number, slantRange: number): number => {
  const c = conversionAt(m, t)
  return poly(c.srgr, slantRange - c.sr0)
}

/** Slant range (m) of a ground range (m) at time t, from the grsr polynomials interpolated in time. */
export const slantRange = (m: Model, t: number, groundRangeM: number): number => {
  const c = conversionAt(m, t)
  return poly(c.grsr, groundRangeM - c.gr0)
}

/** The (fractional) pixel of slant range r (m) at zero-Doppler time t (s after the epoch). */
export const pixelOf = (m: Model, t: number, r: number): number => {
  const an = m.annotation
  return an.projection === "Slant Range"
    ? ((2 * r) / speedOfLight - an.slantRangeTime) / ((2 * an.rangePixelSpacing) / speedOfLight)
    : groundRange(m, t, r) / an.rangePixelSpacing
}

/** Result of the inverse: fractional image coordinates of a point (pixel centres at integers). */
export interface ImagePoint {
  readonly line: number
  readonly pixel: number
  /** Zero-Doppler time, seconds after the epoch. */
  readonly t: number
  /** Slant range, metres. */
  readonly slantRange: number
}

/** The image point of an ECEF point; NaN line/pixel when its zero-Doppler time is outside the orbit. */
export const inverseEcef = (
  m: Model,
  x: number,
  y: number,
  z: number,
  guess?: number
): ImagePoint => {
  const an = m.annotation
  const t = zeroDopplerTime(m, x, y, z, guess ?? an.lastLineTime / 2)
  if (Number.isNaN(t)) return { line: Number.NaN, pixel: Number.NaN, t, slantRange: Number.NaN }
  Orbit.atInto(m.orbit, t, scratch)
  const r = Math.hypot(x - scratch[0], y - scratch[1], z - scratch[2])
  return { line: lineOf(m, t, r), pixel: pixelOf(m, t, r), t, slantRange: r }
}

/** The image point of a geodetic point (degrees, metres above the ellipsoid). */
export const inverse = (
  m: Model,
  lat: number,
  lon: number,
  h: number,
  guess?: number
): ImagePoint => {
  const [x, y, z] = toEcef(m, lat, lon, h)
  return inverseEcef(m, x, y, z, guess)
}

/**
 * The geodetic point (lat°, lon°, h m) imaged at (line, pixel) at height `h` above the ellipsoid: the
 * intersection of the range sphere, the zero-Doppler plane and the ellipsoid raised by h, on the right of
 * the track (S1 looks right). Newton's method in ECEF, then the raised ellipsoid is corrected to geodetic h.
 */
export const forward = (
  m: Model,
  line: number,
  pixel: number,
  h: number
): [number, number, number] => {
  const an = m.annotation
  const tLine = Annotation.lineTime(an, line)
  // The zero-Doppler time depends on the range (bistatic stamp), the range on the record of that time.
  let t = tLine
  let r = 0
  for (let i = 0; i < 3; i++) {
    r =
      an.projection === "Slant Range"
        ? ((an.slantRangeTime + (2 * an.rangePixelSpacing * pixel) / speedOfLight) * speedOfLight) /
          2
        : slantRange(m, t, pixel * an.rangePixelSpacing)
    t = tLine + ((2 * r) / speedOfLight - m.bistaticReference) / 2
  }
  const s = Orbit.at(m.orbit, t)
  // Start at the ground right of the sub-satellite point, at the incidence the range implies.
  const sn = Math.hypot(s.px, s.py, s.pz)
  const ux = s.px / sn,
    uy = s.py / sn,
    uz = s.pz / sn
  let rx = s.vy * uz - s.vz * uy
  let ry = s.vz * ux - s.vx * uz
  let rz = s.vx * uy - s.vy * ux
  const rn = Math.hypot(rx, ry, rz)
  rx /= rn
  ry /= rn
  rz /= rn
  const earth = m.a
  const alt = sn - earth
  const off = Math.sqrt(Math.max(r * r - alt * alt, 0))
  let x = s.px - ux * alt + rx * off
  let y = s.py - uy * alt + ry * off
  let z = s.pz - uz * alt + rz * off
  let hEff = h
  for (let outer = 0; outer < 4; outer++) {
    const A = m.a + hEff
    const B = m.b + hEff
    for (let i = 0; i < 30; i++) {
      const dx = x - s.px,
        dy = y - s.py,
        dz = z - s.pz
      const f1 = dx * dx + dy * dy + dz * dz - r * r
      const f2 = dx * s.vx + dy * s.vy + dz * s.vz
      const f3 = (x * x + y * y) / (A * A) + (z * z) / (B * B) - 1
      // Jacobian rows.
      const j11 = 2 * dx,
        j12 = 2 * dy,
        j13 = 2 * dz
      const j21 = s.vx,
        j22 = s.vy,
        j23 = s.vz
      const j31 = (2 * x) / (A * A),
        j32 = (2 * y) / (A * A),
        j33 = (2 * z) / (B * B)
      const det =
        j11 * (j22 * j33 - j23 * j32) -
        j12 * (j21 * j33 - j23 * j31) +
        j13 * (j21 * j32 - j22 * j31)
      const sx =
        (f1 * (j22 * j33 - j23 * j32) - j12 * (f2 * j33 - j23 * f3) + j13 * (f2 * j32 - j22 * f3)) /
        det
      const sy =
        (j11 * (f2 * j33 - j23 * f3) - f1 * (j21 * j33 - j23 * j31) + j13 * (j21 * f3 - f2 * j31)) /
        det
      const sz =
        (j11 * (j22 * f3 - f2 * j32) - j12 * (j21 * f3 - f2 * j31) + f1 * (j21 * j32 - j22 * j31)) /
        det
      x -= sx
      y -= sy
      z -= sz
      if (Math.abs(sx) + Math.abs(sy) + Math.abs(sz) < 1e-6) break
    }
    const g = toGeodetic(m, x, y, z)
    const err = h - g[2]
    if (Math.abs(err) < 1e-4) return g
    hEff += err
  }
  return toGeodetic(m, x, y, z)
}
