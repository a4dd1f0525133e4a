import { assert, describe, it } from "@effect/vitest"
import { Schema } from "effect"
import * as Core from "../src/index.ts"
import { BBox, Chip, Crs, DType, GeoTransform, PixelGrid, Reason } from "../src/index.ts"

describe("core", () => {
  it("exports exactly its documented modules", () => {
    assert.deepStrictEqual(Object.keys(Core).sort(), [
      "AccessPolicy",
      "BBox",
      "Band",
      "Chip",
      "Crs",
      "DType",
      "GeoJson",
      "GeoTransform",
      "Patch",
      "PixelGrid",
      "Reason",
      "Redact",
      "SafeName",
      "Split"
    ])
  })

  it("a geotransform and its inverse map pixel corners back to themselves", () => {
    const gt = GeoTransform.northUp(500_000, 4_000_000, 10)
    const inv = GeoTransform.invert(gt)!
    const [x, y] = GeoTransform.apply(gt, 12.5, 7.25)
    assert.strictEqual(x, 500_125)
    assert.strictEqual(y, 3_999_927.5)
    const [c, r] = GeoTransform.apply(inv, x, y)
    assert.closeTo(c, 12.5, 1e-9)
    assert.closeTo(r, 7.25, 1e-9)
    assert.isUndefined(GeoTransform.invert([0, 0, 0, 0, 0, 0]))
  })

  it("a pixel grid's bbox spans whole pixels south and east of its origin", () => {
    const g = PixelGrid.make(Crs.epsg(32633), 500_000, 4_000_000, 10, 264, 264)
    assert.deepStrictEqual(PixelGrid.bbox(g), BBox.make(500_000, 3_997_360, 502_640, 4_000_000))
    assert.deepStrictEqual(PixelGrid.pixelCentre(g, 0, 0), [500_005, 3_999_995])
    const coarse = PixelGrid.withResolution(g, 60)
    assert.strictEqual(coarse.width, 44)
    assert.throws(() => PixelGrid.withResolution(g, 50), /not a whole number/)
  })

  it("the PixelGrid schema rejects a non-positive resolution", () => {
    const decode = Schema.decodeUnknownExit(PixelGrid.PixelGrid)
    const bad = { crs: Crs.epsg(32633), x0: 0, y0: 0, resolution: 0, width: 1, height: 1 }
    assert.isTrue(decode(bad)._tag === "Failure")
    assert.isTrue(decode({ ...bad, resolution: 10 })._tag === "Success")
  })

  it("bbox intersection area is exact and zero for touching boxes", () => {
    assert.strictEqual(BBox.intersectionArea(BBox.make(0, 0, 10, 10), BBox.make(5, 5, 20, 20)), 25)
    assert.strictEqual(BBox.intersectionArea(BBox.make(0, 0, 10, 10), BBox.make(10, 0, 20, 10)), 0)
  })

  it("dtypes round-trip through their typed arrays", () => {
    for (const d of DType.DType.literals) {
      assert.strictEqual(DType.of(DType.alloc(d, 3)), d)
    }
    assert.deepStrictEqual(DType.range("int16"), [-32768, 32767])
  })

  it("a chip mask shared by all bands applies to every band", () => {
    const grid = PixelGrid.make(Crs.epsg(32633), 0, 0, 10, 2, 1)
    const chip: Chip.Chip = {
      grid,
      dtype: "uint16",
      bands: 2,
      data: new Uint16Array([1, 2, 3, 4]),
      mask: new Uint8Array([1, 0])
    }
    assert.deepStrictEqual(Array.from(Chip.band(chip, 1)), [3, 4])
    assert.isTrue(Chip.isValid(chip, 1, 0))
    assert.isFalse(Chip.isValid(chip, 1, 1))
  })

  it("reason codes have stable values and names", () => {
    assert.strictEqual(Reason.Reason.TooCloudy, 3)
    assert.strictEqual(Reason.name(3), "TooCloudy")
    assert.strictEqual(Reason.name(200), "Unknown(200)")
  })
})
