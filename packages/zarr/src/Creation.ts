// Atomic creation of a new store directory: its skeleton is written into a hidden staging sibling and
// published by one rename, so a kill at any instant leaves either no store or a complete skeleton.
import { Effect } from "effect"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { hostTag, isGone, processToken } from "./internal/writer.ts"
import { StoreError } from "./ZarrError.ts"

// `.<store name>~<host>~<pid>-<token>~<n>.creating`, beside the store.
const STAGING = /^\.(.+)~([^~/]+)~(\d+)-([0-9a-f]+)~(\d+)\.creating$/
let stagingCounter = 0

const isCode = (e: unknown, ...codes: ReadonlyArray<string>): boolean =>
  codes.includes((e as { code?: string } | null)?.code ?? "")

const fail = (root: string, operation: string, advice: string) => (cause: unknown) =>
  new StoreError({
    key: "",
    operation,
    message: `cannot ${operation} the store ${root}: ${String((cause as Error)?.message ?? cause)}; ${advice}`,
    cause
  })

/**
 * Staging directories of `root` left by creations killed on this host (their process is gone); returns
 * their paths after removing them. Staging directories of live processes and other hosts are kept.
 */
export const sweepStaging = (root: string): Effect.Effect<ReadonlyArray<string>, StoreError> =>
  Effect.tryPromise({
    try: async () => {
      const parent = path.dirname(path.resolve(root))
      const base = path.basename(path.resolve(root))
      let names: Array<string>
      try {
        names = await fs.readdir(parent)
      } catch (e) {
        if (isCode(e, "ENOENT")) return []
        throw e
      }
      const removed: Array<string> = []
      for (const name of names) {
        const m = STAGING.exec(name)
        if (m === null || m[1] !== base || !isGone(m[2], Number(m[3]), m[4])) continue
        await fs.rm(path.join(parent, name), { recursive: true, force: true })
        removed.push(path.join(parent, name))
      }
      return removed.sort()
    },
    catch: fail(root, "sweep", "check that its parent directory is writable")
  })

/**
 * Create the store directory `root` atomically: `populate(staging)` writes the whole skeleton into a
 * fresh hidden sibling directory, which is then renamed to `root`. True when this call published the
 * store; false when `root` already held something (another process won the race, or the directory is not
 * empty): the staging directory is removed and nothing of `root` is touched. An empty directory at
 * `root` is replaced; a symbolic link at `root` is followed (the store is created where it points).
 */
export const create = <E, R>(
  root: string,
  populate: (staging: string) => Effect.Effect<void, E, R>
): Effect.Effect<boolean, E | StoreError, R> =>
  Effect.gen(function* () {
    const target = yield* Effect.tryPromise({
      try: async () => {
        const absolute = path.resolve(root)
        try {
          return await fs.realpath(absolute)
        } catch (e) {
          if (isCode(e, "ENOENT")) return absolute
          throw e
        }
      },
      catch: fail(root, "resolve", "check the output path")
    })
    yield* sweepStaging(target)
    const staging = path.join(
      path.dirname(target),
      `.${path.basename(target)}~${hostTag}~${process.pid}-${processToken}~${stagingCounter++}.creating`
    )
    yield* Effect.tryPromise({
      try: async () => {
        await fs.mkdir(path.dirname(target), { recursive: true })
        await fs.mkdir(staging)
      },
      catch: fail(root, "create", "check that its parent directory is writable")
    })
    const removeStaging = Effect.promise(() =>
      fs.rm(staging, { recursive: true, force: true }).catch(() => undefined)
    )
    yield* populate(staging).pipe(Effect.onError(() => removeStaging))
    return yield* Effect.tryPromise({
      try: async () => {
        try {
          await fs.rename(staging, target)
          return true
        } catch (e) {
          await fs.rm(staging, { recursive: true, force: true }).catch(() => undefined)
          if (isCode(e, "ENOTEMPTY", "EEXIST")) return false
          throw e
        }
      },
      catch: fail(
        root,
        "publish",
        "the output must be a new path or an empty directory that is not a mount point"
      )
    })
  })
