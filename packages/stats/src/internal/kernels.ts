// Plain typed-array loops that summarise one band of one chip: count, sums, min, max, histogram.
// Integer kernels keep Σx and Σx² exact in float64 by working in blocks of at most `intBlock` values.
import type { DType } from "@eoforge/core"

type TypedArray = DType.TypedArray

/**
 * Largest block for which Σx² of 16-bit integers stays below 2^53 (65535² · 2^20 ≈ 4.5e15), so integer
 * sums are exact.
 */
export const intBlock = 1 << 20

/** Scratch result of one block: [count, mean, M2, min, max]. */
export type BlockOut = Float64Array

const ones = { buf: new Uint8Array(0) }

/** An all-ones mask of at least `n` values, reused between calls. */
export const onesMask = (n: number): Uint8Array => {
  if (ones.buf.length < n) ones.buf = new Uint8Array(n).fill(1)
  return ones.buf
}

/**
 * One block of 8/16-bit integer values with exact 1-DN bins: `hist[hBase + v]` is incremented, so
 * hBase already subtracts the bin origin. Writes [n, mean, M2, min, max] to `out` with mean and M2
 * computed from exact integer Σx and Σx² (one rounding each).
 */
export const intExact = (
  data: TypedArray,
  start: number,
  end: number,
  mask: Uint8Array | undefined,
  maskShift: number,
  nodata: number,
  hist: Float64Array,
  hBase: number,
  out: BlockOut
): void => {
  const origin = valueOrigin(data)
  const values = origin === 0 && data instanceof Uint8Array ? 256 : origin === 128 ? 256 : 65536
  // Blocks much smaller than the dtype's range: per value (counting would scan more slots than values).
  if (end - start < values >> 2) {
    intExactPerValue(data, start, end, mask, maskShift, nodata, hist, hBase, out)
    return
  }
  // Count every value first (integer increments, no branch on the mask), then take the moments, the range
  // and the histogram from the counts between the smallest and largest value seen: the same exact integers,
  // min and max as value by value.
  const c = counts
  if (data instanceof Uint16Array) countU16(data, start, end, mask, maskShift, c, range)
  else countAny(data, start, end, mask, maskShift, origin, c, range)
  if (Number.isInteger(nodata) && nodata + origin >= 0 && nodata + origin < values)
    c[nodata + origin] = 0
  let n = 0
  let s = 0
  let q = 0
  let mn = Infinity
  let mx = -Infinity
  const h = hBase - origin
  const last = range[1] + origin
  for (let i = range[0] + origin; i <= last; i++) {
    const k = c[i]
    if (k === 0) continue
    c[i] = 0
    const v = i - origin
    n += k
    s += k * v
    q += k * v * v
    if (mn === Infinity) mn = v
    mx = v
    hist[h + i] += k
  }
  finishInt(n, s, q, mn, mx, out)
}

/** Counts per value of a block (index value + origin), reset to zeros by whoever reads them. */
const counts = new Int32Array(65536)
/** Bounds of the values counted: at most the smallest, at least the largest (masked ones included: their slots hold 0). */
const range = new Int32Array(2)

/** The value at index 0 of `counts`, negated: 32768 for int16, 128 for int8, 0 for unsigned data. */
const valueOrigin = (data: TypedArray): number =>
  data instanceof Int16Array ? 32768 : data instanceof Int8Array ? 128 : 0

const countU16 = (
  data: Uint16Array,
  start: number,
  end: number,
  mask: Uint8Array | undefined,
  maskShift: number,
  c: Int32Array,
  r: Int32Array
): void => {
  // Bounds of the values instead of their minimum and maximum: the AND of all values is at most the smallest,
  // their OR at least the largest (two bit operations a value instead of two compares; the scan of the counts
  // between them finds the true ones).
  let and = 0xffff
  let or = 0
  if (mask === undefined) {
    for (let i = start; i < end; i++) {
      const v = data[i]
      c[v]++
      and &= v
      or |= v
    }
  } else {
    // −m >>> 31 is 1 for a mask byte 1..255, 0 for 0.
    for (let i = start; i < end; i++) {
      const v = data[i]
      c[v] += -mask[i - maskShift] >>> 31
      and &= v
      or |= v
    }
  }
  r[0] = and
  r[1] = or
}

const countAny = (
  data: TypedArray,
  start: number,
  end: number,
  mask: Uint8Array | undefined,
  maskShift: number,
  origin: number,
  c: Int32Array,
  r: Int32Array
): void => {
  let mn = Infinity
  let mx = -Infinity
  for (let i = start; i < end; i++) {
    const v = data[i]
    c[v + origin] += mask === undefined ? 1 : -mask[i - maskShift] >>> 31
    if (v < mn) mn = v
    if (v > mx) mx = v
  }
  r[0] = mn
  r[1] = mx
}

/** `intExact` value by value. */
const intExactPerValue = (
  data: TypedArray,
  start: number,
  end: number,
  mask: Uint8Array | undefined,
  maskShift: number,
  nodata: number,
  hist: Float64Array,
  hBase: number,
  out: BlockOut
): void => {
  let n = 0
  let s = 0
  let q = 0
  let mn = Infinity
  let mx = -Infinity
  if (mask === undefined) {
    for (let i = start; i < end; i++) {
      const v = data[i]
      if (v === nodata) continue
      n++
      s += v
      q += v * v
      if (v < mn) mn = v
      if (v > mx) mx = v
      hist[hBase + v]++
    }
  } else {
    for (let i = start; i < end; i++) {
      if (mask[i - maskShift] === 0) continue
      const v = data[i]
      if (v === nodata) continue
      n++
      s += v
      q += v * v
      if (v < mn) mn = v
      if (v > mx) mx = v
      hist[hBase + v]++
    }
  }
  finishInt(n, s, q, mn, mx, out)
}

/** As `intExact`, with histogram slots looked up in `lut[v - lutLo]` (linear bins over integer data). */
export const intLut = (
  data: TypedArray,
  start: number,
  end: number,
  mask: Uint8Array,
  maskShift: number,
  nodata: number,
  hist: Float64Array,
  hBase: number,
  lut: Int32Array,
  lutLo: number,
  out: BlockOut
): void => {
  let n = 0
  let s = 0
  let q = 0
  let mn = Infinity
  let mx = -Infinity
  for (let i = start; i < end; i++) {
    if (mask[i - maskShift] === 0) continue
    const v = data[i]
    if (v === nodata) continue
    n++
    s += v
    q += v * v
    if (v < mn) mn = v
    if (v > mx) mx = v
    hist[hBase + lut[v - lutLo]]++
  }
  finishInt(n, s, q, mn, mx, out)
}

const finishInt = (n: number, s: number, q: number, mn: number, mx: number, out: BlockOut) => {
  out[0] = n
  if (n === 0) {
    out[1] = 0
    out[2] = 0
    out[3] = Infinity
    out[4] = -Infinity
    return
  }
  const bn = BigInt(n)
  const bs = BigInt(s)
  // n·Σx² − (Σx)² is an exact integer; dividing once gives M2 with a single rounding.
  out[1] = s / n
  out[2] = Number(bn * BigInt(q) - bs * bs) / n
  out[3] = mn
  out[4] = mx
}

/**
 * One band of float (or 32-bit integer) values, two passes: count, Σx, min, max and histogram, then
 * Σ(x − m) and Σ(x − m)² about the first-pass mean m (the corrected two-pass algorithm). NaN, `nodata`
 * and masked values are skipped. Linear bins: slot 0 underflow, 1..bins regular, bins + 1 overflow.
 */
export const floatLinear = (
  data: TypedArray,
  start: number,
  end: number,
  mask: Uint8Array,
  maskShift: number,
  nodata: number,
  hist: Float64Array,
  hBase: number,
  lo: number,
  hi: number,
  bins: number,
  out: BlockOut
): void => {
  let n = 0
  let s = 0
  let mn = Infinity
  let mx = -Infinity
  const scale = bins / (hi - lo)
  for (let i = start; i < end; i++) {
    if (mask[i - maskShift] === 0) continue
    const v = data[i]
    if (v !== v || v === nodata) continue
    n++
    s += v
    if (v < mn) mn = v
    if (v > mx) mx = v
    let slot: number
    if (v < lo) slot = 0
    else if (v >= hi) slot = bins + 1
    else {
      slot = Math.floor((v - lo) * scale) + 1
      if (slot > bins) slot = bins
    }
    hist[hBase + slot]++
  }
  out[0] = n
  if (n === 0) {
    out[1] = 0
    out[2] = 0
    out[3] = Infinity
    out[4] = -Infinity
    return
  }
  const m = s / n
  let d1 = 0
  let d2 = 0
  for (let i = start; i < end; i++) {
    if (mask[i - maskShift] === 0) continue
    const v = data[i]
    if (v !== v || v === nodata) continue
    const d = v - m
    d1 += d
    d2 += d * d
  }
  out[1] = m + d1 / n
  const m2 = d2 - (d1 * d1) / n
  out[2] = m2 > 0 ? m2 : 0
  // `+ 0` turns −0 into +0 so that statistics round-trip through JSON unchanged.
  out[3] = mn + 0
  out[4] = mx + 0
}
