// Each rule mlcroissant 1.1 `validate` enforces, checked on a mutated copy of the fixture document:
// the emitted document passes, and each mutation is reported by exactly the rule it breaks.
import { assert, describe, it } from "@effect/vitest"
import { Croissant, Rules } from "../src/index.ts"
import { description } from "./fixture.ts"

type Obj = { [key: string]: any }

const fresh = (): Obj => JSON.parse(Croissant.toJson(Croissant.make(description())))
const find = (list: Array<Obj>, id: string): Obj => list.find((x) => x["@id"] === id)!
const problemsAfter = (mutate: (doc: Obj) => void): ReadonlyArray<string> => {
  const doc = fresh()
  mutate(doc)
  return Rules.check(doc)
}
const reports = (mutate: (doc: Obj) => void, pattern: RegExp) => {
  const problems = problemsAfter(mutate)
  assert.isTrue(
    problems.some((p) => pattern.test(p)),
    `expected a problem matching ${pattern}, got: ${problems.join(" | ") || "none"}`
  )
}

describe("Rules", () => {
  it("the emitted fixture document breaks no rule", () => {
    assert.deepStrictEqual(Rules.check(fresh()), [])
  })

  it("every required dataset property is enforced", () => {
    for (const key of Rules.requiredDatasetFields) {
      reports((d) => delete d[key], new RegExp(`"${key}" is missing`))
    }
    reports((d) => (d["@type"] = "sc:CreativeWork"), /"@type" must be "sc:Dataset"/)
    reports((d) => (d.conformsTo = ["http://mlcommons.org/croissant/1.0"]), /must include/)
  })

  it("a FileObject needs an @id, an encodingFormat, a contentUrl and a checksum", () => {
    const root = "fixture.zarr/zarr.json"
    reports(
      (d) => delete find(d.distribution, root).encodingFormat,
      /zarr\.json: missing "encodingFormat"/
    )
    reports((d) => delete find(d.distribution, root).contentUrl, /zarr\.json: missing "contentUrl"/)
    reports((d) => delete find(d.distribution, root).sha256, /zarr\.json: missing a checksum/)
    reports((d) => (find(d.distribution, root).sha256 = "ABC"), /64 lowercase hex/)
    reports((d) => delete d.distribution[0]["@id"], /distribution\[0\]: missing "@id"/)
    reports((d) => (find(d.distribution, root).contentSize = "big"), /contentSize/)
  })

  it("a FileSet needs includes and an encodingFormat, and containedIn must exist", () => {
    reports(
      (d) => delete find(d.distribution, "shards/s1grd").includes,
      /shards\/s1grd: missing "includes"/
    )
    reports(
      (d) => (find(d.distribution, "shards/s1grd").includes = []),
      /shards\/s1grd: missing "includes"/
    )
    reports(
      (d) => delete find(d.distribution, "shards/s1grd").encodingFormat,
      /shards\/s1grd: missing "encodingFormat"/
    )
    reports(
      (d) => (find(d.distribution, "shards/s1grd").containedIn = { "@id": "nowhere" }),
      /unknown resource "nowhere"/
    )
  })

  it("every field's source references an existing FileSet or FileObject and extracts one column or path", () => {
    const lon = (d: Obj) => find(find(d.recordSet, "samples").field, "samples/lon")
    reports(
      (d) => (lon(d).source.fileSet = { "@id": "shards/absent" }),
      /samples\/lon: "source" references cr:FileSet "shards\/absent"/
    )
    reports(
      (d) =>
        (lon(d).source = { fileObject: { "@id": "shards/samples" }, extract: { column: "lon" } }),
      /references cr:FileObject "shards\/samples", which is not in "distribution"/
    )
    reports((d) => delete lon(d).source.extract, /exactly one of column, jsonPath, fileProperty/)
    reports((d) => (lon(d).source.extract = { column: "lon", jsonPath: "$.lon" }), /exactly one of/)
    reports(
      (d) => (lon(d).source.extract = { fileProperty: "size" }),
      /fileProperty" must be one of/
    )
    reports((d) => delete lon(d).source, /samples\/lon: defines neither "source" nor "value"/)
    reports((d) => (lon(d).value = 1), /defines both "source" and "value"/)
  })

  it("fields need a known dataType and references to existing fields", () => {
    const lat = (d: Obj) => find(find(d.recordSet, "samples").field, "samples/lat")
    reports((d) => delete lat(d).dataType, /samples\/lat: missing "dataType"/)
    reports((d) => (lat(d).dataType = "sc:Number"), /names no atomic or ML data type/)
    reports(
      (d) => (lat(d).references = { field: { "@id": "splits/absent" } }),
      /unknown field "splits\/absent"/
    )
    // The bare form crashes mlcroissant 1.1 (AttributeError); cr:Split belongs on the record set.
    reports(
      (d) => (lat(d).references = { "@id": "splits/name" }),
      /must be written \{ "field": \{ "@id": … \} \}/
    )
    reports((d) => (lat(d).dataType = "cr:Split"), /cr:Split belongs on the split record set/)
  })

  it("a field reading a column of a format mlcroissant cannot read (Zarr) is refused: it would load 0 records", () => {
    reports((d) => {
      find(find(d.recordSet, "samples").field, "samples/lon").source = {
        fileSet: { "@id": "shards/samples" },
        extract: { column: "lon" }
      }
    }, /samples\/lon: reads a column of "shards\/samples" .* it would load 0 records/)
  })

  it("a FileSet including everything beside the Croissant file is refused; a url must be http(s)", () => {
    reports(
      (d) => (find(d.distribution, "store").includes = ["./**"]),
      /matches every file beside the Croissant file/
    )
    reports((d) => (d.url = "urn:eoforge:demo:1.0.0"), /"url" must be the http\(s\) address/)
  })

  it("arrayShape is a comma-separated string and requires isArray", () => {
    const data = (d: Obj) => find(find(d.recordSet, "splits").field, "splits/code")
    const arr = (d: Obj) => {
      data(d).isArray = true
      return data(d)
    }
    reports((d) => (arr(d).arrayShape = [2, 4, 8, 8]), /is not a comma-separated string/)
    reports((d) => (arr(d).arrayShape = "2x4x8x8"), /is not a comma-separated string/)
    reports((d) => (data(d).arrayShape = "2,4"), /defines "arrayShape" but "isArray" is not true/)
    assert.deepStrictEqual(
      problemsAfter((d) => (arr(d).arrayShape = "-1,4,8,8")),
      []
    )
  })

  it("@ids are unique and free of whitespace", () => {
    reports(
      (d) => (find(d.recordSet, "availability")["@id"] = "samples"),
      /samples: "@id" is used 2 times/
    )
    reports((d) => (find(d.distribution, "store")["@id"] = "the store"), /contains whitespace/)
  })

  it("embedded data rows carry exactly the field ids, and keys name fields of their record set", () => {
    reports(
      (d) => delete find(d.recordSet, "splits").data[1]["splits/url"],
      /data\[1\] keys must be exactly the field @ids \(missing: splits\/url/
    )
    reports((d) => (find(d.recordSet, "splits").data[0].extra = 1), /unknown: extra/)
    reports((d) => (find(d.recordSet, "splits").data = []), /non-empty list/)
    reports(
      (d) => (find(d.recordSet, "splits").key = { "@id": "samples/id" }),
      /"key" refers to "samples\/id", not a field of this record set/
    )
  })

  it("fields reading from several sources need a declared join", () => {
    reports((d) => {
      const s2 = find(d.recordSet, "s2l2a")
      delete find(s2.field, "s2l2a/split").references
      find(s2.field, "s2l2a/valid").source.fileObject = { "@id": "fixture.zarr/index/s1grd.csv" }
    }, /several sources \(fixture.zarr\/index\/s1grd.csv, fixture.zarr\/index\/s2l2a.csv\) without a join/)
  })

  it("the generator refuses a document any rule rejects", () => {
    const doc = fresh()
    find(find(doc.recordSet, "samples").field, "samples/lon").references = { "@id": "samples/id" }
    assert.throws(() => Croissant.validate(doc), /references/)
  })
})
