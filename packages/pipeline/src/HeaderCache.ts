// The store's header cache: the header bytes of the URLs a worker opened (@eoforge/raster HeaderShelf),
// kept under `.eoforge/headers/` so that the other workers of the same store (queue workers, `--shard`
// processes, build threads) read them from the store instead of one round trip per file each. An entry names the file's version (ETag or Last-Modified) and
// size, checked against the first response of every read through it: a changed file is opened again.
import { HeaderShelf } from "@eoforge/raster"
import { Store } from "@eoforge/zarr"
import { Effect } from "effect"
import { clearPrefix } from "./internal/storeCache.ts"

/** Where header entries live in a store (removed by finalize: a finished store holds no cache). */
export const prefix = ".eoforge/headers/"

/**
 * Entries by the first four hex digits of their URL's SHA-256: at most 65,536 of them (each ≤ 1 MiB,
 * typically 16–64 KiB), a later file of the same slot replacing the earlier one (a lookup of the other
 * file is then a miss, as the entry names its key).
 */
export const keyOf = (key: string): string => `${prefix}${key.slice(0, 2)}/${key.slice(2, 4)}.bin`

/** The store as a header shelf: failures of the cache are never failures of a read. */
export const shelfOf = (store: Store.StoreApi): HeaderShelf.Shelf => ({
  read: (key) => store.get(keyOf(key)).pipe(Effect.catch(() => Effect.succeed(undefined))),
  write: (key, bytes) => store.set(keyOf(key), bytes).pipe(Effect.catch(() => Effect.void))
})

/** Remove the store's header entries. */
export const clear = clearPrefix(prefix)
