// The per-pixel median of a stack of acquisitions, as numpy `nanmedian`: over the valid values of each
// band-pixel (mask 1, not NaN); an even count gives the mean of the two middle values (in float64).
import { DType } from "@eoforge/core"
import { addCount, type Result } from "./Running.ts"

/** One acquisition of a stack: band-major values and a per-pixel mask (1 valid). */
export interface Layer {
  readonly data: DType.TypedArray
  readonly mask: Uint8Array
}

// Small counts (a month of Sentinel-2 is 6–12 scenes) sort fastest by insertion.
const insertionSort = (s: Float64Array, m: number): void => {
  for (let i = 1; i < m; i++) {
    const v = s[i]
    let j = i - 1
    while (j >= 0 && s[j] > v) {
      s[j + 1] = s[j]
      j--
    }
    s[j + 1] = v
  }
}

// Reorders s[0..m) so that s[h] is the value of rank h, smaller or equal values before it (quickselect,
// middle-of-three pivots: O(m), no allocation).
const select = (s: Float64Array, m: number, h: number): void => {
  let lo = 0
  let hi = m - 1
  while (hi > lo) {
    const mid = (lo + hi) >> 1
    // Median of three as the pivot, left at s[mid].
    if (s[mid] < s[lo]) [s[mid], s[lo]] = [s[lo], s[mid]]
    if (s[hi] < s[lo]) [s[hi], s[lo]] = [s[lo], s[hi]]
    if (s[hi] < s[mid]) [s[hi], s[mid]] = [s[mid], s[hi]]
    const pivot = s[mid]
    let i = lo
    let j = hi
    while (i <= j) {
      while (s[i] < pivot) i++
      while (s[j] > pivot) j--
      if (i <= j) {
        const t = s[i]
        s[i] = s[j]
        s[j] = t
        i++
        j--
      }
    }
    if (h <= j) hi = j
    else if (h >= i) lo = i
    else return
  }
}

/** The median of the first `m` values of `s` (reordered), or NaN when `m` is 0. */
export const ofValues = (s: Float64Array, m: number): number => {
  if (m === 0) return NaN
  const h = m >> 1
  if (m <= 24) {
    insertionSort(s, m)
    return m % 2 === 1 ? s[h] : (s[h - 1] + s[h]) / 2
  }
  select(s, m, h)
  if (m % 2 === 1) return s[h]
  // Every value before rank h is ≤ s[h]: the lower middle is the largest of them.
  let below = s[0]
  for (let i = 1; i < h; i++) if (s[i] > below) below = s[i]
  return (below + s[h]) / 2
}

/** Scratch space for `strip` over up to `layers` acquisitions. */
export const scratch = (layers: number): Float64Array => new Float64Array(Math.max(1, layers))

/**
 * Medians of one band over a strip of `length` pixels: `values[k]` and `masks[k]` are acquisition k's values of
 * the band and mask over the strip (from index `at`). Writes `out`/`filled` from `outAt`; band-pixels without a
 * valid value get `fill`.
 */
export const strip = (
  values: ReadonlyArray<DType.TypedArray>,
  masks: ReadonlyArray<Uint8Array>,
  at: number,
  length: number,
  out: DType.TypedArray,
  filled: Uint8Array,
  outAt: number,
  fill: number,
  s: Float64Array
): void => {
  const dtype = DType.of(out)
  const integer = !DType.isFloat(dtype)
  const [lo, hi] = DType.range(dtype)
  const k = values.length
  // Up to 24 acquisitions, each value is inserted in order as it is gathered (no separate sort pass).
  const small = k <= 24
  for (let i = 0; i < length; i++) {
    const p = at + i
    let m = 0
    for (let a = 0; a < k; a++) {
      if (masks[a][p] === 0) continue
      const v = values[a][p]
      if (v !== v) continue
      if (small) {
        let j = m - 1
        while (j >= 0 && s[j] > v) {
          s[j + 1] = s[j]
          j--
        }
        s[j + 1] = v
      } else s[m] = v
      m++
    }
    const o = outAt + i
    if (m === 0) {
      out[o] = fill
      continue
    }
    filled[o] = 1
    let med: number
    if (small) {
      const h = m >> 1
      med = m % 2 === 1 ? s[h] : (s[h - 1] + s[h]) / 2
    } else med = ofValues(s, m)
    if (integer) {
      // Round half to even (Cast.roundHalfEven, inlined in this hot loop), then clamp.
      let r = Math.round(med)
      if (r - med === 0.5 && r % 2 !== 0) r -= 1
      out[o] = r < lo ? lo : r > hi ? hi : r
    } else out[o] = med
  }
}

/** The median composite of a stack held in memory (`bands` × `pixels` values per layer, dtype of the output). */
export const ofStack = (
  layers: ReadonlyArray<Layer>,
  dtype: DType.DType,
  bands: number,
  pixels: number,
  fill: ReadonlyArray<number> = []
): Result => {
  const data = DType.alloc(dtype, bands * pixels)
  const filled = new Uint8Array(bands * pixels)
  const count = new Uint16Array(pixels)
  for (const l of layers) {
    if (l.data.length !== bands * pixels || l.mask.length !== pixels) {
      throw new RangeError(
        `a layer of ${l.data.length} values and ${l.mask.length} mask pixels does not fit ${bands} bands × ${pixels} pixels`
      )
    }
    addCount(count, l.mask)
  }
  const s = scratch(layers.length)
  const masks = layers.map((l) => l.mask)
  for (let b = 0; b < bands; b++) {
    const values = layers.map((l) => l.data.subarray(b * pixels, (b + 1) * pixels))
    const empty = fill[b] ?? (DType.isFloat(dtype) ? NaN : 0)
    strip(values, masks, 0, pixels, data, filled, b * pixels, empty, s)
  }
  return { data, count, filled }
}
