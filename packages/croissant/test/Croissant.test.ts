import { assert, describe, it } from "@effect/vitest"
import { expect } from "vitest"
import * as Package from "../src/index.ts"
import { Croissant, CroissantError, Document } from "../src/index.ts"
import { description, sha256 } from "./fixture.ts"

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
      assert.strictEqual(
        fo.encodingFormat,
        f.path.endsWith(".csv") ? "text/csv" : "application/json"
      )
      assert.strictEqual(fo.sha256, f.sha256)
      assert.strictEqual(fo.contentSize, `${f.size} B`)
    }
    const s2 = byId(doc.distribution, "shards/s2l2a")
    assert.strictEqual(s2["@type"], "cr:FileSet")
    assert.deepStrictEqual(s2.containedIn, { "@id": "store" })
    assert.include(s2.includes, "fixture.zarr/s2l2a/data/c/**")
    assert.strictEqual(s2.includes.length, 7)
    // The store set names the root document and the group folders: never croissant.json or .eoforge/.
    assert.deepStrictEqual(byId(doc.distribution, "store").includes, [
      "fixture.zarr/zarr.json",
      "fixture.zarr/samples/**",
      "fixture.zarr/s2l2a/**",
      "fixture.zarr/s1grd/**",
      "fixture.zarr/worldcover/**"
    ])
  })

  it("loads samples and every product's chip table from CSV index FileObjects, and says the pixels are read with xarray", () => {
    const doc = make()
    const sample = byId(byId(doc.recordSet, "samples").field, "samples/lon")
    assert.deepStrictEqual(sample.source, {
      fileObject: { "@id": "fixture.zarr/index/samples.csv" },
      extract: { column: "lon" }
    })
    const s2 = byId(doc.recordSet, "s2l2a")
    for (const f of s2.field)
      assert.strictEqual(f.source.fileObject["@id"], "fixture.zarr/index/s2l2a.csv")
    assert.include(s2.description, "One record per sample × time slot (6 × 2)")
    assert.include(s2.description, 'xr.open_zarr(store, group="s2l2a")')
    assert.strictEqual(byId(s2.field, "s2l2a/acquired").dataType, "sc:DateTime")
  })

  it("takes temporal coverage from acquisitions, else from bounded slots only, and spatial coverage from the box", () => {
    const d = description()
    const withAll = Croissant.make({
      ...d,
      acquired: { first: "2024-03-11T10:00:00Z", last: "2024-06-15T10:00:00Z" },
      bbox: [14, 50, 14.6, 50.3]
    }) as Obj
    assert.strictEqual(withAll.temporalCoverage, "2024-03-11T10:00:00Z/2024-06-15T10:00:00Z")
    assert.deepStrictEqual(withAll.spatialCoverage, {
      "@type": "Place",
      geo: { "@type": "GeoShape", box: "50 14 50.3 14.6" }
    })
    const any = { name: "any", start: "1900-01-01T00:00:00Z", end: "2099-12-31T23:59:59Z" }
    const slotsOnly = Croissant.make({ ...d, timeSlots: [...d.timeSlots, any] }) as Obj
    assert.strictEqual(slotsOnly.temporalCoverage, "2024-03-05/2024-07-06")
    const unbounded = Croissant.make({ ...d, timeSlots: [any] }) as Obj
    assert.isUndefined(unbounded.temporalCoverage)
  })

  it("writes the url of the recipe and none when there is none; refuses one that is not http(s)", () => {
    const d = description()
    assert.strictEqual((Croissant.make(d) as Obj).url, d.url)
    const { url: _, ...draft } = d
    assert.isUndefined((Croissant.make(draft) as Obj).url)
    assert.throws(() => Croissant.make({ ...d, url: "urn:eoforge:demo:1.0.0" }), /http\(s\) URL/)
  })

  it("gives each product record set its bands, wavelengths, polarisations and resolution", () => {
    const doc = make()
    const s2 = byId(doc.recordSet, "s2l2a")
    assert.deepStrictEqual(s2["geocr:bandConfiguration"]["geocr:bandNameList"], [
      "B02",
      "B03",
      "B04",
      "B08"
    ])
    assert.strictEqual(s2["geocr:spectralBandMetadata"][2]["geocr:centerWavelength"].value, 664.6)
    assert.deepStrictEqual(s2["geocr:spatialResolution"], {
      "@type": "QuantitativeValue",
      value: 10,
      unitText: "m"
    })
    assert.include(s2.description, "[6, 2, 4, 8, 8] uint16")
    const s1 = byId(doc.recordSet, "s1grd")
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
    // The forms mlcroissant's own examples use: a text url field, references via "field".
    assert.strictEqual(byId(splits.field, "splits/url").dataType, "sc:Text")
    const split = byId(byId(doc.recordSet, "samples").field, "samples/split")
    assert.deepStrictEqual(split.references, { field: { "@id": "splits/name" } })
    assert.deepStrictEqual(split.source, {
      fileObject: { "@id": "fixture.zarr/index/samples.csv" },
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
    const csv = "sample,id\n"
    const doc = Croissant.make({
      ...d,
      products: [...d.products, dem],
      index: { ...d.index, products: { ...d.index.products, dem: "index/dem.csv" } },
      store: {
        ...d.store,
        files: [...d.store.files, { path: "index/dem.csv", size: csv.length, sha256: sha256(csv) }],
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
    assert.include(byId(doc.recordSet, "dem").description, "[6, 1, 1, 3, 3] float32")
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
