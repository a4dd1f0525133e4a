// The store's search-cell cache: catalogue searches per area (stac SearchCells) persisted under
// `.eoforge/search/`, so a resumed build and every worker of the same store reuse each cell's item list.
import { SearchCells, StacClient } from "@eoforge/stac"
import { Store } from "@eoforge/zarr"
import { Effect } from "effect"

/** Where cell lists live in a store (removed by finalize: a finished store holds no cache). */
export const prefix = ".eoforge/search/"

/** How builds search: through cells (options of `SearchCells`, all optional) or per patch (`false`). */
export type Setting = Partial<Omit<SearchCells.Options, "disk">> | false

/** The store as a cell-list disk: failures of the cache are never failures of the build. */
export const diskOf = (store: Store.StoreApi): SearchCells.Disk => ({
  read: (name) =>
    store.get(`${prefix}${name}.json.gz`).pipe(Effect.catch(() => Effect.succeed(undefined))),
  write: (name, bytes) =>
    store.set(`${prefix}${name}.json.gz`, bytes).pipe(Effect.catch(() => Effect.void))
})

/** A client searching through cells persisted in `store`, and the cells' counters (undefined when off). */
export const clientFor = (
  client: StacClient.StacClient["Service"],
  store: Store.StoreApi,
  setting: Setting = {}
): {
  readonly client: StacClient.StacClient["Service"]
  readonly counts: () => SearchCells.Counts | undefined
} => {
  if (setting === false) return { client, counts: () => undefined }
  return SearchCells.withClient(client, { ...setting, disk: diskOf(store) })
}

/** Remove the store's cell lists. */
export const clear = Effect.gen(function* () {
  const store = yield* Store.Store
  for (const key of yield* store.list(prefix)) yield* store.delete(key)
})

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
