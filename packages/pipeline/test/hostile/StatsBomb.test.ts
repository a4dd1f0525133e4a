// A zstd bomb as a finished job's statistics file (tools/hostile/files.ts): reading it stops at
// Job.maxStatsBytes and fails with a JobRecordError naming the file, in bounded memory and time.
import { assert, describe, it } from "@effect/vitest"
import { Store } from "@eoforge/zarr"
import { Effect, Exit } from "effect"
import * as Hostile from "../../../../tools/hostile/files.ts"
import { Job } from "../../src/index.ts"

describe("a statistics file that is a zstd bomb", () => {
  it.effect("1 GiB of zeros in 32 KB: JobRecordError naming the file, < 400 MiB, < 10 s", () =>
    Effect.gen(function* () {
      const frame = yield* Effect.promise(() => Hostile.zstdBombFrame(2 ** 30))
      assert.isBelow(frame.length, 64 * 1024)
      const map = new Map<string, Uint8Array>([[Job.statsKey(3), frame]])
      const before = process.memoryUsage()
      let rss = before.rss
      const poll = setInterval(() => {
        rss = Math.max(rss, process.memoryUsage().rss)
      }, 2)
      const start = performance.now()
      const exit = yield* Effect.exit(
        Effect.provideService(Job.readStats(3), Store.Store, Store.makeMemory(map))
      )
      const ms = performance.now() - start
      clearInterval(poll)
      rss = Math.max(rss, process.memoryUsage().rss)
      assert.isTrue(Exit.isFailure(exit))
      const reason = Exit.isFailure(exit) ? exit.cause.reasons[0] : undefined
      const error = (reason as unknown as { error: { _tag: string; message: string } }).error
      assert.strictEqual(error._tag, "JobRecordError")
      assert.include(error.message, Job.statsKey(3))
      assert.include(error.message, `decompress past ${Job.maxStatsBytes} bytes`)
      assert.isBelow(ms, 10_000)
      // The cap is 256 MiB of output, so RSS may grow up to it, never to the bomb's 1 GiB.
      assert.isBelow((rss - before.rss) / 2 ** 20, 400)
    })
  )
})
