// The store's search-cell cache: catalogue searches per area (stac SearchCells) persisted under
// `.eoforge/search/`, so a resumed build and every worker of the same store reuse each cell's item list.
import { Split } from "@eoforge/core"
import { Find, SearchCells, StacClient } from "@eoforge/stac"
import { Layout, Store } from "@eoforge/zarr"
import { Cause, Effect } from "effect"
import { join } from "node:path"
import { exclusiveIn } from "./internal/cellClaim.ts"
import { clearPrefix } from "./internal/storeCache.ts"
import type * as Job from "./Job.ts"

/** Where cell lists live in a store (removed by finalize: a finished store holds no cache). */
export const prefix = ".eoforge/search/"

/** How builds search: through cells (options of `SearchCells`, all optional) or per patch (`false`). */
export type Setting = Partial<Omit<SearchCells.Options, "disk">> | false

/**
 * The store as a cell-list disk: failures of the cache are never failures of the build. With `root`, the
 * store's directory, a cell missing from the store is searched by one process at a time: the others wait for
 * its list (`internal/cellClaim.ts`: a lock file beside the list; a dead holder's lock is taken over).
 */
export const diskOf = (store: Store.StoreApi, root?: string): SearchCells.Disk => {
  const read = (name: string) =>
    store.get(`${prefix}${name}.json.gz`).pipe(Effect.catch(() => Effect.succeed(undefined)))
  return {
    read,
    write: (name, bytes) =>
      store.set(`${prefix}${name}.json.gz`, bytes).pipe(Effect.catch(() => Effect.void)),
    ...(root === undefined
      ? {}
      : { exclusive: exclusiveIn(join(root, ...prefix.split("/")), read) })
  }
}

/**
 * A client searching through cells persisted in `store` (rooted at the directory `root`: one search per cell
 * across processes), the cells' counters (undefined when off) and their `prefetch` (a no-op when off).
 */
export const clientFor = (
  client: StacClient.StacClient["Service"],
  store: Store.StoreApi,
  setting: Setting = {},
  root?: string
): {
  readonly client: StacClient.StacClient["Service"]
  readonly counts: () => SearchCells.Counts | undefined
  readonly prefetch: SearchCells.Cells<unknown>["prefetch"]
} => {
  if (setting === false) return { client, counts: () => undefined, prefetch: () => Effect.void }
  return SearchCells.withClient(client, { ...setting, disk: diskOf(store, root) })
}

/** Remove the store's cell lists (and any lock left beside them). */
export const clear = clearPrefix(prefix)

/** Counts of two cell caches added (undefined when neither searched by cells). */
export const addCounts = (
  a: SearchCells.Counts | undefined,
  b: SearchCells.Counts | undefined
): SearchCells.Counts | undefined =>
  a === undefined
    ? b
    : b === undefined
      ? a
      : {
          cellSearches: a.cellSearches + b.cellSearches,
          memoryHits: a.memoryHits + b.memoryHits,
          diskHits: a.diskHits + b.diskHits,
          direct: a.direct + b.direct
        }

/** Cell searches a prefetch keeps in flight: the STAC client's requests in flight per API host. */
export const prefetchConcurrency = 4

/**
 * Fetch the search cells that the first search of every STAC product × slot of the samples of `shards`
 * will read (products in recipe order, so partners before the products paired with them; then samples and
 * slots), `prefetchConcurrency` at a time: a shard's chips then find their cells in memory rather than
 * waiting for them, and a paired product's cells are searched when its shard starts rather than once its
 * partner's first chips are read. Guard-zone samples that are not extracted, source kinds and composites are
 * left out; cells already held are skipped. The same searches as without it, earlier; never fails (a failure
 * or defect is logged as a warning).
 */
export const prefetchShards = (
  ctx: Job.JobContext,
  shards: ReadonlyArray<number>,
  prefetch: SearchCells.Cells<unknown>["prefetch"]
): Effect.Effect<void> =>
  Effect.gen(function* () {
    for (const k of shards) {
      if (k < 0 || k >= Layout.shardCount(ctx.layout)) continue
      const [start, end] = Layout.shardRange(ctx.layout, k)
      const patches =
        ctx.patches.range === undefined
          ? Array.from({ length: end - start }, (_, i) => ctx.patches.at(start + i))
          : yield* ctx.patches.range(start, end)
      const tasks: Array<Effect.Effect<void>> = []
      for (const product of ctx.products) {
        if (product.kind !== undefined || product.composite !== undefined) continue
        const source = product.rules.source ?? StacClient.api(product.rules.provider.url)
        patches.forEach((patch, i) => {
          if (patch === undefined) return
          if (!ctx.extractGuard && ctx.splits[start + i] === Split.Split.guard) return
          for (const slot of product.slots) {
            const params = Find.searchParams(patch, product.preset, slot, product.rules)
            if (params !== undefined) tasks.push(prefetch(source, params))
          }
        })
      }
      yield* Effect.forEach(tasks, (task) => task, {
        concurrency: prefetchConcurrency,
        discard: true
      })
    }
  }).pipe(
    // Never a failure of the build (its chips search their cells themselves), but never silent either.
    Effect.catchCause((cause) =>
      Effect.logWarning(
        `the prefetch of the search cells of shards ${shards.join(", ")} stopped; their chips search as they are read`,
        Cause.pretty(cause)
      )
    )
  )
