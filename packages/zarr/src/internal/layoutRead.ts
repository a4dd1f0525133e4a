// Reading a store's layout back: the root zarr.json of an EOForge store, checked against the layout limits
// before anything trusts it (Layout.read).
import { Effect } from "effect"
import type { Layout } from "../Layout.ts"
import { Store } from "../Store.ts"
import { InvalidStoreError, NotAStoreError, type StoreError } from "../ZarrError.ts"
import * as Limits from "./layoutLimits.ts"

/**
 * The layout recorded in a store's root `zarr.json`; fails with NotAStoreError if there is none and
 * InvalidStoreError when it breaks the limits (absurd sizes, unsafe names, unknown types).
 */
export const read: Effect.Effect<Layout, NotAStoreError | InvalidStoreError | StoreError, Store> =
  Effect.gen(function* () {
    const store = yield* Store
    const bytes = yield* store.get("zarr.json")
    const notAStore = (message: string, cause?: unknown) =>
      new NotAStoreError({ location: store.location, message, cause })
    if (bytes === undefined)
      return yield* notAStore(
        `${store.location} is not a Zarr store: it has no zarr.json at its root; create it with Layout.create`
      )
    const doc = yield* Effect.try({
      try: () => JSON.parse(new TextDecoder().decode(bytes)) as Record<string, any>,
      catch: (cause) => notAStore(`${store.location}/zarr.json is not valid JSON`, cause)
    })
    if (typeof doc !== "object" || doc === null || Array.isArray(doc))
      return yield* notAStore(`${store.location}/zarr.json is not a JSON object`)
    if (doc.zarr_format !== 3 || doc.node_type !== "group")
      return yield* notAStore(
        `${store.location}/zarr.json is not a Zarr v3 group (zarr_format ${doc?.zarr_format})`
      )
    const eo = typeof doc.attributes === "object" ? doc.attributes?.eoforge : undefined
    if (typeof eo !== "object" || eo === null || eo.layout === undefined)
      return yield* notAStore(
        `${store.location} is a Zarr v3 group but not an EOForge store (no eoforge.layout attribute)`
      )
    const problem = Limits.problemOf(eo.layout)
    if (problem !== undefined)
      return yield* new InvalidStoreError({
        location: store.location,
        key: `zarr.json eoforge.layout${problem.key === "" ? "" : `.${problem.key}`}`,
        message: `${store.location} cannot be opened: its zarr.json eoforge.layout${problem.key === "" ? "" : `.${problem.key}`} ${problem.message}; the store is damaged or was not written by EOForge`
      })
    return {
      samples: eo.layout.samples,
      shardSamples: eo.layout.shardSamples,
      sharded: eo.layout.sharded,
      products: eo.layout.products,
      attributes: {
        eoforgeVersion: eo.version,
        recipe: doc.attributes.recipe,
        seed: doc.attributes.seed,
        createdAt: doc.attributes.created,
        licences: doc.attributes.licences
      }
    } satisfies Layout
  })
