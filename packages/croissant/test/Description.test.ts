import { assert, describe, it } from "@effect/vitest"
import { Card, Croissant, CroissantError, Description } from "../src/index.ts"
import { description } from "./fixture.ts"

const failure = (f: () => unknown): unknown => {
  try {
    f()
  } catch (e) {
    return e
  }
  return assert.fail("expected a typed error")
}

describe("Description", () => {
  it("a description without statistics is refused by both generators with MissingStatistics", () => {
    const d = { ...description(), statistics: [] }
    for (const make of [Croissant.make, Card.make]) {
      const e = failure(() => make(d))
      assert.instanceOf(e, CroissantError.MissingStatistics)
      assert.match((e as Error).message, /no statistics/)
    }
  })

  it("missing train statistics of one band are named product/band/split", () => {
    const d = description()
    const e = failure(() =>
      Croissant.make({
        ...d,
        statistics: d.statistics.filter((s) => !(s.band === "VH" && s.split === "train"))
      })
    ) as CroissantError.MissingStatistics
    assert.instanceOf(e, CroissantError.MissingStatistics)
    assert.deepStrictEqual(e.missing, ["s1grd/VH/train"])
  })

  it("a product whose every slot is missing needs no statistics, and the others still do", () => {
    const d = description()
    const availability = d.availability.map((a) =>
      a.product === "s1grd" ? { ...a, reason: "NoItemInWindow" as const } : a
    )
    const statistics = d.statistics.filter((s) => s.product !== "s1grd")
    const doc = Croissant.make({ ...d, availability, statistics })
    assert.include(Croissant.toJson(doc), "s1grd")
    assert.include(Card.make({ ...d, availability, statistics }), "s1grd")
    const e = failure(() =>
      Croissant.make({ ...d, statistics })
    ) as CroissantError.MissingStatistics
    assert.instanceOf(e, CroissantError.MissingStatistics)
    assert.include(e.missing, "s1grd/VV/train")
  })

  it("bands without statistics are accepted when a reason is stated, listed in both outputs", () => {
    const d = description()
    const statistics = d.statistics.filter((s) => !(s.product === "s1grd" && s.band === "VH"))
    const statisticsUnavailable = [
      { product: "s1grd", band: "VH", reason: "no valid pixel in the train split" }
    ]
    const doc = Croissant.make({ ...d, statistics, statisticsUnavailable }) as any
    const rows = doc.recordSet.find((rs: any) => rs["@id"] === "statisticsUnavailable").data
    assert.deepStrictEqual(rows, [
      {
        "statisticsUnavailable/product": "s1grd",
        "statisticsUnavailable/band": "VH",
        "statisticsUnavailable/reason": "no valid pixel in the train split"
      }
    ])
    const normalised = doc.recordSet.find((rs: any) => rs["@id"] === "normalisation").data
    assert.isFalse(normalised.some((r: any) => r["normalisation/band"] === "VH"))
    const card = Card.make({ ...d, statistics, statisticsUnavailable })
    assert.include(card, "| s1grd | VH | no valid pixel in the train split |")
  })

  it("a description with no statistics at all and a reason for every product has no empty record set", () => {
    const d = description()
    const statisticsUnavailable = d.products.map((p) => ({ product: p.id, reason: "no data" }))
    const doc = Croissant.make({ ...d, statistics: [], statisticsUnavailable }) as any
    const ids = doc.recordSet.map((rs: any) => rs["@id"])
    assert.notInclude(ids, "statistics")
    assert.notInclude(ids, "normalisation")
    assert.include(ids, "statisticsUnavailable")
  })

  it("a product without band metadata is refused with MissingBandMetadata naming it", () => {
    const d = description()
    const products = d.products.map((p) => (p.id === "s1grd" ? { ...p, bands: [] } : p))
    const e = failure(() =>
      Croissant.make({ ...d, products })
    ) as CroissantError.MissingBandMetadata
    assert.instanceOf(e, CroissantError.MissingBandMetadata)
    assert.strictEqual(e.product, "s1grd")
    assert.include(e.message, "s1grd")
  })

  it("a band list that does not match the stored band count is refused", () => {
    const d = description()
    const products = d.products.map((p) =>
      p.id === "s2l2a" ? { ...p, bands: p.bands.slice(0, 3) } : p
    )
    const e = failure(() => Card.make({ ...d, products })) as CroissantError.MissingBandMetadata
    assert.instanceOf(e, CroissantError.MissingBandMetadata)
    assert.include(e.detail, "3 bands but its data has 4")
  })

  it("a store without its root zarr.json or an array without shard files is refused", () => {
    const d = description()
    const noRoot = {
      ...d,
      store: { ...d.store, files: d.store.files.filter((f) => f.path !== "zarr.json") }
    }
    assert.instanceOf(
      failure(() => Croissant.make(noRoot)),
      CroissantError.MissingStoreFile
    )
    const noShards = {
      ...d,
      store: { ...d.store, shards: d.store.shards.filter((s) => s.array !== "s2l2a/reason") }
    }
    const e = failure(() => Croissant.make(noShards)) as CroissantError.MissingShardFiles
    assert.instanceOf(e, CroissantError.MissingShardFiles)
    assert.deepStrictEqual(e.arrays, ["s2l2a/reason"])
  })

  it("schema violations become InvalidDescription carrying the schema error as cause", () => {
    const d = description()
    const badHash = {
      ...d,
      store: {
        ...d.store,
        files: d.store.files.map((f, i) => (i === 0 ? { ...f, sha256: "abc" } : f))
      }
    }
    const e = failure(() => Description.decode(badHash)) as CroissantError.InvalidDescription
    assert.instanceOf(e, CroissantError.InvalidDescription)
    assert.include(e.detail, "64 lowercase hex")
    assert.isDefined(e.cause)
    const badReason = {
      ...d,
      availability: [{ product: "s2l2a", slot: "spring", reason: "Cloudy", count: 1 }]
    }
    assert.instanceOf(
      failure(() => Description.decode(badReason)),
      CroissantError.InvalidDescription
    )
    const spaced = { ...d, store: { ...d.store, path: "my store.zarr" } }
    assert.include((failure(() => Description.decode(spaced)) as Error).message, "whitespace")
  })

  it("a store file of unknown type needs an explicit encodingFormat", () => {
    const d = description()
    const files = [...d.store.files, { path: "manifest.bin", size: 3, sha256: "0".repeat(64) }]
    const e = failure(() => Croissant.make({ ...d, store: { ...d.store, files } }))
    assert.instanceOf(e, CroissantError.UnknownEncodingFormat)
    const typed = files.map((f) =>
      f.path === "manifest.bin" ? { ...f, encodingFormat: "application/octet-stream" } : f
    )
    const doc = Croissant.make({ ...d, store: { ...d.store, files: typed } }) as any
    assert.strictEqual(
      doc.distribution.find((r: any) => r["@id"] === "fixture.zarr/manifest.bin").encodingFormat,
      "application/octet-stream"
    )
  })
})
