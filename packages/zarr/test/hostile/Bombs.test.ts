// zstd bombs planted in a store (tools/hostile/files.ts): a chip of a sharded array, a one-file-per-chip
// chunk read through zarrita and a small array's chunk. Each read fails with a StoreError naming the key,
// in bounded memory and time.
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import * as Hostile from "../../../../tools/hostile/files.ts"
import * as Measure from "../../../../tools/hostile/measure.ts"
import { Metadata, Reader, Shard, Store } from "../../src/index.ts"
import { build } from "../fixtures/build.ts"

const SAMPLES = 11
const SHARD = 4

/** A 1 GiB-of-zeros zstd frame (32 KB), made once. */
const bomb = Effect.promise(() => Hostile.zstdBombFrame(2 ** 30)).pipe(Effect.cached)

const peak = Measure.measuredExit

const storeWith = (
  sharded: boolean,
  plant: (map: Map<string, Uint8Array>, frame: Uint8Array) => void
) =>
  Effect.gen(function* () {
    const map = new Map<string, Uint8Array>()
    const memory = Store.makeMemory(map)
    yield* Effect.provideService(build(SAMPLES, SHARD, sharded), Store.Store, memory)
    plant(map, yield* yield* bomb)
    return memory
  })

const expectStoreError = (
  o: { exit: Exit.Exit<unknown, unknown>; ms: number; rssMiB: number; buffersMiB: number },
  key: RegExp
) => {
  assert.isTrue(Exit.isFailure(o.exit), "the bomb was decoded")
  const error = Exit.isFailure(o.exit) ? o.exit.cause.reasons[0] : undefined
  assert.strictEqual(error?._tag, "Fail", `not a typed failure: ${String(error)}`)
  const e = (error as unknown as { error: { _tag: string; message: string } }).error
  assert.strictEqual(e._tag, "StoreError")
  assert.match(e.message, key)
  assert.match(e.message, /decompresses past/, e.message)
  assert.isBelow(o.ms, 5000)
  assert.isBelow(o.rssMiB, 200, `RSS grew by ${o.rssMiB.toFixed(0)} MiB`)
  assert.isBelow(o.buffersMiB, 200, `ArrayBuffers grew by ${o.buffersMiB.toFixed(0)} MiB`)
}

describe("zstd bombs in a store", () => {
  it.effect("a bomb as chip 0 of a shard: the direct reader stops at the chip's size", () =>
    Effect.gen(function* () {
      const key = Metadata.chunkKey("s2l2a/data", [0, 0, 0, 0, 0])
      const memory = yield* storeWith(true, (map, frame) => {
        const nchunks = SHARD * 2
        const parts = Shard.encode([frame, ...new Array<undefined>(nchunks - 1)])
        map.set(key, Buffer.concat(parts))
      })
      const ds = yield* Effect.provideService(Reader.openStore, Store.Store, memory)
      expectStoreError(yield* peak(ds.readChip("s2l2a", 0, 0)), /s2l2a\/data\/c\/0/)
      expectStoreError(yield* peak(ds.readSample(0)), /s2l2a\/data\/c\/0/)
    })
  )

  it.effect(
    "a bomb as a one-file chunk read through zarrita: the registered codec stops at the chunk's size",
    () =>
      Effect.gen(function* () {
        const key = Metadata.chunkKey("s2l2a/data", [1, 0, 0, 0, 0])
        const memory = yield* storeWith(false, (map, frame) => {
          assert.isTrue(map.has(key), `no chunk ${key}`)
          map.set(key, frame)
        })
        const ds = yield* Effect.provideService(Reader.openStore, Store.Store, memory)
        expectStoreError(yield* peak(ds.readChip("s2l2a", 1, 0)), /s2l2a\/data/)
      })
  )

  it.effect(
    "a bomb as the chunk of a small per-sample array (valid): stopped at that chunk's size",
    () =>
      Effect.gen(function* () {
        const key = Metadata.chunkKey("s2l2a/valid", [0, 0])
        const memory = yield* storeWith(true, (map, frame) => {
          assert.isTrue(map.has(key), `no chunk ${key}`)
          map.set(key, frame)
        })
        const ds = yield* Effect.provideService(Reader.openStore, Store.Store, memory)
        expectStoreError(yield* peak(ds.readSample(0)), /s2l2a\/valid/)
      })
  )
})
