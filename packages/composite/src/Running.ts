// Composites that need one running value per band and pixel: mean (float64 sums), min, max and
// first-valid. Memory is bands × pixels × 12 bytes, whatever the number of acquisitions added.
import { DType } from "@eoforge/core"
import { writerFor } from "./Cast.ts"
import type { Rule } from "./Rule.ts"

/** A running composite of one chip (mutated by `add`). */
export interface Running {
  readonly rule: Exclude<Rule, "median">
  readonly dtype: DType.DType
  readonly bands: number
  readonly pixels: number
  /** Sum (mean), running min/max, or the first value (first-valid), per band-pixel. */
  readonly value: Float64Array
  /** Valid values seen per band-pixel. */
  readonly n: Uint32Array
  /** Acquisitions whose mask is 1, per pixel (saturates at 65,535). */
  readonly count: Uint16Array
  /** Acquisitions added. */
  added: number
}

/** The composite of a chip: values of the dtype, valid observations per pixel, valid values per band-pixel. */
export interface Result {
  /** Band-major values; band-pixels without a valid value hold that band's fill. */
  readonly data: DType.TypedArray
  /** Acquisitions whose mask was 1, per pixel. */
  readonly count: Uint16Array
  /** 1 where the band-pixel has at least one valid value. */
  readonly filled: Uint8Array
}

/** An empty running composite of `bands` × `pixels` values of `dtype`. */
export const make = (
  rule: Exclude<Rule, "median">,
  dtype: DType.DType,
  bands: number,
  pixels: number
): Running => ({
  rule,
  dtype,
  bands,
  pixels,
  value: new Float64Array(bands * pixels),
  n: new Uint32Array(bands * pixels),
  count: new Uint16Array(pixels),
  added: 0
})

/** Add each pixel's mask to the per-pixel count of valid observations (saturating at 65,535). */
export const addCount = (count: Uint16Array, mask: Uint8Array): void => {
  for (let i = 0; i < count.length; i++) if (mask[i] !== 0 && count[i] < 65535) count[i]++
}

const checkShape = (bands: number, pixels: number, data: DType.TypedArray, mask: Uint8Array) => {
  if (data.length !== bands * pixels || mask.length !== pixels) {
    throw new RangeError(
      `an acquisition of ${data.length} values and ${mask.length} mask pixels does not fit ${bands} bands × ${pixels} pixels`
    )
  }
}

/** Add one acquisition (band-major values, per-pixel mask: 1 valid) in rank order (best first). */
export const add = (r: Running, data: DType.TypedArray, mask: Uint8Array): void => {
  const { bands, pixels, value, n } = r
  checkShape(bands, pixels, data, mask)
  addCount(r.count, mask)
  r.added++
  for (let b = 0; b < bands; b++) {
    const o = b * pixels
    for (let i = 0; i < pixels; i++) {
      if (mask[i] === 0) continue
      const v = data[o + i]
      // NaN values are not observations (numpy's nan* functions skip them).
      if (v !== v) continue
      const k = o + i
      const seen = n[k]
      if (r.rule === "mean") value[k] += v
      else if (seen === 0) value[k] = v
      else if (r.rule === "min") {
        if (v < value[k]) value[k] = v
      } else if (r.rule === "max") {
        if (v > value[k]) value[k] = v
      } else continue
      n[k] = seen + 1
    }
  }
}

/** The composite, with `fill[b]` where band `b` has no valid value (default NaN for floats, 0 for integers). */
export const finish = (r: Running, fill: ReadonlyArray<number> = []): Result => {
  const { bands, pixels, value, n } = r
  const data = DType.alloc(r.dtype, bands * pixels)
  const filled = new Uint8Array(bands * pixels)
  const write = writerFor(r.dtype)
  for (let b = 0; b < bands; b++) {
    const empty = fill[b] ?? (DType.isFloat(r.dtype) ? NaN : 0)
    const o = b * pixels
    for (let i = 0; i < pixels; i++) {
      const k = o + i
      const m = n[k]
      if (m === 0) {
        data[k] = empty
        continue
      }
      filled[k] = 1
      write(data, k, r.rule === "mean" ? value[k] / m : value[k])
    }
  }
  return { data, count: r.count, filled }
}
