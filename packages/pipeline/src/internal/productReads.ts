// Reads of other products (a reader's DEM) shared within a patch: keyed by the patch object — the shard job's
// own — then by a key naming the product read and the grid. Every slot of every product of a patch reading the
// same DEM onto the same grid (Sentinel-1 ascending and descending, four seasons each) shares one read instead
// of one per slot. Concurrent callers wait for the same read. An interrupted read is not kept, nor one whose
// result `keep` refuses (a transient failure: the next caller reads again). The job `forget`s a patch once its
// slots are done, so at most the patches in flight hold a read.
import { type PixelGrid } from "@eoforge/core"
import { Effect } from "effect"

const reads = new WeakMap<object, Map<string, Effect.Effect<unknown, unknown, unknown>>>()

/**
 * `read()` run once per `patch` and `key`, its result (or failure) given to every caller waiting on it; a result
 * `keep` refuses is given to those, then dropped (the next caller reads again).
 */
export const shared = <A, E, R>(
  patch: object,
  key: string,
  read: () => Effect.Effect<A, E, R>,
  keep: (a: A) => boolean = () => true
): Effect.Effect<A, E, R> =>
  Effect.suspend(() => {
    let byPatch = reads.get(patch)
    if (byPatch === undefined) reads.set(patch, (byPatch = new Map()))
    const entries = byPatch
    let once = entries.get(key) as Effect.Effect<A, E, R> | undefined
    if (once === undefined) {
      // `cached` only makes the memo (synchronously); the read runs when the first caller runs it.
      const memo: Effect.Effect<A, E, R> = Effect.runSync(
        Effect.cached(
          Effect.tap(read(), (a) =>
            Effect.sync(() => {
              if (!keep(a) && entries.get(key) === memo) entries.delete(key)
            })
          )
        )
      )
      once = memo
      entries.set(key, memo as Effect.Effect<unknown, unknown, unknown>)
    }
    return once
  })

/** Drops the reads of `patch` (its slots are done). */
export const forget = (patch: object): void => {
  reads.delete(patch)
}

/** A key for `grid`: equal for equal grids. */
export const gridKey = (g: PixelGrid.PixelGrid): string =>
  `${JSON.stringify(g.crs)} ${g.x0} ${g.y0} ${g.resolution} ${g.width} ${g.height}`
