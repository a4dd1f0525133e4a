// Typed errors of @eoforge/split: parameters that cannot define a split.
// Each message names the offending value and the fix.
import { Schema } from "effect"

/** Split proportions that are negative, not finite, or do not sum to 1. */
export class InvalidProportions extends Schema.TaggedError<InvalidProportions>()(
  "InvalidProportions",
  { train: Schema.Number, val: Schema.Number, test: Schema.Number }
) {
  override get message(): string {
    const sum = this.train + this.val + this.test
    return `split proportions train ${this.train} / val ${this.val} / test ${this.test} sum to ${Number(sum.toPrecision(12))}; give non-negative proportions summing to 1 (e.g. 0.6 / 0.2 / 0.2)`
  }
}

/** A guard width that is negative or not finite. */
export class InvalidGuardWidth extends Schema.TaggedError<InvalidGuardWidth>()(
  "InvalidGuardWidth",
  { guardKm: Schema.Number }
) {
  override get message(): string {
    return `guard width ${this.guardKm} km is invalid; give a finite width ≥ 0 km (0 disables the guard zone)`
  }
}

/** Any other split parameter out of range (band width, cell size, bearing, patch size). */
export class InvalidSplitParameter extends Schema.TaggedError<InvalidSplitParameter>()(
  "InvalidSplitParameter",
  { name: Schema.String, value: Schema.Number, expected: Schema.String }
) {
  override get message(): string {
    return `split parameter ${this.name} = ${this.value} is invalid; expected ${this.expected}`
  }
}

/** A split fitted on no samples. */
export class NoSamples extends Schema.TaggedError<NoSamples>()("NoSamples", {
  method: Schema.String
}) {
  override get message(): string {
    return `cannot fit a ${this.method} split on zero samples; fit it on the sampled locations first`
  }
}
