// What an accumulator says of each band: percentiles from its histogram (numpy's linear interpolation) and the
// per-band summaries of Accumulator.finalize.
import type { Accumulator, BandSummary } from "../Accumulator.ts"
import * as Binning from "../Binning.ts"
import { orderStatistic } from "./percentile.ts"

/** The p-th percentile (0–100) of band `b`, numpy's default linear interpolation; NaN when empty. */
export const percentile = (acc: Accumulator, b: number, p: number): number => {
  const n = acc.count[b]
  if (n === 0) return NaN
  const slots = Binning.slots(acc.binning)
  const hist = acc.histogram.subarray(b * slots, (b + 1) * slots)
  const h = ((n - 1) * Math.min(Math.max(p, 0), 100)) / 100
  const k0 = Math.floor(h)
  const k1 = Math.min(k0 + 1, n - 1)
  const x0 = orderStatistic(hist, acc.binning, acc.min[b], acc.max[b], k0)
  const x1 = k1 === k0 ? x0 : orderStatistic(hist, acc.binning, acc.min[b], acc.max[b], k1)
  return x0 + (h - k0) * (x1 - x0)
}

/** Per band summaries: count, mean, population and sample std, min, max and percentiles. */
export const finalize = (acc: Accumulator): ReadonlyArray<BandSummary> =>
  acc.names.map((band, b) => {
    const n = acc.count[b]
    const empty = n === 0
    return {
      band,
      count: n,
      mean: empty ? NaN : acc.mean[b],
      populationStd: empty ? NaN : Math.sqrt(acc.m2[b] / n),
      sampleStd: n < 2 ? NaN : Math.sqrt(acc.m2[b] / (n - 1)),
      min: empty ? NaN : acc.min[b],
      max: empty ? NaN : acc.max[b],
      p1: percentile(acc, b, 1),
      p2: percentile(acc, b, 2),
      p50: percentile(acc, b, 50),
      p98: percentile(acc, b, 98),
      p99: percentile(acc, b, 99),
      percentileErrorBound: Binning.errorBound(acc.binning)
    }
  })
