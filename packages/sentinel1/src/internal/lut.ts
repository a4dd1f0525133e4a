// Bilinear interpolation of sparse annotation vectors (one pixel-indexed vector per annotated line) over an
// image window: linear along pixels within each vector, then linear between the two vectors bracketing a
// line; constant beyond the first/last vector and pixel (S1-RS-MDA-52-7441 §6.3: "bilinear interpolation").

/** A vector of values at pixel positions along one line. */
export interface LineVector {
  readonly line: number
  readonly pixel: Float64Array
  readonly values: Float64Array
}

/** Linear interpolation of one vector at the columns p0 … p0+w−1 (clamped at its ends). */
const alongPixels = (v: LineVector, p0: number, w: number): Float64Array => {
  const out = new Float64Array(w)
  const px = v.pixel
  const n = px.length
  let j = 0
  for (let c = 0; c < w; c++) {
    const p = p0 + c
    if (p <= px[0]) {
      out[c] = v.values[0]
      continue
    }
    if (p >= px[n - 1]) {
      out[c] = v.values[n - 1]
      continue
    }
    while (j < n - 2 && px[j + 1] <= p) j++
    const f = (p - px[j]) / (px[j + 1] - px[j])
    out[c] = v.values[j] + f * (v.values[j + 1] - v.values[j])
  }
  return out
}

/** The index of the last vector at or above `line` (−1 when before the first). */
const bracket = (vectors: ReadonlyArray<LineVector>, line: number): number => {
  let lo = -1
  let hi = vectors.length
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1
    if (vectors[mid].line <= line) lo = mid
    else hi = mid
  }
  return lo
}

/**
 * A row sampler over a window's columns p0 … p0+w−1: `row(line, out)` writes the interpolated values of one
 * line into `out` (length w). Each vector is interpolated along the columns once, when first needed.
 * `vectors` must be sorted by line.
 */
export const rowSampler = (
  vectors: ReadonlyArray<LineVector>,
  p0: number,
  w: number
): ((line: number, out: Float64Array) => void) => {
  const rows = new Map<number, Float64Array>()
  const rowOf = (k: number): Float64Array => {
    let r = rows.get(k)
    if (r === undefined) {
      r = alongPixels(vectors[k], p0, w)
      rows.set(k, r)
    }
    return r
  }
  const last = vectors.length - 1
  return (line, out) => {
    const k = bracket(vectors, line)
    if (k < 0 || k >= last) {
      out.set(rowOf(k < 0 ? 0 : last))
      return
    }
    const a = rowOf(k)
    const b = rowOf(k + 1)
    const f = (line - vectors[k].line) / (vectors[k + 1].line - vectors[k].line)
    for (let x = 0; x < w; x++) out[x] = a[x] + f * (b[x] - a[x])
  }
}

/**
 * The interpolated values over the window of `h` lines from l0 and `w` pixels from p0, row-major.
 * `vectors` must be sorted by line.
 */
export const sampleWindow = (
  vectors: ReadonlyArray<LineVector>,
  l0: number,
  p0: number,
  h: number,
  w: number
): Float64Array => {
  const out = new Float64Array(h * w)
  const row = rowSampler(vectors, p0, w)
  for (let y = 0; y < h; y++) row(l0 + y, out.subarray(y * w, (y + 1) * w))
  return out
}

/** Linear interpolation of y(x) at `at` over sorted xs (clamped at the ends). */
export const interp1 = (xs: Float64Array, ys: Float64Array, at: number): number => {
  const n = xs.length
  if (n === 1 || at <= xs[0]) return ys[0]
  if (at >= xs[n - 1]) return ys[n - 1]
  let lo = 0
  let hi = n - 1
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1
    if (xs[mid] <= at) lo = mid
    else hi = mid
  }
  return ys[lo] + ((at - xs[lo]) / (xs[hi] - xs[lo])) * (ys[hi] - ys[lo])
}
