import { assert, describe, it } from "@effect/vitest"
import * as Ssl4eoLayout from "../src/internal/ssl4eoLayout.ts"

// Paths of torchgeo's SSL4EO-S12 test tree (microsoft/torchgeo @ 7ea0616, tests/data/ssl4eo/s12/, MIT):
// the layout its SSL4EOS12 dataset reads as root/<split>/<index:07>/<scene>/<band>.tif.
const torchgeo = [
  "s1/0000000/S1A_IW_GRDH_1SDV_20200329T001515_20200329T001540_031883_03AE27_9BAF/VV.tif",
  "s2c/0000001/20201104T135121_20201104T135117_T21KXT/B8A.tif",
  "s2a/0000000/20200621T162901_20200621T164746_T15QXA/B12.tif"
]

// What torchgeo's SSL4EOS12.__getitem__ opens for a sample index, band and scene.
const torchgeoPath = (split: string, index: number, scene: string, band: string) =>
  `${split}/${String(index).padStart(7, "0")}/${scene}/${band}.tif`

describe("SSL4EO-S12 export layout", () => {
  it("names product, sample and scene folders exactly as torchgeo's fixture tree does", () => {
    const ours = [
      `${Ssl4eoLayout.folderOf("s1grd")}/${Ssl4eoLayout.sampleFolder(0)}/${Ssl4eoLayout.sceneFolder("S1A_IW_GRDH_1SDV_20200329T001515_20200329T001540_031883_03AE27_9BAF", "spring", 0)}/VV.tif`,
      `${Ssl4eoLayout.folderOf("s2l1c")}/${Ssl4eoLayout.sampleFolder(1)}/${Ssl4eoLayout.sceneFolder("20201104T135121_20201104T135117_T21KXT", "autumn", 2)}/B8A.tif`,
      `${Ssl4eoLayout.folderOf("s2l2a")}/${Ssl4eoLayout.sampleFolder(0)}/${Ssl4eoLayout.sceneFolder("20200621T162901_20200621T164746_T15QXA", "summer", 1)}/B12.tif`
    ]
    assert.deepStrictEqual(ours, torchgeo)
    assert.strictEqual(
      torchgeoPath("s2a", 0, "20200621T162901_20200621T164746_T15QXA", "B12"),
      ours[2]
    )
    assert.strictEqual(Ssl4eoLayout.sampleFolder(251078), "0251078")
    assert.strictEqual(Ssl4eoLayout.folderOf("dem"), "dem")
  })

  it("makes scene folders path-safe and falls back to the slot when the item is unknown", () => {
    assert.strictEqual(Ssl4eoLayout.sceneFolder("", "winter", 3), "winter")
    assert.strictEqual(Ssl4eoLayout.sceneFolder("a/b", "winter", 3), "a_b")
    assert.strictEqual(Ssl4eoLayout.sceneFolder("a/../b", "winter", 3), "winter-3")
    assert.strictEqual(Ssl4eoLayout.sceneFolder("..", "winter", 3), "winter-3")
    assert.strictEqual(Ssl4eoLayout.sceneFolder("x1, x2", "winter", 3), "x1")
  })

  it("metadata.json uses the published property names and never calls the nodata fraction nodata", () => {
    const m = Ssl4eoLayout.metadata({
      item: "S2A_1",
      acquired: 1_600_000_000_000,
      cloud: 0.031,
      nodataFraction: 0.25,
      sample: 3,
      id: "p3",
      product: "s2l2a",
      slot: "spring",
      lon: 1,
      lat: 2,
      epsg: 32631,
      split: 0
    })
    assert.strictEqual(m["system:index"], "S2A_1")
    assert.strictEqual(m["system:time_start"], 1_600_000_000_000)
    assert.closeTo(m.CLOUDY_PIXEL_PERCENTAGE as number, 3.1, 1e-9)
    assert.strictEqual(m["eoforge:nodata_fraction"], 0.25)
    assert.notProperty(m, "nodata")
  })
})
