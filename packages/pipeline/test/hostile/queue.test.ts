import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber, type Layer } from "effect"
import { spawn } from "node:child_process"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { Build, Queue, Services } from "../../src/index.ts"
import { digest, tempDir } from "../tree.ts"
import { copySources, smallRecipe } from "./finalizeInputs.ts"
import { haveRedis, type Redis, startRedis } from "../redis.ts"

if (!haveRedis) {
  console.warn(
    "\n*** hostile/queue.test.ts SKIPPED: redis-server is not on PATH (apt-get install redis-server); stalled-job retries are untested ***\n"
  )
}

const createdAt = "2024-05-06T07:08:09.000Z"
const workerScript = fileURLToPath(new URL("./queueWorker.ts", import.meta.url))
const tmp = tempDir("hostile-queue")
let redis: Redis | undefined
let recipe = ""
let reference: Record<string, string> = {}

const run = <A, E>(effect: Effect.Effect<A, E, Layer.Success<typeof Services.layer>>) =>
  Effect.runPromise(effect.pipe(Effect.provide(Services.layer)))

beforeAll(async () => {
  if (!haveRedis) return
  recipe = smallRecipe(join(tmp.path, "small.yaml"), copySources(join(tmp.path, "sources")))
  redis = await startRedis()
  const single = join(tmp.path, "single.zarr")
  await run(Build.build({ recipe, out: single, createdAt }))
  reference = digest(single)
}, 120_000)

afterAll(() => {
  redis?.process.kill("SIGKILL")
  tmp.remove()
})

/** Run a worker process that SIGKILLs itself when it starts `target` (a job id, or the first shard). */
const dyingWorker = (queueName: string, target: string) =>
  new Promise<{ readonly died: string; readonly signal: NodeJS.Signals | null }>((ok) => {
    const child = spawn(process.execPath, [workerScript, redis!.url, queueName, target], {
      stdio: ["ignore", "pipe", "inherit"]
    })
    let out = ""
    child.stdout!.on("data", (d: Buffer) => (out += d.toString()))
    child.on("close", (_code, signal) => ok({ died: /DYING (\S+)/.exec(out)?.[1] ?? "", signal }))
  })

/** Kill a worker twice on the same shard, then let a healthy worker run the queue to its end. */
const twoDeathsThenHealthy = async (queueName: string, attempts: number) => {
  const out = join(tmp.path, `${queueName}.zarr`)
  const enqueued = await run(
    Queue.enqueue({
      recipe,
      out,
      redis: redis!.url,
      queueName,
      createdAt,
      attempts,
      backoffMs: 50
    })
  )
  const first = await dyingWorker(queueName, "first")
  assert.strictEqual(first.signal, "SIGKILL")
  assert.match(first.died, /^small\/\d$/)
  // The second worker finds the shard stalled (its lock expired), takes it again and dies too.
  const second = await dyingWorker(queueName, first.died)
  assert.strictEqual(second.signal, "SIGKILL")
  assert.strictEqual(second.died, first.died)
  const seen: Array<Queue.WorkerEvent> = []
  const healthy = Effect.runFork(
    Queue.work({
      redis: redis!.url,
      queueName,
      lockDurationMs: 2000,
      stalledIntervalMs: 500,
      onEvent: (e) => void seen.push(e)
    }).pipe(Effect.provide(Services.layer))
  )
  const end = await Effect.runPromiseExit(
    Queue.wait({ redis: redis!.url, queueName, jobId: enqueued.finalizeJobId!, pollMs: 200 })
  )
  await Effect.runPromise(Fiber.interrupt(healthy))
  return { out, end, shard: first.died, seen }
}

describe.skipIf(!haveRedis)("queue: a shard whose worker dies is retried up to --attempts", () => {
  it("with --attempts 3, a shard whose worker is SIGKILLed twice is built by the third and the store matches", async () => {
    const r = await twoDeathsThenHealthy("stall3", 3)
    assert.isTrue(Exit.isSuccess(r.end), Exit.isFailure(r.end) ? String(r.end.cause) : "")
    const third = r.seen.find((e) => e.type === "completed" && e.job.id === r.shard)
    assert.strictEqual(third?.type === "completed" ? third.job.attempt : undefined, 3)
    assert.deepStrictEqual(digest(r.out), reference)
  }, 300_000)

  it("with --attempts 2, the same shard fails for good on its third start, naming the attempts", async () => {
    const r = await twoDeathsThenHealthy("stall2", 2)
    assert.isTrue(Exit.isFailure(r.end))
    const failed = r.seen.find((e) => e.type === "failed" && e.job.id === r.shard)
    assert.match(
      failed?.type === "failed" ? failed.error : "",
      /was started 3 times \(2 times its worker died or lost its lock, 0 failures\), more than its 2 attempts/
    )
  }, 300_000)
})
