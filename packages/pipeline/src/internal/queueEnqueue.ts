// Queue mode's coordinator side: plan, create or validate the store, and enqueue one BullMQ job per
// unfinished shard under a finalize parent job (Queue.enqueue), with deterministic job ids.
import { Layout, Store } from "@eoforge/zarr"
import { Effect } from "effect"
import { resolve } from "node:path"
import * as Build from "../Build.ts"
import * as Finalize from "../Finalize.ts"
import * as Job from "../Job.ts"
import * as Recipe from "../Recipe.ts"
import { call, connect, flowProducer, queue, QueueError, redactUrl } from "./queueRedis.ts"

/** The queue name used when none is given. */
export const defaultQueueName = "eoforge"

/** What a queued job carries: the recipe (shipped name or absolute path) and the store path. */
export interface JobData {
  readonly kind: "shard" | "finalize"
  readonly recipe: string
  readonly out: string
  /** The shard index (shard jobs only). */
  readonly shard?: number
}

/** Deterministic BullMQ job id of a shard (`<dataset>/<shard>`; BullMQ forbids `:` in custom ids). */
export const shardJobId = (dataset: string, shard: number): string => `${dataset}/${shard}`

/** Deterministic BullMQ job id of the finalize parent job. */
export const finalizeJobId = (dataset: string): string => `${dataset}/finalize`

/** How to enqueue a build. */
export interface EnqueueOptions {
  /** A shipped recipe name or a recipe file path (workers must see the same path). */
  readonly recipe: string
  /** Output store path, on storage every worker sees (default: the recipe's output.store). */
  readonly out?: string | undefined
  /** Redis URL, e.g. redis://127.0.0.1:6379. */
  readonly redis: string
  readonly queueName?: string | undefined
  /** Creation instant (ISO 8601) recorded in the store (default: SOURCE_DATE_EPOCH, else now). */
  readonly createdAt?: string | undefined
  /** Attempts per job before it fails (default 5). */
  readonly attempts?: number | undefined
  /** First retry delay in ms, doubled on each further attempt (default 10,000). */
  readonly backoffMs?: number | undefined
}

/** What the coordinator did. */
export interface Enqueued {
  readonly store: string
  readonly queueName: string
  readonly dataset: string
  readonly shards: number
  /** Shards enqueued now (finished shards are never enqueued). */
  readonly enqueued: ReadonlyArray<number>
  /** The id of the finalize parent job to wait for; undefined when the store was already complete. */
  readonly finalizeJobId: string | undefined
  /** True when the same run was already queued and still in progress (nothing added). */
  readonly alreadyQueued: boolean
}

const recipeRef = (recipe: string): string =>
  Recipe.shipped.includes(recipe) ? recipe : Recipe.resolveFile(recipe)

const live = new Set(["waiting", "waiting-children", "active", "delayed", "prioritized"])

/** Create or validate the store, then enqueue one job per unfinished shard under a finalize parent job. */
export const enqueue = Effect.fn("Queue.enqueue")(function* (options: EnqueueOptions) {
  const queueName = options.queueName ?? defaultQueueName
  const recipe = recipeRef(options.recipe)
  const loaded = yield* Recipe.load(recipe)
  const dataset = loaded.recipe.name
  // Redis first: a wrong URL fails before a possibly long planning step.
  const url = options.redis
  const connection = yield* connect(url)
  const q = yield* queue(queueName, connection)
  const prepared = yield* Build.prepare(recipe)
  const store = resolve(options.out ?? prepared.loaded.recipe.output.store)
  const createdAt = yield* Build.createdAtOf(options)
  const storeLayer = Store.layerFileSystem(store, { sweepStale: true })
  const { layout } = yield* Build.openStore(prepared, store, createdAt).pipe(
    Effect.provide(storeLayer)
  )
  const shards = Layout.shardCount(layout)
  const todo: Array<number> = []
  yield* Effect.gen(function* () {
    for (let k = 0; k < shards; k++) if (!(yield* Job.isDone(k))) todo.push(k)
  }).pipe(Effect.provide(storeLayer))
  // The outcome when nothing is added to the queue.
  const nothingQueued = (finalizeJobId: string | undefined, alreadyQueued: boolean): Enqueued => ({
    store,
    queueName,
    dataset,
    shards,
    enqueued: [],
    finalizeJobId,
    alreadyQueued
  })
  if (todo.length === 0) {
    // Every shard is built: finalize here (idempotent) rather than queue an empty flow.
    yield* Finalize.at(store)
    return nothingQueued(undefined, false)
  }
  const parentId = finalizeJobId(dataset)
  const clash = (id: string, out: string) =>
    new QueueError({
      redis: redactUrl(url),
      message: `queue ${queueName} already holds job ${id} for the store ${out}, not ${store}; use another --queue name for this build`
    })
  // Deterministic ids dedupe a re-enqueue of a run still in progress; jobs of an ended run
  // (completed or failed) are removed so the unfinished shards are queued again.
  const parent = yield* call(url, `reading job ${parentId}`, () => q.getJob(parentId))
  if (parent !== undefined) {
    const data = parent.data as JobData
    if (data.out !== store) return yield* clash(parentId, data.out)
    const state = yield* call(url, `reading job ${parentId}`, () => parent.getState())
    if (live.has(state)) return nothingQueued(parentId, true)
  }
  for (const id of [parentId, ...todo.map((k) => shardJobId(dataset, k))]) {
    const job = yield* call(url, `reading job ${id}`, () => q.getJob(id))
    if (job === undefined) continue
    const data = job.data as JobData
    if (data.out !== store) return yield* clash(id, data.out)
    yield* call(url, `removing the ended job ${id} (is a worker still running it?)`, () =>
      job.remove({ removeChildren: false })
    )
  }
  const attempts = options.attempts ?? 5
  const backoff = { type: "exponential", delay: options.backoffMs ?? 10_000 } as const
  const flows = yield* flowProducer(connection)
  yield* call(url, `enqueueing ${todo.length} shard jobs of ${dataset}`, () =>
    flows.add({
      name: "finalize",
      queueName,
      data: { kind: "finalize", recipe, out: store } satisfies JobData,
      opts: { jobId: parentId, attempts, backoff },
      children: todo.map((k) => ({
        name: "shard",
        queueName,
        data: { kind: "shard", recipe, out: store, shard: k } satisfies JobData,
        opts: { jobId: shardJobId(dataset, k), attempts, backoff, failParentOnFailure: true }
      }))
    })
  )
  return {
    store,
    queueName,
    dataset,
    shards,
    enqueued: todo,
    finalizeJobId: parentId,
    alreadyQueued: false
  } satisfies Enqueued
}, Effect.scoped)
