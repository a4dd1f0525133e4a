// xoshiro128** 1.1 (Blackman & Vigna 2018): 128-bit state, 32-bit outputs, period 2^128 − 1.
// Written from the published reference C code; state words are uint32 held in JS numbers.

const rotl = (x: number, k: number): number => (x << k) | (x >>> (32 - k))

/** A xoshiro128** generator with its four state words. */
export class Xoshiro128 {
  private s0: number
  private s1: number
  private s2: number
  private s3: number
  private spare = Number.NaN

  constructor(s0: number, s1: number, s2: number, s3: number) {
    this.s0 = s0 | 0
    this.s1 = s1 | 0
    this.s2 = s2 | 0
    this.s3 = s3 | 0
    // The all-zero state is the one fixed point of the generator.
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1
  }

  nextUint32 = (): number => {
    const s1 = this.s1
    const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0
    const t = s1 << 9
    this.s2 ^= this.s0
    this.s3 ^= s1
    this.s1 ^= this.s2
    this.s0 ^= this.s3
    this.s2 ^= t
    this.s3 = rotl(this.s3, 11)
    return r
  }

  next = (): number => {
    const a = this.nextUint32() >>> 5
    const b = this.nextUint32() >>> 6
    return (a * 67108864 + b) / 9007199254740992
  }

  normal = (): number => {
    const spare = this.spare
    if (spare === spare) {
      this.spare = Number.NaN
      return spare
    }
    // Box–Muller; 1 − u keeps the logarithm finite.
    const r = Math.sqrt(-2 * Math.log(1 - this.next()))
    const theta = 2 * Math.PI * this.next()
    this.spare = r * Math.sin(theta)
    return r * Math.cos(theta)
  }
}
