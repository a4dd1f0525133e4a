// splitmix64 (Steele, Lea & Flood 2014; constants from Vigna's reference splitmix64.c) on uint32 halves.
// 64-bit words travel as (hi, lo) pairs; results land in `out` to avoid allocating per step.

/** Result of the last operation: out[0] = high 32 bits, out[1] = low 32 bits. */
export const out = new Uint32Array(2)

const TWO32 = 4294967296

/** The splitmix64 increment, 0x9e3779b97f4a7c15, as (hi, lo). */
export const GOLDEN_HI = 0x9e3779b9
export const GOLDEN_LO = 0x7f4a7c15

// High 32 bits of the unsigned 64-bit product of two uint32 (partial products stay below 2^53).
const mulHi = (a: number, b: number): number => {
  const a0 = a & 0xffff
  const a1 = a >>> 16
  const b0 = b & 0xffff
  const b1 = b >>> 16
  const lo = a0 * b0
  const mid1 = a1 * b0
  const mid2 = a0 * b1
  const cross = (lo >>> 16) + (mid1 & 0xffff) + mid2
  return (a1 * b1 + (mid1 >>> 16) + Math.floor(cross / 65536)) >>> 0
}

/** out = (hi, lo) × (mHi, mLo) mod 2^64. */
export const mul = (hi: number, lo: number, mHi: number, mLo: number): void => {
  const h = (mulHi(lo >>> 0, mLo >>> 0) + Math.imul(hi, mLo) + Math.imul(lo, mHi)) >>> 0
  out[1] = Math.imul(lo, mLo)
  out[0] = h
}

/** out = (hi, lo) + (aHi, aLo) mod 2^64. */
export const add = (hi: number, lo: number, aHi: number, aLo: number): void => {
  const l = (lo >>> 0) + (aLo >>> 0)
  out[1] = l
  out[0] = (hi >>> 0) + (aHi >>> 0) + (l >= TWO32 ? 1 : 0)
}

/** out = the splitmix64 output function (finaliser) of the 64-bit word (hi, lo). */
export const mix = (hi: number, lo: number): void => {
  let l = (lo ^ ((lo >>> 30) | (hi << 2))) >>> 0
  let h = (hi ^ (hi >>> 30)) >>> 0
  mul(h, l, 0xbf58476d, 0x1ce4e5b9)
  h = out[0]
  l = out[1]
  l = (l ^ ((l >>> 27) | (h << 5))) >>> 0
  h = (h ^ (h >>> 27)) >>> 0
  mul(h, l, 0x94d049bb, 0x133111eb)
  h = out[0]
  l = out[1]
  out[1] = l ^ ((l >>> 31) | (h << 1))
  out[0] = h ^ (h >>> 31)
}

/** Splits a safe integer into its two's-complement (hi, lo) 64-bit halves. */
export const halves = (v: number): readonly [hi: number, lo: number] => {
  const hi = Math.floor(v / TWO32)
  return [hi >>> 0, (v - hi * TWO32) >>> 0]
}
