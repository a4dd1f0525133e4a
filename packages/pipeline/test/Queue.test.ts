import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Effect, Fiber, type Layer } from "effect"
import { createHash } from "node:crypto"
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, relative, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { parse, stringify } from "yaml"
import { Build, Queue, Recipe, Services } from "../src/index.ts"
import { freePort, haveRedis, type Redis, startRedis } from "./redis.ts"

if (!haveRedis) {
  console.warn(
    "\n*** Queue.test.ts SKIPPED: redis-server is not on PATH (apt-get install redis-server); queue mode is untested ***\n"
  )
}

const createdAt = "2024-05-06T07:08:09.000Z"
const fixtures = fileURLToPath(new URL("../../../fixtures/demo/stac/catalog.json", import.meta.url))

type R = Layer.Success<typeof Services.layer>
const run = <A, E>(effect: Effect.Effect<A, E, R>) =>
  Effect.runPromise(effect.pipe(Effect.provide(Services.layer)))

/** Relative path → sha256 of every file under `root`. */
const digest = (root: string): Record<string, string> => {
  const out: Record<string, string> = {}
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) walk(path)
      else out[relative(root, path)] = createHash("sha256").update(readFileSync(path)).digest("hex")
    }
  }
  walk(root)
  return out
}

let tmp = ""
let recipe = ""
let redis: Redis | undefined
let reference: Record<string, string> = {}

beforeAll(async () => {
  if (!haveRedis) return
  tmp = mkdtempSync(join(tmpdir(), "eoforge-queue-"))
  // The demo recipe, smaller: 12 samples in 3 shards of 4; its relative paths made absolute.
  const demo = parse(readFileSync(join(Recipe.shippedDirectory, "demo.yaml"), "utf8"))
  demo.sampling.count = 12
  demo.sampling.aoi = resolve(Recipe.shippedDirectory, demo.sampling.aoi)
  demo.output.shardSamples = 4
  demo.sources.demo.catalog = fixtures
  demo.access.localRoots = [resolve(fixtures, "../..")]
  recipe = join(tmp, "queue-demo.yaml")
  writeFileSync(recipe, stringify(demo))
  redis = await startRedis()
  const single = join(tmp, "single.zarr")
  await run(Build.build({ recipe, out: single, createdAt }))
  reference = digest(single)
})

afterAll(() => {
  redis?.process.kill("SIGKILL")
  if (tmp !== "") rmSync(tmp, { recursive: true, force: true })
})

interface Seen {
  readonly worker: number
  readonly event: Queue.WorkerEvent
}

/** Run `count` workers in this process until the finalize job of `enqueued` ends. */
const drain = async (
  enqueued: Queue.Enqueued,
  count: number,
  options: Partial<Queue.WorkOptions> = {},
  decoderThreads?: number
): Promise<ReadonlyArray<Seen>> => {
  const seen: Array<Seen> = []
  const workers = Array.from({ length: count }, (_, worker) =>
    Effect.runFork(
      Queue.work({
        redis: redis!.url,
        queueName: enqueued.queueName,
        ...options,
        onEvent: (event) => void seen.push({ worker, event })
      }).pipe(
        // As `eoforge worker --decoder-threads N` does: its own raster service over the command's.
        decoderThreads === undefined
          ? (e) => e
          : Effect.provide(Services.layerRaster({ decoderThreads })),
        Effect.provide(Services.layer)
      )
    )
  )
  try {
    await Effect.runPromise(
      Queue.wait({
        redis: redis!.url,
        queueName: enqueued.queueName,
        jobId: enqueued.finalizeJobId!,
        pollMs: 100
      })
    )
  } finally {
    await Effect.runPromise(Effect.forEach(workers, Fiber.interrupt, { discard: true }))
  }
  return seen
}

const completedShards = (seen: ReadonlyArray<Seen>) =>
  seen
    .flatMap(({ event }) =>
      event.type === "completed" && event.job.kind === "shard" ? [event.job.shard!] : []
    )
    .sort((a, b) => a - b)

describe.skipIf(!haveRedis)("Queue mode on a real redis-server", () => {
  it("two workers build every queued shard once and finalize a store byte-identical to a single-process build", async () => {
    const out = join(tmp, "queued.zarr")
    const enqueued = await run(
      Queue.enqueue({ recipe, out, redis: redis!.url, queueName: "twoworkers", createdAt })
    )
    assert.deepStrictEqual(enqueued.enqueued, [0, 1, 2])
    assert.strictEqual(enqueued.shards, 3)
    assert.strictEqual(enqueued.finalizeJobId, "demo/finalize")
    // Enqueueing the same run again while it is queued adds nothing (deterministic job ids).
    const again = await run(
      Queue.enqueue({ recipe, out, redis: redis!.url, queueName: "twoworkers", createdAt })
    )
    assert.isTrue(again.alreadyQueued)
    assert.deepStrictEqual(again.enqueued, [])
    const seen = await drain(enqueued, 2)
    assert.deepStrictEqual(completedShards(seen), [0, 1, 2])
    assert.strictEqual(
      seen.filter((s) => s.event.type === "completed" && s.event.job.kind === "finalize").length,
      1
    )
    assert.deepStrictEqual(digest(out), reference)
    // A complete store needs no job.
    const done = await run(
      Queue.enqueue({ recipe, out, redis: redis!.url, queueName: "twoworkers", createdAt })
    )
    assert.deepStrictEqual(done.enqueued, [])
    assert.strictEqual(done.finalizeJobId, undefined)
  })

  it("workers without decoder threads (the command's default) finalize the same bytes as a single-process build", async () => {
    const out = join(tmp, "nothreads.zarr")
    const enqueued = await run(
      Queue.enqueue({ recipe, out, redis: redis!.url, queueName: "nothreads", createdAt })
    )
    const seen = await drain(enqueued, 2, {}, 0)
    assert.deepStrictEqual(completedShards(seen), [0, 1, 2])
    assert.deepStrictEqual(digest(out), reference)
  })

  it("workers read the plan the coordinator wrote into the store: the recipe's AOI is not needed again", async () => {
    const dir = mkdtempSync(join(tmp, "plan-"))
    const demo = parse(readFileSync(recipe, "utf8"))
    const aoi = join(dir, "aoi.geojson")
    writeFileSync(aoi, readFileSync(demo.sampling.aoi))
    demo.sampling.aoi = aoi
    const ownRecipe = join(dir, "recipe.yaml")
    writeFileSync(ownRecipe, stringify(demo))
    // The store records the recipe (its AOI path too): the reference is this recipe built in one process.
    const single = join(dir, "single.zarr")
    await run(Build.build({ recipe: ownRecipe, out: single, createdAt }))
    const out = join(tmp, "from-plan.zarr")
    const enqueued = await run(
      Queue.enqueue({ recipe: ownRecipe, out, redis: redis!.url, queueName: "plan", createdAt })
    )
    assert.isTrue(existsSync(join(out, ".eoforge", "plan.bin")))
    // Planning again would need the AOI file: a worker that re-planned would fail every job.
    rmSync(aoi)
    const seen = await drain(enqueued, 1)
    assert.deepStrictEqual(completedShards(seen), [0, 1, 2])
    assert.deepStrictEqual(digest(out), digest(single))
    assert.isFalse(existsSync(join(out, ".eoforge", "plan.bin")), "finalize removes the plan")
  })

  it("a failing attempt is retried with backoff and the queue still completes with the same bytes", async () => {
    const out = join(tmp, "retried.zarr")
    const enqueued = await run(
      Queue.enqueue({
        recipe,
        out,
        redis: redis!.url,
        queueName: "retries",
        createdAt,
        attempts: 3,
        backoffMs: 50
      })
    )
    let injected = 0
    const seen = await drain(enqueued, 1, {
      beforeAttempt: (attempt) => {
        if (attempt.shard === 1 && attempt.attempt === 1) {
          injected++
          throw new Error("injected failure of shard 1")
        }
      }
    })
    assert.strictEqual(injected, 1)
    const failed = seen.flatMap(({ event }) => (event.type === "failed" ? [event] : []))
    assert.deepStrictEqual(
      failed.map((e) => [e.job.shard, e.job.attempt, e.error]),
      [[1, 1, "injected failure of shard 1"]]
    )
    const retried = seen.find(
      ({ event }) => event.type === "completed" && event.job.shard === 1
    )?.event
    assert.strictEqual(retried?.type === "completed" ? retried.job.attempt : undefined, 2)
    assert.deepStrictEqual(completedShards(seen), [0, 1, 2])
    assert.deepStrictEqual(digest(out), reference)
  })

  it("a run whose job failed for good is enqueued again, only its unfinished shards run, and the bytes match", async () => {
    const out = join(tmp, "failed.zarr")
    const options = { recipe, out, redis: redis!.url, queueName: "failed", createdAt, attempts: 1 }
    const first = await run(Queue.enqueue(options))
    const seen: Array<Queue.WorkerEvent> = []
    const worker = Effect.runFork(
      Queue.work({
        redis: redis!.url,
        queueName: "failed",
        onEvent: (event) => void seen.push(event),
        beforeAttempt: (attempt) => {
          if (attempt.shard === 2) throw new Error("shard 2 cannot be read")
        }
      }).pipe(Effect.provide(Services.layer))
    )
    const error = await Effect.runPromise(
      Queue.wait({
        redis: redis!.url,
        queueName: "failed",
        jobId: first.finalizeJobId!,
        pollMs: 100
      })
        .pipe(Effect.flip)
        .pipe(Effect.ensuring(Fiber.interrupt(worker)))
    )
    assert.strictEqual(error._tag, "QueueError")
    assert.include(error.message, "demo/finalize failed")
    const built = seen.flatMap((e) =>
      e.type === "completed" && e.job.kind === "shard" ? [e.job.shard!] : []
    )
    // Shards 0 and 1 may or may not have run before the parent failed; shard 2 never completed.
    assert.notInclude(built, 2)
    const second = await run(Queue.enqueue(options))
    assert.isFalse(second.alreadyQueued)
    assert.include(second.enqueued, 2)
    for (const k of built) assert.notInclude(second.enqueued, k)
    const rest = await drain(second, 1)
    assert.deepStrictEqual(
      completedShards(rest),
      [...second.enqueued].sort((a, b) => a - b)
    )
    assert.deepStrictEqual(digest(out), reference)
  })

  it("interrupting a worker (as SIGTERM does) lets the running shard finish before it stops", async () => {
    const out = join(tmp, "graceful.zarr")
    const enqueued = await run(
      Queue.enqueue({ recipe, out, redis: redis!.url, queueName: "graceful", createdAt })
    )
    const seen: Array<Queue.WorkerEvent> = []
    let started: (shard: number) => void = () => {}
    const active = new Promise<number>((ok) => (started = ok))
    const worker = Effect.runFork(
      Queue.work({
        redis: redis!.url,
        queueName: "graceful",
        onEvent: (event) => {
          seen.push(event)
          if (event.type === "active" && event.job.kind === "shard") started(event.job.shard!)
        }
      }).pipe(Effect.provide(Services.layer))
    )
    const shard = await active
    await Effect.runPromise(Fiber.interrupt(worker))
    const finished = seen.flatMap((e) =>
      e.type === "completed" && e.job.kind === "shard" ? [e.job.shard!] : []
    )
    assert.deepStrictEqual(finished, [shard])
    assert.isTrue(existsSync(join(out, ".eoforge", "jobs", `${shard}.json`)))
    // The remaining shards wait for the next worker.
    const rest = await drain(enqueued, 1)
    assert.strictEqual(completedShards(rest).length, enqueued.enqueued.length - 1)
    assert.deepStrictEqual(digest(out), reference)
  })

  it("a worker or coordinator that cannot reach Redis fails with a QueueError naming the URL, writing nothing", async () => {
    const port = await freePort()
    const error = await run(Queue.work({ redis: `redis://127.0.0.1:${port}` }).pipe(Effect.flip))
    assert.strictEqual(error._tag, "QueueError")
    assert.include(error.message, `127.0.0.1:${port}`)
    // The coordinator checks Redis before planning, so nothing is written.
    const out = join(tmp, "unreachable.zarr")
    const refused = await run(
      Queue.enqueue({ recipe, out, redis: `redis://127.0.0.1:${port}` }).pipe(Effect.flip)
    )
    assert.strictEqual(refused._tag, "QueueError")
    assert.isFalse(existsSync(out))
  })
})
