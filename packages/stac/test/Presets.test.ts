import { assert, describe, it } from "@effect/vitest"
import { Band } from "@eoforge/core"
import { Schema } from "effect"
import { Presets, Product } from "../src/index.ts"

const isProductSpec = Schema.is(Band.ProductSpec)

describe("Presets", () => {
  it("Sentinel-2 L1C has 13 bands and L2A the same minus B10, each mapped to an Earth Search asset", () => {
    const l1c = Presets.sentinel2L1C
    const l2a = Presets.sentinel2L2A
    assert.strictEqual(l1c.spec.bands.length, 13)
    assert.strictEqual(l2a.spec.bands.length, 12)
    assert.isFalse(l2a.spec.bands.some((b) => b.name === "B10"))
    assert.deepStrictEqual(
      l1c.spec.bands.filter((b) => b.name !== "B10").map((b) => b.name),
      l2a.spec.bands.map((b) => b.name)
    )
    const b8a = l2a.spec.bands.find((b) => b.name === "B8A")!
    assert.strictEqual(b8a.wavelengthNm, 864.7)
    assert.strictEqual(b8a.resolution, 20)
    assert.strictEqual(l2a.bindings["earth-search"].assets.B8A, "nir08")
    assert.strictEqual(l1c.bindings["earth-search"].assets.B10, "cirrus")
    assert.strictEqual(l2a.bindings["planetary-computer"].assets.B8A, "B8A")
    assert.isUndefined(l1c.bindings["planetary-computer"])
    for (const p of Object.values(Presets.all)) {
      assert.isTrue(isProductSpec(p.spec), p.spec.id)
      for (const b of p.spec.bands) {
        for (const binding of Object.values(p.bindings))
          assert.isString(binding.assets[b.name], `${p.spec.id}.${b.name}`)
      }
    }
  })

  it("Sentinel-1 GRD: VV+VH σ⁰ made by the sentinel1-grd reader, selected by mode, type, pass and orbit", () => {
    const db = Presets.sentinel1Grd({
      orbit: "descending",
      relativeOrbit: 117,
      dem: "/dem/glo30.vrt"
    })
    assert.deepStrictEqual(
      db.spec.bands.map((b) => b.polarisation),
      ["VV", "VH"]
    )
    assert.strictEqual(db.spec.bands[0].unit, "dB")
    // The reader writes dB itself (with a floor where noise exceeds the signal).
    assert.strictEqual(db.valueTransform, "none")
    assert.strictEqual(db.reader, "sentinel1-grd")
    assert.deepStrictEqual(db.readerOptions, { dem: "/dem/glo30.vrt" })
    assert.deepStrictEqual(db.polarisations, ["VV", "VH"])
    assert.deepStrictEqual(db.equals, {
      "sar:instrument_mode": "IW",
      "sar:product_type": "GRD",
      "sat:orbit_state": "descending",
      "sat:relative_orbit": 117
    })
    const lin = Presets.sentinel1Grd({ unit: "linear", mode: "EW", polarisations: ["HH", "HV"] })
    assert.strictEqual(lin.spec.bands[0].unit, "linear")
    assert.deepStrictEqual(lin.bindings["earth-search"].assets, { HH: "hh", HV: "hv" })
    assert.strictEqual(lin.equals?.["sar:instrument_mode"], "EW")
    assert.isUndefined(lin.readerOptions)
  })

  it("Sentinel-1 RTC: Planetary Computer's map-projected γ⁰ COGs, stored in dB", () => {
    const rtc = Presets.sentinel1Rtc()
    assert.strictEqual(rtc.bindings["planetary-computer"].collection, "sentinel-1-rtc")
    assert.deepStrictEqual(rtc.bindings["planetary-computer"].assets, { VV: "vv", VH: "vh" })
    assert.isTrue(rtc.projected)
    assert.strictEqual(rtc.valueTransform, "dB")
    assert.isUndefined(rtc.reader)
  })

  it("ESA WorldCover lists its 11 classes with names and colours", () => {
    assert.strictEqual(Presets.worldCoverClasses.length, 11)
    const classes = Presets.esaWorldCover.spec.bands[0].classes!
    assert.deepStrictEqual(
      Object.keys(classes)
        .map(Number)
        .sort((a, b) => a - b),
      [10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 100]
    )
    assert.strictEqual(classes["95"], "Mangroves")
    assert.strictEqual(classes["100"], "Moss and lichen")
    assert.isTrue(Presets.worldCoverClasses.every(([, , c]) => /^#[0-9a-f]{6}$/.test(c)))
    // The legend colours travel with the band, so reports draw WorldCover in its own palette.
    const colours = Presets.esaWorldCover.spec.bands[0].classColours!
    assert.deepStrictEqual(Object.keys(colours), Object.keys(classes))
    assert.strictEqual(colours["50"], "#fa0000")
    assert.strictEqual(Presets.esaWorldCover.spec.bands[0].resampling, "nearest")
    assert.strictEqual(
      Presets.copernicusDem30.bindings["earth-search"].collection,
      "cop-dem-glo-30"
    )
  })

  it("a custom product from a recipe decodes and binds its bands to assets", () => {
    const decode = Schema.decodeUnknownSync(Product.Custom)
    const c = decode({
      id: "ndvi",
      provider: "my-stac",
      collection: "ndvi-monthly",
      bands: [{ name: "NDVI", asset: "ndvi" }],
      dtype: "int16",
      resolution: 250,
      nodata: -3000
    })
    const p = Product.fromCustom(c)
    assert.isTrue(isProductSpec(p.spec))
    assert.strictEqual(p.spec.bands[0].nodata, -3000)
    assert.deepStrictEqual(Product.binding(p, "my-stac"), {
      collection: "ndvi-monthly",
      assets: { NDVI: "ndvi" }
    })
    assert.isTrue(p.projected)
    assert.throws(() => decode({ ...c, resolution: 0 }))
    assert.throws(() => decode({ ...c, bands: [] }))
  })
})
