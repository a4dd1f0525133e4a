// Opened raster sources shared by the chips of a build, at most `capacity` at a time: the least
// recently used source is closed (its handle, header and fetched blocks released) when another opens.
import { RasterSource, type RasterError, type RasterInfo } from "@eoforge/raster"
import { Effect, Exit, Scope } from "effect"

/** Opens a raster by URL or path; repeated opens of an open source cost nothing. */
export type Opener = (
  uri: string
) => Effect.Effect<RasterInfo.RasterInfo, RasterError.RasterOpenError>

interface Entry {
  readonly info: RasterInfo.RasterInfo
  readonly scope: Scope.Closeable
}

/** An opener bounded to `capacity` open sources; everything still open closes with the enclosing scope. */
export const make = Effect.fnUntraced(function* (capacity = 64) {
  const raster = yield* RasterSource.RasterSource
  const parent = yield* Scope.Scope
  // A Map iterates in insertion order: re-inserting on use makes the first key the least recent.
  const open = new Map<string, Entry>()
  const opener: Opener = (uri) =>
    Effect.suspend(() => {
      const hit = open.get(uri)
      if (hit !== undefined) {
        open.delete(uri)
        open.set(uri, hit)
        return Effect.succeed(hit.info)
      }
      return Effect.gen(function* () {
        const scope = yield* Scope.fork(parent)
        const info = yield* raster.open(uri).pipe(
          Scope.provide(scope),
          Effect.onError(() => Scope.close(scope, Exit.void))
        )
        // Another fiber may have opened the same source meanwhile: keep one.
        const raced = open.get(uri)
        if (raced !== undefined) {
          yield* Scope.close(scope, Exit.void)
          return raced.info
        }
        open.set(uri, { info, scope })
        while (open.size > capacity) {
          const [oldest, entry] = open.entries().next().value as [string, Entry]
          open.delete(oldest)
          yield* Scope.close(entry.scope, Exit.void)
        }
        return info
      })
    })
  return opener
})
