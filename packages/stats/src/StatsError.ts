// Typed errors of @eoforge/stats: chips that do not fit an accumulator, and bad serialised statistics.
// Each message names the offending value and what to do about it.
import { Schema } from "effect"

/** A chip (or accumulator) has a different number of bands than the accumulator it is added to. */
export class BandCountMismatch extends Schema.TaggedError<BandCountMismatch>()(
  "BandCountMismatch",
  {
    expected: Schema.Number,
    actual: Schema.Number
  }
) {
  override get message(): string {
    return `band count mismatch: the accumulator has ${this.expected} bands but the chip has ${this.actual}; use one accumulator per product (Grouped keeps them apart)`
  }
}

/** A chip (or accumulator) has a different dtype than the accumulator it is added to. */
export class DTypeMismatch extends Schema.TaggedError<DTypeMismatch>()("DTypeMismatch", {
  expected: Schema.String,
  actual: Schema.String
}) {
  override get message(): string {
    return `dtype mismatch: the accumulator holds ${this.expected} but got ${this.actual}; statistics of different dtypes use different histograms, keep them in separate accumulators`
  }
}

/** Two accumulators with different histogram layouts or nodata values cannot be merged. */
export class LayoutMismatch extends Schema.TaggedError<LayoutMismatch>()("LayoutMismatch", {
  detail: Schema.String
}) {
  override get message(): string {
    return `cannot merge statistics with different layouts (${this.detail}); create both with the same options`
  }
}

/** A chip's data or mask length does not match bands × height × width. */
export class ChipShapeError extends Schema.TaggedError<ChipShapeError>()("ChipShapeError", {
  what: Schema.String,
  expected: Schema.String,
  actual: Schema.Number
}) {
  override get message(): string {
    return `chip ${this.what} has ${this.actual} values, expected ${this.expected}`
  }
}

/** Options that cannot define a histogram (empty range, non-positive bin count, …). */
export class InvalidBinning extends Schema.TaggedError<InvalidBinning>()("InvalidBinning", {
  detail: Schema.String
}) {
  override get message(): string {
    return `invalid histogram binning: ${this.detail}`
  }
}

/** A serialised accumulator that does not decode. */
export class InvalidStatsJson extends Schema.TaggedError<InvalidStatsJson>()("InvalidStatsJson", {
  detail: Schema.String,
  cause: Schema.optional(Schema.Defect())
}) {
  override get message(): string {
    return `serialised statistics do not decode: ${this.detail}; they must come from Accumulator.toJson of the same EOForge version`
  }
}

/** A product id, split name or band not known to a grouped accumulator. */
export class UnknownGroup extends Schema.TaggedError<UnknownGroup>()("UnknownGroup", {
  what: Schema.String,
  value: Schema.String,
  known: Schema.Array(Schema.String)
}) {
  override get message(): string {
    return `unknown ${this.what} "${this.value}"; known: ${this.known.join(", ") || "(none)"}`
  }
}
