// What a process that did not plan a build needs to run its shards (queue workers, build threads): the
// recipe resolved, the coordinator's compact plan read from the store by slices (the header and split
// column now, each shard's rows when its job runs), and whether the store was made from this recipe.
import { Layout, Store } from "@eoforge/zarr"
import { Effect } from "effect"
import * as Build from "./Build.ts"
import * as PlanFile from "./PlanFile.ts"

/** A store's layout and the prepared plan of `recipe` over it. */
export interface Stored {
  readonly store: Store.StoreApi
  readonly layout: Layout.Layout
  readonly prepared: Build.Planned
  /** The store was created from this recipe, seed and version (its layout is the one they give). */
  readonly matches: boolean
}

/** Open the store at `out` and the plan of `recipe` in it; stores of older versions hold none: plan again. */
export const open = Effect.fn("StoredPlan.open")(function* (recipe: string, out: string) {
  const store = Store.makeFileSystem(out)
  const layout = yield* Layout.read.pipe(Effect.provideService(Store.Store, store))
  const compact = yield* PlanFile.open(store, `${out}/${PlanFile.key}`).pipe(
    Effect.catchTag("PlanFileError", () => Effect.succeed(undefined))
  )
  const prepared: Build.Planned =
    compact !== undefined
      ? {
          ...(yield* Build.resolveRecipe(recipe)),
          plan: {
            patches: compact,
            splits: compact.splits,
            splitFit: compact.header.splitFit,
            snap: compact.header.snap
          }
        }
      : yield* Build.prepare(recipe)
  const expected = yield* Build.layoutOf(prepared, layout.attributes.createdAt)
  return {
    store,
    layout,
    prepared,
    matches: JSON.stringify(layout) === JSON.stringify(expected)
  } satisfies Stored
})
