// Reads of other products (a reader's DEM) shared within a patch: keyed by the patch object — the shard job's
// own, so the reads go with the job — then by a key naming the product read and the grid. Every slot of every
// product of a patch reading the same DEM onto the same grid (Sentinel-1 ascending and descending, four
// seasons each) shares one read instead of one per slot. Concurrent callers wait for the same read; an
// interrupted read is not kept (the next caller starts it again).
import { type PixelGrid } from "@eoforge/core"
import { Effect } from "effect"

const reads = new WeakMap<object, Map<string, Effect.Effect<unknown, unknown, unknown>>>()

/** `read()` run once per `patch` and `key`, its result (or failure) given to every caller. */
export const shared = <A, E, R>(
  patch: object,
  key: string,
  read: () => Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> =>
  Effect.suspend(() => {
    let byPatch = reads.get(patch)
    if (byPatch === undefined) reads.set(patch, (byPatch = new Map()))
    let once = byPatch.get(key) as Effect.Effect<A, E, R> | undefined
    if (once === undefined) {
      // `cached` only makes the memo (synchronously); the read runs when the first caller runs it.
      once = Effect.runSync(Effect.cached(read()))
      byPatch.set(key, once as Effect.Effect<unknown, unknown, unknown>)
    }
    return once
  })

/** A key for `grid`: equal for equal grids. */
export const gridKey = (g: PixelGrid.PixelGrid): string =>
  `${JSON.stringify(g.crs)} ${g.x0} ${g.y0} ${g.resolution} ${g.width} ${g.height}`
