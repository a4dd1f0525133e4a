// Which interferogram of a slot: date-pair rules (both acquisitions inside the slot, a temporal baseline in
// days, exact or bounded) and a deterministic choice among the pairs that pass. Pairs are compared as groups
// of frames (one track, direction and date pair), so a patch on a frame edge gets one pair's mosaic.
import type { TimeSlots } from "@eoforge/stac"
import * as GunwName from "./GunwName.ts"

/** The recipe's pair rule. */
export interface Rule {
  /** Exact temporal baseline in days (e.g. 12). */
  readonly baselineDays?: number | undefined
  /** Shortest baseline allowed, days. */
  readonly minDays?: number | undefined
  /** Longest baseline allowed, days. */
  readonly maxDays?: number | undefined
  /** Keep only this direction. */
  readonly direction?: "A" | "D" | undefined
  /** Keep only this relative orbit. */
  readonly track?: number | undefined
}

/** A product found over the patch, with its name parsed and the share of the patch it covers. */
export interface Candidate<P> {
  readonly name: GunwName.GunwName
  readonly product: P
  /** Fraction of the patch inside the product's footprint, 0–1. */
  readonly coverage: number
}

/** The frames of one pair over the patch, and their coverage together. */
export interface Pair<P> {
  readonly direction: "A" | "D"
  readonly track: number
  readonly reference: number
  readonly secondary: number
  readonly baselineDays: number
  /** Frames in name order (newest version of each frame only). */
  readonly frames: ReadonlyArray<Candidate<P>>
  /** Fraction of the patch the frames cover together (as given by `coverageOf`). */
  readonly coverage: number
}

/** Why no pair passed, for the reason's detail. */
export interface Rejection {
  readonly outsideSlot: number
  readonly baseline: number
  readonly orbit: number
  /** Baselines (days) of the pairs inside the slot, sorted, for the message. */
  readonly baselinesSeen: ReadonlyArray<number>
}

/** Whether a pair's dates and baseline pass the rule inside `slot`. */
export const passes = (
  name: GunwName.GunwName,
  rule: Rule,
  slot: Pick<TimeSlots.Slot, "start" | "end">
): "ok" | "outsideSlot" | "baseline" | "orbit" => {
  if (rule.direction !== undefined && name.direction !== rule.direction) return "orbit"
  if (rule.track !== undefined && name.track !== rule.track) return "orbit"
  // Dates are whole UTC days: a date is in the slot when any instant of that day is.
  const inSlot = (t: number) => t + 86_400_000 - 1 >= slot.start && t <= slot.end
  if (!inSlot(name.reference) || !inSlot(name.secondary)) return "outsideSlot"
  const days = GunwName.baselineDays(name)
  if (rule.baselineDays !== undefined && days !== rule.baselineDays) return "baseline"
  if (rule.minDays !== undefined && days < rule.minDays) return "baseline"
  if (rule.maxDays !== undefined && days > rule.maxDays) return "baseline"
  return "ok"
}

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

/**
 * The pair to use, or why none: candidates passing the rule are grouped by (direction, track, reference,
 * secondary), keeping the newest version of each frame; groups are ranked by (1) coverage of the patch,
 * largest first; (2) baseline closest to `baselineDays` (else shortest: coherence falls with time);
 * (3) pair middle closest to the slot's reference instant; (4) later reference; (5) ascending before
 * descending, lower track; so the same candidates always give the same pair.
 */
export const choose = <P>(
  candidates: ReadonlyArray<Candidate<P>>,
  rule: Rule,
  slot: TimeSlots.Slot,
  coverageOf: (frames: ReadonlyArray<Candidate<P>>) => number
): Pair<P> | Rejection => {
  const rejected = { outsideSlot: 0, baseline: 0, orbit: 0 }
  const baselines = new Set<number>()
  const groups = new Map<string, Map<string, Candidate<P>>>()
  for (const c of candidates) {
    const verdict = passes(c.name, rule, slot)
    if (verdict === "baseline") baselines.add(GunwName.baselineDays(c.name))
    if (verdict !== "ok") {
      rejected[verdict]++
      continue
    }
    const n = c.name
    const key = `${n.direction}|${n.track}|${n.reference}|${n.secondary}`
    const frames = groups.get(key) ?? new Map<string, Candidate<P>>()
    const known = frames.get(n.frame)
    if (
      known === undefined ||
      GunwName.compareVersions(n.version, known.name.version) > 0 ||
      (GunwName.compareVersions(n.version, known.name.version) === 0 &&
        compareText(n.id, known.name.id) < 0)
    )
      frames.set(n.frame, c)
    groups.set(key, frames)
  }
  if (groups.size === 0) return { ...rejected, baselinesSeen: [...baselines].sort((a, b) => a - b) }
  const target = rule.baselineDays ?? 0
  const pairs = [...groups.values()].map((frames): Pair<P> => {
    const list = [...frames.values()].sort((a, b) => compareText(a.name.id, b.name.id))
    const n = list[0]!.name
    return {
      direction: n.direction,
      track: n.track,
      reference: n.reference,
      secondary: n.secondary,
      baselineDays: GunwName.baselineDays(n),
      frames: list,
      coverage: coverageOf(list)
    }
  })
  const middle = (p: Pair<P>) => Math.abs((p.reference + p.secondary) / 2 - slot.reference)
  pairs.sort(
    (a, b) =>
      b.coverage - a.coverage ||
      Math.abs(a.baselineDays - target) - Math.abs(b.baselineDays - target) ||
      middle(a) - middle(b) ||
      b.reference - a.reference ||
      compareText(a.direction, b.direction) ||
      a.track - b.track
  )
  return pairs[0]!
}

/** Whether `choose` gave a pair. */
export const isPair = <P>(r: Pair<P> | Rejection): r is Pair<P> => "frames" in r
