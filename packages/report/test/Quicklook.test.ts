import { assert, describe, it } from "@effect/vitest"
import { Quicklook } from "../src/index.ts"
import { products } from "./fixtures/store.ts"

const [s2, s1, lc, comp] = products(8).map((p) => p.spec)

describe("Quicklook", () => {
  it("draws each product kind its own way", () => {
    const optical = Quicklook.kindOf(s2)
    assert.deepStrictEqual(optical, { kind: "optical", bands: [2, 1, 0], name: "true colour" })
    assert.deepStrictEqual(Quicklook.kindOf(s1), { kind: "sar", bands: [0, 1], linear: false })
    assert.strictEqual(Quicklook.kindOf(lc).kind, "classes")
    // The observation count of a composite is not drawn: its NDVI band is.
    assert.deepStrictEqual(Quicklook.kindOf(comp), { kind: "ramp", band: 0 })
    const falseColour = Quicklook.kindOf({ ...s2, bands: s2.bands.slice(1) })
    assert.deepStrictEqual(falseColour, {
      kind: "optical",
      bands: [2, 1, 0],
      name: "false colour (NIR, red, green)"
    })
  })

  it("paints classes with their legend colours, and nodata in the missing colour", () => {
    const kind = Quicklook.kindOf(lc)
    const chip = new Uint8Array([1, 2, 3, 0])
    const tile = Quicklook.render(lc, kind, chip, 2, 2, [])
    const px = (i: number) => Array.from(tile.data.subarray(i * 4, i * 4 + 3))
    assert.deepStrictEqual(px(0), [0x00, 0x64, 0xc8])
    assert.deepStrictEqual(px(1), [0x00, 0x64, 0x00])
    assert.deepStrictEqual(px(2), [0xfa, 0x00, 0x00])
    assert.deepStrictEqual(px(3), [...Quicklook.nodataColour])
  })

  it("stretches SAR in dB: VV at 0 dB is full red, at −25 dB none", () => {
    const chip = new Float32Array([0, -25, -5, -30])
    const tile = Quicklook.render(s1, Quicklook.kindOf(s1), chip, 1, 2, [])
    assert.strictEqual(tile.data[0], 255)
    assert.strictEqual(tile.data[4], 0)
    assert.strictEqual(tile.data[1], 255)
    assert.strictEqual(tile.data[5], 0)
  })
})
