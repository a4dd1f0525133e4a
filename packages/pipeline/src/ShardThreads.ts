// The shards of one build on several threads of one process: the coordinator's own thread and `count`
// worker threads take shard indices from one shared queue, so a slow shard never leaves a core idle while
// others remain. Each worker thread reads the plan from the store (StoredPlan), has its own raster caches,
// decoders and connections, and writes its shards as any partition does; the coordinator finalizes after all
// have stopped. Only shard files are written by threads, each shard by one thread: the bytes of the store
// are those of a one-thread build.
import { Schema, Effect, type Scope } from "effect"
import { Worker } from "node:worker_threads"
import type { SearchCells } from "@eoforge/stac"
import type * as SearchCache from "./SearchCache.ts"

/** What a worker thread needs to run shards of a build whose store exists. */
export interface Spec {
  /** The recipe as the coordinator was given it (a shipped name or a path, resolved against the same cwd). */
  readonly recipe: string
  /** The store's absolute path. */
  readonly out: string
  readonly concurrency?: number | undefined
  readonly searchCells?: SearchCache.Setting | undefined
  /** Share file headers through the store's `.eoforge/headers/` (HeaderCache). */
  readonly headerCache?: boolean | undefined
}

/** A shard a thread finished. */
export interface Finished {
  readonly shard: number
  readonly chips: number
  readonly missing: number
}

/** What a worker thread read in all. */
export interface Totals {
  readonly chips: number
  readonly requests: number
  readonly bytes: number
  readonly retries: number
  readonly throttled: number
  readonly searches: SearchCells.Counts | undefined
}

/** Messages of a worker thread to the coordinator. */
export type Message =
  | ({ readonly type: "shard" } & Finished)
  | ({ readonly type: "done" } & Totals)
  | { readonly type: "failed"; readonly tag: string; readonly message: string }

/** A worker thread stopped with an error (its message and the tag of the error it met). */
export class BuildThreadError extends Schema.TaggedError<BuildThreadError>()("BuildThreadError", {
  message: Schema.String,
  tag: Schema.String
}) {}

/** The shared queue: [next index, stopped] then the shard indices. */
export type Queue = SharedArrayBuffer

/** A queue handing out each of `todo` once, in order, across threads. */
export const queueOf = (todo: ReadonlyArray<number>): Queue => {
  const sab = new SharedArrayBuffer(8 + 4 * todo.length)
  new Int32Array(sab, 8).set(todo)
  return sab
}

/** The next shard to build, or undefined when none is left or the queue was stopped. */
export const next = (queue: Queue): number | undefined => {
  const state = new Int32Array(queue, 0, 2)
  if (Atomics.load(state, 1) !== 0) return undefined
  const i = Atomics.add(state, 0, 1)
  const list = new Int32Array(queue, 8)
  return i < list.length ? list[i] : undefined
}

/** Hand out no further shard (a thread failed, or the build is interrupted). */
export const stop = (queue: Queue): void => {
  Atomics.store(new Int32Array(queue, 0, 2), 1, 1)
}

/** Shards one thread builds at once (their chips share the thread's `concurrency`). */
export const lanes = 2

/**
 * Build shards taken from `queue` on this thread until none is left, `lanes` at once: the last chips of
 * one shard, its writes and its statistics overlap the first reads of the next, so round trips keep going
 * across shard ends. A shard that fails stops the queue (no thread starts another); the shard beside it is
 * interrupted and, having no record, is built again by the next run.
 */
export const drain = <E, R>(
  queue: Queue,
  build: (shard: number) => Effect.Effect<unknown, E, R>
): Effect.Effect<void, E, R> => {
  const lane: Effect.Effect<void, E, R> = Effect.suspend(() => {
    const k = next(queue)
    return k === undefined ? Effect.void : Effect.flatMap(build(k), () => lane)
  })
  return Effect.forEach(Array.from({ length: lanes }), () => lane, {
    concurrency: "unbounded",
    discard: true
  }).pipe(Effect.onError(() => Effect.sync(() => stop(queue))))
}

// The thread's entry: TypeScript sources inside the repository, compiled JavaScript once installed.
const entry = new URL(
  `./internal/shardThread.${import.meta.url.endsWith(".ts") ? "ts" : "js"}`,
  import.meta.url
)

/**
 * Start `count` worker threads on `queue`; `onShard` is called for every shard they finish. `join` waits for
 * all of them and gives their totals, or fails with the first error one met (the queue is stopped then, so the
 * others end after their current shard). Threads still running when the scope closes are terminated; every
 * store write is atomic, so a rerun resumes.
 */
export const start = (
  spec: Spec,
  queue: Queue,
  count: number,
  onShard: (finished: Finished) => void
): Effect.Effect<
  { readonly join: Effect.Effect<ReadonlyArray<Totals>, BuildThreadError> },
  never,
  Scope.Scope
> =>
  Effect.gen(function* () {
    const workers = yield* Effect.acquireRelease(
      Effect.sync(() =>
        Array.from({ length: count }, () => new Worker(entry, { workerData: { spec, queue } }))
      ),
      (ws) =>
        Effect.promise(() => {
          stop(queue)
          return Promise.all(ws.map((w) => w.terminate()))
        })
    )
    const ends = workers.map(
      (w, i) =>
        new Promise<Totals>((resolve, reject) => {
          let totals: Totals | undefined
          w.on("message", (m: Message) => {
            if (m.type === "shard") onShard(m)
            else if (m.type === "done") {
              // Done whether or not the thread's event loop ends by itself (the scope terminates it).
              totals = m
              resolve(m)
            } else {
              stop(queue)
              reject(new BuildThreadError({ tag: m.tag, message: m.message }))
            }
          })
          w.once("error", (error) => {
            stop(queue)
            reject(
              new BuildThreadError({
                tag: error.name,
                message: `build thread ${i + 1} failed: ${error.message}`
              })
            )
          })
          w.once("exit", (code) => {
            if (totals === undefined) {
              stop(queue)
              reject(
                new BuildThreadError({
                  tag: "Exit",
                  message: `build thread ${i + 1} exited (code ${code}) before finishing its shards; run the build again to resume`
                })
              )
            }
          })
        })
    )
    return {
      // Every thread is waited for (the others end after their current shard once the queue is stopped), so
      // none is terminated mid-shard; then the first error, if any.
      join: Effect.tryPromise({
        try: () =>
          Promise.allSettled(ends).then((settled) => {
            const failure = settled.find((r) => r.status === "rejected")
            if (failure !== undefined) throw failure.reason
            return settled.map((r) => (r as PromiseFulfilledResult<Totals>).value)
          }),
        catch: (e) =>
          e instanceof BuildThreadError
            ? e
            : new BuildThreadError({ tag: "Unknown", message: String(e) })
      })
    }
  })
