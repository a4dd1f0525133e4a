// Repeating band patterns for a set of proportions: the split codes of one period of bands.
// Small periods try every distinct arrangement; larger ones only the rotations of an interleaved one.
import type { Proportions } from "../Proportions.ts"

/** Bands per split in one period: the smallest L ≤ 20 that meets the proportions exactly, else L = 20. */
export const baseCounts = (p: Proportions): readonly [number, number, number] => {
  const fr = [p.train, p.val, p.test]
  for (let L = 1; L <= 20; L++) {
    const c = fr.map((f) => Math.round(f * L))
    if (c.every((ci, i) => Math.abs(ci - fr[i] * L) < 1e-9)) return [c[0], c[1], c[2]]
  }
  const raw = fr.map((f) => f * 20)
  const c = raw.map(Math.floor)
  const order = [0, 1, 2].sort((a, b) => raw[b] - c[b] - (raw[a] - c[a]) || a - b)
  for (let k = 0; c[0] + c[1] + c[2] < 20; k++) c[order[k % 3]]++
  return [c[0], c[1], c[2]]
}

const distinctPermutations = (counts: Array<number>, L: number): Array<Array<number>> => {
  const out: Array<Array<number>> = []
  const cur: Array<number> = []
  const rec = () => {
    if (cur.length === L) return void out.push([...cur])
    for (let s = 0; s < 3; s++) {
      if (counts[s] === 0) continue
      counts[s]--
      cur.push(s)
      rec()
      cur.pop()
      counts[s]++
    }
  }
  rec()
  return out
}

const arrangements = (counts: readonly [number, number, number]): Array<Array<number>> => {
  const L = counts[0] + counts[1] + counts[2]
  let multinomial = 1
  for (let i = 1, k = 0; k < 3; k++) {
    for (let j = 1; j <= counts[k]; j++, i++) multinomial = (multinomial * i) / j
  }
  if (multinomial <= 2520) return distinctPermutations([...counts], L)
  // Interleave by largest lag behind the target share (a Bresenham pattern), then take its rotations.
  const base: Array<number> = []
  const used = [0, 0, 0]
  for (let b = 0; b < L; b++) {
    let best = 0
    let bestLag = -Infinity
    for (let s = 0; s < 3; s++) {
      const lag = (counts[s] * (b + 1)) / L - used[s]
      if (counts[s] > used[s] && lag > bestLag) {
        best = s
        bestLag = lag
      }
    }
    used[best]++
    base.push(best)
  }
  return base.map((_, r) => [...base.slice(r), ...base.slice(0, r)])
}

/** Largest difference between a candidate's band shares and the target proportions. */
export const shareSlack = 0.08

/**
 * Candidate patterns (split codes 0/1/2 per band of one period), in a fixed order: the exact base
 * counts first, then every period of 5–10 bands whose band shares are within `shareSlack` of the
 * targets. Guard zones remove more samples from splits whose bands are isolated, so meeting the target
 * by sample count may need a period whose band shares differ slightly from the target.
 */
export const candidates = (p: Proportions): ReadonlyArray<ReadonlyArray<number>> => {
  const base = baseCounts(p)
  const vectors: Array<readonly [number, number, number]> = [base]
  const fr = [p.train, p.val, p.test]
  for (let L = 5; L <= 10; L++) {
    for (let a = 0; a <= L; a++) {
      for (let b = 0; a + b <= L; b++) {
        const c = [a, b, L - a - b] as const
        const near = c.every((ci, i) => Math.abs(ci / L - fr[i]) <= shareSlack + 1e-12)
        const zeroOk = c.every((ci, i) => (fr[i] === 0) === (ci === 0))
        if (
          near &&
          zeroOk &&
          !vectors.some((v) => v[0] === a && v[1] === b && v[2] === L - a - b)
        ) {
          vectors.push(c)
        }
      }
    }
  }
  return vectors.flatMap(arrangements)
}
