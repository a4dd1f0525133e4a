// The decoding helpers the recipe's schema pieces share: defaults for keys a recipe leaves out, positive
// numbers and fractions.
import { Effect, Schema } from "effect"

/** A key that decodes to `value` when the recipe leaves it out. */
export const withDefault = <S extends Schema.Top>(value: S["Encoded"]) =>
  Schema.withDecodingDefaultKey<S>(Effect.succeed(value))

/** A finite number above 0. */
export const Positive = Schema.Finite.check(Schema.isGreaterThan(0))
/** A finite number in [0, 1]. */
export const Fraction = Schema.Finite.check(Schema.isBetween({ minimum: 0, maximum: 1 }))
