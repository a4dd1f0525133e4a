// Median stacks spilled to a store (more acquisitions than the in-memory limit) read back strip by strip:
// the same composite as in memory, whatever the strip size, and nothing left in the store afterwards.
import { assert, describe, it } from "@effect/vitest"
import { Store } from "@eoforge/zarr"
import { Effect } from "effect"
import * as Combiner from "../src/internal/combiner.ts"

const width = 13
const height = 11
const bands = 3
const pixels = width * height
const layers = Array.from({ length: 9 }, (_, k) => ({
  data: Int16Array.from(
    { length: bands * pixels },
    (_, i) => ((i * 7919 + k * 104729) % 401) - 200
  ),
  mask: Uint8Array.from({ length: pixels }, (_, i) => ((i * 31 + k * 17) % 5 === 0 ? 0 : 1))
}))
// Some pixels are invalid in every layer.
for (const l of layers) l.mask.fill(0, 0, 4)

const composite = (memoryLayers: number, stripBytes: number, map: Map<string, Uint8Array>) =>
  Effect.gen(function* () {
    const c = Combiner.make({
      rule: "median",
      dtype: "int16",
      bands,
      width,
      height,
      layers: layers.length,
      spill: { store: Store.makeMemory(map), prefix: "tmp/", memoryLayers, stripBytes },
      name: "chip"
    })
    for (const l of layers) yield* c.add(l.data, l.mask)
    const keys = map.size
    const result = yield* c.finish([-999, -999, -999])
    yield* c.clear
    return { result, keys }
  })

describe("median combiner", () => {
  it.effect(
    "gives the in-memory median from a spilled stack, strip by strip, and clears the spill",
    () =>
      Effect.gen(function* () {
        const memory = yield* composite(100, 1 << 20, new Map())
        assert.strictEqual(memory.keys, 0)
        for (const stripBytes of [1, 200, 3000, 1 << 20]) {
          const map = new Map<string, Uint8Array>()
          const spilled = yield* composite(2, stripBytes, map)
          assert.strictEqual(spilled.keys, layers.length, "one spilled value per acquisition")
          assert.strictEqual(map.size, 0, "spill cleared")
          assert.deepStrictEqual(Array.from(spilled.result.data), Array.from(memory.result.data))
          assert.deepStrictEqual(Array.from(spilled.result.count), Array.from(memory.result.count))
          assert.deepStrictEqual(
            Array.from(spilled.result.filled),
            Array.from(memory.result.filled)
          )
        }
        assert.strictEqual(memory.result.data[0], -999, "no valid value: the band's fill")
        assert.strictEqual(memory.result.count[0], 0)
      })
  )
})
