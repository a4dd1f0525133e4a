import { assert, describe, it } from "@effect/vitest"
import type { Patch } from "@eoforge/core"
import { PatchGeometry } from "@eoforge/grid"
import { Chunk, Effect, Exit, Stream } from "effect"
import * as fc from "fast-check"
import { Overlap, OverlapFilter } from "../src/index.ts"
import * as Bulk from "../src/internal/bulk.ts"
import * as Lazy from "../src/internal/lazy.ts"
import { SLACK } from "../src/internal/greedy.ts"
import { clustered, random, square } from "./squares.ts"

const offerAll = (patches: ReadonlyArray<Patch.Patch>, maxOverlap: number): Array<number> => {
  const filter = OverlapFilter.make({ maxOverlap })
  const accepted: Array<number> = []
  patches.forEach((p, i) => {
    if (filter.offer(p)) accepted.push(i)
  })
  return accepted
}

// Awkward places: zone seams, the antimeridian, both polar caps, plain mid-latitudes.
const hotspots: ReadonlyArray<readonly [number, number]> = [
  [180, 20],
  [-179.99, -65],
  [6, 50],
  [0, 89.97],
  [100, -89.98],
  [77.2, 28.6]
]

describe("OverlapFilter", () => {
  it("a maxOverlap outside [0, 1] is a typed error naming the value", () => {
    for (const maxOverlap of [-0.1, 1.5, Number.NaN]) {
      const error = (() => {
        try {
          OverlapFilter.make({ maxOverlap })
        } catch (e) {
          return e
        }
      })()
      assert.instanceOf(error, OverlapFilter.InvalidMaxOverlapError)
      assert.include((error as Error).message, String(maxOverlap))
      assert.throws(() => OverlapFilter.filterAll([], { maxOverlap }), /invalid maxOverlap/)
    }
    assert.strictEqual(OverlapFilter.make().maxOverlap, 0.25)
  })

  it.effect("the stream pipe fails with the typed error for a bad maxOverlap", () =>
    Effect.gen(function* () {
      const exit = yield* Stream.fromIterable([square({ lon: 0, lat: 0, size: 100 })]).pipe(
        OverlapFilter.filterStream({ maxOverlap: 2 }),
        Stream.runCollect,
        Effect.exit
      )
      assert.isTrue(Exit.isFailure(exit))
      const error = Exit.isFailure(exit) ? exit.cause.reasons[0] : undefined
      assert.strictEqual(error?._tag, "Fail")
      assert.strictEqual(
        error?._tag === "Fail" ? (error.error as { _tag: string })._tag : "",
        "InvalidMaxOverlapError"
      )
    })
  )

  it.effect("a bad footprint fails the stream with a typed error naming the patch", () =>
    Effect.gen(function* () {
      const good = square({ lon: 1, lat: 1, size: 100 })
      const bad: Patch.Patch = {
        ...good,
        id: "stream-bad",
        footprint: [[0, -95], good.footprint[1], good.footprint[2], good.footprint[3]]
      }
      const exit = yield* Stream.fromIterable([good, bad]).pipe(
        OverlapFilter.filterStream(),
        Stream.runCollect,
        Effect.exit
      )
      const reason = Exit.isFailure(exit) ? exit.cause.reasons[0] : undefined
      assert.strictEqual(reason?._tag, "Fail")
      const error = reason?._tag === "Fail" ? (reason.error as Error & { _tag: string }) : undefined
      assert.strictEqual(error?._tag, "InvalidFootprintError")
      assert.include(error?.message, "stream-bad")
    })
  )

  it("SSL4EO's rule: ¾ of a width apart is kept, closer is rejected", () => {
    const make = (lon: number) =>
      PatchGeometry.make({ lon, lat: 45, size: 2640, resolution: 10, snap: 10 })
    const a = make(10)
    const filter = OverlapFilter.make()
    assert.isTrue(filter.offer(a))
    // 1° of longitude at 45°N is about 78.85 km.
    assert.isFalse(filter.offer(make(10 + (0.7 * 2640) / 78_850)))
    assert.isTrue(filter.offer(make(10 + (0.8 * 2640) / 78_850)))
    assert.isFalse(filter.offer(a))
    assert.deepStrictEqual(filter.counts(), { offered: 4, accepted: 2, rejected: 2 })
    assert.strictEqual(filter.accepted()[0], a)
  })

  it("the bulk filter accepts exactly what the streaming filter accepts, in candidate order", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.integer({ min: 0, max: 400 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 200, max: 20_000, noNaN: true }),
        fc.subarray([...hotspots], { minLength: 1 }),
        (seed, n, maxOverlap, sigma, centres) => {
          const patches = clustered(seed, n, centres, sigma, 2640)
          const bulk = OverlapFilter.filterAll(patches, { maxOverlap })
          const incremental = offerAll(patches, maxOverlap)
          assert.deepStrictEqual([...bulk.accepted], incremental)
          assert.strictEqual(bulk.rejected, n - incremental.length)
        }
      ),
      { numRuns: 60, seed: 7 }
    )
  })

  it("the bulk filter decides the same when its footprint cache holds only two footprints (constant eviction)", () => {
    for (const [seed, maxOverlap] of [
      [11, 0.25],
      [12, 0],
      [13, 0.6]
    ] as const) {
      const patches = clustered(seed, 400, hotspots, 1500, 2640)
      const accepted = Bulk.acceptAll(
        patches,
        maxOverlap + SLACK,
        () => assert.fail("valid footprints"),
        1
      )
      const incremental = offerAll(patches, maxOverlap)
      assert.isBelow(incremental.length, patches.length)
      assert.deepStrictEqual([...(accepted ?? [])], incremental)
    }
  })

  it("the bulk filter decides the same with and without its centre-distance bounds, which skip clips", () => {
    // Squares of 2–2.64 km, rotated any way, around the awkward places: the bounds widen but stay exact.
    const rnd = random(31)
    const mixed = Array.from({ length: 3000 }, (_, i) => {
      const [lon, lat] = hotspots[i % hotspots.length]
      const r = 4000 * Math.sqrt(-2 * Math.log(1 - rnd()))
      const a = 2 * Math.PI * rnd()
      const size = 2000 + 640 * rnd()
      const rotation = 90 * rnd()
      return square({ lon, lat, size, east: r * Math.cos(a), north: r * Math.sin(a), rotation })
    })
    for (const [patches, maxOverlap] of [
      [mixed, 0.25],
      [mixed, 0.05],
      [mixed, 0.7],
      [clustered(41, 3000, hotspots, 3000, 2640), 0.25],
      [clustered(42, 3000, hotspots, 3000, 2640), 0]
    ] as const) {
      const run = (useBounds: boolean) => {
        const accepted = Bulk.acceptAll(
          patches,
          maxOverlap + SLACK,
          () => assert.fail("valid"),
          Bulk.CACHE_BITS,
          () => {},
          useBounds
        )
        return { accepted: [...(accepted ?? [])], work: [...Lazy.work] }
      }
      const without = run(false)
      const withBounds = run(true)
      const incremental = offerAll(patches, maxOverlap)
      assert.isBelow(incremental.length, patches.length)
      assert.deepStrictEqual(without.accepted, incremental)
      assert.deepStrictEqual(withBounds.accepted, incremental)
      // Without bounds nothing is decided by distance; with them some pairs are (up to 0.25: at 0.7 no
      // pair of these sizes blocks by its inscribed discs alone), and fewer are clipped.
      assert.strictEqual(without.work[2], 0)
      if (maxOverlap <= 0.25) assert.isAbove(withBounds.work[2], 0)
      assert.isBelow(withBounds.work[3], without.work[3])
    }
  })

  it("the bulk filter decides the same along chains over a thousand levels deep, in either direction", () => {
    // At 90°E, east is −x in ECEF: squares along a parallel are sorted into cubes in the reverse of their
    // candidate order (or, stepping west, in the same order), so a candidate's decision waits on an earlier
    // neighbour, which waits on its own: ~1,500 deep for 20,000 squares 150 m apart (measured), past the
    // bulk filter's first stack of 1,024 levels, which must grow and unwind.
    const line = (step: number, rotation: number) =>
      Array.from({ length: 20_000 }, (_, k) =>
        square({ lon: 90, lat: 30, size: 2640, east: k * step, rotation, id: `l${k}` })
      )
    for (const [step, rotation, maxOverlap] of [
      [150, 0, 0.25],
      [-150, 0, 0.25],
      [150, 2, 0.9],
      [-400, 1, 0.5],
      [700, 0, 0]
    ] as const) {
      const patches = line(step, rotation)
      const incremental = offerAll(patches, maxOverlap)
      assert.isAbove(incremental.length, 1)
      assert.isBelow(incremental.length, patches.length)
      assert.deepStrictEqual(
        [...OverlapFilter.filterAll(patches, { maxOverlap }).accepted],
        incremental
      )
      const tiny = Bulk.acceptAll(patches, maxOverlap + SLACK, () => assert.fail("valid"), 1)
      assert.deepStrictEqual([...(tiny ?? [])], incremental)
    }
  })

  it("the compact filter accepts exactly what the streaming filter accepts, recalling only near footprints", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.integer({ min: 0, max: 400 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 200, max: 20_000, noNaN: true }),
        fc.subarray([...hotspots], { minLength: 1 }),
        (seed, n, maxOverlap, sigma, centres) => {
          const patches = clustered(seed, n, centres, sigma, 2640)
          const kept: Array<Patch.Patch> = []
          let recalls = 0
          const filter = OverlapFilter.makeCompact({
            maxOverlap,
            recall: (k) => {
              recalls++
              return kept[k].footprint
            }
          })
          const accepted: Array<number> = []
          patches.forEach((p, i) => {
            if (filter.offer(p)) {
              accepted.push(i)
              kept.push(p)
            }
          })
          assert.deepStrictEqual(accepted, offerAll(patches, maxOverlap))
          assert.deepStrictEqual(filter.counts(), {
            offered: n,
            accepted: accepted.length,
            rejected: n - accepted.length
          })
          // A rejection needs the blocking footprint (recalled once, then cached); far pairs need none.
          if (accepted.length < n) assert.isAbove(recalls, 0)
          assert.isAtMost(recalls, (n * (n - 1)) / 2)
        }
      ),
      { numRuns: 60, seed: 9 }
    )
  })

  it("a compact filter whose recall gives back other corners fails loudly, not silently", () => {
    const a = square({ lon: 6, lat: 50, size: 2640 })
    const b = square({ lon: 6.001, lat: 50, size: 2640 })
    const filter = OverlapFilter.makeCompact({
      recall: () => [
        [0, 0],
        [0, 0],
        [0, 0],
        [Number.NaN, 0]
      ]
    })
    assert.isTrue(filter.offer(a))
    assert.throws(() => filter.offer(b), /recalled with other corners/)
  })

  it("metre-sized footprints spread over the globe give the same result in bulk as streamed", () => {
    // Cubes of ~1.4 m over a ~10,000 km span are too many to sort: the bulk filter goes one by one.
    const patches = [
      ...clustered(5, 200, [[0, 0]], 2, 1),
      ...clustered(6, 200, [[90, 45]], 2, 1),
      ...clustered(7, 200, [[-179.9999, -70]], 2, 1)
    ]
    const bulk = OverlapFilter.filterAll(patches)
    assert.deepStrictEqual([...bulk.accepted], offerAll(patches, 0.25))
    assert.isAbove(bulk.rejected, 10)
  })

  it("no accepted pair overlaps beyond maxOverlap and every rejection is justified (brute force)", () => {
    const patches = clustered(2024, 3000, hotspots, 3000, 2640)
    for (const maxOverlap of [0.25, 0]) {
      const { accepted, rejected } = OverlapFilter.filterAll(patches, { maxOverlap })
      assert.isAbove(rejected, 100)
      assert.isAbove(accepted.length, 100)
      const isAccepted = new Uint8Array(patches.length)
      for (const i of accepted) isAccepted[i] = 1
      for (let x = 0; x < accepted.length; x++) {
        for (let y = x + 1; y < accepted.length; y++) {
          const a = patches[accepted[x]]
          const b = patches[accepted[y]]
          // The later one was the candidate: it must not be covered beyond the limit by the earlier one.
          assert.isFalse(Overlap.exceeds(b, a, maxOverlap), `${b.id} vs ${a.id}`)
        }
      }
      for (let j = 0; j < patches.length; j++) {
        if (isAccepted[j]) continue
        let blocked = false
        for (let x = 0; x < accepted.length && accepted[x] < j && !blocked; x++) {
          blocked = Overlap.exceeds(patches[j], patches[accepted[x]], maxOverlap)
        }
        assert.isTrue(blocked, `rejected ${patches[j].id} has no blocking accepted patch`)
      }
    }
  })

  it.effect("the stream pipe passes the accepted patches one per chunk and keeps counts", () =>
    Effect.gen(function* () {
      const patches = clustered(99, 500, [[180, -20]], 2000, 2640)
      const filter = OverlapFilter.make()
      const chunks = yield* Stream.fromIterable(patches).pipe(
        OverlapFilter.filterStreamWith(filter),
        Stream.chunks,
        Stream.runCollect
      )
      const sizes = Chunk.toReadonlyArray(Chunk.fromIterable(chunks)).map((c) => c.length)
      assert.isTrue(sizes.every((s) => s === 1))
      const passed = [...chunks].flatMap((c) => [...c])
      const expected = OverlapFilter.filterAll(patches)
      assert.deepStrictEqual(
        passed.map((p) => p.id),
        [...expected.accepted].map((i) => patches[i].id)
      )
      assert.deepStrictEqual(filter.counts(), {
        offered: 500,
        accepted: expected.accepted.length,
        rejected: expected.rejected
      })
      const fresh = yield* Stream.fromIterable(patches).pipe(
        OverlapFilter.filterStream(),
        Stream.runCollect
      )
      assert.strictEqual([...fresh].length, expected.accepted.length)
    })
  )

  it("a bad footprint is a typed error naming the patch", () => {
    const good = square({ lon: 1, lat: 1, size: 100 })
    const bad: Patch.Patch = {
      ...good,
      id: "nan-patch",
      footprint: [[Number.NaN, 0], good.footprint[1], good.footprint[2], good.footprint[3]]
    }
    const filter = OverlapFilter.make()
    assert.throws(() => filter.offer(bad), /nan-patch/)
    assert.throws(() => OverlapFilter.filterAll([good, bad]), /nan-patch/)
    assert.deepStrictEqual(filter.counts(), { offered: 0, accepted: 0, rejected: 0 })
  })
})
