// Band values into a product's stored dtype: as read (rounded half away from zero and clamped for integers),
// in decibels, or through a linear radiometric map in the same pass (no float array in between).
import { DType } from "@eoforge/core"
import * as Radiometry from "../Radiometry.ts"

/** Copy `src` into `dst` (another dtype allowed): integers are rounded half away from zero and clamped. */
export const convert = (
  src: DType.TypedArray,
  dst: DType.TypedArray,
  dstOffset: number,
  dtype: DType.DType,
  transform: "none" | "dB"
): void => {
  const n = src.length
  if (transform === "dB") {
    for (let i = 0; i < n; i++) {
      const v = src[i]
      dst[dstOffset + i] = v > 0 ? 10 * Math.log10(v) : NaN
    }
    return
  }
  if (DType.isFloat(dtype) || DType.of(src) === dtype) {
    dst.set(src, dstOffset)
    return
  }
  const [lo, hi] = DType.range(dtype)
  for (let i = 0; i < n; i++) {
    const v = src[i]
    const r = v < 0 ? -Math.round(-v) : Math.round(v)
    dst[dstOffset + i] = r < lo ? lo : r > hi ? hi : r
  }
}

/**
 * `convert(Radiometry.apply(src, map), dst, dstOffset, dtype, "none")` without the intermediate array: the
 * same double `a × v + b` per value, stored as `convert` stores a float64 array.
 */
export const convertLinear = (
  src: DType.TypedArray,
  map: { readonly a: number; readonly b: number },
  dst: DType.TypedArray,
  dstOffset: number,
  dtype: DType.DType
): void => {
  // Radiometry.apply's identity (the values themselves).
  if (Radiometry.isIdentity(map)) {
    convert(src, dst, dstOffset, dtype, "none")
    return
  }
  const { a, b } = map
  const n = src.length
  if (DType.isFloat(dtype)) {
    for (let i = 0; i < n; i++) dst[dstOffset + i] = a * (src[i] as number) + b
    return
  }
  const [lo, hi] = DType.range(dtype)
  for (let i = 0; i < n; i++) {
    const v = a * (src[i] as number) + b
    const r = v < 0 ? -Math.round(-v) : Math.round(v)
    dst[dstOffset + i] = r < lo ? lo : r > hi ? hi : r
  }
}
