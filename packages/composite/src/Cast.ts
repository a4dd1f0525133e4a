// How a composite value (computed in float64) becomes a value of the product's dtype.
// Integers: rounded half to even (numpy `rint`, IEEE 754's default) and clamped; floats: stored as is.
import { DType } from "@eoforge/core"

/** `v` rounded to the nearest integer, ties to the even one (as numpy `rint`: 2.5 → 2, 3.5 → 4, −2.5 → −2). */
export const roundHalfEven = (v: number): number => {
  const r = Math.round(v)
  // Math.round sends ties up; a tie landing on an odd integer goes one down instead.
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r
}

/** A writer of float64 composite values into an array of `dtype` (rounded half to even and clamped for integers). */
export const writerFor = (
  dtype: DType.DType
): ((out: DType.TypedArray, i: number, v: number) => void) => {
  if (DType.isFloat(dtype)) {
    return (out, i, v) => {
      out[i] = v
    }
  }
  const [lo, hi] = DType.range(dtype)
  return (out, i, v) => {
    const r = roundHalfEven(v)
    out[i] = r < lo ? lo : r > hi ? hi : r
  }
}
