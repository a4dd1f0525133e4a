// Histogram layouts: how pixel values map to fixed bins, chosen per dtype or product.
// Exact 1-DN bins for 8- and 16-bit integers; fixed-width bins over [lo, hi) with under/overflow otherwise.
import type { DType } from "@eoforge/core"
import { InvalidBinning } from "./StatsError.ts"

/**
 * One bin per integer value in [lo, lo + bins): percentiles are exact (they equal numpy's default
 * linear-interpolation percentile of the same values).
 */
export interface Exact {
  readonly _tag: "Exact"
  /** The value of bin 0. */
  readonly lo: number
  /** Number of bins (one per integer). */
  readonly bins: number
}

/**
 * `bins` bins of width (hi − lo) / bins over [lo, hi), plus an underflow bin (values < lo) and an
 * overflow bin (values ≥ hi). A percentile that falls inside [lo, hi) is off by at most one bin width;
 * one that falls in the under/overflow bin is only bounded by the observed min/max.
 */
export interface Linear {
  readonly _tag: "Linear"
  /** Lower edge of the first regular bin (inclusive). */
  readonly lo: number
  /** Upper edge of the last regular bin (exclusive). */
  readonly hi: number
  /** Number of regular bins. */
  readonly bins: number
}

/** A histogram layout. */
export type Binning = Exact | Linear

/** Default number of regular bins for float and 32-bit integer data. */
export const defaultBins = 65536

/** Default [lo, hi) for float data when no range is configured (covers dB, metres, reflectance × 1e4 poorly: configure it). */
export const defaultFloatRange: readonly [number, number] = [-1000, 1000]

/** Exact integer bins over [lo, hi] inclusive. */
export const exact = (lo: number, hi: number): Exact => {
  if (!Number.isInteger(lo) || !Number.isInteger(hi) || hi < lo) {
    throw new InvalidBinning({ detail: `exact bins need integers lo ≤ hi, got [${lo}, ${hi}]` })
  }
  return { _tag: "Exact", lo, bins: hi - lo + 1 }
}

/** `bins` fixed-width bins over [lo, hi) with under/overflow bins. */
export const linear = (lo: number, hi: number, bins: number = defaultBins): Linear => {
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || !(hi > lo)) {
    throw new InvalidBinning({
      detail: `range [${lo}, ${hi}) is empty or not finite; give lo < hi`
    })
  }
  if (!Number.isInteger(bins) || bins < 1) {
    throw new InvalidBinning({ detail: `bin count ${bins} is not a positive integer` })
  }
  return { _tag: "Linear", lo, hi, bins }
}

/**
 * The layout for a dtype: exact 1-DN bins for uint8/int8/uint16/int16, otherwise linear bins over
 * `range` (default: the dtype range for 32-bit integers, `defaultFloatRange` for floats).
 */
export const forDType = (
  dtype: DType.DType,
  range?: readonly [number, number],
  bins: number = defaultBins
): Binning => {
  switch (dtype) {
    case "uint8":
      return exact(0, 255)
    case "int8":
      return exact(-128, 127)
    case "uint16":
      return exact(0, 65535)
    case "int16":
      return exact(-32768, 32767)
    case "uint32":
      return range ? linear(range[0], range[1], bins) : linear(0, 4294967296, bins)
    case "int32":
      return range ? linear(range[0], range[1], bins) : linear(-2147483648, 2147483648, bins)
    default: {
      const [lo, hi] = range ?? defaultFloatRange
      return linear(lo, hi, bins)
    }
  }
}

/** Number of histogram slots per band (linear layouts add the under- and overflow slots). */
export const slots = (b: Binning): number => (b._tag === "Exact" ? b.bins : b.bins + 2)

/** The largest percentile error for percentiles inside the binned range (0 for exact bins). */
export const errorBound = (b: Binning): number => (b._tag === "Exact" ? 0 : (b.hi - b.lo) / b.bins)

/** Whether two layouts are identical (a precondition of merging). */
export const equals = (a: Binning, b: Binning): boolean =>
  a._tag === b._tag &&
  a.lo === b.lo &&
  a.bins === b.bins &&
  (a._tag === "Exact" || a.hi === (b as Linear).hi)
