// The per-pixel half of the lattice interpolation (internal/subgrid.ts): zero-Doppler time, slant range and
// reference ground range interpolated bilinearly across the lattice and by Lagrange across the height layers,
// then line (with the bistatic delay) and pixel (the slant→ground record in force at that time) per pixel.
import type * as Annotation from "../Annotation.ts"
import * as Geolocation from "../Geolocation.ts"

/** Origins of the interpolated quantities and the reference record (the one in force at the first solve). */
export interface Origin {
  readonly t0: number
  readonly r0: number
  readonly g0: number
  readonly ref: Annotation.RangeConversion
}

/** The lattice: per node and layer, time, slant range and reference ground range (relative to the origin). */
export interface Lattice {
  readonly rows: Int32Array
  readonly cols: Int32Array
  readonly layers: Float64Array
  readonly nt: Float64Array
  readonly nr: Float64Array
  readonly ng: Float64Array
  readonly origin: Origin
}

const poly = (c: Float64Array, x: number): number => {
  let v = 0
  for (let i = c.length - 1; i >= 0; i--) v = v * x + c[i]
  return v
}

const dpoly = (c: Float64Array, x: number): number => {
  let v = 0
  for (let i = c.length - 1; i >= 1; i--) v = v * x + i * c[i]
  return v
}

/** The origin at a first solve (t s, r m). */
export const origin = (model: Geolocation.Model, t: number, r: number): Origin => {
  const ref = Geolocation.conversionAt(model, t)
  return { t0: t, r0: r, g0: poly(ref.srgr, r - ref.sr0), ref }
}

/** Ground range (m) of slant range r through the reference record. */
export const referenceGround = (o: Origin, r: number): number => poly(o.ref.srgr, r - o.ref.sr0)

/** Line/pixel of (t, r, g) with the range record in force cached over its interval of time. */
export interface Cursor {
  readonly model: Geolocation.Model
  readonly origin: Origin
  rec: Annotation.RangeConversion
  lo: number
  hi: number
}

/** A cursor over the model's range records. */
export const cursor = (model: Geolocation.Model, o: Origin): Cursor => ({
  model,
  origin: o,
  rec: o.ref,
  lo: 0,
  hi: -1
})

/**
 * The pixel of slant range r (≈, from the lattice) and reference ground range g (from the lattice) at time t:
 * g itself under the reference record; under another record, r refined by one Newton step on the reference
 * polynomial (g is the smooth quantity), then that record's ground range.
 */
export const pixelAt = (c: Cursor, t: number, r: number, g: number): number => {
  const an = c.model.annotation
  if (an.projection === "Slant Range") return Geolocation.pixelOf(c.model, t, r)
  if (!(t >= c.lo && t < c.hi)) {
    const records = an.rangeConversions
    c.rec = Geolocation.conversionAt(c.model, t)
    const k = records.indexOf(c.rec)
    c.lo = k > 0 ? (records[k - 1].t + c.rec.t) / 2 : -Infinity
    c.hi = k + 1 < records.length ? (c.rec.t + records[k + 1].t) / 2 : Infinity
  }
  const ref = c.origin.ref
  if (c.rec === ref) return g / an.rangePixelSpacing
  const u = r - ref.sr0
  const rr = r - (poly(ref.srgr, u) - g) / dpoly(ref.srgr, u)
  return poly(c.rec.srgr, rr - c.rec.sr0) / an.rangePixelSpacing
}

/** Line and pixel at one target pixel (row, col) of height h, into out[0], out[1]. */
export const at = (
  g: Lattice,
  c: Cursor,
  step: number,
  row: number,
  col: number,
  h: number,
  out: Float64Array
): void => {
  const { rows, cols, layers, nt, nr, ng, origin: o } = g
  const L = layers.length
  const lw = cols.length
  const j = Math.min(rows.length - 2, Math.floor(row / step))
  const k = Math.min(lw - 2, Math.floor(col / step))
  const fy = (row - rows[j]) / (rows[j + 1] - rows[j])
  const fx = (col - cols[k]) / (cols[k + 1] - cols[k])
  const a = (j * lw + k) * L
  const b = a + L
  const cc = a + lw * L
  const d = cc + L
  let t = o.t0
  let r = o.r0
  let gr = o.g0
  for (let l = 0; l < L; l++) {
    let w = 1
    for (let q = 0; q < L; q++) if (q !== l) w *= (h - layers[q]) / (layers[l] - layers[q])
    const bil = (v: Float64Array) =>
      (1 - fy) * ((1 - fx) * v[a + l] + fx * v[b + l]) + fy * ((1 - fx) * v[cc + l] + fx * v[d + l])
    t += w * bil(nt)
    r += w * bil(nr)
    gr += w * bil(ng)
  }
  out[0] = Geolocation.lineOf(c.model, t, r)
  out[1] = pixelAt(c, t, r, gr)
}

// Per lattice cell and row, each layer's values are linear along the row (start and slope); per pixel, the
// Lagrange weights of its height (1, 2 or 3 layers written out; more in a loop).
const rowSegment = (
  v: Float64Array,
  a: number,
  b: number,
  cc: number,
  d: number,
  fy: number,
  inv: number,
  L: number,
  start: Float64Array,
  slope: Float64Array,
  at: number
): void => {
  for (let l = 0; l < L; l++) {
    const left = v[a + l] + fy * (v[cc + l] - v[a + l])
    const right = v[b + l] + fy * (v[d + l] - v[b + l])
    start[at + l] = left
    slope[at + l] = (right - left) * inv
  }
}

/** Line and pixel of every target pixel (row-major, `width` wide) of heights `hs`. */
export const fill = (
  g: Lattice,
  c: Cursor,
  width: number,
  hs: Float64Array,
  line: Float64Array,
  pixel: Float64Array
): void => {
  const { rows, cols, layers, nt, nr, ng, origin: o } = g
  const L = layers.length
  const lw = cols.length
  const an = c.model.annotation
  const dt = an.azimuthTimeInterval
  const light = Geolocation.speedOfLight
  const tauRef = c.model.bistaticReference
  const den = new Float64Array(L)
  for (let i = 0; i < L; i++) {
    let v = 1
    for (let j = 0; j < L; j++) if (j !== i) v *= layers[i] - layers[j]
    den[i] = v
  }
  const h0 = layers[0]
  const h1 = L > 1 ? layers[1] : 0
  const h2 = L > 2 ? layers[2] : 0
  // start/slope of t (0…L−1), r (L…2L−1), g (2L…3L−1)
  const start = new Float64Array(3 * L)
  const slope = new Float64Array(3 * L)
  const ctx: Segment = {
    c,
    t0: o.t0,
    r0: o.r0,
    g0: o.g0,
    layers,
    den,
    h0,
    h1,
    h2,
    w: new Float64Array(L),
    dt,
    light,
    tauRef
  }
  for (let j = 0; j + 1 < rows.length; j++) {
    const ra = rows[j]
    const rb = rows[j + 1]
    // Each lattice row's cells own rows ra … rb − 1; the last lattice row also owns rb.
    const rowEnd = j + 2 === rows.length ? rb : rb - 1
    for (let row = ra; row <= rowEnd; row++) {
      const fy = (row - ra) / (rb - ra)
      for (let k = 0; k + 1 < lw; k++) {
        const ca = cols[k]
        const cb = cols[k + 1]
        const a = (j * lw + k) * L
        const b = a + L
        const cc = a + lw * L
        const d = cc + L
        const inv = 1 / (cb - ca)
        rowSegment(nt, a, b, cc, d, fy, inv, L, start, slope, 0)
        rowSegment(nr, a, b, cc, d, fy, inv, L, start, slope, L)
        rowSegment(ng, a, b, cc, d, fy, inv, L, start, slope, 2 * L)
        const colEnd = k + 2 === lw ? cb : cb - 1
        segment(ctx, row * width, ca, colEnd, start, slope, hs, line, pixel)
      }
    }
  }
}

/** What a row segment's pixels need: the cursor, origins, height layers and their Lagrange denominators. */
interface Segment {
  readonly c: Cursor
  readonly t0: number
  readonly r0: number
  readonly g0: number
  readonly layers: Float64Array
  readonly den: Float64Array
  readonly h0: number
  readonly h1: number
  readonly h2: number
  readonly w: Float64Array
  readonly dt: number
  readonly light: number
  readonly tauRef: number
}

// The pixels ca … colEnd of one row within one lattice cell, in a function of its own: V8 optimises it after a
// few calls, where a loop nested in fill's loops would run unoptimised on every call.
const segment = (
  s: Segment,
  rowOffset: number,
  ca: number,
  colEnd: number,
  start: Float64Array,
  slope: Float64Array,
  hs: Float64Array,
  line: Float64Array,
  pixel: Float64Array
): void => {
  const { layers, den, h0, h1, h2, w, dt, light, tauRef } = s
  const L = layers.length
  for (let col = ca; col <= colEnd; col++) {
    const i = rowOffset + col
    const x = col - ca
    let t = s.t0
    let r = s.r0
    let gr = s.g0
    if (L === 1) {
      t += start[0] + x * slope[0]
      r += start[1] + x * slope[1]
      gr += start[2] + x * slope[2]
    } else if (L === 3) {
      const h = hs[i]
      const w0 = ((h - h1) * (h - h2)) / den[0]
      const w1 = ((h - h0) * (h - h2)) / den[1]
      const w2 = ((h - h0) * (h - h1)) / den[2]
      t += w0 * (start[0] + x * slope[0]) + w1 * (start[1] + x * slope[1])
      t += w2 * (start[2] + x * slope[2])
      r += w0 * (start[3] + x * slope[3]) + w1 * (start[4] + x * slope[4])
      r += w2 * (start[5] + x * slope[5])
      gr += w0 * (start[6] + x * slope[6]) + w1 * (start[7] + x * slope[7])
      gr += w2 * (start[8] + x * slope[8])
    } else {
      const h = hs[i]
      for (let m = 0; m < L; m++) {
        let v = 1
        for (let q = 0; q < L; q++) if (q !== m) v *= h - layers[q]
        w[m] = v / den[m]
      }
      for (let m = 0; m < L; m++) {
        t += w[m] * (start[m] + x * slope[m])
        r += w[m] * (start[L + m] + x * slope[L + m])
        gr += w[m] * (start[2 * L + m] + x * slope[2 * L + m])
      }
    }
    line[i] = (t - ((2 * r) / light - tauRef) / 2) / dt
    pixel[i] = pixelAt(s.c, t, r, gr)
  }
}
