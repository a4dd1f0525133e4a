// How close val and test samples come to train samples: the leakage a split leaves.
// Great-circle distances from each val/test centre to the nearest train centre, via overlap's k-d tree.
import { Nearest } from "@eoforge/overlap"
import type { Sample } from "./Sample.ts"

/** Distances in metres from one split's samples to their nearest train sample. */
export interface Distances {
  /** Samples measured. */
  readonly count: number
  /** Smallest distance (Infinity when there are no train samples or none measured). */
  readonly minM: number
  /** 5th percentile (nearest rank). */
  readonly p5M: number
  /** Median (nearest rank). */
  readonly medianM: number
}

/** Leakage of val and test towards train. */
export interface Report {
  readonly val: Distances
  readonly test: Distances
}

const rank = (sorted: Float64Array, p: number): number =>
  sorted.length === 0 ? Infinity : sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]

/** The leakage report of samples with their split codes (guard samples are ignored). */
export const report = (samples: ReadonlyArray<Sample>, codes: ArrayLike<number>): Report => {
  const train = samples.filter((_, i) => codes[i] === 0)
  const index = Nearest.make(train)
  const of = (code: number): Distances => {
    const ds: Array<number> = []
    if (train.length > 0) {
      for (let i = 0; i < samples.length; i++) {
        if (codes[i] !== code) continue
        ds.push(Nearest.nearest(index, samples[i].lon, samples[i].lat, 1).distances[0])
      }
    }
    const sorted = Float64Array.from(ds).sort()
    return {
      count: sorted.length,
      minM: sorted.length ? sorted[0] : Infinity,
      p5M: rank(sorted, 5),
      medianM: rank(sorted, 50)
    }
  }
  return { val: of(1), test: of(2) }
}
