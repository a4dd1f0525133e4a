// Every tiled-archive preset names an asset (the template's {asset}) for each of its bands, and states its
// units, licence and attribution.
import { assert, describe, it } from "@effect/vitest"
import { Presets } from "../src/index.ts"

describe("tiled-archive presets", () => {
  it("bind every band to an asset under the tiled-archive binding", () => {
    assert.deepStrictEqual(Object.keys(Presets.all), ["srtmgl1", "gssic", "esa-cci-agb"])
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
  })
})
