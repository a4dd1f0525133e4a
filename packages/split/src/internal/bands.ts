// Classifying a position along the band axis: its band's split, or guard near a change of split.
// u and reach are in projected metres; bands are [phase + k·W, phase + (k + 1)·W).

const mod = (a: number, n: number): number => ((a % n) + n) % n

/**
 * The split code of position `u` (0/1/2), or 255 when any boundary between two different splits lies
 * closer than `reach` metres.
 */
export const classify = (
  u: number,
  reach: number,
  phase: number,
  width: number,
  pattern: ReadonlyArray<number>
): number => {
  const L = pattern.length
  const t = (u - phase) / width
  const k = Math.floor(t)
  const s = pattern[mod(k, L)]
  if (reach <= 0) return s
  const lo = Math.floor((u - reach - phase) / width)
  const hi = Math.floor((u + reach - phase) / width)
  if (hi - lo >= 2 * L) {
    return pattern.every((x) => x === s) ? s : 255
  }
  for (let j = lo; j <= hi; j++) if (pattern[mod(j, L)] !== s) return 255
  return s
}
