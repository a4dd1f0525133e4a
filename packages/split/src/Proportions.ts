// Target train/val/test proportions and how far a set of counts is from them.
// Proportions are validated once; every method measures balance by sample count, guard samples excluded.
import { InvalidGuardWidth, InvalidProportions } from "./SplitError.ts"

/** Target fractions of samples per split; they sum to 1. */
export interface Proportions {
  readonly train: number
  readonly val: number
  readonly test: number
}

/** The default 60 / 20 / 20. */
export const standard: Proportions = { train: 0.6, val: 0.2, test: 0.2 }

/** Validated proportions; throws `InvalidProportions` unless non-negative and summing to 1 (±1e-9). */
export const make = (p: Proportions): Proportions => {
  const ok = [p.train, p.val, p.test].every((x) => Number.isFinite(x) && x >= 0)
  if (!ok || Math.abs(p.train + p.val + p.test - 1) > 1e-9) throw new InvalidProportions(p)
  return { train: p.train, val: p.val, test: p.test }
}

/** A validated guard width in km; throws `InvalidGuardWidth` when negative or not finite. */
export const guardKm = (g: number): number => {
  if (!Number.isFinite(g) || g < 0) throw new InvalidGuardWidth({ guardKm: g })
  return g
}

/** The fractions of counts [train, val, test] (guard not included). */
export const of = (counts: ArrayLike<number>): Proportions => {
  const total = counts[0] + counts[1] + counts[2]
  return total === 0
    ? { train: 0, val: 0, test: 0 }
    : { train: counts[0] / total, val: counts[1] / total, test: counts[2] / total }
}

/** The largest absolute difference between achieved and target fractions. */
export const deviation = (achieved: Proportions, target: Proportions): number =>
  Math.max(
    Math.abs(achieved.train - target.train),
    Math.abs(achieved.val - target.val),
    Math.abs(achieved.test - target.test)
  )

/** The split code (0 train, 1 val, 2 test) of a uniform draw u in [0, 1). */
export const pick = (p: Proportions, u: number): 0 | 1 | 2 =>
  u < p.train ? 0 : u < p.train + p.val ? 1 : 2
