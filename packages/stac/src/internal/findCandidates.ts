// The candidates of one search window for `Find`: the search parameters, the search itself and every filter
// (cloud, polarisations, refused items, orbit, pairing), each empty outcome a Missing record with its reason.
import { Patch, Reason } from "@eoforge/core"
import { Effect, Stream } from "effect"
import type { FindError, Missing, Rules } from "../Find.ts"
import type { Preset } from "../Product.ts"
import * as Search from "../Search.ts"
import * as Selection from "../Selection.ts"
import * as StacClient from "../StacClient.ts"
import { UnknownCollectionError } from "../StacError.ts"
import type { Item } from "../StacItem.ts"
import type { Slot } from "../TimeSlots.ts"

/** The Missing record of `slot`. */
export const missing = (slot: Slot, reason: Reason.Reason, detail: string): Missing => ({
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

// The items of a window that pass every filter (collection, cloud, polarisations, orbit, pairing).
export interface Candidates {
  readonly candidates: ReadonlyArray<Item>
  readonly span: string
  readonly binding: NonNullable<Preset["bindings"][string]>
  readonly source: StacClient.Source
}

export const candidatesIn = Effect.fnUntraced(function* (
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
