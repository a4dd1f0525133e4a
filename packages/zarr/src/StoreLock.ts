// The advisory lock of a store directory: who writes it (pid, host, start, command, layout fingerprint),
// taken before the first write of a build, finalize or retry; stale when its holder died on this host.
import { Clock, Effect, Fiber, Schedule, Schema, type Scope } from "effect"
import { randomBytes } from "node:crypto"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { heldTokens, hostTag, isAlive, isGone } from "./internal/writer.ts"
import { LockHolder, StoreError, StoreLockedError } from "./ZarrError.ts"

/**
 * Whether a process of this host exists (EPERM: it does, under another user): the liveness rule of the
 * store's locks, for other lock files in the store (the search cells' claims) too.
 */
export const processAlive: (pid: number) => boolean = isAlive

/** Key of the whole-store lock file. */
export const lockKey = ".eoforge/lock"
/** Folder of the partition locks (`--shard i/N` builds, which may run side by side). */
export const partitionsKey = ".eoforge/locks"

/** How often a holder refreshes its lock file's modification time (ms). */
export const heartbeatMs = 60_000
/**
 * A lock of another host not refreshed for this long (ms) is abandoned: its pid cannot be checked from
 * here, but a live holder refreshes it every `heartbeatMs` (a pod restarted under a new host name).
 */
export const abandonedAfterMs = 10 * 60_000

/** What a lock is taken for. */
export interface Request {
  /** The command, for the message another writer sees: build, finalize, retry, enqueue. */
  readonly command: string
  /** `Layout.fingerprint` of the store's layout: the recipe, seed and version it holds. */
  readonly recipeHash: string
  /**
   * A partition (`--shard index/count`): partitions of the same recipe that share no shard hold their
   * locks side by side; without one the lock is the whole store's.
   */
  readonly partition?: { readonly index: number; readonly count: number } | undefined
}

/** The holder recorded in a lock file. */
export type Holder = typeof LockHolder.Type

/** A lock held by this process; `release` removes its file (only if it is still ours). */
export interface Lock {
  readonly file: string
  readonly holder: Holder
  readonly release: Effect.Effect<void>
}

const decodeHolder = Schema.decodeUnknownSync(LockHolder)

const encoder = new TextEncoder()

const isCode = (e: unknown, ...codes: ReadonlyArray<string>): boolean =>
  codes.includes((e as { code?: string } | null)?.code ?? "")

const fileOf = (root: string, holder: Holder): string =>
  holder.partition === undefined
    ? path.join(root, ...lockKey.split("/"))
    : path.join(
        root,
        ...partitionsKey.split("/"),
        `${holder.partition.index}of${holder.partition.count}~${holder.host}~${holder.pid}-${holder.token}.json`
      )

/** A holder record for `request` by this process, started now. */
export const holderOf = (request: Request): Effect.Effect<Holder> =>
  Effect.map(Clock.currentTimeMillis, (now) => ({
    pid: process.pid,
    host: hostTag,
    token: randomBytes(8).toString("hex"),
    started: new Date(now).toISOString(),
    command: request.command,
    recipeHash: request.recipeHash,
    ...(request.partition === undefined
      ? {}
      : { partition: { index: request.partition.index, count: request.partition.count } })
  }))

/**
 * Whether a lock's holder is certainly gone: on this host, its process no longer exists; on another
 * host, its lock file (modified at `modifiedMs`) has not been refreshed for `abandonedAfterMs` at `nowMs`.
 */
export const isStale = (holder: Holder, modifiedMs = Infinity, nowMs = -Infinity): boolean =>
  holder.host === hostTag
    ? isGone(holder.host, holder.pid, holder.token, (t) => heldTokens.has(t))
    : nowMs - modifiedMs > abandonedAfterMs

const describe = (h: Holder): string =>
  `eoforge ${h.command}${h.partition === undefined ? "" : ` --shard ${h.partition.index}/${h.partition.count}`} (pid ${h.pid} on ${h.host}, since ${h.started}, recipe ${h.recipeHash.slice(0, 12)})`

const locked = (root: string, file: string, holder: Holder | undefined, why?: string) =>
  new StoreLockedError({
    store: root,
    lockFile: file,
    ...(holder === undefined ? {} : { holder }),
    message:
      holder === undefined
        ? `${root} is locked: ${file} ${why ?? "cannot be read"}; if no eoforge process is writing this store, delete ${file}`
        : `${root} is locked by ${describe(holder)}${why === undefined ? "" : ` ${why}`}; wait for it to finish, or, if that process is gone (${holder.host === hostTag ? "it is still running on this host" : `processes of another host cannot be checked from here; the lock is taken over once not refreshed for ${abandonedAfterMs / 60_000} minutes`}), delete ${file}`
  })

type ReadResult =
  { readonly holder: Holder; readonly modifiedMs: number } | { readonly garbled: true } | undefined

const readHolder = async (file: string): Promise<ReadResult> => {
  let text: string
  let modifiedMs: number
  try {
    text = await fs.readFile(file, "utf8")
    modifiedMs = (await fs.stat(file)).mtimeMs
  } catch (e) {
    if (isCode(e, "ENOENT")) return undefined
    throw e
  }
  try {
    return { holder: decodeHolder(JSON.parse(text)), modifiedMs }
  } catch {
    return { garbled: true }
  }
}

/** Write a lock file whole, failing with EEXIST when one is there (link() is atomic and exclusive). */
const writeExclusive = async (file: string, holder: Holder): Promise<void> => {
  await fs.mkdir(path.dirname(file), { recursive: true })
  const temp = `${file}~${holder.token}.tmp`
  await fs.writeFile(temp, encoder.encode(JSON.stringify(holder) + "\n"), { flag: "wx" })
  try {
    await fs.link(temp, file)
  } finally {
    await fs.rm(temp, { force: true })
  }
}

/**
 * Take a stale whole-store lock out of the way: move it aside under our own name, and only delete it when
 * what was moved is the stale holder's (another process may have replaced it meanwhile: put that back).
 */
const breakStale = async (file: string, stale: Holder, token: string): Promise<void> => {
  const aside = `${file}~${token}.stale`
  try {
    await fs.rename(file, aside)
  } catch (e) {
    if (isCode(e, "ENOENT")) return
    throw e
  }
  const moved = await readHolder(aside)
  if (moved !== undefined && "holder" in moved && moved.holder.token !== stale.token) {
    await fs.link(aside, file).catch(() => undefined)
  }
  await fs.rm(aside, { force: true })
}

const overlaps = (
  a: { readonly index: number; readonly count: number },
  b: { readonly index: number; readonly count: number }
): boolean => {
  const gcd = (x: number, y: number): number => (y === 0 ? x : gcd(y, x % y))
  return (a.index - b.index) % gcd(a.count, b.count) === 0
}

/** Live partition locks other than `mine`; stale ones of this host are removed on the way. */
const livePartitions = async (
  root: string,
  mine: string | undefined,
  nowMs: number
): Promise<Array<Holder>> => {
  const dir = path.join(root, ...partitionsKey.split("/"))
  let names: Array<string>
  try {
    names = await fs.readdir(dir)
  } catch (e) {
    if (isCode(e, "ENOENT")) return []
    throw e
  }
  const out: Array<Holder> = []
  for (const name of names) {
    const file = path.join(dir, name)
    if (file === mine || !name.endsWith(".json")) continue
    const read = await readHolder(file)
    if (read === undefined) continue
    if (!("holder" in read)) continue
    if (isStale(read.holder, read.modifiedMs, nowMs)) await fs.rm(file, { force: true })
    else out.push(read.holder)
  }
  return out
}

type Outcome = { readonly ok: true } | { readonly ok: false; readonly error: StoreLockedError }

const takeWhole = async (root: string, holder: Holder, nowMs: number): Promise<Outcome> => {
  const file = fileOf(root, holder)
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      await writeExclusive(file, holder)
    } catch (e) {
      if (!isCode(e, "EEXIST")) throw e
      const read = await readHolder(file)
      if (read === undefined) continue
      if (!("holder" in read))
        return { ok: false, error: locked(root, file, undefined, "is not a lock record") }
      if (!isStale(read.holder, read.modifiedMs, nowMs))
        return { ok: false, error: locked(root, file, read.holder) }
      await breakStale(file, read.holder, holder.token)
      continue
    }
    // A partition registered before us keeps the store: give the lock back.
    const partitions = await livePartitions(root, undefined, nowMs)
    if (partitions.length > 0) {
      await fs.rm(file, { force: true })
      const other = partitions[0]
      return { ok: false, error: locked(root, fileOf(root, other), other) }
    }
    return { ok: true }
  }
  return { ok: false, error: locked(root, file, undefined, "keeps changing hands") }
}

const takePartition = async (root: string, holder: Holder, nowMs: number): Promise<Outcome> => {
  const file = fileOf(root, holder)
  await writeExclusive(file, holder)
  // Register first, then look: of two conflicting writers at least one sees the other.
  const fail = async (error: StoreLockedError): Promise<Outcome> => {
    await fs.rm(file, { force: true })
    return { ok: false, error }
  }
  const wholeFile = path.join(root, ...lockKey.split("/"))
  const whole = await readHolder(wholeFile)
  if (whole !== undefined) {
    if (!("holder" in whole))
      return fail(locked(root, wholeFile, undefined, "is not a lock record"))
    if (!isStale(whole.holder, whole.modifiedMs, nowMs))
      return fail(locked(root, wholeFile, whole.holder))
  }
  for (const other of await livePartitions(root, file, nowMs)) {
    if (other.recipeHash !== holder.recipeHash)
      return fail(locked(root, fileOf(root, other), other, "from a different recipe"))
    if (other.partition === undefined || overlaps(other.partition, holder.partition!))
      return fail(locked(root, fileOf(root, other), other, "on shards this partition also builds"))
  }
  return { ok: true }
}

// The holder keeps its lock fresh for other hosts: the file's modification time every heartbeat.
const held = (file: string, holder: Holder): Effect.Effect<Lock> =>
  Effect.gen(function* () {
    const touch = Effect.promise(() => {
      const now = new Date()
      return fs.utimes(file, now, now).catch(() => undefined)
    })
    const beat = yield* Effect.forkDetach(
      Effect.repeat(Effect.andThen(Effect.sleep(heartbeatMs), touch), Schedule.forever)
    )
    return { file, holder, release: Effect.andThen(Fiber.interrupt(beat), releaseOf(file, holder)) }
  })

const releaseOf = (file: string, holder: Holder): Effect.Effect<void> =>
  Effect.promise(async () => {
    heldTokens.delete(holder.token)
    const read = await readHolder(file).catch(() => undefined)
    if (read !== undefined && "holder" in read && read.holder.token === holder.token)
      await fs.rm(file, { force: true }).catch(() => undefined)
  })

const storeError = (root: string, operation: string) => (cause: unknown) =>
  new StoreError({
    key: lockKey,
    operation,
    message: `cannot ${operation} the lock of ${root}: ${String((cause as Error)?.message ?? cause)}; check that the store directory is writable`,
    cause
  })

/**
 * Take the lock of the store directory `root` for `request` (no waiting): fails with StoreLockedError
 * naming the holder when a live process holds it; a lock whose holder died on this host is taken over.
 */
export const take = (
  root: string,
  request: Request
): Effect.Effect<Lock, StoreLockedError | StoreError> =>
  Effect.gen(function* () {
    const holder = yield* holderOf(request)
    const now = yield* Clock.currentTimeMillis
    heldTokens.add(holder.token)
    const outcome = yield* Effect.tryPromise({
      try: () =>
        holder.partition === undefined
          ? takeWhole(root, holder, now)
          : takePartition(root, holder, now),
      catch: storeError(root, "take")
    }).pipe(Effect.tapError(() => Effect.sync(() => heldTokens.delete(holder.token))))
    if (!outcome.ok) {
      heldTokens.delete(holder.token)
      return yield* outcome.error
    }
    return yield* held(fileOf(root, holder), holder)
  })

/** `take` as a scoped resource: released when the scope closes (success, failure or interruption). */
export const acquire = (
  root: string,
  request: Request
): Effect.Effect<Lock, StoreLockedError | StoreError, Scope.Scope> =>
  Effect.acquireRelease(take(root, request), (lock) => lock.release)

/**
 * Write the lock of `holder` into a store directory that nobody else can see yet (a staging directory
 * published later by rename), so the store appears already locked; `adopt` it after publishing.
 */
export const plant = (staging: string, holder: Holder): Effect.Effect<void, StoreError> =>
  Effect.tryPromise({
    try: () => {
      heldTokens.add(holder.token)
      return writeExclusive(fileOf(staging, holder), holder)
    },
    catch: storeError(staging, "write")
  })

/** The lock `plant`ed in a staging directory, now published at `root`. */
export const adopt = (root: string, holder: Holder): Effect.Effect<Lock> =>
  held(fileOf(root, holder), holder)

/** Forget a planted lock whose staging directory was not published. */
export const forget = (holder: Holder): Effect.Effect<void> =>
  Effect.sync(() => void heldTokens.delete(holder.token))

/** The holder of the whole-store lock of `root`, if any (for messages and tests). */
export const holderAt = (root: string): Effect.Effect<Holder | undefined, StoreError> =>
  Effect.tryPromise({
    try: async () => {
      const read = await readHolder(path.join(root, ...lockKey.split("/")))
      return read !== undefined && "holder" in read ? read.holder : undefined
    },
    catch: storeError(root, "read")
  })
