import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { StoreLock } from "../../src/index.ts"
import { deadPid, tempDir } from "./stores.ts"

const whole = { command: "build", recipeHash: "a".repeat(64) }
const lockFile = (root: string) => path.join(root, ".eoforge", "lock")

const plantHolder = (root: string, holder: Record<string, unknown>) => {
  fs.mkdirSync(path.join(root, ".eoforge"), { recursive: true })
  fs.writeFileSync(lockFile(root), JSON.stringify(holder))
}

const holder = (pid: number, host = os.hostname().replace(/[^A-Za-z0-9._-]/g, "_")) => ({
  pid,
  host,
  token: "0123456789abcdef",
  started: "2026-01-01T00:00:00.000Z",
  command: "build",
  recipeHash: "b".repeat(64)
})

const withRoot = <A, E>(f: (root: string) => Effect.Effect<A, E>) =>
  Effect.acquireUseRelease(
    Effect.sync(() => tempDir("lock")),
    f,
    (root) => Effect.sync(() => fs.rmSync(root, { recursive: true, force: true }))
  )

describe("the store lock", () => {
  it.effect("a second writer is refused with the holder named; after release it may take it", () =>
    withRoot((root) =>
      Effect.gen(function* () {
        const first = yield* StoreLock.take(root, whole)
        const recorded = JSON.parse(fs.readFileSync(lockFile(root), "utf8"))
        assert.strictEqual(recorded.pid, process.pid)
        assert.strictEqual(recorded.recipeHash, whole.recipeHash)
        assert.strictEqual(recorded.command, "build")
        const refused = yield* Effect.flip(StoreLock.take(root, { ...whole, command: "finalize" }))
        assert.strictEqual(refused._tag, "StoreLockedError")
        assert.include(refused.message, `pid ${process.pid}`)
        assert.include(refused.message, "eoforge build")
        assert.include(refused.message, lockFile(root))
        yield* first.release
        assert.isFalse(fs.existsSync(lockFile(root)))
        const second = yield* StoreLock.take(root, whole)
        yield* second.release
      })
    )
  )

  it.effect("a lock whose holder died on this host is taken over", () =>
    withRoot((root) =>
      Effect.gen(function* () {
        plantHolder(root, holder(deadPid()))
        const lock = yield* StoreLock.take(root, whole)
        assert.strictEqual(JSON.parse(fs.readFileSync(lockFile(root), "utf8")).pid, process.pid)
        yield* lock.release
        assert.deepStrictEqual(fs.readdirSync(path.join(root, ".eoforge")), [])
      })
    )
  )

  // Live clock: staleness compares the file's modification time with the clock's now.
  it.live("a lock of another host is taken over only once its holder stopped refreshing it", () =>
    withRoot((root) =>
      Effect.gen(function* () {
        plantHolder(root, holder(1, "restarted-pod"))
        const fresh = yield* Effect.flip(StoreLock.take(root, whole))
        assert.include(fresh.message, "restarted-pod")
        const old = new Date(Date.now() - StoreLock.abandonedAfterMs - 60_000)
        fs.utimesSync(lockFile(root), old, old)
        const lock = yield* StoreLock.take(root, whole)
        assert.strictEqual(JSON.parse(fs.readFileSync(lockFile(root), "utf8")).pid, process.pid)
        yield* lock.release
      })
    )
  )

  it.effect("a fresh lock of another host, or one that is not a lock record, is not broken", () =>
    withRoot((root) =>
      Effect.gen(function* () {
        plantHolder(root, holder(1, "some-other-host"))
        const foreign = yield* Effect.flip(StoreLock.take(root, whole))
        assert.include(foreign.message, "some-other-host")
        assert.include(foreign.message, "cannot be checked from here")
        fs.writeFileSync(lockFile(root), "garbage")
        const garbled = yield* Effect.flip(StoreLock.take(root, whole))
        assert.strictEqual(garbled._tag, "StoreLockedError")
        assert.include(garbled.message, "not a lock record")
        assert.strictEqual(fs.readFileSync(lockFile(root), "utf8"), "garbage")
      })
    )
  )

  it.effect("a live holder in this very process (another fibre) is not taken for stale", () =>
    withRoot((root) =>
      Effect.gen(function* () {
        const a = yield* StoreLock.take(root, whole)
        const b = yield* Effect.flip(StoreLock.take(root, whole))
        assert.strictEqual(b._tag, "StoreLockedError")
        yield* a.release
      })
    )
  )

  it.effect("ten writers racing for one lock: exactly one gets it", () =>
    withRoot((root) =>
      Effect.gen(function* () {
        plantHolder(root, holder(deadPid()))
        const results = yield* Effect.all(
          Array.from({ length: 10 }, () => Effect.result(StoreLock.take(root, whole))),
          { concurrency: "unbounded" }
        )
        const won = results.filter((r) => r._tag === "Success")
        assert.strictEqual(won.length, 1)
        for (const r of won) if (r._tag === "Success") yield* r.success.release
      })
    )
  )

  it.effect(
    "partitions of one recipe that share no shard hold locks side by side; others are refused",
    () =>
      withRoot((root) =>
        Effect.gen(function* () {
          const p0 = yield* StoreLock.take(root, { ...whole, partition: { index: 0, count: 2 } })
          const p1 = yield* StoreLock.take(root, { ...whole, partition: { index: 1, count: 2 } })
          const same = yield* Effect.flip(
            StoreLock.take(root, { ...whole, partition: { index: 0, count: 2 } })
          )
          assert.include(same.message, "--shard 0/2")
          // 2/4 builds shards 2, 6, … which partition 0/2 builds too.
          const overlapping = yield* Effect.flip(
            StoreLock.take(root, { ...whole, partition: { index: 2, count: 4 } })
          )
          assert.include(overlapping.message, "on shards this partition also builds")
          const otherRecipe = yield* Effect.flip(
            StoreLock.take(root, {
              ...whole,
              recipeHash: "c".repeat(64),
              partition: { index: 3, count: 4 }
            })
          )
          assert.include(otherRecipe.message, "different recipe")
          const wholeStore = yield* Effect.flip(
            StoreLock.take(root, { ...whole, command: "finalize" })
          )
          assert.strictEqual(wholeStore._tag, "StoreLockedError")
          yield* p0.release
          yield* p1.release
          const finalize = yield* StoreLock.take(root, { ...whole, command: "finalize" })
          const partition = yield* Effect.flip(
            StoreLock.take(root, { ...whole, partition: { index: 0, count: 2 } })
          )
          assert.include(partition.message, "eoforge finalize")
          yield* finalize.release
          assert.deepStrictEqual(fs.readdirSync(path.join(root, ".eoforge", "locks")), [])
        })
      )
  )
})
