// The bounds a recipe's numbers must stay within, so that no value can make a build loop, allocate
// without end or abort the runtime; each bound is a Schema check whose message names the limit.
import { Schema } from "effect"

/** The largest (or smallest) values a recipe may ask for; every one is documented in the README. */
export const limits = {
  /** Patches wanted (SSL4EO-S12 has 251,079; M3LEO about 10 M chips over all products). */
  count: 10_000_000,
  /** Candidates drawn before the sampler gives up. */
  maxCandidates: 1_000_000_000,
  /** Samples per shard: every per-shard array has this many entries. */
  shardSamples: 65_536,
  /** Most populous cities the cities sampler draws from. */
  topN: 1_000_000,
  /** Years of time slots (and the window dates). */
  firstYear: 1900,
  lastYear: 2099,
  /** Half width of a season window, days. */
  halfWindowDays: 183,
  /** Side of a patch, metres. */
  patchSizeM: 1_000_000,
  /** Pixels along one side of a patch (or of a product's grid). */
  patchPixels: 4096,
  /** Distances of the split and sampler, km (half the Earth's circumference). */
  distanceKm: 20_000,
  /** Days between paired acquisitions. */
  pairDays: 3660,
  /** Chips read at once. */
  concurrency: 1024,
  /** Characters (and bytes of the file) of recipe text. */
  textChars: 1024 * 1024,
  /** YAML aliases resolved (a billion-laughs document is refused long before it expands). */
  aliases: 100,
  /** Problems listed in one error; the rest are counted. */
  reportedProblems: 50
} as const

const between = (minimum: number, maximum: number, what: string) =>
  Schema.isBetween(
    { minimum, maximum },
    { message: `${what} must be between ${minimum} and ${maximum}` }
  )

/** An integer in [minimum, maximum]; `what` names the value in the message. */
export const boundedInt = (minimum: number, maximum: number, what: string) =>
  Schema.Int.check(between(minimum, maximum, what))

/** A finite number in [minimum, maximum]. */
export const boundedNumber = (minimum: number, maximum: number, what: string) =>
  Schema.Finite.check(between(minimum, maximum, what))

/** A finite number above 0 and at most `maximum`. */
export const positiveAtMost = (maximum: number, what: string) =>
  Schema.Finite.check(
    Schema.isGreaterThan(0, { message: `${what} must be greater than 0` }),
    Schema.isLessThanOrEqualTo(maximum, { message: `${what} must be at most ${maximum}` })
  )

/** A calendar year EOForge can search (the range of `any` slots). */
export const Year = boundedInt(limits.firstYear, limits.lastYear, "a year")

/** Seeds: any safe integer (larger ones lose their last digits in JSON and JavaScript). */
export const Seed = boundedInt(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, "the seed")
