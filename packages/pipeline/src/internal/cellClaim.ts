// One searcher per search cell across the processes sharing a store: a lock file `<name>.lock` beside the
// cell's list, created exclusively; the others wait for the list, and take over a lock whose holder died.
// A holder that keeps no list leaves `<name>.unlisted`: everyone then searches that cell on their own.
import type { SearchCells } from "@eoforge/stac"
import { StoreLock } from "@eoforge/zarr"
import { Clock, Effect, Schedule } from "effect"
import { randomBytes } from "node:crypto"
import * as fs from "node:fs/promises"
import { hostname } from "node:os"
import * as path from "node:path"

/** How claims wait and when a holder counts as gone. */
export interface ClaimOptions {
  /** A lock not refreshed for this long (ms) is taken over (its holder on another host, or hung). */
  readonly staleMs: number
  /** How often a holder refreshes its lock's modification time, ms. */
  readonly heartbeatMs: number
  /** First wait between looks at the list, ms; doubled up to `maxPollMs`. */
  readonly pollMs: number
  readonly maxPollMs: number
  /** A waiter searches itself after waiting this long (ms), whatever the holder does: never a deadlock. */
  readonly maxWaitMs: number
  /** The file operations a takeover uses (tests inject failing ones). */
  readonly rename?: (from: string, to: string) => Promise<void>
}

/**
 * Defaults: stale after 30 s without a heartbeat (every 5 s), polls from 25 ms to 250 ms (a release is seen
 * at most 250 ms late; four stats a second cost nothing), 5 minutes at most.
 */
export const defaultOptions: ClaimOptions = {
  staleMs: 30_000,
  heartbeatMs: 5_000,
  pollMs: 25,
  maxPollMs: 250,
  maxWaitMs: 300_000
}

const host = hostname()

interface Holder {
  readonly pid: number
  readonly host: string
  readonly token: string
}

const codeOf = (e: unknown): string => (e as { code?: string } | null)?.code ?? ""

type Take = "taken" | "held" | "unavailable"

/** Create `file` whole or not at all (link() of a complete temporary file is atomic and exclusive). */
const take = async (
  file: string,
  holder: Holder,
  failed: (code: string) => void
): Promise<Take> => {
  const temp = `${file}~${holder.token}.tmp`
  const text = JSON.stringify(holder)
  try {
    // The folder exists once any list or lock was written: create it only when it is missing.
    await fs.writeFile(temp, text, { flag: "wx" }).catch(async (e: unknown) => {
      if (codeOf(e) !== "ENOENT") throw e
      await fs.mkdir(path.dirname(file), { recursive: true })
      await fs.writeFile(temp, text, { flag: "wx" })
    })
    await fs.link(temp, file)
    return "taken"
  } catch (e) {
    if (codeOf(e) === "EEXIST") return "held"
    failed(codeOf(e) || String(e))
    return "unavailable"
  } finally {
    await fs.rm(temp, { force: true }).catch(() => undefined)
  }
}

interface Lock {
  readonly holder: Holder | undefined
  readonly modifiedMs: number
  readonly ino: number
}

const readLock = async (file: string): Promise<Lock | undefined> => {
  try {
    const [text, stat] = await Promise.all([fs.readFile(file, "utf8"), fs.stat(file)])
    let holder: Holder | undefined
    try {
      const value = JSON.parse(text) as Partial<Holder>
      if (typeof value.pid === "number" && typeof value.host === "string")
        holder = { pid: value.pid, host: value.host, token: String(value.token) }
    } catch {
      holder = undefined
    }
    return { holder, modifiedMs: stat.mtimeMs, ino: stat.ino }
  } catch {
    return undefined
  }
}

/** The lock's modification time and inode, or undefined when it is gone: one stat per look. */
const statLock = (file: string) =>
  fs.stat(file).then(
    (s) => ({ modifiedMs: s.mtimeMs, ino: s.ino }),
    () => undefined
  )

const exists = (file: string) =>
  fs.access(file).then(
    () => true,
    () => false
  )

/** Mark a cell whose list is not kept (best effort: without the mark, waiters take the lock in turn). */
const markUnlisted = (file: string) => fs.writeFile(file, "").catch(() => undefined)

/** Remove our lock only: one taken over meanwhile (we looked stale) is another process's now. */
const release = (file: string, token: string) =>
  Effect.promise(async () => {
    const lock = await readLock(file)
    if (lock?.holder?.token === token) await fs.rm(file, { force: true }).catch(() => undefined)
  })

/** What a takeover did: removed the stale lock, could not move it (no right to), or nothing. */
type Broken = "removed" | "denied" | "nothing"

/**
 * Move a stale lock aside under our own name and delete it, unless what was moved is no longer the stale
 * holder's (another waiter took over first): that one is put back.
 */
const breakStale = async (
  file: string,
  stale: Holder | undefined,
  token: string,
  rename: (from: string, to: string) => Promise<void>
): Promise<Broken> => {
  const aside = `${file}~${token}.stale`
  try {
    await rename(file, aside)
  } catch (e) {
    const code = codeOf(e)
    return code === "EPERM" || code === "EACCES" ? "denied" : "nothing"
  }
  const moved = await readLock(aside)
  if (stale !== undefined && moved?.holder !== undefined && moved.holder.token !== stale.token) {
    await fs.link(aside, file).catch(() => undefined)
    await fs.rm(aside, { force: true }).catch(() => undefined)
    return "nothing"
  }
  await fs.rm(aside, { force: true }).catch(() => undefined)
  return "removed"
}

/** Lock files and folders already warned about in this process: one warning each. */
const warned = new Set<string>()
const warnOnce = (key: string, message: string) =>
  Effect.suspend(() => {
    if (warned.has(key)) return Effect.void
    warned.add(key)
    return Effect.logWarning(message)
  })

/**
 * `SearchCells.Disk.exclusive` over the directory `dir` (the store's `.eoforge/search/` on a local or shared
 * file system), reading lists with `read`. A failure to create locks at all (read-only, unsupported) searches
 * without one: the cache never fails a build.
 */
export const exclusiveIn =
  (
    dir: string,
    read: SearchCells.Disk["read"],
    options: ClaimOptions = defaultOptions
  ): NonNullable<SearchCells.Disk["exclusive"]> =>
  <A>(name: string, search: Effect.Effect<A>): Effect.Effect<SearchCells.Exclusive<A>> =>
    Effect.gen(function* () {
      const file = path.join(dir, `${name}.lock`)
      const unlisted = path.join(dir, `${name}.unlisted`)
      const holder: Holder = { pid: process.pid, host, token: randomBytes(8).toString("hex") }
      const touch = Effect.promise(async () => {
        const now = new Date()
        await fs.utimes(file, now, now).catch(() => undefined)
      })
      // The list may have been written between the caller's read and our lock: look again first.
      const owned: Effect.Effect<SearchCells.Exclusive<A>> = Effect.gen(function* () {
        const bytes = yield* read(name)
        if (bytes !== undefined) return { _tag: "Stored", bytes } as const
        yield* Effect.forkScoped(Effect.repeat(touch, Schedule.spaced(options.heartbeatMs)))
        const value = yield* search
        // No list written (it holds pre-signed URLs, or the search failed): say so before releasing, so that
        // the waiters search at once, side by side, instead of taking the lock one after another.
        if ((yield* read(name)) === undefined) yield* Effect.promise(() => markUnlisted(unlisted))
        return { _tag: "Searched", value } as const
      }).pipe(Effect.scoped)
      const waitOrTake = (
        t: Take
      ): Effect.Effect<SearchCells.Exclusive<A> | Exclude<Take, "taken">> =>
        t === "taken" ? owned : Effect.succeed(t)
      const started = yield* Clock.currentTimeMillis
      // While another process holds the lock: look at it (one stat) with backoff until it goes, goes stale
      // (its holder died here, or stopped refreshing it), or we waited too long.
      const waitWhileHeld = Effect.gen(function* () {
        let lock = yield* Effect.promise(() => readLock(file))
        let delay = options.pollMs
        for (;;) {
          if (lock === undefined) return { _tag: "Released" } as const
          const now = yield* Clock.currentTimeMillis
          const holder = lock.holder
          const dead =
            holder !== undefined && holder.host === host && holder.pid !== process.pid
              ? !StoreLock.processAlive(holder.pid)
              : false
          // The longest wait bounds every path, takeovers included.
          if (now - started > options.maxWaitMs) return { _tag: "TimedOut" } as const
          if (dead || now - lock.modifiedMs > options.staleMs) {
            // Look once more before a takeover: the lock may have been taken again meanwhile, even in place
            // (same inode, so the polls kept the old holder).
            const fresh = yield* Effect.promise(() => readLock(file))
            if (fresh === undefined) return { _tag: "Released" } as const
            if (fresh.holder?.token === holder?.token && fresh.modifiedMs === lock.modifiedMs)
              return { _tag: "Stale", holder } as const
            lock = fresh
            continue
          }
          yield* Effect.sleep(delay)
          delay = Math.min(delay * 2, options.maxPollMs)
          const seen = yield* Effect.promise(() => statLock(file))
          lock =
            seen === undefined
              ? undefined
              : seen.ino === lock.ino
                ? { ...lock, modifiedMs: seen.modifiedMs }
                : yield* Effect.promise(() => readLock(file))
        }
      })
      const rename = options.rename ?? fs.rename
      let backoff = options.pollMs
      let failure = ""
      const searchAlone = Effect.map(search, (value) => ({ _tag: "Searched", value }) as const)
      if (yield* Effect.promise(() => exists(unlisted))) return yield* searchAlone
      for (;;) {
        const outcome = yield* Effect.acquireUseRelease(
          Effect.promise(() => take(file, holder, (code) => (failure = code))),
          waitOrTake,
          (t) => (t === "taken" ? release(file, holder.token) : Effect.void)
        )
        if (outcome === "unavailable") {
          yield* warnOnce(
            dir,
            `search cell locks cannot be created in ${dir} (${failure}): processes sharing this store ` +
              `search each cell on their own; make the folder writable (or free space) to share searches`
          )
          return { _tag: "Searched", value: yield* search } as const
        }
        if (outcome !== "held") return outcome
        const waited = yield* waitWhileHeld
        if (waited._tag === "TimedOut") return { _tag: "Searched", value: yield* search } as const
        if (waited._tag === "Stale") {
          const broken = yield* Effect.promise(() =>
            breakStale(file, waited.holder, holder.token, rename)
          )
          if (broken === "denied") {
            yield* warnOnce(
              file,
              `search cell lock ${file} is stale but cannot be removed by this process (no permission): ` +
                `cells are searched without it; remove ${file} to share searches again`
            )
            return { _tag: "Searched", value: yield* search } as const
          }
          if (broken === "nothing") {
            // Nothing removed (busy file, or another waiter's takeover): do not spin, back off.
            yield* Effect.sleep(backoff)
            backoff = Math.min(backoff * 2, options.maxPollMs)
          }
          continue
        }
        // Released: the holder wrote the list, or marked the cell unlisted (then every waiter searches).
        const bytes = yield* read(name)
        if (bytes !== undefined) return { _tag: "Stored", bytes } as const
        if (yield* Effect.promise(() => exists(unlisted))) return yield* searchAlone
      }
    })
