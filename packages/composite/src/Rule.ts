// The per-pixel composite rules: what one value of a slot is when every acquisition of its window counts.
// Each is computed per band and pixel over the valid values (mask 1, not NaN), as numpy's nan* functions.

/** median (numpy `nanmedian`), mean (`nanmean`, float64 sums), min, max, or first-valid (quality mosaic). */
export type Rule = "median" | "mean" | "min" | "max" | "first-valid"

/** Every composite rule. */
export const rules: ReadonlyArray<Rule> = ["median", "mean", "min", "max", "first-valid"]

/** Whether `name` is a composite rule. */
export const isRule = (name: string): name is Rule =>
  (rules as ReadonlyArray<string>).includes(name)

/** Whether the rule needs every value of a pixel at once (median) rather than a running value. */
export const needsStack = (rule: Rule): boolean => rule === "median"
