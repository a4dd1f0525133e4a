// Seeded pseudo-random numbers: xoshiro128** (Blackman & Vigna 2018) seeded through splitmix64.
// derive(seed, i) gives the generator of sample i alone, so samples do not depend on order or concurrency.
import { Schema } from "effect"
import * as SplitMix from "./internal/splitmix64.ts"
import { Xoshiro128 } from "./internal/xoshiro128.ts"

/** A seeded generator; each sample derives its own, nothing is shared. */
export interface Random {
  /** A uniform 32-bit unsigned integer. */
  readonly nextUint32: () => number
  /** A uniform double in [0, 1) with 53 random bits. */
  readonly next: () => number
  /** A standard normal deviate (mean 0, standard deviation 1), Box–Muller. */
  readonly normal: () => number
}

/** A seed or index that is not a safe integer. */
export class InvalidSeedError extends Schema.TaggedError<InvalidSeedError>()("InvalidSeedError", {
  value: Schema.Number,
  what: Schema.String
}) {
  override get message(): string {
    return `invalid ${this.what} ${this.value}: use an integer between -(2^53 - 1) and 2^53 - 1`
  }
}

const halves = (v: number, what: string): readonly [number, number] => {
  if (!Number.isSafeInteger(v)) throw new InvalidSeedError({ value: v, what })
  return SplitMix.halves(v)
}

// Four state words from two consecutive splitmix64 outputs, as the xoshiro authors recommend.
const seeded = (hi: number, lo: number): Random => {
  const o = SplitMix.out
  SplitMix.add(hi, lo, SplitMix.GOLDEN_HI, SplitMix.GOLDEN_LO)
  const h1 = o[0]
  const l1 = o[1]
  SplitMix.mix(h1, l1)
  const s0 = o[0]
  const s1 = o[1]
  SplitMix.add(h1, l1, SplitMix.GOLDEN_HI, SplitMix.GOLDEN_LO)
  SplitMix.mix(o[0], o[1])
  return new Xoshiro128(s0, s1, o[0], o[1])
}

/** A generator from a seed (a safe integer); InvalidSeedError otherwise. */
export const make = (seed: number): Random => {
  const [hi, lo] = halves(seed, "seed")
  return seeded(hi, lo)
}

/** The generator of item `index` under `seed`: a pure function of (seed, index), independent of every other item. */
export const derive = (seed: number, index: number): Random => {
  const [sHi, sLo] = halves(seed, "seed")
  const [iHi, iLo] = halves(index, "index")
  const o = SplitMix.out
  // Seed and index go through separate mixes so (seed, i) and (seed + 1, i − 1) stay unrelated.
  SplitMix.mix(sHi, sLo)
  const mHi = o[0]
  const mLo = o[1]
  SplitMix.mix(iHi ^ 0x5851f42d, iLo ^ 0x4c957f2d)
  return seeded(o[0] ^ mHi, o[1] ^ mLo)
}

/** A uniform integer in [0, n) (n ≤ 2^32; bias below n / 2^53). */
export const int = (random: Random, n: number): number => Math.floor(random.next() * n)
