// Crs: the forms a CRS arrives in (codes of any authority, PROJ strings, WKT, PROJJSON) and their text form.
import { assert, describe, it } from "@effect/vitest"
import { Schema } from "effect"
import { Crs } from "../src/index.ts"

describe("Crs", () => {
  it("an AUTHORITY:CODE text becomes an EPSG code or another authority's code", () => {
    assert.deepStrictEqual(Crs.fromCode("EPSG:2056"), Crs.epsg(2056))
    assert.deepStrictEqual(Crs.fromCode(" esri:54009 "), {
      _tag: "Code",
      authority: "ESRI",
      code: 54009
    })
    assert.isUndefined(Crs.fromCode("EPSG:"))
    assert.isUndefined(Crs.fromCode("PROJCRS[...]"))
  })
  it("every form has a stable text form and round-trips through the Schema", () => {
    const forms = [
      Crs.epsg(32633),
      Crs.fromCode("ESRI:54009")!,
      Crs.fromProj("+proj=sinu +R=6371007.181"),
      Crs.fromWkt(' PROJCRS["x"] '),
      Crs.fromProjJson({ type: "ProjectedCRS", name: "x" })
    ]
    assert.deepStrictEqual(forms.map(Crs.format), [
      "EPSG:32633",
      "ESRI:54009",
      "+proj=sinu +R=6371007.181",
      'PROJCRS["x"]',
      '{"type":"ProjectedCRS","name":"x"}'
    ])
    for (const crs of forms) {
      const decoded = Schema.decodeUnknownSync(Crs.Crs)(Schema.encodeSync(Crs.Crs)(crs))
      assert.isTrue(Crs.equals(decoded, crs))
    }
    assert.isFalse(Crs.equals(Crs.epsg(54009), Crs.fromCode("ESRI:54009")!))
    assert.isUndefined(Crs.epsgCode(Crs.fromCode("ESRI:54009")!))
  })
})
