// Queue mode: a coordinator creates the store and enqueues one BullMQ job per unfinished shard under a
// finalize parent job; workers on any machine sharing the store build shards with retries and lock renewal.
import { HeaderShelf, type RasterSource } from "@eoforge/raster"
import { type SearchCells, StacClient } from "@eoforge/stac"
import { Store } from "@eoforge/zarr"
import { type Job as BullJob, UnrecoverableError, Worker } from "bullmq"
import { Cause, Effect, Exit, Scope } from "effect"
import * as Build from "./Build.ts"
import * as Finalize from "./Finalize.ts"
import * as HeaderCache from "./HeaderCache.ts"
import * as Job from "./Job.ts"
import * as Opener from "./Opener.ts"
import * as SearchCache from "./SearchCache.ts"
import * as StoredPlan from "./StoredPlan.ts"
import { defaultQueueName, type JobData } from "./internal/queueEnqueue.ts"
import { call, connect, queue, QueueError, redactUrl } from "./internal/queueRedis.ts"

/** Redis cannot be reached, a queue operation failed, or a queued run cannot be resumed. */
export { QueueError }

export {
  defaultQueueName,
  type Enqueued,
  enqueue,
  type EnqueueOptions,
  finalizeJobId,
  type JobData,
  shardJobId
} from "./internal/queueEnqueue.ts"

/** A job as a worker sees it, for `onEvent` and `beforeAttempt`. */
export interface Attempt {
  readonly id: string
  readonly kind: "shard" | "finalize"
  readonly shard: number | undefined
  /** 1 for the first attempt. */
  readonly attempt: number
}

/** What a worker reports. */
export type WorkerEvent =
  | { readonly type: "ready"; readonly queueName: string }
  | { readonly type: "active"; readonly job: Attempt }
  | {
      readonly type: "completed"
      readonly job: Attempt
      readonly ms: number
      readonly chips: number | undefined
      readonly skipped: boolean
    }
  | { readonly type: "failed"; readonly job: Attempt; readonly error: string }

/** How to run a worker. */
export interface WorkOptions {
  /** Redis URL, e.g. redis://127.0.0.1:6379. */
  readonly redis: string
  readonly queueName?: string | undefined
  /** Jobs (shards) processed at once by this worker (default 1). */
  readonly concurrency?: number | undefined
  /** Chips read at once within a shard (default: the recipe's concurrency). */
  readonly chipConcurrency?: number | undefined
  /** Search per area through the store's search cells (default) or per patch (`false`). */
  readonly searchCells?: SearchCache.Setting | undefined
  /**
   * Share URL headers with the store's other workers through its `.eoforge/headers/` (default true): a
   * file another worker opened costs no header request (HeaderCache).
   */
  readonly headerCache?: boolean | undefined
  /** Job lock in ms, renewed every half of it while the job runs (default 60,000). */
  readonly lockDurationMs?: number | undefined
  /** How often locks of crashed workers are looked for, ms (default 30,000). */
  readonly stalledIntervalMs?: number | undefined
  /** At most `max` jobs started per `durationMs` across every worker of the queue (e.g. an API quota). */
  readonly limiter?: { readonly max: number; readonly durationMs: number } | undefined
  /** Receives job events. */
  readonly onEvent?: ((event: WorkerEvent) => void) | undefined
  /** Called before each attempt; a throw fails that attempt (fault injection, admission checks). */
  readonly beforeAttempt?: ((attempt: Attempt) => void) | undefined
}

// Stalls BullMQ tolerates before failing a job by itself: as many as can happen (the processor refuses a
// job started more often than its attempts).
const stallsDelegatedToAttempts = 1_000_000

interface Context {
  readonly ctx: Job.JobContext
  /** The catalogue client of this store's jobs: searches through the store's search cells. */
  readonly client: StacClient.StacClient["Service"]
  /** The cells' prefetch: a job searches its samples' cells while its first chips are read. */
  readonly prefetch: SearchCells.Cells<unknown>["prefetch"]
}

/**
 * Process jobs of the queue until interrupted (SIGINT/SIGTERM under NodeRuntime.runMain): on
 * interruption the worker takes no new job, lets running jobs finish, then closes its connection.
 */
export const work = Effect.fn("Queue.work")(function* (options: WorkOptions) {
  const queueName = options.queueName ?? defaultQueueName
  const emit = options.onEvent ?? (() => {})
  const url = options.redis
  // The services jobs need besides their store, which each job provides for its own path.
  const services =
    yield* Effect.context<
      Exclude<
        | Effect.Services<ReturnType<typeof Job.run>>
        | Effect.Services<ReturnType<typeof Build.prepare>>
        | RasterSource.RasterSource,
        Store.Store
      >
    >()
  const runExit = Effect.runPromiseExitWith(services)
  const connection = yield* connect(url)
  // Rasters opened by jobs (at most 64, least recently used closed) stay open until the worker has
  // stopped: their scope closes after the worker's.
  const rasterScope = yield* Scope.make()
  yield* Effect.addFinalizer((exit) => Scope.close(rasterScope, exit))
  const open = yield* Opener.make().pipe(Scope.provide(rasterScope))
  // One prepared plan per recipe and store, shared by every job of this worker.
  const contexts = new Map<string, Promise<Exit.Exit<Context, unknown>>>()
  const contextOf = (data: JobData) => {
    const key = `${data.recipe}\u0000${data.out}`
    let hit = contexts.get(key)
    if (hit === undefined) {
      hit = runExit(
        Effect.gen(function* () {
          const {
            store: storeApi,
            layout,
            prepared,
            matches
          } = yield* StoredPlan.open(data.recipe, data.out)
          if (!matches) {
            return yield* new QueueError({
              redis: redactUrl(url),
              message: `the store ${data.out} was created from another version of ${data.recipe} (recipe, input files or EOForge version changed since it was enqueued); enqueue again into a new store`
            })
          }
          const ctx = Build.jobContext(prepared, layout, open, options.chipConcurrency, data.out)
          // One cell cache per store and worker process; other workers share it through the store.
          const { client, prefetch } = SearchCache.clientFor(
            yield* StacClient.StacClient,
            storeApi,
            options.searchCells,
            data.out
          )
          return { ctx, client, prefetch } satisfies Context
        })
      )
      contexts.set(key, hit)
    }
    return hit.then((exit) => {
      // A failed preparation (e.g. the store not yet visible on a network filesystem) is retried.
      if (Exit.isFailure(exit)) contexts.delete(key)
      return exit
    })
  }
  const attemptOf = (job: BullJob): Attempt => {
    const data = job.data as JobData
    return {
      id: job.id ?? "",
      kind: data.kind,
      shard: data.shard,
      // Counted when the job becomes active, so it is the same in the processor and the failed event.
      attempt: Math.max(1, job.attemptsStarted)
    }
  }
  const fail = (cause: Cause.Cause<unknown>): never => {
    const error = Cause.squash(cause)
    throw error instanceof Error ? error : new Error(Cause.pretty(cause))
  }
  const processor = async (job: BullJob) => {
    const data = job.data as JobData
    const attempt = attemptOf(job)
    // Every start counts against the job's attempts, whether the earlier ones failed or their worker
    // died (a stall): BullMQ's own stall limit is lifted below, so that --attempts decides alone.
    const allowed = job.opts.attempts ?? 1
    if (job.attemptsStarted > allowed) {
      throw new UnrecoverableError(
        `job ${job.id} was started ${job.attemptsStarted} times (${job.stalledCounter} times its worker died or lost its lock, ${job.attemptsMade} failures), more than its ${allowed} attempts`
      )
    }
    emit({ type: "active", job: attempt })
    const started = performance.now()
    options.beforeAttempt?.(attempt)
    const storeLayer = Store.layerFileSystem(data.out)
    if (data.kind === "finalize") {
      const exit = await runExit(Finalize.run().pipe(Effect.provide(storeLayer)))
      if (Exit.isFailure(exit)) return fail(exit.cause)
      emit({
        type: "completed",
        job: attempt,
        ms: performance.now() - started,
        chips: undefined,
        skipped: false
      })
      return { samples: exit.value.samples, failures: exit.value.failures }
    }
    const context = await contextOf(data)
    if (Exit.isFailure(context)) return fail(context.cause)
    const shard = data.shard ?? -1
    const exit = await runExit(
      Effect.gen(function* () {
        // A shard finished by an earlier attempt whose completion was lost is not rebuilt.
        if (yield* Job.isDone(shard)) return undefined
        // Only this job's own cells: other shards are other workers' (the store's cell lists are shared).
        const { ctx, client, prefetch } = context.value
        const job = Effect.scoped(
          Effect.gen(function* () {
            yield* Effect.forkScoped(SearchCache.prefetchShards(ctx, [shard], prefetch))
            return yield* Job.run(ctx, shard)
          })
        ).pipe(Effect.provideService(StacClient.StacClient, client))
        if (options.headerCache === false) return yield* job
        return yield* job.pipe(HeaderShelf.withShelf(HeaderCache.shelfOf(yield* Store.Store)))
      }).pipe(Effect.provide(storeLayer))
    )
    if (Exit.isFailure(exit)) return fail(exit.cause)
    emit({
      type: "completed",
      job: attempt,
      ms: performance.now() - started,
      chips: exit.value?.chips,
      skipped: exit.value === undefined
    })
    return { shard, chips: exit.value?.chips ?? 0, missing: exit.value?.missing ?? 0 }
  }
  const worker = yield* Effect.acquireRelease(
    Effect.sync(() => {
      const w = new Worker(queueName, processor, {
        connection,
        concurrency: options.concurrency ?? 1,
        lockDuration: options.lockDurationMs ?? 60_000,
        stalledInterval: options.stalledIntervalMs ?? 30_000,
        // BullMQ fails a job on its second stall whatever its attempts; the processor applies the
        // job's attempts to stalls instead.
        maxStalledCount: stallsDelegatedToAttempts,
        ...(options.limiter === undefined
          ? {}
          : { limiter: { max: options.limiter.max, duration: options.limiter.durationMs } }),
        autorun: false
      })
      w.on("failed", (job, error) => {
        if (job !== undefined) emit({ type: "failed", job: attemptOf(job), error: error.message })
      })
      // Connection errors are retried by ioredis; without a listener they would crash the process.
      w.on("error", () => {})
      return w
    }),
    (w) => Effect.promise(() => w.close().catch(() => undefined))
  )
  yield* call(url, `starting a worker on queue ${queueName}`, () => worker.waitUntilReady())
  emit({ type: "ready", queueName })
  // Resolves only once the worker is closed (by the finalizer on interruption); a rejection ends the work.
  yield* call(url, `running the worker on queue ${queueName}`, () => worker.run())
  return yield* Effect.never
}, Effect.scoped)

/** How a waited-for job ended. */
export interface Outcome {
  readonly id: string
  readonly state: "completed"
  readonly value: unknown
}

/** Wait until a job (typically the finalize job) completes; fails with its reason if it failed. */
export const wait = Effect.fn("Queue.wait")(function* (options: {
  readonly redis: string
  readonly queueName?: string | undefined
  readonly jobId: string
  /** Polling interval, ms (default 500). */
  readonly pollMs?: number | undefined
}) {
  const url = options.redis
  const queueName = options.queueName ?? defaultQueueName
  const connection = yield* connect(url)
  const q = yield* queue(queueName, connection)
  for (;;) {
    const job = yield* call(url, `reading job ${options.jobId}`, () => q.getJob(options.jobId))
    if (job === undefined) {
      return yield* new QueueError({
        redis: redactUrl(url),
        message: `queue ${queueName} has no job ${options.jobId}; enqueue the build first`
      })
    }
    const state = yield* call(url, `reading job ${options.jobId}`, () => job.getState())
    if (state === "completed") {
      return { id: options.jobId, state, value: job.returnvalue as unknown } satisfies Outcome
    }
    if (state === "failed") {
      return yield* new QueueError({
        redis: redactUrl(url),
        message: `job ${options.jobId} failed after ${job.attemptsMade} attempts: ${job.failedReason}; fix the cause and enqueue again (finished shards are kept)`
      })
    }
    yield* Effect.sleep(options.pollMs ?? 500)
  }
}, Effect.scoped)
