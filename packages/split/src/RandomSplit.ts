// Seeded random splits by sample id, for comparison with the geographic ones (they leak by design).
// A sample's split depends only on the seed and its id, so appending samples never moves others.
import { unit } from "./internal/hash.ts"
import * as Proportions from "./Proportions.ts"

/** What the user chooses. */
export interface Params {
  /** Seed. */
  readonly seed: number
  /** Target proportions (default 60/20/20). */
  readonly proportions?: Proportions.Proportions
}

/** A random split's parameters (nothing is fitted). */
export interface Fitted {
  readonly method: "random"
  readonly seed: number
  readonly proportions: Proportions.Proportions
}

/** Validated parameters. */
export const fit = (params: Params): Fitted => ({
  method: "random",
  seed: params.seed,
  proportions: Proportions.make(params.proportions ?? Proportions.standard)
})

/** The split code (0/1/2) of a sample id. */
export const assign = (fitted: Fitted, id: string): number =>
  Proportions.pick(fitted.proportions, unit(`random/${fitted.seed}`, id))
