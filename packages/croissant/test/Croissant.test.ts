import { assert, describe, it } from "@effect/vitest"
import { expect } from "vitest"
import * as Package from "../src/index.ts"
import { Croissant, CroissantError, Document } from "../src/index.ts"
import { description } from "./fixture.ts"

type Obj = { [key: string]: any }

const make = (): Obj => Croissant.make(description()) as Obj
const byId = (list: ReadonlyArray<Obj>, id: string): Obj => {
  const found = list.find((x) => x["@id"] === id)
  assert.isDefined(found, `no node with @id ${id}`)
  return found as Obj
}

describe("Croissant", () => {
  it("exports exactly its documented modules", () => {
    assert.deepStrictEqual(Object.keys(Package).sort(), [
      "Card",
      "Croissant",
      "CroissantError",
      "Description",
      "Document",
      "Rules"
    ])
  })

  it("the JSON-LD of the fixture store matches its golden file", async () => {
    await expect(Croissant.toJson(Croissant.make(description()))).toMatchFileSnapshot(
      "golden/croissant.json"
    )
  })

  it("the same description gives the same bytes whatever the order of files and statistics", () => {
    const d = description()
    const shuffled = {
      ...d,
      store: {
        ...d.store,
        files: [...d.store.files].reverse(),
        shards: [...d.store.shards].reverse()
      },
      statistics: [...d.statistics].reverse(),
      availability: [...d.availability].reverse()
    }
    assert.strictEqual(
      Croissant.toJson(Croissant.make(shuffled)),
      Croissant.toJson(Croissant.make(d))
    )
  })

  it("declares Croissant 1.1 and GeoCroissant conformance with the schema.org context mlcroissant expands", () => {
    const doc = make()
    assert.deepStrictEqual(doc.conformsTo, [Document.croissant11, Document.geoCroissant10])
    assert.strictEqual(doc["@type"], "sc:Dataset")
    assert.strictEqual(doc["@context"]["@vocab"], "https://schema.org/")
    assert.strictEqual(doc["@context"].cr, "http://mlcommons.org/croissant/")
    assert.strictEqual(doc["@context"].geocr, "http://mlcommons.org/croissant/geo/")
    for (const term of [
      "arrayShape",
      "isArray",
      "containedIn",
      "citeAs",
      "conformsTo",
      "includes",
      "key"
    ]) {
      assert.isDefined(doc["@context"][term], `context lacks ${term}`)
    }
  })

  it("lists the dataset licence first and every source's licence and attribution", () => {
    const doc = make()
    const d = description()
    assert.strictEqual(doc.license[0], "https://spdx.org/licenses/CC-BY-4.0.html")
    assert.include(doc.license, d.sources[0].license)
    assert.strictEqual(doc.isBasedOn.length, d.sources.length)
    for (const s of d.sources) {
      const based = doc.isBasedOn.find((b: Obj) => b.name === s.name)
      assert.strictEqual(based.creditText, s.attribution)
      assert.include(doc.creditText, s.attribution)
    }
  })

  it("describes every zarr.json and index file as a FileObject and every array group's shards as a FileSet", () => {
    const doc = make()
    const d = description()
    for (const f of d.store.files) {
      const fo = byId(doc.distribution, `fixture.zarr/${f.path}`)
      assert.strictEqual(fo["@type"], "cr:FileObject")
      assert.strictEqual(fo.contentUrl, `fixture.zarr/${f.path}`)
      assert.strictEqual(fo.encodingFormat, "application/json")
      assert.strictEqual(fo.sha256, f.sha256)
      assert.strictEqual(fo.contentSize, `${f.size} B`)
    }
    const s2 = byId(doc.distribution, "shards/s2l2a")
    assert.strictEqual(s2["@type"], "cr:FileSet")
    assert.deepStrictEqual(s2.containedIn, { "@id": "store" })
    assert.include(s2.includes, "fixture.zarr/s2l2a/data/c/**")
    assert.strictEqual(s2.includes.length, 7)
  })

  it("gives each product an array field with its dtype, per-sample shape, bands and wavelengths", () => {
    const doc = make()
    const s2 = byId(doc.recordSet, "s2l2a")
    const data = byId(s2.field, "s2l2a/data")
    assert.strictEqual(data.dataType, "cr:UInt16")
    assert.isTrue(data.isArray)
    assert.strictEqual(data.arrayShape, "2,4,8,8")
    assert.deepStrictEqual(data["geocr:bandConfiguration"]["geocr:bandNameList"], [
      "B02",
      "B03",
      "B04",
      "B08"
    ])
    assert.strictEqual(data["geocr:spectralBandMetadata"][2]["geocr:centerWavelength"].value, 664.6)
    assert.deepStrictEqual(s2["geocr:spatialResolution"], {
      "@type": "QuantitativeValue",
      value: 10,
      unitText: "m"
    })
    const s1 = byId(byId(doc.recordSet, "s1grd").field, "s1grd/data")
    assert.strictEqual(s1.dataType, "cr:Float32")
    assert.isUndefined(s1["geocr:spectralBandMetadata"])
    const vh = s1.additionalProperty.find((p: Obj) => p.name === "VH")
    assert.deepStrictEqual(
      vh.additionalProperty.find((p: Obj) => p.name === "polarisation"),
      { "@type": "PropertyValue", name: "polarisation", value: "VH" }
    )
    assert.strictEqual(vh.unitText, "dB")
  })

  it("marks the split record set with cr:Split terms and points samples/split at it", () => {
    const doc = make()
    const splits = byId(doc.recordSet, "splits")
    assert.strictEqual(splits.dataType, "cr:Split")
    assert.deepStrictEqual(
      splits.data.map((r: Obj) => [r["splits/code"], r["splits/url"], r["splits/samples"]]),
      [
        [0, "cr:TrainingSplit", 3],
        [1, "cr:ValidationSplit", 1],
        [2, "cr:TestSplit", 1]
      ]
    )
    const split = byId(byId(doc.recordSet, "samples").field, "samples/split")
    assert.deepStrictEqual(split.references, { "@id": "splits/code" })
    assert.deepStrictEqual(split.source, {
      fileSet: { "@id": "shards/samples" },
      extract: { column: "split" }
    })
  })

  it("embeds statistics of every split and normalisation constants of the train split", () => {
    const doc = make()
    const d = description()
    const stats = byId(doc.recordSet, "statistics")
    assert.strictEqual(stats.data.length, d.statistics.length)
    const norm = byId(doc.recordSet, "normalisation")
    const vv = norm.data.find((r: Obj) => r["normalisation/band"] === "VV")
    const train = d.statistics.find((s) => s.band === "VV" && s.split === "train")!
    assert.strictEqual(vv["normalisation/mean"], train.mean)
    assert.strictEqual(vv["normalisation/std"], train.std)
  })

  it("leaves bands with classes out of the normalisation record set but keeps their statistics", () => {
    const doc = make()
    const norm = byId(doc.recordSet, "normalisation")
    assert.isUndefined(norm.data.find((r: Obj) => r["normalisation/band"] === "Map"))
    assert.strictEqual(norm.data.length, 6)
    const stats = byId(doc.recordSet, "statistics")
    assert.strictEqual(stats.data.filter((r: Obj) => r["statistics/band"] === "Map").length, 3)
  })

  it("puts no licence of a source without one into the dataset license list", () => {
    const d = description()
    const doc = make()
    const unstated = d.sources.filter((s) => s.license === undefined)
    assert.isAbove(unstated.length, 0)
    assert.deepStrictEqual(doc.license, [
      "https://spdx.org/licenses/CC-BY-4.0.html",
      d.sources[0].license
    ])
    for (const s of unstated) {
      const based = doc.isBasedOn.find((b: Obj) => b.name === s.name)
      assert.isUndefined(based.license)
      assert.strictEqual(based.creditText, s.attribution)
    }
  })

  it("a product added to the description appears as a record set and a FileSet", () => {
    const d = description()
    const dem = {
      id: "dem",
      dtype: "float32" as const,
      resolution: 30,
      crs: "per-patch UTM/UPS",
      shape: [6, 1, 1, 3, 3] as [number, number, number, number, number],
      bands: [{ name: "elevation", unit: "m", resampling: "bilinear" as const }]
    }
    const doc = Croissant.make({
      ...d,
      products: [...d.products, dem],
      store: {
        ...d.store,
        shards: [
          ...d.store.shards,
          ...["data", "valid", "reason", "acquired", "item", "cloud", "nodata"].map((a) => ({
            array: `dem/${a}`,
            includes: [`dem/${a}/c/**`] as [string]
          }))
        ]
      },
      statistics: [
        ...d.statistics,
        {
          product: "dem",
          band: "elevation",
          split: "train" as const,
          count: 9,
          mean: 120,
          std: 4,
          min: 110,
          max: 130,
          percentiles: []
        }
      ]
    }) as Obj
    assert.strictEqual(byId(byId(doc.recordSet, "dem").field, "dem/data").arrayShape, "1,1,3,3")
    assert.isDefined(byId(doc.distribution, "shards/dem"))
  })

  it("refuses a document that misses a required field, naming it", () => {
    const doc = make()
    const { license: _license, ...withoutLicense } = doc
    try {
      Croissant.validate(withoutLicense)
      assert.fail("validate accepted a document without a licence")
    } catch (e) {
      assert.instanceOf(e, CroissantError.InvalidDocument)
      assert.isTrue(
        (e as CroissantError.InvalidDocument).problems.some((p) => p.includes("license"))
      )
      assert.include((e as Error).message, "license")
    }
  })

  it("refuses a FileObject without a checksum", () => {
    const doc = make()
    const distribution = doc.distribution.map((r: Obj) => {
      if (r["@id"] !== "fixture.zarr/zarr.json") return r
      const { sha256: _sha, ...rest } = r
      return rest
    })
    assert.throws(() => Croissant.validate({ ...doc, distribution }), /checksum/)
  })
})
