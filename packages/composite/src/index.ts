// @eoforge/composite: per-pixel temporal composites of a slot's acquisitions (median, mean, min, max,
// first-valid), as numpy's nan* functions compute them. Pure and synchronous; memory bounded per chip.
export * as Cast from "./Cast.ts"
export * as Median from "./Median.ts"
export * as Rule from "./Rule.ts"
export * as Running from "./Running.ts"
