// What the store's caches (`.eoforge/search/`, `.eoforge/headers/`) share: removal of every entry under
// their prefix, which finalize runs so that a finished store's bytes do not depend on them.
import { Store } from "@eoforge/zarr"
import { Effect } from "effect"

/** Remove every key of the store under `prefix`. */
export const clearPrefix = (prefix: string) =>
  Effect.gen(function* () {
    const store = yield* Store.Store
    for (const key of yield* store.list(prefix)) yield* store.delete(key)
  })
