// Why a band of a finished store has no train statistics, and the warnings finalize reports: a store
// with no data, an all-nodata band or only categorical bands is described as it is, never refused.
import type { Band } from "@eoforge/core"
import type { Grouped } from "@eoforge/stats"

/** A band (or every band of a product) without train statistics and why. */
export interface Unavailable {
  readonly product: string
  readonly band?: string
  readonly reason: string
}

/** The bands without train statistics, with reasons, and the warnings of a finalize run. */
export const notes = (
  products: ReadonlyArray<Band.ProductSpec>,
  reports: ReadonlyArray<Grouped.ProductReport>,
  availability: Readonly<
    Record<string, Readonly<Record<string, Readonly<Record<string, number>>>>>
  >,
  trainSamples: number
): {
  readonly unavailable: ReadonlyArray<Unavailable>
  readonly warnings: ReadonlyArray<string>
} => {
  const unavailable: Array<Unavailable> = []
  const warnings: Array<string> = []
  if (trainSamples === 0) warnings.push("no sample is in the train split")
  for (const p of products) {
    // product → slot → reason → count, summed over slots.
    const reasons: Record<string, number> = {}
    for (const slot of Object.values(availability[p.id] ?? {})) {
      for (const [r, n] of Object.entries(slot)) reasons[r] = (reasons[r] ?? 0) + n
    }
    if ((reasons.Ok ?? 0) === 0) {
      const why = Object.entries(reasons)
        .map(([r, n]) => `${r}: ${n}`)
        .join(", ")
      const reason = `no chip holds data${why === "" ? "" : ` (${why})`}`
      unavailable.push({ product: p.id, reason })
      warnings.push(`${p.id}: ${reason}; it has no statistics`)
      continue
    }
    const train = reports.find((r) => r.product === p.id)?.splits.train ?? []
    for (const b of p.bands) {
      const s = train.find((x) => x.band === b.name)
      if (s !== undefined && s.count > 0 && Number.isFinite(s.mean)) continue
      const reason =
        trainSamples === 0
          ? "no sample is in the train split"
          : "no valid pixel in the train split (every train pixel is nodata or masked)"
      unavailable.push({ product: p.id, band: b.name, reason })
      warnings.push(`${p.id} ${b.name}: ${reason}; it has no train statistics`)
    }
  }
  const bands = products.flatMap((p) => p.bands)
  if (bands.length > 0 && bands.every((b) => b.classes !== undefined)) {
    warnings.push("every band is categorical (class codes): there is no normalisation table")
  }
  return { unavailable, warnings }
}
