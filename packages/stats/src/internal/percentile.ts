// Order statistics read from a fixed-bin histogram.
// Exact bins give the exact value; linear bins place the k-th value uniformly inside its bin.
import type { Binning } from "../Binning.ts"

/**
 * The k-th smallest value (0-based) of a band whose histogram is `hist`. For linear bins the value is
 * placed at (r + ½) / c of its bin, clamped to the observed [min, max]; the under/overflow bins span
 * [min, lo) and [hi, max].
 */
export const orderStatistic = (
  hist: Float64Array,
  binning: Binning,
  min: number,
  max: number,
  k: number
): number => {
  let cum = 0
  for (let i = 0; i < hist.length; i++) {
    const c = hist[i]
    if (c === 0) continue
    if (cum + c > k) {
      if (binning._tag === "Exact") return binning.lo + i
      const width = (binning.hi - binning.lo) / binning.bins
      const lower =
        i === 0 ? min : i === binning.bins + 1 ? binning.hi : binning.lo + (i - 1) * width
      const upper = i === 0 ? binning.lo : i === binning.bins + 1 ? max : lower + width
      const v = lower + ((k - cum + 0.5) / c) * (upper - lower)
      return Math.min(Math.max(v, min), max)
    }
    cum += c
  }
  return max
}
