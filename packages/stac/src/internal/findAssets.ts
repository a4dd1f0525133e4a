// The assets of a chosen acquisition for `Find`: every band's refs checked by the access policy and signed,
// and the Found record made of them.
import { Reason, Redact } from "@eoforge/core"
import { Effect, Redacted } from "effect"
import * as Access from "../Access.ts"
import { AssetSigner } from "../AssetSigner.ts"
import type { AssetRef, Found, Missing, Rules } from "../Find.ts"
import type { Preset } from "../Product.ts"
import type * as Selection from "../Selection.ts"
import * as StacClient from "../StacClient.ts"
import type { ItemError } from "../StacError.ts"
import type { Item } from "../StacItem.ts"
import * as StacItem from "../StacItem.ts"
import type { Slot } from "../TimeSlots.ts"
import { missing, type Candidates } from "./findCandidates.ts"

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

// The Found record of a choice: every band's asset per item, checked by the access policy and signed.
export const foundOf = Effect.fnUntraced(function* (
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
