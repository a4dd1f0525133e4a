// Raster sources shared by the chips of a build, at most `capacity` kept open while unused: a source is
// pinned while a read uses it, and the least recently used unpinned source closes when another opens.
import { RasterSource, type RasterError, type RasterInfo } from "@eoforge/raster"
import { Effect, Exit, Scope } from "effect"

/** Opens sources by URL or path for the duration of one use; repeated opens of an open source cost nothing. */
export interface Opener {
  /** Open `uris` (in order), run `use` with them, then release them; a source in use is never closed. */
  readonly use: <A, E, R>(
    uris: ReadonlyArray<string>,
    use: (infos: ReadonlyArray<RasterInfo.RasterInfo>) => Effect.Effect<A, E, R>
  ) => Effect.Effect<A, E | RasterError.RasterOpenError, R>
}

interface Entry {
  readonly info: RasterInfo.RasterInfo
  readonly scope: Scope.Closeable
  pins: number
  /** Its file changed since it was opened: no longer handed out, closed once unused. */
  stale: boolean
}

// A read that failed because its file changed since its header was read (a header shelf's or this
// process's cached header): the sources are opened again and the read runs once more.
const isChanged = (e: unknown): boolean =>
  typeof e === "object" &&
  e !== null &&
  (e as { _tag?: unknown })._tag === "RasterReadError" &&
  (e as { problem?: unknown }).problem === "Changed"

/** An opener keeping at most `capacity` unused sources open; all close with the enclosing scope. */
export const make = Effect.fnUntraced(function* (capacity = 64) {
  const raster = yield* RasterSource.RasterSource
  const parent = yield* Scope.Scope
  // A Map iterates in insertion order: re-inserting on use makes the first key the least recent.
  const open = new Map<string, Entry>()
  const evict = Effect.gen(function* () {
    for (const [uri, entry] of open) {
      if (open.size <= capacity) break
      if (entry.pins > 0) continue
      open.delete(uri)
      yield* Scope.close(entry.scope, Exit.void)
    }
  })
  const acquire = (uri: string): Effect.Effect<Entry, RasterError.RasterOpenError> =>
    Effect.suspend(() => {
      const hit = open.get(uri)
      if (hit !== undefined) {
        hit.pins++
        open.delete(uri)
        open.set(uri, hit)
        return Effect.succeed(hit)
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
          raced.pins++
          return raced
        }
        const entry: Entry = { info, scope, pins: 1, stale: false }
        open.set(uri, entry)
        return entry
      })
    })
  const release = (entries: ReadonlyArray<Entry>) =>
    Effect.gen(function* () {
      for (const e of entries) {
        e.pins--
        if (e.stale && e.pins === 0) yield* Scope.close(e.scope, Exit.void)
      }
      yield* evict
    })
  const discard = (entries: ReadonlyArray<Entry>) =>
    Effect.sync(() => {
      for (const [uri, entry] of open)
        if (entries.includes(entry)) {
          entry.stale = true
          open.delete(uri)
        }
    })
  // As acquireUseRelease, but opening stays interruptible: it may wait on a silent host for minutes,
  // and SIGTERM must stop the build within seconds. Sources opened so far are released either way.
  const once = <A, E, R>(
    uris: ReadonlyArray<string>,
    use: (infos: ReadonlyArray<RasterInfo.RasterInfo>) => Effect.Effect<A, E, R>,
    last: boolean
  ): Effect.Effect<A, E | RasterError.RasterOpenError, R> =>
    Effect.uninterruptibleMask((restore) =>
      Effect.gen(function* () {
        const held: Array<Entry> = []
        for (const uri of uris) {
          const entry = yield* restore(acquire(uri)).pipe(Effect.onError(() => release(held)))
          held.push(entry)
        }
        return yield* restore(use(held.map((e) => e.info))).pipe(
          Effect.tapError((e) => (!last && isChanged(e) ? discard(held) : Effect.void)),
          Effect.ensuring(release(held))
        )
      })
    )
  const opener: Opener = {
    use: (uris, use) =>
      once(uris, use, false).pipe(Effect.catchIf(isChanged, () => once(uris, use, true)))
  }
  return opener
})
