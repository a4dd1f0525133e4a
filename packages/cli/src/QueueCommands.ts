// Queue mode of the `eoforge` command: `enqueue` creates the store and queues one job per shard on Redis,
// `worker` builds queued shards (any number of them, on any machine sharing the store) until stopped.
import { Queue, Services } from "@eoforge/pipeline"
import { Console, Effect, Option } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { ExitCode, withExitCode } from "./ExitCode.ts"

const redis = Flag.String("redis").pipe(
  Flag.withDescription("Redis URL of the queue (redis://[user:password@]host:port[/db])"),
  Flag.withDefault("redis://127.0.0.1:6379")
)
const queueName = Flag.String("queue").pipe(
  Flag.withDescription(
    `BullMQ queue name (default ${Queue.defaultQueueName}); one store per dataset name per queue`
  ),
  Flag.withDefault(Queue.defaultQueueName)
)
const json = Flag.Boolean("json").pipe(
  Flag.withDescription("Print the result (enqueue) or one JSON line per job event (worker)"),
  Flag.withDefault(false)
)

/** `eoforge enqueue [recipe] --redis URL --out STORE [--wait]`. */
export const enqueue = Command.make(
  "enqueue",
  {
    recipe: Argument.String("recipe").pipe(
      Argument.withDescription(
        "A shipped recipe (demo, ssl4eo-s12, m3leo) or the path of a YAML/JSON recipe; workers must see the same path"
      ),
      Argument.withDefault("demo")
    ),
    out: Flag.String("out").pipe(
      Flag.withAlias("o"),
      Flag.withDescription(
        "Output store directory, on storage every worker sees (default: the recipe's output.store)"
      ),
      Flag.optional
    ),
    redis,
    queueName,
    attempts: Flag.Int("attempts").pipe(
      Flag.withDescription("Attempts per job before the run fails"),
      Flag.withDefault(5)
    ),
    backoff: Flag.Int("backoff-ms").pipe(
      Flag.withDescription("First retry delay in ms, doubled on each further attempt"),
      Flag.withDefault(10_000)
    ),
    wait: Flag.Boolean("wait").pipe(
      Flag.withDescription("Wait until the finalize job has completed (exit 1 if it failed)"),
      Flag.withDefault(false)
    ),
    json
  },
  Effect.fn(function* (input) {
    const result = yield* Queue.enqueue({
      recipe: input.recipe,
      out: Option.getOrUndefined(input.out),
      redis: input.redis,
      queueName: input.queueName,
      attempts: input.attempts,
      backoffMs: input.backoff
    })
    const text =
      result.finalizeJobId === undefined
        ? `${result.store} is complete (${result.shards} shards); nothing to enqueue`
        : result.alreadyQueued
          ? `${result.dataset} is already queued on ${input.queueName} (job ${result.finalizeJobId}); nothing added`
          : `enqueued ${result.enqueued.length} of ${result.shards} shards of ${result.dataset} on ${input.queueName} for ${result.store}; start workers with: eoforge worker --redis ${input.redis}${input.queueName === Queue.defaultQueueName ? "" : ` --queue ${input.queueName}`}`
    yield* Console.log(input.json ? JSON.stringify(result, null, 2) : text)
    if (input.wait && result.finalizeJobId !== undefined) {
      yield* Queue.wait({
        redis: input.redis,
        queueName: input.queueName,
        jobId: result.finalizeJobId
      })
      if (!input.json) yield* Console.log(`finalized ${result.store}`)
    }
  })
).pipe(
  Command.withDescription(
    "Queue mode: plan a recipe, create the store (or check it for resume), and enqueue one BullMQ job per unfinished shard plus a finalize job that runs once every shard is built. Job ids are <dataset>/<shard>, so enqueueing a run already queued adds nothing."
  ),
  Command.withExamples([
    {
      command: "eoforge enqueue ssl4eo-s12 --redis redis://queue:6379 --out /shared/ssl4eo.zarr",
      description: "Queue an SSL4EO-S12 build for workers on several machines"
    },
    {
      command: "eoforge enqueue my-recipe.yaml --out /shared/my.zarr --wait",
      description: "Queue a build on a local Redis and wait until it is finalized"
    }
  ])
)

/** `eoforge worker --redis URL --concurrency N`. */
export const worker = Command.make(
  "worker",
  {
    redis,
    queueName,
    concurrency: Flag.Int("concurrency").pipe(
      Flag.withDescription("Shards built at once by this worker"),
      Flag.withDefault(1)
    ),
    chipConcurrency: Flag.Int("chip-concurrency").pipe(
      Flag.withDescription("Chips read at once within a shard (default: the recipe's concurrency)"),
      Flag.optional
    ),
    lockMs: Flag.Int("lock-ms").pipe(
      Flag.withDescription(
        "Job lock in ms, renewed every half of it; a crashed worker's shard is retried after it expires"
      ),
      Flag.withDefault(60_000)
    ),
    decoderThreads: Flag.Int("decoder-threads").pipe(
      Flag.withDescription(
        "Threads decoding GeoTIFF tiles (0: DEFLATE inflates on Node's thread pool, other codecs on the main thread; raise it for LZW, JPEG or zstd sources)"
      ),
      Flag.withDefault(0)
    ),
    headerCache: Flag.Boolean("header-cache").pipe(
      Flag.withDescription(
        "Share the headers of the files read with the store's other workers through its .eoforge/headers/ (each entry checked against the file's ETag or Last-Modified and size); --no-header-cache reads every header from the network"
      ),
      Flag.withDefault(true)
    ),
    rate: Flag.String("rate").pipe(
      Flag.withDescription(
        "At most N shard jobs started per S seconds across all workers of the queue, as N/S (e.g. 10/60)"
      ),
      Flag.optional
    ),
    json
  },
  Effect.fn(function* (input) {
    let limiter: { max: number; durationMs: number } | undefined
    if (Option.isSome(input.rate)) {
      const m = /^(\d+)\/(\d+(?:\.\d+)?)$/.exec(input.rate.value)
      if (m === null || Number(m[1]) < 1 || Number(m[2]) <= 0) {
        return yield* Effect.fail(
          withExitCode(
            ExitCode.Usage,
            `--rate ${input.rate.value} is not N/S with N ≥ 1 jobs per S > 0 seconds (e.g. --rate 10/60)`
          )
        )
      }
      limiter = { max: Number(m[1]), durationMs: Number(m[2]) * 1000 }
    }
    if (input.decoderThreads < 0) {
      return yield* Effect.fail(
        withExitCode(
          ExitCode.Usage,
          `--decoder-threads ${input.decoderThreads} is negative; give 0 or more threads`
        )
      )
    }
    const line = (event: Queue.WorkerEvent): string => {
      if (input.json) return JSON.stringify(event)
      switch (event.type) {
        case "ready":
          return `eoforge worker: waiting for jobs on ${event.queueName} (Ctrl-C or SIGTERM stops after the running jobs)`
        case "active":
          return `${event.job.id}: attempt ${event.job.attempt} started`
        case "completed":
          return `${event.job.id}: ${event.skipped ? "already built" : event.chips === undefined ? "finalized" : `${event.chips} chips`} in ${(event.ms / 1000).toFixed(1)}s`
        case "failed":
          return `${event.job.id}: attempt ${event.job.attempt} failed: ${event.error}`
      }
    }
    yield* Queue.work({
      redis: input.redis,
      queueName: input.queueName,
      concurrency: input.concurrency,
      chipConcurrency: Option.getOrUndefined(input.chipConcurrency),
      lockDurationMs: input.lockMs,
      headerCache: input.headerCache,
      limiter,
      onEvent: (event) => process.stderr.write(line(event) + "\n")
    }).pipe(
      // Over the command's raster service: this worker's decoder threads (none by default).
      Effect.provide(Services.layerRaster({ decoderThreads: input.decoderThreads }))
    )
  })
).pipe(
  Command.withDescription(
    "Queue mode: build queued shards until stopped (SIGINT/SIGTERM lets running jobs finish first). Failed jobs are retried with exponential backoff; a worker that dies loses its lock and its shard is rebuilt elsewhere. The store path and recipe path in the jobs must be visible on this machine."
  ),
  Command.withExamples([
    {
      command: "eoforge worker --redis redis://queue:6379 --concurrency 2",
      description: "Build two shards at a time"
    },
    {
      command: "eoforge worker --json --chip-concurrency 16",
      description: "JSON job events on stderr, 16 chip reads per shard"
    }
  ])
)
