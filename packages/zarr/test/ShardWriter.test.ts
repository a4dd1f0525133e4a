import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as zarr from "zarrita"
import { Codec, Crc32c, Layout, Metadata, Reader, Shard, ShardWriter, Store } from "../src/index.ts"
import { build, chipValues, isMissing, layoutInput, products } from "./fixtures/build.ts"

// zarrita reading straight from the in-memory map (no EOForge reader in between).
const zarritaOver = (map: Map<string, Uint8Array>): zarr.AsyncReadable => ({
  get: async (key) => map.get(key.slice(1)),
  getRange: async (key, range) => {
    const v = map.get(key.slice(1))
    if (v === undefined) return undefined
    return "suffixLength" in range
      ? v.slice(v.length - range.suffixLength)
      : v.slice(range.offset, range.offset + range.length)
  }
})

const buildInMemory = (sharded: boolean, samples = 10, shard = 4) => {
  const map = new Map<string, Uint8Array>()
  return Effect.map(
    Effect.provideService(build(samples, shard, sharded), Store.Store, Store.makeMemory(map)),
    (layout) => ({
      map,
      layout
    })
  )
}

const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength)

describe("ShardWriter", () => {
  for (const sharded of [true, false]) {
    it.effect(
      `chips written ${sharded ? "into shards" : "one file each"} read back byte-identical through zarrita`,
      () =>
        Effect.gen(function* () {
          const { map, layout } = yield* buildInMemory(sharded)
          const root = zarr.root(zarritaOver(map))
          for (const p of layout.products) {
            const arr = yield* Effect.promise(() =>
              zarr.open.v3(root.resolve(`${p.spec.id}/data`), { kind: "array" })
            )
            const n = p.spec.bands.length * p.height * p.width
            for (let s = 0; s < layout.samples; s++) {
              for (let t = 0; t < p.times; t++) {
                const chip = yield* Effect.promise(() => zarr.get(arr, [s, t, null, null, null]))
                const got = bytesOf(chip.data as Uint16Array)
                const want = isMissing(p.spec.id, s, t)
                  ? bytesOf(
                      new (chipValues(p.spec.id, 0, 0, 1).constructor as Float32ArrayConstructor)(
                        n
                      ).fill(Layout.dataFill(p))
                    )
                  : bytesOf(chipValues(p.spec.id, s, t, n))
                assert.deepStrictEqual(got, want, `${p.spec.id} sample ${s} time ${t}`)
              }
            }
            const valid = yield* Effect.promise(
              async () =>
                (
                  await zarr.get(
                    await zarr.open.v3(root.resolve(`${p.spec.id}/valid`), { kind: "array" }),
                    [null, null]
                  )
                ).data as Uint8Array
            )
            for (let s = 0; s < layout.samples; s++)
              for (let t = 0; t < p.times; t++)
                assert.strictEqual(valid[s * p.times + t], isMissing(p.spec.id, s, t) ? 0 : 1)
          }
          const ids = yield* Effect.promise(
            async () =>
              (
                await zarr.get(await zarr.open.v3(root.resolve("samples/id"), { kind: "array" }), [
                  null
                ])
              ).data
          )
          assert.deepStrictEqual(
            Array.from(ids as Array<string>),
            Array.from({ length: 10 }, (_, i) => `p${i}`)
          )
        })
    )
  }

  it.effect("emits zarr.json documents that follow the Zarr v3 core and sharding specs", () =>
    Effect.gen(function* () {
      const { map, layout } = yield* buildInMemory(true)
      const doc = (key: string) => JSON.parse(new TextDecoder().decode(map.get(key)!))
      const root = doc("zarr.json")
      assert.strictEqual(root.zarr_format, 3)
      assert.strictEqual(root.node_type, "group")
      assert.strictEqual(root.attributes.seed, 42)
      assert.strictEqual(root.attributes.created, "2025-01-01T00:00:00.000Z")
      const data = doc("s2l2a/data/zarr.json")
      assert.strictEqual(data.zarr_format, 3)
      assert.strictEqual(data.node_type, "array")
      assert.deepStrictEqual(data.shape, [10, 2, 3, 24, 20])
      assert.strictEqual(data.data_type, "uint16")
      assert.deepStrictEqual(data.chunk_grid, {
        name: "regular",
        configuration: { chunk_shape: [4, 2, 3, 24, 20] }
      })
      assert.deepStrictEqual(data.chunk_key_encoding, {
        name: "default",
        configuration: { separator: "/" }
      })
      assert.strictEqual(data.fill_value, 0)
      assert.deepStrictEqual(data.dimension_names, ["sample", "time", "band", "y", "x"])
      assert.deepStrictEqual(data.codecs, [
        {
          name: "sharding_indexed",
          configuration: {
            chunk_shape: [1, 1, 3, 24, 20],
            codecs: [
              { name: "bytes", configuration: { endian: "little" } },
              { name: "zstd", configuration: { level: 1, checksum: false } }
            ],
            index_codecs: [
              { name: "bytes", configuration: { endian: "little" } },
              { name: "crc32c" }
            ],
            index_location: "end"
          }
        }
      ])
      assert.strictEqual(doc("s1grd/data/zarr.json").fill_value, "NaN")
      assert.strictEqual(doc("s1grd/cloud/zarr.json").fill_value, "NaN")
      assert.strictEqual(doc("s1grd/reason/zarr.json").fill_value, 1)
      // Every array has dimension_names; equal names have equal sizes within each group.
      for (const group of ["samples", ...products.map((p) => p.spec.id)]) {
        const sizes = new Map<string, number>()
        for (const [key] of map) {
          if (!key.startsWith(`${group}/`) || !key.endsWith("/zarr.json")) continue
          const d = doc(key)
          if (d.node_type === "group") continue
          assert.strictEqual(d.dimension_names.length, d.shape.length, key)
          d.dimension_names.forEach((name: string, i: number) => {
            const seen = sizes.get(name)
            if (seen !== undefined) assert.strictEqual(d.shape[i], seen, `${key} dimension ${name}`)
            sizes.set(name, d.shape[i])
          })
        }
        assert.isAbove(sizes.size, 0)
      }
      assert.deepStrictEqual(doc("s2l2a/valid/zarr.json").chunk_grid.configuration.chunk_shape, [
        layout.shardSamples,
        2
      ])
      assert.deepStrictEqual(doc("samples/lon/zarr.json").chunk_grid.configuration.chunk_shape, [
        layout.shardSamples
      ])
    })
  )

  it.effect(
    "lays out each shard as chunks then an index of (offset, nbytes) uint64 pairs and a crc32c",
    () =>
      Effect.gen(function* () {
        const { map } = yield* buildInMemory(true)
        // Shard 2 holds samples 8, 9 and two out-of-range samples: 4 samples × 2 times = 8 inner chunks.
        const file = map.get("s2l2a/data/c/2/0/0/0/0")!
        const n = 8
        const index = file.subarray(file.length - (16 * n + 4))
        const view = new DataView(index.buffer, index.byteOffset, index.byteLength)
        assert.strictEqual(view.getUint32(16 * n, true), Crc32c.compute(index.subarray(0, 16 * n)))
        let expectedOffset = 0
        for (let i = 0; i < n; i++) {
          const offset = view.getBigUint64(16 * i, true)
          const nbytes = view.getBigUint64(16 * i + 8, true)
          const sample = 8 + Math.floor(i / 2)
          const time = i % 2
          if (sample >= 10 || isMissing("s2l2a", sample, time)) {
            assert.strictEqual(offset, 2n ** 64n - 1n)
            assert.strictEqual(nbytes, 2n ** 64n - 1n)
            continue
          }
          // Chunks are stored back to back in index order from byte 0.
          assert.strictEqual(Number(offset), expectedOffset)
          expectedOffset += Number(nbytes)
        }
        assert.strictEqual(expectedOffset, file.length - (16 * n + 4))
      })
  )

  it.effect(
    "writing the same shard twice gives identical bytes and a completion record with its sha256",
    () =>
      Effect.gen(function* () {
        const a = yield* buildInMemory(true)
        const b = yield* buildInMemory(true)
        assert.deepStrictEqual([...a.map.keys()].sort(), [...b.map.keys()].sort())
        for (const [k, v] of a.map) assert.deepStrictEqual(v, b.map.get(k), k)
        const record = JSON.parse(
          new TextDecoder().decode(a.map.get(ShardWriter.doneKey("s2l2a", 1))!)
        )
        const { createHash } = yield* Effect.promise(() => import("node:crypto"))
        const key = "s2l2a/data/c/1/0/0/0/0"
        assert.strictEqual(
          record.files[key].sha256,
          createHash("sha256").update(a.map.get(key)!).digest("hex")
        )
      })
  )

  it.effect(
    "a shard of chips compressed on the thread pool holds the synchronous encoder's bytes and their sha256",
    () =>
      Effect.gen(function* () {
        // 64 × 60 px chips of 3 bands, added at once and in any order.
        const input = layoutInput(4, 4, true)
        const big = {
          ...input,
          products: [{ ...products[0], height: 64, width: 60 }]
        }
        const layout = yield* Layout.make(big)
        const map = new Map<string, Uint8Array>()
        const n = 3 * 64 * 60
        const w = yield* ShardWriter.make(layout, "s2l2a", 0)
        const want: Array<Uint8Array | undefined> = []
        for (let s = 0; s < 4; s++)
          for (let t = 0; t < 2; t++) {
            const chip = chipValues("s2l2a", s, t, n)
            want.push(s === 2 && t === 1 ? undefined : Codec.encode(Codec.zstd(1), bytesOf(chip)))
          }
        // Added all at once and in reverse, as chips finish.
        yield* Effect.forEach(
          [...want.keys()].reverse(),
          (i) =>
            want[i] === undefined
              ? w.skip(i >> 1, i & 1, 3)
              : w.add(i >> 1, i & 1, chipValues("s2l2a", i >> 1, i & 1, n)),
          { concurrency: "unbounded", discard: true }
        )
        const record = yield* Effect.provideService(w.publish, Store.Store, Store.makeMemory(map))
        const key = "s2l2a/data/c/0/0/0/0/0"
        const stored = map.get(key)!
        const expected = Buffer.concat(Shard.encode(want))
        assert.isAbove(stored.length, 64 * 1024)
        assert.isTrue(Buffer.compare(stored, expected) === 0)
        const { createHash } = yield* Effect.promise(() => import("node:crypto"))
        for (const [k, file] of Object.entries(record.files)) {
          assert.strictEqual(file.sha256, createHash("sha256").update(map.get(k)!).digest("hex"), k)
          assert.strictEqual(file.bytes, map.get(k)!.length, k)
        }
      })
  )

  it.effect(
    "rejects a chip of the wrong dtype or shape with an error naming the array and sample",
    () =>
      Effect.gen(function* () {
        const layout = yield* Layout.make(layoutInput(10, 4, true))
        const w = yield* ShardWriter.make(layout, "s2l2a", 1)
        const wrongDtype = yield* Effect.flip(w.add(5, 0, new Float32Array(3 * 24 * 20)))
        assert.strictEqual(wrongDtype._tag, "ChipError")
        assert.strictEqual(wrongDtype.array, "s2l2a/data")
        assert.strictEqual(wrongDtype.sample, 5)
        assert.match(wrongDtype.message, /float32.*uint16/)
        const wrongShape = yield* Effect.flip(w.add(6, 1, new Uint16Array(3 * 24 * 19)))
        assert.strictEqual(wrongShape.sample, 6)
        assert.match(wrongShape.message, /1368 values.*1440/)
        const wrongShard = yield* Effect.flip(w.add(1, 0, new Uint16Array(3 * 24 * 20)))
        assert.match(wrongShard.message, /not in shard 1/)
        const badProduct = yield* Effect.flip(ShardWriter.make(layout, "nope", 0))
        assert.strictEqual(badProduct._tag, "LayoutError")
      })
  )

  it("encodes an index of empty chunks as 2^64−1 pairs that decode back as empty", () => {
    const parts = Shard.encode([undefined, new Uint8Array([1, 2, 3]), undefined])
    const tail = parts[parts.length - 1]
    const decoded = Shard.decodeIndex(tail, 3, 3 + tail.length)
    assert.isFalse(Shard.isProblem(decoded))
    assert.deepStrictEqual(decoded, [undefined, { offset: 0, nbytes: 3 }, undefined])
    const corrupt = tail.slice()
    corrupt[20] ^= 1
    assert.isTrue(Shard.isProblem(Shard.decodeIndex(corrupt, 3, 3 + tail.length)))
  })

  it("serialises a layout to the same zarr.json bytes every time", () => {
    const input = layoutInput(10, 4, true)
    const layout = Effect.runSync(Layout.make(input))
    const a = Layout.documents(layout).map(([k, d]) => [k, Metadata.encode(d)] as const)
    const b = Layout.documents(Effect.runSync(Layout.make(input))).map(
      ([k, d]) => [k, Metadata.encode(d)] as const
    )
    assert.deepStrictEqual(a, b)
  })
})

describe("Reader", () => {
  it.effect("reads a sample with every product, a split, and a chip", () =>
    Effect.gen(function* () {
      const { map } = yield* buildInMemory(true)
      const ds = yield* Effect.provideService(Reader.openStore, Store.Store, Store.makeMemory(map))
      assert.deepStrictEqual(ds.products, ["s2l2a", "s1grd"])
      const s = yield* ds.readSample(7)
      assert.strictEqual(s.id, "p7")
      assert.strictEqual(s.split, 1)
      assert.strictEqual(s.lon, 13.5)
      const p = s.products.s2l2a
      assert.deepStrictEqual(p.shape, [2, 3, 24, 20])
      const n = 3 * 24 * 20
      for (let t = 0; t < 2; t++) {
        if (isMissing("s2l2a", 7, t)) continue
        assert.deepStrictEqual(p.data.subarray(t * n, (t + 1) * n), chipValues("s2l2a", 7, t, n))
        assert.strictEqual(p.item[t], `item-7-${t}`)
        assert.strictEqual(p.acquired[t], 1_700_000_000_000 + 7 * 86_400_000 + t)
      }
      const chip = yield* ds.readChip("s1grd", 4, 0)
      assert.deepStrictEqual(chip, chipValues("s1grd", 4, 0, 2 * 12 * 10))
      assert.deepStrictEqual(yield* ds.splitSamples("test"), [2, 5, 8])
    })
  )

  it.effect("reads one chip with two range reads, not the whole shard", () =>
    Effect.gen(function* () {
      const { map } = yield* buildInMemory(true, 12, 12)
      const base = Store.makeMemory(map)
      const reads: Array<number> = []
      const counting: Store.StoreApi = {
        ...base,
        get: (key) =>
          Effect.tap(base.get(key), (v) =>
            Effect.sync(() => key.includes("/data/c/") && reads.push(v?.length ?? 0))
          ),
        getRange: (key, range) =>
          Effect.tap(base.getRange!(key, range), (v) =>
            Effect.sync(() => key.includes("/data/c/") && reads.push(v?.length ?? 0))
          )
      }
      const ds = yield* Effect.provideService(Reader.openStore, Store.Store, counting)
      assert.isFalse(isMissing("s2l2a", 3, 0))
      yield* ds.readChip("s2l2a", 3, 0)
      const shardBytes = map.get("s2l2a/data/c/0/0/0/0/0")!.length
      assert.strictEqual(reads.length, 2)
      assert.isBelow(reads[0] + reads[1], shardBytes / 4)
    })
  )

  it.effect("names the array and sample when a shard index fails its crc32c", () =>
    Effect.gen(function* () {
      const { map } = yield* buildInMemory(true)
      const key = "s2l2a/data/c/1/0/0/0/0"
      const bad = map.get(key)!.slice()
      bad[bad.length - 30] ^= 0xff
      map.set(key, bad)
      const ds = yield* Effect.provideService(Reader.openStore, Store.Store, Store.makeMemory(map))
      const e = yield* Effect.flip(ds.readChip("s2l2a", 5, 0))
      assert.strictEqual(e._tag, "ShardIndexError")
      if (e._tag !== "ShardIndexError") return
      assert.strictEqual(e.array, "s2l2a/data")
      assert.strictEqual(e.sample, 5)
      assert.match(e.message, /crc32c/)
    })
  )

  it.effect("refuses a directory that is not a store", () =>
    Effect.gen(function* () {
      const e = yield* Effect.flip(Reader.open("/definitely/not/a/store"))
      assert.strictEqual(e._tag, "NotAStoreError")
      assert.match(e.message, /\/definitely\/not\/a\/store/)
    })
  )
})
