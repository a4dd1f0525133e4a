// Every tiled-archive preset names an asset (the template's {asset}) for each of its bands, and states its
// units, licence and attribution.
import { assert, describe, it } from "@effect/vitest"
import { Presets } from "../src/index.ts"

describe("tiled-archive presets", () => {
  it("bind every band to an asset under the tiled-archive binding", () => {
    assert.deepStrictEqual(Object.keys(Presets.all), [
      "srtmgl1",
      "gssic",
      "esa-cci-agb",
      "ghs-built-s",
      "modis-vcf"
    ])
    for (const [name, preset] of Object.entries(Presets.all)) {
      const binding = preset.bindings[Presets.binding]
      assert.isDefined(binding, name)
      for (const band of preset.spec.bands)
        assert.isString(binding!.assets[band.name], `${name} ${band.name}`)
      assert.isString(preset.spec.license, name)
      assert.isString(preset.spec.attribution, name)
    }
  })

  it("SRTMGL1 is int16 metres with -32768 voids; GSSIC has nodata 0 on every band", () => {
    const [elevation] = Presets.srtmgl1.spec.bands
    assert.deepStrictEqual(
      [Presets.srtmgl1.spec.dtype, elevation.unit, elevation.nodata],
      ["int16", "m", -32768]
    )
    assert.isTrue(Presets.gssic.spec.bands.every((b) => b.nodata === 0))
    assert.include(
      Presets.gssic.spec.bands.map((b) => b.name),
      "vv_COH12"
    )
    assert.isTrue(Presets.esaCciAgb.spec.bands.every((b) => b.unit === "Mg/ha"))
    assert.isTrue(Presets.esaCciAgb.spec.bands.every((b) => b.nodata === -32768))
  })

  it("GSSIC coherence is DN × 0.01 (a byte of coherence × 100); backscatter stays DN, its dB rule described", () => {
    for (const b of Presets.gssic.spec.bands) {
      if (b.name.includes("COH"))
        assert.deepStrictEqual([b.scale, b.offset, b.unit], [0.01, 0, "1"])
      else {
        assert.isUndefined(b.scale)
        assert.include(b.description, "20·log10(DN) − 83")
      }
    }
  })

  it("GHS-BUILT-S is m² per cell with nodata 65535 under CC BY 4.0; MOD44B percents keep 200 (water) apart from fill 253", () => {
    const [built] = Presets.ghsBuiltS.spec.bands
    assert.deepStrictEqual([built.unit, built.nodata, built.resolution], ["m2", 65535, 100])
    assert.strictEqual(Presets.ghsBuiltS.spec.license, "CC-BY-4.0")
    assert.include(
      Presets.ghsBuiltS.spec.attribution,
      "10.2905/9F06F36F-4B11-47EC-ABB0-4F8B7B1D72EA"
    )
    for (const b of Presets.modisVcf.spec.bands) {
      assert.deepStrictEqual([b.unit, b.nodata, b.resampling], ["%", 253, "nearest"])
      assert.include(b.description, "200 = water")
    }
    assert.include(Presets.modisVcf.spec.attribution, "10.5067/MODIS/MOD44B.061")
  })
})
