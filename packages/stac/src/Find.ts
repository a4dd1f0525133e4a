// Finding one acquisition for a patch × product × time slot: search, rank, cover, pair, sign.
// Every call ends with a Found record or a Missing record carrying a core Reason code — never silently empty.
import { Patch, Reason } from "@eoforge/core"
import { Effect, Redacted } from "effect"
import { AssetSigner } from "./AssetSigner.ts"
import { foundOf } from "./internal/findAssets.ts"
import { candidatesIn, missing } from "./internal/findCandidates.ts"
import type { Provider } from "./Presets.ts"
import type { Preset } from "./Product.ts"
import * as Search from "./Search.ts"
import * as Selection from "./Selection.ts"
import * as StacClient from "./StacClient.ts"
import { ItemError, NotStacError, UnknownCollectionError } from "./StacError.ts"
import type { Item } from "./StacItem.ts"
import * as StacItem from "./StacItem.ts"
import type { Slot } from "./TimeSlots.ts"

export { assetRefs } from "./internal/findAssets.ts"
export { searchParams } from "./internal/findCandidates.ts"

/** How to pick an acquisition. */
export interface Rules {
  /** The catalogue provider (its id selects the preset's binding). */
  readonly provider: Provider
  /** Read from this source instead of the provider's API (e.g. a static catalogue). */
  readonly source?: StacClient.Source
  readonly select: Selection.Rule
  /** Keep items with `eo:cloud_cover` strictly below this percentage (cloudy products only). */
  readonly maxCloud?: number
  /** Allow a same-day mosaic when no single item covers the patch (default true). */
  readonly allowMosaic?: boolean
  /** Require the same Sentinel-2 datatake as this acquisition (L1C paired with L2A). */
  readonly sameDatatakeAs?: Found
  /** Require acquisition within `maxDays` of this acquisition (S1 near S2); ranks by closeness to it. */
  readonly near?: { readonly found: Found; readonly maxDays: number }
  /** Require this relative orbit (e.g. the one chosen in the first slot). */
  readonly relativeOrbit?: number
  /** Page size of searches. */
  readonly limit?: number
  /** Read an asset's `alternate` of this name or scheme when it has one (e.g. `https` for CDSE's items). */
  readonly preferAlternate?: string
  /** Item ids never chosen (candidates already tried and refused, e.g. over a patch cloud limit). */
  readonly excludeItems?: ReadonlySet<string>
}

/** One asset to read for a band. */
export interface AssetRef {
  readonly item: string
  readonly key: string
  /** The href as catalogued, made absolute, without query secrets (`Redact.forRecord`): safe to record. */
  readonly href: string
  /** The URL to read, possibly signed; prints as `<redacted>`. */
  readonly url: Redacted.Redacted<string>
  /** `raster:bands` scale and offset of the asset, when the item gives them. */
  readonly scale?: number
  readonly offset?: number
  /** The CRS the item declares for the asset, as given (the raster reader resolves it; the file decides when absent). */
  readonly crs?: StacItem.CrsRef
}

/** The acquisition found for a slot. */
export interface Found {
  readonly _tag: "Found"
  readonly slot: string
  /** The window searched (the fallback's when `fallback`), epoch ms inclusive. */
  readonly window: { readonly start: number; readonly end: number }
  readonly fallback: boolean
  readonly items: ReadonlyArray<Item>
  /** Assets per band name, one per item in paint order. */
  readonly assets: Readonly<Record<string, ReadonlyArray<AssetRef>>>
  /** Acquisition instant of the first item, epoch ms. */
  readonly datetime: number
  /** Largest cloud cover among the items, percent (cloudy products). */
  readonly cloud?: number
  /** Signed time from the paired acquisition to this one, ms (with `near`). */
  readonly deltaT?: number
  readonly relativeOrbit?: number
  readonly orbitState?: string
  readonly mosaic: boolean
  /** Fraction of the patch covered (sampled for mosaics). */
  readonly coverage: number
}

/** No acquisition for a slot, with the reason code and a human explanation. */
export interface Missing {
  readonly _tag: "Missing"
  readonly slot: string
  readonly reason: Reason.Reason
  readonly detail: string
}

/** Failures that are configuration or data errors rather than "no data" outcomes. */
export type FindError = UnknownCollectionError | NotStacError | ItemError

const inWindow = Effect.fnUntraced(function* (
  patch: Patch.Patch,
  preset: Preset,
  slot: Slot,
  window: Slot,
  rules: Rules
): Effect.fn.Return<Found | Missing, FindError, StacClient.StacClient | AssetSigner> {
  const c = yield* candidatesIn(patch, preset, slot, window, rules)
  if (!("candidates" in c)) return c
  const candidates = c.candidates
  const choice = Selection.choose(candidates, patch, {
    rule: rules.select,
    referenceMs: rules.near?.found.datetime ?? window.reference,
    allowMosaic: rules.allowMosaic ?? true
  })
  if (choice === undefined) {
    return missing(
      slot,
      Reason.Reason.NotCovered,
      `${c.candidates.length} candidate(s) ${c.span}, none covers the whole patch and mosaics are ${rules.allowMosaic === false ? "disabled" : "empty"}`
    )
  }
  return yield* foundOf(preset, slot, window, rules, c, choice)
})

/**
 * The acquisition of `preset` for `patch` in `slot` under `rules`; when the slot yields nothing suitable
 * (other than a source error) its fallback window is tried. Missing results keep the first window's reason.
 */
export const find = Effect.fn("Find.find")(function* (
  patch: Patch.Patch,
  preset: Preset,
  slot: Slot,
  rules: Rules
): Effect.fn.Return<Found | Missing, FindError, StacClient.StacClient | AssetSigner> {
  const first = yield* inWindow(patch, preset, slot, slot, rules)
  if (
    first._tag === "Found" ||
    first.reason === Reason.Reason.SourceError ||
    slot.fallback === undefined
  ) {
    return first
  }
  const second = yield* inWindow(patch, preset, slot, slot.fallback, rules)
  if (second._tag === "Found") return second
  return {
    ...first,
    detail: `${first.detail}; fallback ${Search.interval(slot.fallback.start, slot.fallback.end)}: ${second.detail}`
  }
})

/** Every acquisition of a slot for a composite: one Found per item, best first under the rule. */
export interface Every {
  readonly _tag: "Every"
  readonly slot: string
  /** One single-item acquisition per candidate, ranked by `rules.select` (least cloudy first by default). */
  readonly acquisitions: ReadonlyArray<Found>
}

const everyInWindow = Effect.fnUntraced(function* (
  patch: Patch.Patch,
  preset: Preset,
  slot: Slot,
  window: Slot,
  rules: Rules
): Effect.fn.Return<Every | Missing, FindError, StacClient.StacClient | AssetSigner> {
  const c = yield* candidatesIn(patch, preset, slot, window, rules)
  if (!("candidates" in c)) return c
  const acquisitions: Array<Found> = []
  const ranked = Selection.rank(
    c.candidates,
    rules.select,
    rules.near?.found.datetime ?? window.reference
  )
  for (const item of ranked) {
    // Items that only touch the patch still count: their pixels outside the scene are invalid.
    const covers = Selection.coversPatch(item, patch)
    const found = yield* foundOf(preset, slot, window, rules, c, {
      items: [item],
      mosaic: false,
      coverage: covers ? 1 : 0
    })
    if (found._tag === "Missing") return found
    acquisitions.push(found)
  }
  return { _tag: "Every", slot: slot.id, acquisitions }
})

/**
 * Every acquisition of `preset` for `patch` in `slot` that passes the rules' filters (cloud cover,
 * polarisations, orbit direction and relative orbit, pairing), for a composite; the fallback window when the
 * slot's own has none. Missing results keep the first window's reason, as `find`.
 */
export const findEvery = Effect.fn("Find.findEvery")(function* (
  patch: Patch.Patch,
  preset: Preset,
  slot: Slot,
  rules: Rules
): Effect.fn.Return<Every | Missing, FindError, StacClient.StacClient | AssetSigner> {
  const first = yield* everyInWindow(patch, preset, slot, slot, rules)
  if (
    first._tag === "Every" ||
    first.reason === Reason.Reason.SourceError ||
    slot.fallback === undefined
  ) {
    return first
  }
  const second = yield* everyInWindow(patch, preset, slot, slot.fallback, rules)
  if (second._tag === "Every") return second
  return {
    ...first,
    detail: `${first.detail}; fallback ${Search.interval(slot.fallback.start, slot.fallback.end)}: ${second.detail}`
  }
})
