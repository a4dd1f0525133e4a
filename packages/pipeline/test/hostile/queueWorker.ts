// A queue worker process that dies (SIGKILL, as a lost machine or an OOM kill) when it starts a shard
// job: the first one it gets, or the one named. Used by queue.test.ts to make a shard stall.
// Usage: node queueWorker.ts <redis-url> <queue-name> <job-id | first>
import { Effect } from "effect"
import { writeSync } from "node:fs"
import { Queue, Services } from "../../src/index.ts"

const [redis, queueName, target] = process.argv.slice(2)

await Effect.runPromise(
  Queue.work({
    redis,
    queueName,
    lockDurationMs: 2000,
    stalledIntervalMs: 500,
    onEvent: (event) => {
      if (event.type === "ready") writeSync(1, "READY\n")
    },
    beforeAttempt: (attempt) => {
      if (attempt.kind !== "shard" || (target !== "first" && attempt.id !== target)) return
      // Synchronous write: the line must reach the parent before the kill.
      writeSync(1, `DYING ${attempt.id} attempt ${attempt.attempt}\n`)
      process.kill(process.pid, "SIGKILL")
    }
  }).pipe(Effect.provide(Services.layer))
)
