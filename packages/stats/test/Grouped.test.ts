import { assert, describe, it } from "@effect/vitest"
import type { Band } from "@eoforge/core"
import { Accumulator, Grouped, StatsError } from "../src/index.ts"
import { chip, prng } from "./fixtures.ts"

const s1: Band.ProductSpec = {
  id: "s1grd",
  dtype: "float32",
  resolution: 10,
  bands: [
    { name: "VV", unit: "dB" },
    { name: "VH", unit: "dB" }
  ]
}
const s2: Band.ProductSpec = {
  id: "s2l1c",
  dtype: "uint16",
  resolution: 10,
  bands: [
    { name: "B02", nodata: 0 },
    { name: "B03", nodata: 0 },
    { name: "B04", nodata: 0 }
  ]
}

describe("Grouped", () => {
  it("normalisation comes from the train split only, per product and band", () => {
    const rand = prng(1)
    const g = Grouped.empty([s1, s2], { s1grd: { range: [-60, 20], bins: 800 } })
    Grouped.add(
      g,
      "s2l1c",
      "train",
      chip("uint16", 3, 10, (b) => 1000 + b * 10 + Math.round(5 * rand()))
    )
    Grouped.add(
      g,
      "s2l1c",
      "test",
      chip("uint16", 3, 10, () => 9000)
    )
    Grouped.add(
      g,
      "s1grd",
      "val",
      chip("float32", 2, 10, () => -12)
    )
    const [r1, r2] = Grouped.finalize(g)
    assert.strictEqual(r1.product, "s1grd")
    assert.deepStrictEqual(r1.normalisation, [])
    assert.strictEqual(r1.splits.val?.[0].mean, -12)
    const train = Accumulator.finalize(Grouped.get(g, "s2l1c", "train"))
    assert.deepStrictEqual(
      r2.normalisation,
      train.map((r) => ({ band: r.band, mean: r.mean, std: r.populationStd }))
    )
    assert.deepStrictEqual(
      r2.normalisation.map((r) => r.band),
      ["B02", "B03", "B04"]
    )
    assert.isBelow(r2.normalisation[0].mean, 1010)
    assert.strictEqual(r2.splits.test?.[2].mean, 9000)
  })

  it("grouped statistics merged from two workers' JSON equal one worker adding everything", () => {
    const rand = prng(2)
    const chips = Array.from({ length: 4 }, () =>
      chip("uint16", 3, 12, () => (rand() < 0.1 ? 0 : Math.round(3000 * rand())))
    )
    const splits = ["train", "val", "train", "test"] as const
    const whole = Grouped.empty([s1, s2])
    const a = Grouped.empty([s1, s2])
    const b = Grouped.empty([s1, s2])
    chips.forEach((c, i) => {
      Grouped.add(whole, "s2l1c", splits[i], c)
      Grouped.add(i % 2 === 0 ? a : b, "s2l1c", splits[i], c)
    })
    const wire = (g: Grouped.Grouped) =>
      Grouped.fromJson([s1, s2], JSON.parse(JSON.stringify(Grouped.toJson(g))))
    const merged = Grouped.merge(wire(a), wire(b))
    const near = (x: number, y: number) => Math.abs(x - y) <= 1e-12 * Math.abs(y)
    const fm = Grouped.finalize(merged)[1]
    const fw = Grouped.finalize(whole)[1]
    for (const s of Grouped.splitNames) {
      fw.splits[s]!.forEach((row, i) => {
        const other = fm.splits[s]![i]
        assert.strictEqual(other.count, row.count)
        assert.strictEqual(other.p98, row.p98)
        assert.isTrue(near(other.mean, row.mean) && near(other.populationStd, row.populationStd))
      })
    }
  })

  it("merging shards in place into a running total gives the same bits as merging copies, inputs kept", () => {
    const rand = prng(9)
    const shards = Array.from({ length: 12 }, (_, k) => {
      const g = Grouped.empty([s1, s2], { s1grd: { range: [-60, 20], bins: 800 } })
      for (let c = 0; c < 3; c++) {
        const split = (["train", "val", "test"] as const)[(k + c) % 3]
        Grouped.add(
          g,
          "s2l1c",
          split,
          chip("uint16", 3, 9, () => (rand() < 0.1 ? 0 : Math.round(4000 * rand())))
        )
        if (k % 2 === 0)
          Grouped.add(
            g,
            "s1grd",
            split,
            chip("float32", 2, 9, () => -30 + 25 * rand())
          )
      }
      return g
    })
    const snapshot = JSON.stringify(Grouped.toJson(shards[5]))
    let copied = Grouped.empty([s1, s2], { s1grd: { range: [-60, 20], bins: 800 } })
    const running = Grouped.empty([s1, s2], { s1grd: { range: [-60, 20], bins: 800 } })
    for (const g of shards) {
      copied = Grouped.merge(copied, g)
      Grouped.mergeInto(running, g)
    }
    assert.strictEqual(
      JSON.stringify(Grouped.toJson(running)),
      JSON.stringify(Grouped.toJson(copied))
    )
    assert.deepStrictEqual(Grouped.finalize(running), Grouped.finalize(copied))
    assert.strictEqual(
      JSON.stringify(Grouped.toJson(shards[5])),
      snapshot,
      "the shard is unchanged"
    )
    // A running total keeps its own copy of a group it first meets: later merges do not alias the shard.
    Grouped.mergeInto(running, shards[5])
    assert.strictEqual(JSON.stringify(Grouped.toJson(shards[5])), snapshot)
    assert.throws(() => Grouped.mergeInto(Grouped.empty([s2]), shards[0]), /s1grd/)
  })

  it("an unknown product or split is a typed error listing the known ones", () => {
    const g = Grouped.empty([s2])
    assert.throws(
      () =>
        Grouped.add(
          g,
          "dem",
          "train",
          chip("uint16", 3, 2, () => 1)
        ),
      /unknown product "dem"; known: s2l1c/
    )
    assert.throws(
      () =>
        Grouped.add(
          g,
          "s2l1c",
          "guard" as "train",
          chip("uint16", 3, 2, () => 1)
        ),
      StatsError.UnknownGroup
    )
  })
})
