// Choosing among candidate items: ranking rules, whole-patch cover first, greedy same-day mosaics otherwise,
// and pairing constraints (same Sentinel-2 datatake, Sentinel-1 within Δt days, same relative orbit).
import type { Patch } from "@eoforge/core"
import * as Geometry from "./internal/geometry.ts"
import type { Item } from "./StacItem.ts"
import * as StacItem from "./StacItem.ts"

/** How to rank candidates: lowest cloud cover, nearest to the slot reference, or latest. */
export type Rule = "least-cloudy" | "closest" | "most-recent"

/** The chosen item(s) for one patch and slot. */
export interface Choice {
  /** One item when it covers the patch, else the mosaic's items in paint order (best first). */
  readonly items: ReadonlyArray<Item>
  /** True when several items were needed. */
  readonly mosaic: boolean
  /** Fraction of the patch covered (1 for a covering item; sampled on a 16 × 16 grid for mosaics). */
  readonly coverage: number
}

const DAY_MS = 86_400_000

/** Candidates sorted best first under the rule; ties broken by datetime then id, so the order is total. */
export const rank = (
  items: ReadonlyArray<Item>,
  rule: Rule,
  referenceMs: number
): ReadonlyArray<Item> => {
  const key = (i: Item): number => {
    const t = StacItem.datetimeMs(i) ?? Number.NaN
    if (rule === "least-cloudy") return StacItem.cloudCover(i) ?? Infinity
    if (rule === "closest") return Math.abs(t - referenceMs)
    return -t
  }
  return [...items]
    .map((item) => ({ item, k: key(item), t: StacItem.datetimeMs(item) ?? 0 }))
    .sort(
      (a, b) =>
        a.k - b.k ||
        Math.abs(a.t - referenceMs) - Math.abs(b.t - referenceMs) ||
        (a.item.id < b.item.id ? -1 : a.item.id > b.item.id ? 1 : 0)
    )
    .map((x) => x.item)
}

/** Whether the item's footprint contains the whole patch footprint. */
export const coversPatch = (item: Item, patch: Pick<Patch.Patch, "footprint">): boolean =>
  item.geometry !== null && Geometry.containsQuad(item.geometry, patch.footprint)

const utcDay = (i: Item): number => Math.floor((StacItem.datetimeMs(i) ?? 0) / DAY_MS)

const greedy = (
  ranked: ReadonlyArray<Item>,
  points: ReadonlyArray<readonly [number, number]>,
  centre: number
): { readonly items: ReadonlyArray<Item>; readonly covered: number } => {
  const masks = ranked.map((i) =>
    i.geometry === null
      ? new Uint8Array(points.length)
      : Geometry.covers(i.geometry, points, centre)
  )
  const covered = new Uint8Array(points.length)
  const chosen: Array<Item> = []
  let count = 0
  for (;;) {
    let best = -1
    let gain = 0
    for (let k = 0; k < masks.length; k++) {
      let g = 0
      const m = masks[k]
      for (let p = 0; p < m.length; p++) if (m[p] === 1 && covered[p] === 0) g++
      if (g > gain) {
        gain = g
        best = k
      }
    }
    if (best < 0) break
    chosen.push(ranked[best])
    const m = masks[best]
    for (let p = 0; p < m.length; p++) if (m[p] === 1) covered[p] = 1
    count += gain
    if (count === points.length) break
  }
  return { items: chosen, covered: count }
}

/**
 * The best item covering the whole patch; when none does and mosaics are allowed, a greedy cover by items of
 * one UTC day (days tried in rule order), the first full cover or else the largest partial one.
 */
export const choose = (
  items: ReadonlyArray<Item>,
  patch: Pick<Patch.Patch, "footprint">,
  options: { readonly rule: Rule; readonly referenceMs: number; readonly allowMosaic: boolean }
): Choice | undefined => {
  const ranked = rank(items, options.rule, options.referenceMs)
  const whole = ranked.find((i) => coversPatch(i, patch))
  if (whole !== undefined) return { items: [whole], mosaic: false, coverage: 1 }
  if (!options.allowMosaic || ranked.length === 0) return undefined
  const points = Geometry.samplePoints(patch.footprint, 16)
  const centre = Geometry.centreLon(patch.footprint)
  const dayOrder: Array<number> = []
  for (const i of ranked) if (!dayOrder.includes(utcDay(i))) dayOrder.push(utcDay(i))
  let best: { items: ReadonlyArray<Item>; covered: number } = { items: [], covered: 0 }
  for (const day of dayOrder) {
    const cover = greedy(
      ranked.filter((i) => utcDay(i) === day),
      points,
      centre
    )
    if (cover.covered === points.length)
      return { items: cover.items, mosaic: cover.items.length > 1, coverage: 1 }
    if (cover.covered > best.covered) best = cover
  }
  return best.covered === 0
    ? undefined
    : { items: best.items, mosaic: best.items.length > 1, coverage: best.covered / points.length }
}

/**
 * The datatake of a Sentinel-2 item as `S2A_20210621T101031` (spacecraft and datatake sensing start): from
 * `s2:datatake_id` (`GS2A_20210621T101031_031311_N03.00`), else from a product id in `s2:product_uri` or the
 * item id (`S2A_MSIL2A_20210621T101031_N0300_R022_…`). L1C and L2A of one acquisition share it even when
 * their processing baselines differ.
 */
export const datatakeKey = (item: Item): string | undefined => {
  const dt = item.properties["s2:datatake_id"]
  if (typeof dt === "string") {
    const m = /^G?(S2[A-D])_(\d{8}T\d{6})/.exec(dt)
    if (m) return `${m[1]}_${m[2]}`
  }
  for (const s of [item.properties["s2:product_uri"], item.id]) {
    if (typeof s !== "string") continue
    const m = /^(S2[A-D])_MSI(?:L1C|L2A)_(\d{8}T\d{6})_/.exec(s)
    if (m) return `${m[1]}_${m[2]}`
  }
  return undefined
}

/** Candidates from the same datatake as `reference`. */
export const sameDatatake = (items: ReadonlyArray<Item>, reference: Item): ReadonlyArray<Item> => {
  const key = datatakeKey(reference)
  return key === undefined ? [] : items.filter((i) => datatakeKey(i) === key)
}

/** Candidates acquired within `maxDays` days (inclusive) of the instant `t` (epoch ms). */
export const withinDays = (
  items: ReadonlyArray<Item>,
  t: number,
  maxDays: number
): ReadonlyArray<Item> =>
  items.filter((i) => {
    const ti = StacItem.datetimeMs(i)
    return ti !== undefined && Math.abs(ti - t) <= maxDays * DAY_MS
  })

/** Candidates on the given relative orbit. */
export const onRelativeOrbit = (items: ReadonlyArray<Item>, orbit: number): ReadonlyArray<Item> =>
  items.filter((i) => StacItem.relativeOrbit(i) === orbit)
