// @eoforge/split: train/val/test assignment by geographic banding, reference-grid blocks or seeded random,
// with guard zones between splits and a leakage report. Pure and synchronous.
export * as Assignment from "./Assignment.ts"
export * as Banding from "./Banding.ts"
export * as Blocks from "./Blocks.ts"
export * as Leakage from "./Leakage.ts"
export * as Proportions from "./Proportions.ts"
export * as RandomSplit from "./RandomSplit.ts"
export * as Sample from "./Sample.ts"
export * as SplitError from "./SplitError.ts"
