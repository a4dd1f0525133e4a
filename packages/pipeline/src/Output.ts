// Output transforms: a product stored as a uint8 visualisation of its physical values (M3LEO's S2RGB,
// SSL4EO-S12's uint8 release) instead of its native values; the rule is recorded in the product's attributes.
import type { Band, DType } from "@eoforge/core"

/** The recipe's `products[].output`. */
export interface OutputRecipe {
  readonly dtype: "uint8"
  /** Physical values (after radiometry, in the bands' unit) stored as 0 and 255. */
  readonly range: readonly [number, number]
  /** nearest (half up, default) or floor (as SSL4EO-S12's `astype(uint8)` of non-negative values). */
  readonly rounding?: "nearest" | "floor" | undefined
  /** Stored value for NaN and pixels without data (default 0). */
  readonly nodata?: number | undefined
}

/** Values within this of an integer in exact arithmetic are taken as that integer despite float64 rounding. */
export const EPSILON = 1e-9

/** The transform a product records, from the recipe's `output`. */
export const make = (o: OutputRecipe): Band.OutputTransform => {
  const [lo, hi] = o.range
  const rounding = o.rounding ?? "nearest"
  const nodata = o.nodata ?? 0
  return {
    dtype: o.dtype,
    range: [lo, hi],
    rounding,
    nodata,
    rule:
      `x = (v − ${lo}) / (${hi} − ${lo}) × 255 of the physical value v, ` +
      `${rounding === "nearest" ? "rounded half up" : "rounded down"}, clipped to 0–255; ` +
      `NaN and pixels without data stored as ${nodata}; statistics are of the stored values`
  }
}

/** The stored band: its native meaning, with scale/offset mapping stored values back to physical ones. */
export const storedBand = (native: Band.BandSpec, t: Band.OutputTransform): Band.BandSpec => ({
  ...native,
  scale: (t.range[1] - t.range[0]) / 255,
  offset: t.range[0],
  nodata: t.nodata
})

/** The stored value of one physical value (NaN → nodata; ±∞ clip to 0 or 255). */
export const toStored = (v: number, t: Band.OutputTransform): number => {
  if (Number.isNaN(v)) return t.nodata
  const x = ((v - t.range[0]) / (t.range[1] - t.range[0])) * 255
  const r = t.rounding === "nearest" ? Math.floor(x + 0.5 + EPSILON) : Math.floor(x + EPSILON)
  return r < 0 ? 0 : r > 255 ? 255 : r
}

/**
 * Writes the stored values of `values` — native values of `band` (physical = value × scale + offset), or dB
 * from linear power when `valueTransform` is `dB` — into `out` at `offset`; clears `valid` where the physical
 * value is NaN (those pixels then hold the transform's nodata).
 */
export const apply = (
  values: ArrayLike<number>,
  band: Pick<Band.BandSpec, "scale" | "offset">,
  valueTransform: "none" | "dB",
  t: Band.OutputTransform,
  out: DType.TypedArray,
  offset: number,
  valid: Uint8Array
): void => {
  const scale = band.scale ?? 1
  const add = band.offset ?? 0
  for (let i = 0; i < values.length; i++) {
    const raw = values[i]
    const v = valueTransform === "dB" ? (raw > 0 ? 10 * Math.log10(raw) : NaN) : raw * scale + add
    if (Number.isNaN(v)) valid[i] = 0
    out[offset + i] = toStored(v, t)
  }
}
