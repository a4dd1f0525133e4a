import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { readFileSync } from "node:fs"
import { Layout } from "../src/index.ts"
import { files, realPath, realText } from "./real.ts"

const item = (p: string) => JSON.parse(readFileSync(realPath(`stac-items/${p}`), "utf8"))

describe("Layout", () => {
  it("Earth Search: the product annotation comes from the measurement's name, not the RFI report its item names", () => {
    const l = Layout.fromItem(
      item("earth-search/S1A_IW_GRDH_1SSH_20250731T135702_20250731T135722_060328_077F7E.json")
    )
    assert.deepStrictEqual([...l.polarisations.keys()], ["HH"])
    const hh = l.polarisations.get("HH")!
    assert.match(hh.measurement, /measurement\/iw-hh\.tiff$/)
    assert.match(hh.annotation, /_0C44\/annotation\/iw-hh\.xml$/)
    assert.match(hh.calibration, /annotation\/calibration\/calibration-iw-hh\.xml$/)
    assert.match(hh.noise, /annotation\/calibration\/noise-iw-hh\.xml$/)
    assert.match(l.manifest ?? "", /manifest\.safe$/)
  })

  it("Planetary Computer dual-pol: VV and VH, each with its own files", () => {
    const l = Layout.fromItem(
      item(
        "planetary-computer/S1A_IW_GRDH_1SDV_20230628T210705_20230628T210730_049191_05EA4D_21D1-raw.json"
      )
    )
    assert.deepStrictEqual([...l.polarisations.keys()].sort(), ["VH", "VV"])
    assert.match(l.polarisations.get("VH")!.annotation, /annotation\/iw-vh\.xml$/)
    assert.match(l.polarisations.get("VV")!.calibration, /calibration-iw-vv\.xml$/)
  })

  it("stactools: product schema assets that are real annotations are used as they are", () => {
    const i = item("stactools/S1A_IW_GRDH_1SDV_20210809T173953_20210809T174018_039156_049F13.json")
    const l = Layout.fromItem(i)
    assert.strictEqual(l.polarisations.get("VV")!.annotation, i.assets["schema-product-vv"].href)
  })

  it("SAFE: the manifest's data objects name each polarisation's files", () => {
    const root = realPath(files.manifest2021).replace(/\/manifest\.safe$/, "")
    const l = Effect.runSync(
      Layout.fromManifest(realText(files.manifest2021), root, "manifest.safe")
    )
    assert.deepStrictEqual([...l.polarisations.keys()].sort(), ["VH", "VV"])
    assert.strictEqual(l.polarisations.get("VV")!.annotation, realPath(files.annotationVv2021))
    assert.match(
      l.polarisations.get("VH")!.noise,
      /annotation\/calibration\/noise-s1b-iw-grd-vh-.*-002\.xml$/
    )
  })
})
