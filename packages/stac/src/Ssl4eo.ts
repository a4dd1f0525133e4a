// SSL4EO-S12's acquisition rules against Earth Search: four seasonal 31-day windows with a fallback year,
// Sentinel-2 L2A under 10 % cloud, L1C from the same datatake, Sentinel-1 GRD closest to the S2 date.
import { type Patch, Reason } from "@eoforge/core"
import { Effect } from "effect"
import type { AssetSigner } from "./AssetSigner.ts"
import * as Find from "./Find.ts"
import * as Presets from "./Presets.ts"
import type { Preset } from "./Product.ts"
import * as Search from "./Search.ts"
import type * as StacClient from "./StacClient.ts"
import * as TimeSlots from "./TimeSlots.ts"

/** The rule set; defaults reproduce SSL4EO-S12 with the fixes EOForge makes (see README). */
export interface Options {
  readonly year: number
  readonly fallbackYear: number
  /** Days either side of each reference date (window = 2·N + 1 whole days, ends inclusive). */
  readonly halfWindowDays: number
  /** Scene cloud cover must be strictly below this, percent. */
  readonly maxCloud: number
  /** Sentinel-1 must be acquired within this many days of the chosen Sentinel-2 acquisition. */
  readonly s1MaxDays: number
  readonly provider: Presets.Provider
}

/** SSL4EO-S12 defaults: 2021 with 2020 fallback, ±15 days, < 10 % cloud, S1 within 12 days, Earth Search. */
export const defaults: Options = {
  year: 2021,
  fallbackYear: 2020,
  halfWindowDays: 15,
  maxCloud: 10,
  s1MaxDays: 12,
  provider: Presets.earthSearch
}

/** The products of one SSL4EO-S12 sample, in search order. */
export const products: ReadonlyArray<Preset> = [
  Presets.sentinel2L2A,
  Presets.sentinel2L1C,
  Presets.sentinel1Grd({ unit: "dB" })
]

/** The four season slots with their fallback windows. */
export const slots = (options: Partial<Options> = {}): ReadonlyArray<TimeSlots.Slot> => {
  const o = { ...defaults, ...options }
  return TimeSlots.ssl4eoSeasons({
    year: o.year,
    halfWindowDays: o.halfWindowDays,
    fallbackYear: o.fallbackYear
  })
}

/** One recorded search request. */
export interface Request {
  readonly product: string
  readonly slot: string
  readonly fallback: boolean
  readonly body: Readonly<Record<string, unknown>>
}

/**
 * Every POST /search body the rules send for one patch before pairing narrows them (4 seasons × 3 products ×
 * primary/fallback window), for a server with the given capabilities.
 */
export const requests = (
  patch: Pick<Patch.Patch, "footprint">,
  capabilities: Pick<Search.Capabilities, "dialect" | "sort">,
  options: Partial<Options> = {}
): ReadonlyArray<Request> => {
  const o = { ...defaults, ...options }
  const out: Array<Request> = []
  for (const slot of slots(o)) {
    for (const [product, select] of [
      [products[0], "least-cloudy"],
      [products[1], "least-cloudy"],
      [products[2], "closest"]
    ] as const) {
      for (const window of [slot, slot.fallback!]) {
        const params = Find.searchParams(patch, product, window, {
          provider: o.provider,
          select,
          maxCloud: o.maxCloud
        })!
        out.push({
          product: product.spec.id,
          slot: slot.id,
          fallback: window !== slot,
          body: Search.body(params, capabilities)
        })
      }
    }
  }
  return out
}

/** The three acquisitions of one season. */
export interface Season {
  readonly slot: string
  readonly s2l2a: Find.Found | Find.Missing
  readonly s2l1c: Find.Found | Find.Missing
  readonly s1grd: Find.Found | Find.Missing
}

/**
 * All four seasons of one patch: L2A least cloudy, then L1C of the same datatake, then S1 closest to the L2A
 * date within `s1MaxDays`. When L2A is missing, L1C and S1 are Missing with PairingFailed.
 */
export const findPatch = Effect.fn("Ssl4eo.findPatch")(function* (
  patch: Patch.Patch,
  options: Partial<Options> & { readonly source?: StacClient.Source } = {}
): Effect.fn.Return<ReadonlyArray<Season>, Find.FindError, StacClient.StacClient | AssetSigner> {
  const o = { ...defaults, ...options }
  const base = { provider: o.provider, ...(options.source ? { source: options.source } : {}) }
  const seasons: Array<Season> = []
  for (const slot of slots(o)) {
    const l2a = yield* Find.find(patch, products[0], slot, {
      ...base,
      select: "least-cloudy",
      maxCloud: o.maxCloud
    })
    if (l2a._tag === "Missing") {
      const unpaired: Find.Missing = {
        _tag: "Missing",
        slot: slot.id,
        reason: Reason.Reason.PairingFailed,
        detail: `no Sentinel-2 L2A to pair with (${l2a.detail})`
      }
      seasons.push({ slot: slot.id, s2l2a: l2a, s2l1c: unpaired, s1grd: unpaired })
      continue
    }
    const l1c = yield* Find.find(patch, products[1], slot, {
      ...base,
      select: "least-cloudy",
      maxCloud: o.maxCloud,
      sameDatatakeAs: l2a
    })
    const s1 = yield* Find.find(patch, products[2], slot, {
      ...base,
      select: "closest",
      near: { found: l2a, maxDays: o.s1MaxDays }
    })
    seasons.push({ slot: slot.id, s2l2a: l2a, s2l1c: l1c, s1grd: s1 })
  }
  return seasons
})
