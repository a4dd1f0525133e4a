import { assert, describe, it } from "@effect/vitest"
import type { Band } from "@eoforge/core"
import * as fc from "fast-check"
import { Accumulator, Binning, Grouped, MergeTree, Packed, StatsError } from "../src/index.ts"
import { occupiedSlots } from "../src/internal/occupied.ts"
import { chip, gauss, prng } from "./fixtures.ts"

const s1: Band.ProductSpec = {
  id: "s1grd",
  dtype: "float32",
  resolution: 10,
  bands: [{ name: "VV" }, { name: "VH" }]
}
const s2: Band.ProductSpec = {
  id: "s2l2a",
  dtype: "uint16",
  resolution: 10,
  bands: Array.from({ length: 12 }, (_, b) => ({ name: `B${b}`, nodata: 0 }))
}
const products = [s1, s2]
const options = { s1grd: { range: [-60, 20] as const, bins: 800 } }

// One shard's statistics: a few chips per split (val sometimes absent), S2-like reflectances with nodata.
const shard = (seed: number): Grouped.Grouped => {
  const rand = prng(seed)
  const g = Grouped.empty(products, options)
  for (const split of Grouped.splitNames) {
    if (split === "val" && seed % 3 === 0) continue
    Grouped.add(
      g,
      "s2l2a",
      split,
      chip("uint16", 12, 16, (b) =>
        rand() < 0.03 ? 0 : Math.round(300 + 80 * b + 2000 * rand() ** 2)
      )
    )
    Grouped.add(
      g,
      "s1grd",
      split,
      chip("float32", 2, 16, (b) => -15 - 5 * b + 3 * gauss(rand))
    )
  }
  return g
}

const json = (g: Grouped.Grouped) => JSON.stringify(Grouped.toJson(g))

describe("Packed", () => {
  it("decodes to exactly the statistics encoded: moments bit for bit, every histogram count", () => {
    for (const seed of [1, 2, 3]) {
      const g = shard(seed)
      const bytes = Packed.encode(g)
      assert.isTrue(Packed.isPacked(bytes))
      assert.strictEqual(json(Packed.decode(products, bytes, options)), json(g))
    }
    const empty = Grouped.empty(products, options)
    assert.strictEqual(json(Packed.decode(products, Packed.encode(empty), options)), json(empty))
  })

  it("is several times smaller than the JSON form", () => {
    const g = shard(4)
    const bytes = Packed.encode(g)
    const text = new TextEncoder().encode(json(g))
    assert.isBelow(bytes.length * 2, text.length, `${bytes.length} vs ${text.length} bytes`)
  })

  it("merging the binary form into a total gives the numbers of merging the accumulators", () => {
    const a = Grouped.empty(products, options)
    const b = Grouped.empty(products, options)
    for (let seed = 10; seed < 16; seed++) {
      Grouped.mergeInto(a, shard(seed))
      Packed.mergeInto(b, Packed.encode(shard(seed)))
    }
    assert.strictEqual(json(b), json(a))
    assert.deepStrictEqual(Grouped.finalize(b), Grouped.finalize(a))
  })

  it("damaged, truncated or foreign bytes and other layouts are typed errors", () => {
    const bytes = Packed.encode(shard(5))
    for (const bad of [
      bytes.subarray(0, bytes.length - 3),
      new Uint8Array(40),
      Uint8Array.from([...bytes, 0])
    ]) {
      assert.throws(() => Packed.decode(products, bad, options), StatsError.InvalidStatsJson)
    }
    // Another float range: the histograms do not add up.
    assert.throws(
      () => Packed.decode(products, bytes, { s1grd: { range: [-50, 20], bins: 800 } }),
      StatsError.LayoutMismatch
    )
    assert.throws(() => Packed.decode([s1], bytes, options), StatsError.UnknownGroup)
  })
})

describe("histogram readers", () => {
  // Encoding, JSON and merging read only the slots between those of a band's min and max.
  const layouts = [
    { dtype: "uint8" as const, options: {} },
    { dtype: "int16" as const, options: {} },
    { dtype: "uint16" as const, options: {} },
    { dtype: "int16" as const, options: { binning: Binning.linear(-500, 500, 97) } },
    { dtype: "float32" as const, options: { range: [-30, 10] as const, bins: 400 } }
  ]

  it("every count lies in the slots of its band's min..max, and all of them are encoded", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...layouts),
        fc.integer(),
        fc.double({ min: -40000, max: 40000, noNaN: true }),
        fc.double({ min: 0.5, max: 3000, noNaN: true }),
        (layout, seed, centre, spread) => {
          const rand = prng(seed)
          const product: Band.ProductSpec = {
            id: "p",
            dtype: layout.dtype,
            resolution: 10,
            bands: [{ name: "a", nodata: 0 }, { name: "b" }]
          }
          const g = Grouped.empty([product], { p: layout.options })
          for (const split of ["train", "test"] as const)
            Grouped.add(
              g,
              "p",
              split,
              chip(layout.dtype, 2, 12, () => Math.round(centre + spread * gauss(rand)))
            )
          const back = Packed.decode([product], Packed.encode(g), { p: layout.options })
          for (const [key, acc] of g.groups) {
            const slots = Binning.slots(acc.binning)
            const decoded = back.groups.get(key)!
            for (let b = 0; b < 2; b++) {
              const [first, last] = occupiedSlots(
                acc.binning,
                slots,
                acc.count[b],
                acc.min[b],
                acc.max[b]
              )
              let total = 0
              for (let i = 0; i < slots; i++) {
                const k = acc.histogram[b * slots + i]
                total += k
                if (k !== 0 && (i < first || i > last)) return false
              }
              if (total !== acc.count[b]) return false
            }
            // The decoded histograms, compared slot by slot over all slots.
            if (acc.histogram.some((k, i) => decoded.histogram[i] !== k)) return false
            const fromJson = Accumulator.fromJson(
              JSON.parse(JSON.stringify(Accumulator.toJson(acc)))
            )
            if (acc.histogram.some((k, i) => fromJson.histogram[i] !== k)) return false
          }
          return true
        }
      ),
      { seed: 3, numRuns: 150 }
    )
  })

  it("counts outside a band's min..max are refused as damaged, in JSON and in the binary form", () => {
    const acc = Accumulator.empty(1, { dtype: "uint16" })
    Accumulator.add(
      acc,
      chip("uint16", 1, 4, (_, i) => 100 + i)
    )
    const json = Accumulator.toJson(acc)
    assert.throws(
      () => Accumulator.fromJson({ ...json, histogram: [[...json.histogram[0], 99, 1]] }),
      /slot 99 holds values outside its min..max/
    )
    const g = Grouped.empty([s2])
    Grouped.add(
      g,
      "s2l2a",
      "train",
      chip("uint16", 12, 4, (_, i) => 100 + i)
    )
    const bytes = Packed.encode(g)
    // Band 0's min (after the header, its count, mean and M2) raised above its smallest value.
    const header = new DataView(bytes.buffer).getUint32(8, true)
    new DataView(bytes.buffer).setFloat64(12 + header + 24, 105, true)
    assert.throws(() => Packed.decode([s2], bytes), /slot 100 outside 105..115/)
  })
})

describe("MergeTree", () => {
  const shards = Array.from({ length: 40 }, (_, k) => shard(100 + k))
  const sequential = (n: number) => {
    const total = Grouped.empty(products, options)
    for (let k = 0; k < n; k++) Grouped.mergeInto(total, shards[k])
    return total
  }

  it("up to its fan-in, merges bit-identically to adding shards in order", () => {
    for (const n of [0, 1, 7, 16]) {
      const t = MergeTree.make(products, 16, options)
      for (let k = 0; k < n; k++) MergeTree.addPacked(t, Packed.encode(shards[k]))
      assert.strictEqual(json(MergeTree.result(t)), json(sequential(n)))
      assert.strictEqual(t.leaves, n)
    }
  })

  it("beyond it, counts and histograms are exact and moments agree to 1e-12, with a partial per level", () => {
    const t = MergeTree.make(products, 3, options)
    let most = 0
    for (const g of shards) {
      MergeTree.add(t, g)
      most = Math.max(most, t.levels.filter((l) => l !== undefined).length)
    }
    // 40 leaves in base 3 is 1111: four levels at most.
    assert.isAtMost(most, 4)
    const tree = Grouped.toJson(MergeTree.result(t))
    const line = Grouped.toJson(sequential(40))
    for (const [key, a] of Object.entries(line)) {
      const b = tree[key]
      assert.deepStrictEqual(b.histogram, a.histogram)
      assert.deepStrictEqual(b.count, a.count)
      assert.deepStrictEqual(b.min, a.min)
      assert.deepStrictEqual(b.max, a.max)
      a.mean.forEach((m, i) => assert.approximately(b.mean[i], m, 1e-12 * Math.abs(m)))
      a.m2.forEach((m, i) => assert.approximately(b.m2[i], m, 1e-12 * Math.abs(m)))
    }
    assert.throws(() => MergeTree.make(products, 1), /fan-in 1/)
  })
})
