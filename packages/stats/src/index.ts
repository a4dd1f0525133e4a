// @eoforge/stats: mergeable per-band statistics (count, mean, M2, min, max, histogram percentiles).
// Pure and synchronous; accumulators merge across workers through an exact JSON form.
export * as Accumulator from "./Accumulator.ts"
export * as Binning from "./Binning.ts"
export * as Grouped from "./Grouped.ts"
export * as MergeTree from "./MergeTree.ts"
export * as Packed from "./Packed.ts"
export * as StatsError from "./StatsError.ts"
