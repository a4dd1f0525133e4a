import { assert, describe, it } from "@effect/vitest"
import type { Patch } from "@eoforge/core"
import { Overlap, SeamFill } from "../src/index.ts"
import { subtract, signedArea } from "../src/internal/pieces.ts"
import { square } from "./squares.ts"

const at = (east: number, north: number, rotation = 0, size = 1000) =>
  square({ lon: 5.9, lat: 52, size, east, north, rotation, id: `${east}/${north}/${rotation}` })

describe("SeamFill", () => {
  it("convex differences leave exactly the area of the square minus the overlap", () => {
    const sq = (x: number, y: number, s: number) => [x, y, x + s, y, x + s, y + s, x, y + s]
    for (const [dx, dy] of [
      [300, 0],
      [300, 450],
      [-700, 120],
      [0, 0],
      [2000, 0]
    ]) {
      const pieces = subtract(sq(0, 0, 1000), sq(dx, dy, 1000), 1e-9)
      const left = pieces.reduce((s, p) => s + signedArea(p), 0)
      const overlap = Math.max(0, 1000 - Math.abs(dx)) * Math.max(0, 1000 - Math.abs(dy))
      assert.closeTo(left, 1e6 - overlap, 1e-6)
    }
  })

  it("adds a candidate only where it covers ground no kept tile covers", () => {
    const kept = [at(0, 0), at(1000, 0)]
    const inside = at(500, 0) // covered by the two kept tiles exactly
    const reaching = at(500, 300) // 300 m of it uncovered
    const r = SeamFill.fill(kept, [inside, reaching])
    assert.deepStrictEqual([...r.added], [1])
    assert.closeTo(r.uncoveredM2[0], 1000 * 300, 1)
    // Its largest share under one kept tile: 500 m × 700 m of 1000 × 1000.
    assert.closeTo(r.overlaps[0], 0.35, 1e-6)
    assert.closeTo(r.overlaps[0], Overlap.fraction(reaching, kept[0]), 1e-12)
  })

  it("of two candidates closing one hole, the less overlapping one is taken", () => {
    // Kept tiles leave a 200 m gap between x = 1500 and 1700; both candidates close it.
    const kept = [at(1000, 0), at(2200, 0)]
    const much = at(1600, 0) // overlaps each kept tile by 400 m
    const little = at(1700, 0, 0, 1000) // overlaps the right one by 500 m, the left one by 300 m
    const r = SeamFill.fill(kept, [much, little])
    assert.strictEqual(r.added.length, 1)
    const scoreMuch = Math.max(Overlap.fraction(much, kept[0]), Overlap.fraction(much, kept[1]))
    const scoreLittle = Math.max(
      Overlap.fraction(little, kept[0]),
      Overlap.fraction(little, kept[1])
    )
    assert.strictEqual(r.added[0], scoreLittle < scoreMuch ? 1 : 0)
  })

  it("drops a tile added early that tiles added after it cover", () => {
    // The middle tile overlaps no kept tile, so it is visited first and added; the left and right tiles each
    // overlap a kept tile by 100 m, come later, are needed for their outer parts and together cover the middle.
    const kept = [at(-1400, 0), at(1400, 0)]
    const middle = at(0, 0)
    const left = at(-500, 0)
    const right = at(500, 0)
    const r = SeamFill.fill(kept, [middle, left, right])
    assert.sameMembers([...r.added], [1, 2])
    for (const u of r.uncoveredM2) assert.closeTo(u, 400 * 1000, 1)
    const result = [...kept, left, right]
    for (const c of [middle, left, right])
      assert.strictEqual(SeamFill.fill(result, [c]).added.length, 0)
  })

  it("rotated lattices meeting at a seam: the result covers what kept and candidates cover, with no redundant tile", () => {
    const kept: Array<Patch.Patch> = []
    const candidates: Array<Patch.Patch> = []
    for (let row = -3; row <= 3; row++) {
      for (let col = -3; col < 0; col++) kept.push(at(col * 1000 + 500, row * 1000))
      for (let col = 0; col < 3; col++) candidates.push(at(col * 1000 + 300, row * 1000 + 170, 4.8))
      candidates.push(at(-200, row * 1000 + 450, 4.8))
    }
    const r = SeamFill.fill(kept, candidates)
    const result = [...kept, ...r.added.map((i) => candidates[i])]
    for (const c of candidates) assert.strictEqual(SeamFill.fill(result, [c]).added.length, 0)
    // No added tile is redundant: removing any one leaves ground of some candidate uncovered.
    for (const k of r.added) {
      const without = result.filter((t) => t !== candidates[k])
      assert.strictEqual(SeamFill.fill(without, [candidates[k]]).added.length, 1)
    }
    assert.isTrue(r.overlaps.every((o) => o >= 0 && o < 1))
  })
})
