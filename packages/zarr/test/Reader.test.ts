import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import fc from "fast-check"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as zarr from "zarrita"
import { Reader, Store } from "../src/index.ts"
import { build, isMissing } from "./fixtures/build.ts"

const SAMPLES = 11
const SHARD = 4

const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength)

// zarrita reading straight from a back-end, with no EOForge reader code in between.
const zarritaOver = (api: Store.StoreApi): zarr.AsyncReadable => ({
  get: (key) => Effect.runPromise(api.get(key.slice(1))),
  getRange: (key, range) => Effect.runPromise(api.getRange!(key.slice(1), range))
})

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "eoforge-zarr-reader-"))

const stores = (sharded: boolean) =>
  Effect.gen(function* () {
    const map = new Map<string, Uint8Array>()
    const memory = Store.makeMemory(map)
    yield* Effect.provideService(build(SAMPLES, SHARD, sharded), Store.Store, memory)
    const dir = tempDir()
    const files = Store.makeFileSystem(dir)
    yield* Effect.provideService(build(SAMPLES, SHARD, sharded), Store.Store, files)
    return { memory, files, dir }
  })

const zarritaChip = (api: Store.StoreApi, product: string, sample: number, time: number) =>
  Effect.promise(async () => {
    const arr = await zarr.open.v3(zarr.root(zarritaOver(api)).resolve(`${product}/data`), {
      kind: "array"
    })
    return (await zarr.get(arr, [sample, time, null, null, null])).data as ArrayBufferView
  })

const slots = fc.record({
  product: fc.constantFrom("s2l2a", "s1grd"),
  sample: fc.nat({ max: SAMPLES - 1 }),
  time: fc.nat({ max: 1 })
})

describe("Reader direct shard path", () => {
  for (const sharded of [true, false]) {
    it.effect(
      `returns chips byte-identical to zarrita's for random samples and times (${sharded ? "sharded" : "one file per chip"}, memory and local files)`,
      () =>
        Effect.gen(function* () {
          const { memory, files, dir } = yield* stores(sharded)
          for (const api of [memory, files]) {
            const ds = yield* Effect.provideService(Reader.openStore, Store.Store, api)
            const samples = fc.sample(slots, { numRuns: 40, seed: sharded ? 7 : 8 })
            for (const { product, sample, time: t } of samples) {
              const time = product === "s1grd" ? 0 : t
              const mine = yield* ds.readChip(product, sample, time)
              const theirs = yield* zarritaChip(api, product, sample, time)
              assert.strictEqual(mine.constructor, theirs.constructor)
              assert.deepStrictEqual(
                bytesOf(mine),
                bytesOf(theirs),
                `${api.location} ${product} ${sample} ${time}`
              )
            }
            yield* ds.close
          }
          fs.rmSync(dir, { recursive: true, force: true })
        })
    )
  }

  it.effect("reads whole samples byte-identical to zarrita, empty slots as the fill value", () =>
    Effect.gen(function* () {
      const { files, dir } = yield* stores(true)
      const ds = yield* Effect.provideService(Reader.openStore, Store.Store, files)
      const arrays = new Map<string, zarr.Array<zarr.DataType, zarr.AsyncReadable>>()
      for (const product of ds.products)
        arrays.set(
          product,
          yield* Effect.promise(() =>
            zarr.open.v3(zarr.root(zarritaOver(files)).resolve(`${product}/data`), {
              kind: "array"
            })
          )
        )
      let missing = 0
      for (let s = 0; s < SAMPLES; s++) {
        const sample = yield* ds.readSample(s)
        for (const product of ds.products) {
          const theirs = yield* Effect.promise(() =>
            zarr.get(arrays.get(product)!, [s, null, null, null, null])
          )
          const mine = sample.products[product].data
          assert.deepStrictEqual(bytesOf(mine), bytesOf(theirs.data as ArrayBufferView))
          for (let t = 0; t < sample.products[product].shape[0]; t++)
            if (isMissing(product, s, t)) missing++
        }
      }
      assert.isAbove(missing, 0)
      yield* ds.close
      fs.rmSync(dir, { recursive: true, force: true })
    })
  )

  it.effect("opens and checks each shard index once however many of its chips are read", () =>
    Effect.gen(function* () {
      const { files, dir } = yield* stores(true)
      let opened = 0
      let gets = 0
      const counting: Store.StoreApi = {
        ...files,
        get: (key) => Effect.tap(files.get(key), () => Effect.sync(() => gets++)),
        openRanged: (key) =>
          Effect.tap(files.openRanged!(key), () =>
            Effect.sync(() => key.includes("/data/c/") && opened++)
          )
      }
      const ds = yield* Effect.provideService(Reader.openStore, Store.Store, counting)
      const before = gets
      for (let s = 0; s < SHARD; s++) yield* ds.readChip("s2l2a", s, 1)
      for (let s = 0; s < SHARD; s++) yield* ds.readChip("s2l2a", s, 0)
      assert.strictEqual(opened, 1)
      // Only the array's zarr.json is fetched whole (once); chunk bytes come by positioned reads.
      assert.strictEqual(gets - before, 1)
      yield* ds.close
      yield* ds.readChip("s2l2a", 0, 1)
      assert.strictEqual(opened, 2)
      yield* ds.close
      fs.rmSync(dir, { recursive: true, force: true })
    })
  )

  it.effect("checks the crc32c of a local shard index and names the array and sample", () =>
    Effect.gen(function* () {
      const { dir } = yield* stores(true)
      const file = path.join(dir, "s1grd", "data", "c", "2", "0", "0", "0", "0")
      const bytes = fs.readFileSync(file)
      bytes[bytes.length - 10] ^= 0x01
      fs.writeFileSync(file, bytes)
      const ds = yield* Reader.open(dir)
      const e = yield* Effect.flip(ds.readChip("s1grd", 9, 0))
      assert.strictEqual(e._tag, "ShardIndexError")
      if (e._tag !== "ShardIndexError") return
      assert.strictEqual(e.array, "s1grd/data")
      assert.strictEqual(e.sample, 9)
      assert.match(e.message, /crc32c/)
      assert.include(e.message, "s1grd/data/c/2/0/0/0/0")
      // Other shards are unaffected.
      const ok = yield* ds.readChip("s1grd", 1, 0)
      assert.strictEqual(ok.length, 2 * 12 * 10)
      yield* ds.close
      fs.rmSync(dir, { recursive: true, force: true })
    })
  )
})

/** Descriptors of this process open on files under `dir` (Linux /proc). */
const openUnder = (dir: string): number => {
  const real = fs.realpathSync(dir)
  let n = 0
  for (const fd of fs.readdirSync("/proc/self/fd")) {
    try {
      if (fs.readlinkSync(`/proc/self/fd/${fd}`).startsWith(real + path.sep)) n++
    } catch {
      // The descriptor closed while listing.
    }
  }
  return n
}

describe("Reader.make", () => {
  it.effect("closes the shard files the dataset kept open when its scope closes", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      try {
        yield* Effect.provideService(
          build(SAMPLES, SHARD, true),
          Store.Store,
          Store.makeFileSystem(dir)
        )
        const during = yield* Effect.scoped(
          Effect.gen(function* () {
            const ds = yield* Reader.make(dir)
            // Samples 0, 4 and 8 lie in three different shards.
            for (const sample of [0, 4, 8]) yield* ds.readChip("s2l2a", sample, 0)
            return openUnder(dir)
          })
        )
        assert.isAtLeast(during, 3, "the direct path keeps one file per shard open")
        assert.strictEqual(openUnder(dir), 0)
      } finally {
        fs.rmSync(dir, { recursive: true, force: true })
      }
    })
  )
})
