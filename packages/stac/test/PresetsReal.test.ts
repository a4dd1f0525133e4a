// The presets' asset keys against real published items (../shared/real, read-only, see its README): every
// band of every binding names an asset the provider's item has, and Earth Search has no WorldCover.
import { assert, describe, it } from "@effect/vitest"
import { existsSync, readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { join } from "node:path"
import { Presets, StacItem } from "../src/index.ts"

const repo = fileURLToPath(new URL("../../../", import.meta.url))
// Beside the clone (CI, the main checkout) or beside the folder of work trees.
const real = [join(repo, "../shared/real"), join(repo, "../../shared/real")].find((p) =>
  existsSync(join(p, "stac-items"))
)
const item = (path: string) =>
  JSON.parse(readFileSync(join(real!, "stac-items", path), "utf8")) as StacItem.Item

describe.skipIf(real === undefined)(
  "presets against real items (skipped: ../shared/real is absent)",
  () => {
    const cases = [
      ["sentinel-2-l2a", "earth-search", "earth-search/S2B_20EPT_20250731_0_L2A.json"],
      ["sentinel-2-l1c", "earth-search", "earth-search/S2B_20EPT_20250731_0_L1C.json"],
      [
        "sentinel-2-l2a",
        "planetary-computer",
        "planetary-computer/S2A_MSIL2A_20190101T000001_R116_T60VUK_20201007T214652.json"
      ],
      [
        "sentinel-2-l2a",
        "cdse",
        "cdse/S2C_MSIL2A_20250330T100051_N0511_R122_T33UWP_20250330T145914_cdse_stac_v110.json"
      ]
    ] as const
    for (const [collection, provider, file] of cases) {
      it(`every ${collection} band bound at ${provider} is an asset of its real item`, () => {
        const preset = collection === "sentinel-2-l1c" ? Presets.sentinel2L1C : Presets.sentinel2L2A
        const binding = preset.bindings[provider]!
        const it = item(file)
        assert.strictEqual(binding.collection, collection)
        for (const band of preset.spec.bands) {
          const key = binding.assets[band.name]!
          assert.property(it.assets, key, `${provider} ${band.name}`)
        }
      })
    }

    it("CDSE's B02_10m reads its STAC 1.1 raster:scale/offset, its https alternate and its baseline", () => {
      const it = item(cases[3][2])
      assert.deepStrictEqual(StacItem.scaling(it, "B02_10m"), { scale: 0.0001, offset: -0.1 })
      assert.match(StacItem.assetHref(it, "B02_10m"), /^s3:\/\/eodata\/Sentinel-2\//)
      assert.match(
        StacItem.assetHref(it, "B02_10m", "https"),
        /^https:\/\/zipper\.dataspace\.copernicus\.eu\/odata\/v1\/Products\(/
      )
      assert.strictEqual(StacItem.processingBaseline(it), "05.11")
      assert.strictEqual(StacItem.processingBaseline(item(cases[2][2])), "02.12")
    })

    it("Earth Search v1 lists no esa-worldcover collection, and the preset has no Earth Search binding", () => {
      const collections = JSON.parse(
        readFileSync(join(real!, "stac-items/earth-search/es-v1-collections.json"), "utf8")
      ) as { collections: ReadonlyArray<{ id: string }> }
      assert.isAbove(collections.collections.length, 5)
      assert.notInclude(
        collections.collections.map((c) => c.id),
        "esa-worldcover"
      )
      assert.isUndefined(Presets.esaWorldCover.bindings["earth-search"])
      assert.strictEqual(
        Presets.esaWorldCover.bindings["planetary-computer"]!.collection,
        "esa-worldcover"
      )
    })
  }
)
