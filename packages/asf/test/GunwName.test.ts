import { assert, describe, it } from "@effect/vitest"
import { DatePairs, GunwName } from "../src/index.ts"

// Real product names (ARIA-tools, RAiDER and HDF-EOS examples), old and new frame conventions.
const real = [
  "S1-GUNW-A-R-064-tops-20210723_20210711-015000-00119W_00033N-PP-6267-v2_0_6.nc",
  "S1-GUNW-D-R-071-tops-20200130_20200124-135156-34956N_32979N-PP-913f-v2_0_4.nc",
  "https://grfn.asf.alaska.edu/door/download/S1-GUNW-A-R-124-tops-20180502_20180408-043106-21658N_19755N-PP-0dd0-v2_0_1.nc",
  "S1-GUNW-D-R-032-tops-20200220_20200214-214625-00120E_00014N-PP-b785-v3_0_1"
]

describe("GunwName", () => {
  it("reads direction, track, reference and secondary dates, time, frame and version", () => {
    const n = GunwName.parse(real[0]!)!
    assert.strictEqual(
      n.id,
      "S1-GUNW-A-R-064-tops-20210723_20210711-015000-00119W_00033N-PP-6267-v2_0_6"
    )
    assert.strictEqual(n.direction, "A")
    assert.strictEqual(n.lookSide, "R")
    assert.strictEqual(n.track, 64)
    assert.strictEqual(n.reference, Date.UTC(2021, 6, 23))
    assert.strictEqual(n.secondary, Date.UTC(2021, 6, 11))
    assert.strictEqual(n.referenceTime, Date.UTC(2021, 6, 23, 1, 50, 0))
    assert.strictEqual(n.frame, "00119W_00033N")
    assert.deepStrictEqual(n.version, [2, 0, 6])
    assert.strictEqual(GunwName.baselineDays(n), 12)
    const baselines = real.map((r) => GunwName.baselineDays(GunwName.parse(r)!))
    assert.deepStrictEqual(baselines, [12, 6, 24, 6])
    assert.strictEqual(GunwName.parse(real[2]!)!.track, 124)
    assert.strictEqual(GunwName.parse(real[1]!)!.direction, "D")
  })

  it("is not fooled by other names or impossible dates", () => {
    assert.isUndefined(
      GunwName.parse("S1A_IW_SLC__1SDV_20210723T015000_20210723T015027_038900_049700_ABCD.zip")
    )
    assert.isUndefined(
      GunwName.parse("S1-GUNW-A-R-064-tops-20210231_20210211-015000-00119W_00033N-PP-6267-v2_0_6")
    )
    assert.isUndefined(
      GunwName.parse("S1-GUNW-A-R-064-tops-20210723_20210711-255000-00119W_00033N-PP-6267-v2_0_6")
    )
  })

  it("orders versions numerically", () => {
    assert.isAbove(GunwName.compareVersions([2, 0, 10], [2, 0, 9]), 0)
    assert.isBelow(GunwName.compareVersions([2, 0], [2, 0, 1]), 0)
  })
})

const name = (
  dir: "A" | "D",
  track: number,
  ref: string,
  sec: string,
  frame = "00119W_00033N",
  v = "2_0_6"
) =>
  `S1-GUNW-${dir}-R-${String(track).padStart(3, "0")}-tops-${ref}_${sec}-015000-${frame}-PP-6267-v${v}`
const candidate = (id: string, coverage = 1) => ({
  name: GunwName.parse(id)!,
  product: id,
  coverage
})
const summer = {
  id: "JJA",
  start: Date.UTC(2021, 5, 1),
  end: Date.UTC(2021, 7, 31, 23, 59, 59, 999),
  reference: Date.UTC(2021, 6, 16)
}
const union = (frames: ReadonlyArray<{ coverage: number }>) =>
  Math.min(
    1,
    frames.reduce((s, f) => s + f.coverage, 0)
  )

describe("DatePairs", () => {
  const pool = [
    candidate(name("A", 64, "20210723", "20210711")), // 12 days, middle Jul 17
    candidate(name("A", 64, "20210711", "20210629")), // 12 days, middle Jul 5
    candidate(name("A", 64, "20210723", "20210705")), // 18 days
    candidate(name("A", 64, "20210605", "20210524")), // secondary before the slot
    candidate(name("D", 71, "20210720", "20210708")), // 12 days, middle Jul 14, descending
    candidate(name("A", 64, "20210904", "20210823")) // reference after the slot
  ]

  it("keeps pairs with both dates in the slot and the exact baseline, the middle nearest the slot's centre", () => {
    const p = DatePairs.choose(pool, { baselineDays: 12 }, summer, union)
    assert.isTrue(DatePairs.isPair(p))
    if (!DatePairs.isPair(p)) return
    assert.strictEqual(p.frames[0]!.product, name("A", 64, "20210723", "20210711"))
    assert.strictEqual(p.baselineDays, 12)
  })

  it("is the same whatever order the candidates come in", () => {
    const ids = new Set<string>()
    for (let k = 0; k < pool.length; k++) {
      const rotated = [...pool.slice(k), ...pool.slice(0, k)].reverse()
      const p = DatePairs.choose(rotated, { minDays: 6, maxDays: 24 }, summer, union)
      if (DatePairs.isPair(p)) ids.add(p.frames[0]!.product)
    }
    assert.deepStrictEqual([...ids], [name("A", 64, "20210723", "20210711")])
  })

  it("prefers the pair covering more of the patch, then the baseline nearest the target", () => {
    const half = [
      candidate(name("A", 64, "20210723", "20210711"), 0.5),
      candidate(name("D", 71, "20210720", "20210708"), 0.9)
    ]
    const p = DatePairs.choose(half, { baselineDays: 12 }, summer, (f) => f[0]!.coverage)
    assert.strictEqual(DatePairs.isPair(p) && p.track, 71)
    const q = DatePairs.choose(pool, { minDays: 13 }, summer, union)
    assert.strictEqual(DatePairs.isPair(q) && q.baselineDays, 18)
  })

  it("groups the frames of one pair and keeps the newest version of each frame", () => {
    const frames = [
      candidate(name("A", 64, "20210723", "20210711", "00119W_00033N", "2_0_4"), 0.4),
      candidate(name("A", 64, "20210723", "20210711", "00119W_00033N", "2_0_6"), 0.4),
      candidate(name("A", 64, "20210723", "20210711", "00119W_00035N", "2_0_6"), 0.5)
    ]
    const p = DatePairs.choose(frames, { baselineDays: 12 }, summer, union)
    assert.isTrue(DatePairs.isPair(p))
    if (!DatePairs.isPair(p)) return
    assert.deepStrictEqual(
      p.frames.map((f) => f.name.frame + "/" + f.name.version.join(".")),
      ["00119W_00033N/2.0.6", "00119W_00035N/2.0.6"]
    )
    assert.strictEqual(p.coverage, 0.9)
  })

  it("says why nothing passed: outside the slot, other baselines (listed), other orbits", () => {
    const r = DatePairs.choose(pool, { baselineDays: 24, direction: "A" }, summer, union)
    assert.isFalse(DatePairs.isPair(r))
    if (DatePairs.isPair(r)) return
    assert.deepStrictEqual(r, { outsideSlot: 2, baseline: 3, orbit: 1, baselinesSeen: [12, 18] })
  })
})
