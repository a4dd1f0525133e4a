// Which histogram slots of a band can hold counts: those of the values between its min and max. Readers of
// whole histograms scan only these, so that a 65536-slot band is not paged in to find a few hundred counts.
import type * as Binning from "../Binning.ts"

/** The slot a value is counted in, as the kernels and the linear table bin it. */
export const slotOf = (binning: Binning.Binning, v: number): number => {
  if (binning._tag === "Exact") return v - binning.lo
  if (v < binning.lo) return 0
  if (v >= binning.hi) return binning.bins + 1
  const slot = Math.floor((v - binning.lo) * (binning.bins / (binning.hi - binning.lo))) + 1
  return slot > binning.bins ? binning.bins : slot
}

/**
 * The slots [first, last] of a band of `count` values between `min` and `max` (binning is monotonic, so
 * every value's slot lies between those of min and max); empty (last < first) without values, and every
 * slot when min and max do not name slots of the layout.
 */
export const occupiedSlots = (
  binning: Binning.Binning,
  slots: number,
  count: number,
  min: number,
  max: number
): readonly [number, number] => {
  if (count === 0) return [0, -1]
  const first = slotOf(binning, min)
  const last = slotOf(binning, max)
  return Number.isInteger(first) && Number.isInteger(last) && first >= 0 && last < slots
    ? [first, last]
    : [0, slots - 1]
}
