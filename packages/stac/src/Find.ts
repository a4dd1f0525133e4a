// Finding one acquisition for a patch × product × time slot: search, rank, cover, pair, sign.
// Every call ends with a Found record or a Missing record carrying a core Reason code — never silently empty.
import { Patch, Reason, Redact } from "@eoforge/core"
import { Effect, Redacted, Stream } from "effect"
import * as Access from "./Access.ts"
import { AssetSigner } from "./AssetSigner.ts"
import type { Provider } from "./Presets.ts"
import type { Preset } from "./Product.ts"
import * as Search from "./Search.ts"
import * as Selection from "./Selection.ts"
import * as StacClient from "./StacClient.ts"
import { ItemError, NotStacError, UnknownCollectionError } from "./StacError.ts"
import type { Item } from "./StacItem.ts"
import * as StacItem from "./StacItem.ts"
import type { Slot } from "./TimeSlots.ts"

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

const missing = (slot: Slot, reason: Reason.Reason, detail: string): Missing => ({
  _tag: "Missing",
  slot: slot.id,
  reason,
  detail
})

/** The search parameters `find` sends for one window (exported so request sets can be golden-tested). */
export const searchParams = (
  patch: Pick<Patch.Patch, "footprint">,
  preset: Preset,
  window: Pick<Slot, "start" | "end">,
  rules: Pick<Rules, "provider" | "select" | "maxCloud" | "limit">
): Search.SearchParams | undefined => {
  const binding = preset.bindings[rules.provider.id]
  if (binding === undefined) return undefined
  const sortby: ReadonlyArray<Search.SortBy> | undefined =
    rules.select === "least-cloudy" && preset.cloudy
      ? [{ field: "properties.eo:cloud_cover", direction: "asc" }]
      : rules.select === "most-recent"
        ? [{ field: "properties.datetime", direction: "desc" }]
        : undefined
  return {
    collections: [binding.collection],
    intersects: Search.patchGeometry(patch),
    datetime: { start: window.start, end: window.end },
    ...(preset.cloudy && rules.maxCloud !== undefined ? { maxCloud: rules.maxCloud } : {}),
    ...(preset.equals === undefined ? {} : { equals: preset.equals }),
    ...(sortby === undefined ? {} : { sortby }),
    limit: rules.limit ?? 100
  }
}

/**
 * The refs of asset `key` of each of `items` (paint order), checked, allowed by the source's access policy
 * and signed as `find` makes them for bands: an ItemError when an item lacks the asset or it is no raster
 * EOForge reads, a reason when the policy refuses the href or signing fails.
 */
export const assetRefs = Effect.fnUntraced(function* (
  items: ReadonlyArray<Item>,
  key: string,
  preset: Preset,
  rules: Pick<Rules, "provider" | "source" | "preferAlternate">
): Effect.fn.Return<
  ReadonlyArray<AssetRef> | ItemError | { readonly reason: Reason.Reason; readonly detail: string },
  never,
  AssetSigner
> {
  const signer = yield* AssetSigner
  const source = rules.source ?? StacClient.api(rules.provider.url)
  const collection = preset.bindings[rules.provider.id]?.collection ?? preset.spec.source ?? ""
  const access = StacClient.accessOf(source)
  const refs: Array<AssetRef> = []
  for (const item of items) {
    const bad = StacItem.checkAsset(item, key, preset.projected)
    if (bad !== undefined) return bad
    // Hrefs are absolute here (resolved by the client); the policy decides before anything reads them.
    const href = Access.check(
      access,
      StacItem.assetHref(item, key, rules.preferAlternate),
      source.url
    )
    if (typeof href !== "string")
      return {
        reason: Reason.Reason.Unsupported,
        detail: `asset ${key} of item ${item.id}: ${href.message}`
      }
    const url = yield* signer
      .sign(collection, href)
      .pipe(Effect.catchTag("SignError", (e) => Effect.succeed(e)))
    if (!Redacted.isRedacted(url)) return { reason: Reason.Reason.SourceError, detail: url.message }
    const proj = StacItem.projection(item, key)
    const crs = "crs" in proj ? proj.crs : undefined
    refs.push({
      item: item.id,
      key,
      href: Redact.forRecord(href),
      url,
      ...StacItem.scaling(item, key),
      ...(crs === undefined ? {} : { crs })
    })
  }
  return refs
})

// The items of a window that pass every filter (collection, cloud, polarisations, orbit, pairing).
interface Candidates {
  readonly candidates: ReadonlyArray<Item>
  readonly span: string
  readonly binding: NonNullable<Preset["bindings"][string]>
  readonly source: StacClient.Source
}

const candidatesIn = Effect.fnUntraced(function* (
  patch: Patch.Patch,
  preset: Preset,
  slot: Slot,
  window: Slot,
  rules: Rules
): Effect.fn.Return<Candidates | Missing, FindError, StacClient.StacClient> {
  const client = yield* StacClient.StacClient
  const binding = preset.bindings[rules.provider.id]
  const params = searchParams(patch, preset, window, rules)
  if (binding === undefined || params === undefined) {
    return yield* new UnknownCollectionError({
      collection: `${preset.spec.id} (no binding)`,
      source: rules.provider.id
    })
  }
  const source = rules.source ?? StacClient.api(rules.provider.url)
  const run = (p: Search.SearchParams) =>
    Stream.runCollect(client.search(source, p)).pipe(
      Effect.map((items): ReadonlyArray<Item> | Missing => items),
      Effect.catchTag("StacHttpError", (e) =>
        Effect.succeed(
          missing(
            slot,
            e.permanent === true ? Reason.Reason.AccessDenied : Reason.Reason.SourceError,
            e.message
          )
        )
      ),
      // A link the access policy refuses will be refused again: no retry can help.
      Effect.catchTag("AccessError", (e) =>
        Effect.succeed(missing(slot, Reason.Reason.Unsupported, e.message))
      )
    )
  const items = yield* run(params)
  if (!Array.isArray(items)) return items as Missing
  const span = `${Search.interval(window.start, window.end)} in ${binding.collection}`
  if (items.length === 0) {
    if (params.maxCloud === undefined) {
      return missing(slot, Reason.Reason.NoItemInWindow, `no item intersects the patch ${span}`)
    }
    const { maxCloud: _m, ...open } = params
    const any = yield* run({ ...open, limit: 1 })
    if (!Array.isArray(any)) return any as Missing
    return any.length > 0
      ? missing(
          slot,
          Reason.Reason.TooCloudy,
          `items exist ${span} but none below ${params.maxCloud} % cloud`
        )
      : missing(slot, Reason.Reason.NoItemInWindow, `no item intersects the patch ${span}`)
  }
  let candidates: ReadonlyArray<Item> = items
  if (preset.polarisations !== undefined) {
    const want = preset.polarisations
    const has = (item: Item) => {
      const pols = item.properties["sar:polarizations"]
      return Array.isArray(pols) && want.every((p) => pols.includes(p))
    }
    candidates = candidates.filter(has)
    if (candidates.length === 0) {
      const seen = [
        ...new Set(items.map((i) => JSON.stringify(i.properties["sar:polarizations"] ?? null)))
      ]
      return missing(
        slot,
        Reason.Reason.PolarisationMissing,
        `${items.length} item(s) ${span}, none with polarisations ${want.join("+")} (they have ${seen.join(", ")})`
      )
    }
  }
  const constraints: Array<string> = []
  if (rules.excludeItems !== undefined && rules.excludeItems.size > 0) {
    const excluded = rules.excludeItems
    candidates = candidates.filter((i) => !excluded.has(i.id))
    constraints.push(`none of the ${excluded.size} item(s) already refused`)
  }
  if (rules.relativeOrbit !== undefined) {
    candidates = Selection.onRelativeOrbit(candidates, rules.relativeOrbit)
    constraints.push(`relative orbit ${rules.relativeOrbit}`)
  }
  if (rules.sameDatatakeAs !== undefined) {
    candidates = Selection.sameDatatake(candidates, rules.sameDatatakeAs.items[0])
    constraints.push(
      `datatake ${Selection.datatakeKey(rules.sameDatatakeAs.items[0]) ?? "(unknown)"}`
    )
  }
  if (rules.near !== undefined) {
    candidates = Selection.withinDays(candidates, rules.near.found.datetime, rules.near.maxDays)
    constraints.push(
      `within ${rules.near.maxDays} days of ${Search.isoString(rules.near.found.datetime)}`
    )
  }
  if (candidates.length === 0) {
    return missing(
      slot,
      Reason.Reason.PairingFailed,
      `${items.length} item(s) ${span}, none with ${constraints.join(" and ")}`
    )
  }
  return { candidates, span, binding, source }
})

// The Found record of a choice: every band's asset per item, checked by the access policy and signed.
const foundOf = Effect.fnUntraced(function* (
  preset: Preset,
  slot: Slot,
  window: Slot,
  rules: Rules,
  { binding }: Candidates,
  choice: Selection.Choice
): Effect.fn.Return<Found | Missing, ItemError, AssetSigner> {
  const assets: Record<string, Array<AssetRef>> = {}
  for (const band of preset.spec.bands) {
    const refs = yield* assetRefs(choice.items, binding.assets[band.name], preset, rules)
    if (!Array.isArray(refs)) {
      if ("_tag" in refs && refs._tag === "ItemError") return yield* refs as ItemError
      const r = refs as { readonly reason: Reason.Reason; readonly detail: string }
      return missing(slot, r.reason, r.detail)
    }
    assets[band.name] = refs
  }
  const first = choice.items[0]
  const datetime = StacItem.datetimeMs(first) ?? window.reference
  const clouds = choice.items.map(StacItem.cloudCover).filter((c): c is number => c !== undefined)
  const orbit = StacItem.relativeOrbit(first)
  const state = StacItem.orbitState(first)
  return {
    _tag: "Found",
    slot: slot.id,
    window: { start: window.start, end: window.end },
    fallback: window !== slot,
    items: choice.items,
    assets,
    datetime,
    ...(clouds.length > 0 ? { cloud: Math.max(...clouds) } : {}),
    ...(rules.near === undefined ? {} : { deltaT: datetime - rules.near.found.datetime }),
    ...(orbit === undefined ? {} : { relativeOrbit: orbit }),
    ...(state === undefined ? {} : { orbitState: state }),
    mosaic: choice.mosaic,
    coverage: choice.coverage
  }
})

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
