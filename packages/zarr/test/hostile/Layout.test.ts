import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { Layout, Reader, Store } from "../../src/index.ts"
import { hostileStore, tempDir } from "./stores.ts"

const readLayout = (root: string) => Layout.read.pipe(Effect.provide(Store.layerFileSystem(root)))

// Each case: an edit of the root layout and the key the error must name.
const cases: ReadonlyArray<readonly [string, (l: Record<string, any>) => void, string]> = [
  ["samples = 1e15", (l) => (l.samples = 1e15), "samples"],
  ["shardSamples = 0", (l) => (l.shardSamples = 0), "shardSamples"],
  ["shardSamples = -3", (l) => (l.shardSamples = -3), "shardSamples"],
  ["samples = 2.5", (l) => (l.samples = 2.5), "samples"],
  ["samples as a string", (l) => (l.samples = "8"), "samples"],
  [
    "one sample per shard over 1e9 samples (1e9 shards)",
    (l) => ((l.samples = 1e9), (l.shardSamples = 1)),
    "shardSamples"
  ],
  ["a shard index of 4e9 chunks", (l) => (l.shardSamples = 2e9), "shardSamples"],
  ["product id ../../evil", (l) => (l.products[0].spec.id = "../../evil"), "products[0].spec.id"],
  ["product id /etc", (l) => (l.products[0].spec.id = "/etc"), "products[0].spec.id"],
  ["product id samples", (l) => (l.products[1].spec.id = "samples"), "products[1].spec.id"],
  ["duplicate product ids", (l) => (l.products[1].spec.id = "s2l2a"), "products[1].spec.id"],
  [
    "band name ../x",
    (l) => (l.products[0].spec.bands[1].name = "../x"),
    "products[0].spec.bands[1].name"
  ],
  ["unknown data type", (l) => (l.products[0].spec.dtype = "complex128"), "products[0].spec.dtype"],
  [
    "dtype named like a prototype key",
    (l) => (l.products[0].spec.dtype = "constructor"),
    "products[0].spec.dtype"
  ],
  ["height 0", (l) => (l.products[0].height = 0), "products[0].height"],
  ["width 1e9", (l) => (l.products[0].width = 1e9), "products[0].width"],
  ["times 1e12", (l) => (l.products[1].times = 1e12), "products[1].times"],
  ["no bands", (l) => (l.products[0].spec.bands = []), "products[0].spec.bands"],
  [
    "unknown codec",
    (l) => (l.products[0].compression = { name: "lz4" }),
    "products[0].compression"
  ],
  ["products not a list", (l) => (l.products = { length: 1e9 }), "products"],
  ["sharded as a string", (l) => (l.sharded = "yes"), "sharded"]
]

describe("opening a hostile store", () => {
  for (const [name, edit, key] of cases) {
    it.effect(`${name}: refused at open with InvalidStoreError naming ${key}`, () =>
      Effect.gen(function* () {
        const root = tempDir("layout")
        try {
          yield* hostileStore(root, edit)
          const started = performance.now()
          const error = yield* Effect.flip(readLayout(root))
          assert.strictEqual(error._tag, "InvalidStoreError")
          assert.include(error.message, `eoforge.layout.${key}`)
          assert.include(error.message, root)
          // The reader refuses it the same way, before any array is touched.
          const viaReader = yield* Effect.flip(Reader.open(root))
          assert.strictEqual(viaReader._tag, "InvalidStoreError")
          assert.isBelow(
            performance.now() - started,
            10_000,
            "refused at once, not after a walk of the declared shards"
          )
        } finally {
          fs.rmSync(root, { recursive: true, force: true })
        }
      })
    )
  }

  it.effect("a root zarr.json that is JSON null or a list is not a store (typed, no defect)", () =>
    Effect.gen(function* () {
      const root = tempDir("layout")
      try {
        for (const text of [
          "null",
          "[]",
          '"x"',
          '{"zarr_format":3,"node_type":"group","attributes":null}'
        ]) {
          fs.writeFileSync(path.join(root, "zarr.json"), text)
          const error = yield* Effect.flip(readLayout(root))
          assert.strictEqual(error._tag, "NotAStoreError", text)
        }
      } finally {
        fs.rmSync(root, { recursive: true, force: true })
      }
    })
  )

  it.effect("Layout.make refuses what a store open would refuse, so EOForge never writes one", () =>
    Effect.gen(function* () {
      const { layoutInput } = yield* Effect.promise(() => import("../fixtures/build.ts"))
      const input = layoutInput(8, 2, true)
      const tooManyChunks = yield* Effect.flip(Layout.make({ ...input, shardSamples: 3_000_000 }))
      assert.include(tooManyChunks.message, "chunks")
      const badBand = yield* Effect.flip(
        Layout.make({
          ...input,
          products: [
            { ...input.products[0], spec: { ...input.products[0].spec, bands: [{ name: "a/b" }] } }
          ]
        })
      )
      assert.include(badBand.message, "band name")
      // Tiny chips get a default shard size whose index stays within the limit.
      const tiny = yield* Layout.make({
        samples: 10,
        products: [
          {
            spec: { id: "t", dtype: "uint8", resolution: 10, bands: [{ name: "b" }] },
            times: 12,
            height: 1,
            width: 1
          }
        ],
        attributes: input.attributes
      })
      assert.isAtMost(tiny.shardSamples * 12, Layout.limits.chunksPerShard)
    })
  )
})
