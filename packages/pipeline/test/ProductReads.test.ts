import { assert, describe, it } from "@effect/vitest"
import { PixelGrid } from "@eoforge/core"
import { Deferred, Effect, Fiber } from "effect"
import * as ProductReads from "../src/internal/productReads.ts"

// A read that counts its runs and finishes when `gate` opens.
const counted = () => {
  let runs = 0
  const gate = Effect.runSync(Deferred.make<void>())
  const read = () =>
    Effect.gen(function* () {
      runs++
      yield* Deferred.await(gate)
      return `heights ${runs}`
    })
  return { read, gate, runs: () => runs }
}

describe("reads of another product shared within a patch (a reader's DEM)", () => {
  it.effect("concurrent slots of one patch share one read; another patch or grid reads again", () =>
    Effect.gen(function* () {
      const patch = { id: "p1" }
      const { read, gate, runs } = counted()
      const fibers = yield* Effect.forEach([0, 1, 2, 3], () =>
        Effect.forkChild(ProductReads.shared(patch, "dem a", read))
      )
      yield* Effect.yieldNow
      yield* Deferred.succeed(gate, undefined)
      const got = yield* Effect.forEach(fibers, Fiber.join)
      assert.deepStrictEqual(got, ["heights 1", "heights 1", "heights 1", "heights 1"])
      assert.strictEqual(runs(), 1)
      // Later slots of the same patch: no new read.
      assert.strictEqual(yield* ProductReads.shared(patch, "dem a", read), "heights 1")
      assert.strictEqual(runs(), 1)
      // Another grid (key) of the same patch, and the same key for another patch: read again.
      assert.strictEqual(yield* ProductReads.shared(patch, "dem b", read), "heights 2")
      assert.strictEqual(yield* ProductReads.shared({ id: "p1" }, "dem a", read), "heights 3")
      assert.strictEqual(runs(), 3)
    })
  )

  it.effect("an interrupted read is not kept: the next slot reads", () =>
    Effect.gen(function* () {
      const patch = { id: "p2" }
      const { read, gate, runs } = counted()
      const first = yield* Effect.forkChild(ProductReads.shared(patch, "dem", read))
      yield* Effect.yieldNow
      assert.strictEqual(runs(), 1)
      yield* Fiber.interrupt(first)
      yield* Deferred.succeed(gate, undefined)
      assert.strictEqual(yield* ProductReads.shared(patch, "dem", read), "heights 2")
      assert.strictEqual(runs(), 2)
    })
  )

  it.effect("a failed read fails every slot asking, without reading again", () =>
    Effect.gen(function* () {
      const patch = { id: "p3" }
      let runs = 0
      const read = () =>
        Effect.suspend(() => {
          runs++
          return Effect.fail(`unreadable ${runs}`)
        })
      const a = yield* Effect.flip(ProductReads.shared(patch, "dem", read))
      const b = yield* Effect.flip(ProductReads.shared(patch, "dem", read))
      assert.deepStrictEqual([a, b, runs], ["unreadable 1", "unreadable 1", 1])
    })
  )

  it.effect(
    "a result `keep` refuses (a transient failure) goes to the slots waiting on it, then is dropped",
    () =>
      Effect.gen(function* () {
        const patch = { id: "p4" }
        let runs = 0
        const gate = yield* Deferred.make<void>()
        const read = () =>
          Effect.gen(function* () {
            runs++
            yield* Deferred.await(gate)
            return runs === 1 ? "ReadFailed" : "heights"
          })
        const keep = (r: string) => r !== "ReadFailed"
        const waiting = yield* Effect.forEach([0, 1], () =>
          Effect.forkChild(ProductReads.shared(patch, "dem", read, keep))
        )
        yield* Effect.yieldNow
        yield* Deferred.succeed(gate, undefined)
        assert.deepStrictEqual(yield* Effect.forEach(waiting, Fiber.join), [
          "ReadFailed",
          "ReadFailed"
        ])
        assert.strictEqual(runs, 1)
        // The next slot reads again, and that result is kept.
        assert.strictEqual(yield* ProductReads.shared(patch, "dem", read, keep), "heights")
        assert.strictEqual(yield* ProductReads.shared(patch, "dem", read, keep), "heights")
        assert.strictEqual(runs, 2)
      })
  )

  it.effect("forget drops a patch's reads once its slots are done", () =>
    Effect.gen(function* () {
      const patch = { id: "p5" }
      let runs = 0
      const read = () => Effect.sync(() => ++runs)
      assert.strictEqual(yield* ProductReads.shared(patch, "dem", read), 1)
      assert.strictEqual(yield* ProductReads.shared(patch, "dem", read), 1)
      ProductReads.forget(patch)
      assert.strictEqual(yield* ProductReads.shared(patch, "dem", read), 2)
    })
  )

  it("grid keys are equal exactly for equal grids", () => {
    const crs = { _tag: "Epsg", code: 32632 } as const
    const g = PixelGrid.make(crs, 500_000, 5_000_000, 10, 264, 264)
    assert.strictEqual(
      ProductReads.gridKey(g),
      ProductReads.gridKey(PixelGrid.make({ ...crs }, 500_000, 5_000_000, 10, 264, 264))
    )
    for (const other of [
      PixelGrid.make(crs, 500_010, 5_000_000, 10, 264, 264),
      PixelGrid.make(crs, 500_000, 4_999_990, 10, 264, 264),
      PixelGrid.make(crs, 500_000, 5_000_000, 20, 132, 132),
      PixelGrid.make(crs, 500_000, 5_000_000, 10, 264, 263),
      PixelGrid.make({ _tag: "Epsg", code: 32633 }, 500_000, 5_000_000, 10, 264, 264)
    ])
      assert.notStrictEqual(ProductReads.gridKey(g), ProductReads.gridKey(other))
  })
})
