import { assert, describe, it } from "@effect/vitest"
import { readFileSync } from "node:fs"
import * as Stac from "../src/index.ts"
import { Search, Ssl4eo } from "../src/index.ts"

// A 2,640 m patch near Rome (UTM 33N), corners in (lon, lat) degrees: UL, UR, LR, LL.
const patch = {
  footprint: [
    [12.48054, 41.91467],
    [12.51233, 41.9148],
    [12.5125, 41.89103],
    [12.48072, 41.8909]
  ] as const
}
const golden = (name: string) =>
  JSON.parse(readFileSync(new URL(`./golden/${name}`, import.meta.url), "utf8"))

describe("Ssl4eo", () => {
  it("the request set against Earth Search with the query extension matches the recorded bodies", () => {
    const got = Ssl4eo.requests(patch, { dialect: "query", sort: true })
    assert.strictEqual(got.length, 4 * 3 * 2)
    assert.deepStrictEqual(
      JSON.parse(JSON.stringify(got)),
      golden("ssl4eo-earth-search-query.json")
    )
  })

  it("the same request set in CQL2-JSON matches its recorded bodies", () => {
    const got = Ssl4eo.requests(patch, { dialect: "cql2-json", sort: true })
    assert.deepStrictEqual(JSON.parse(JSON.stringify(got)), golden("ssl4eo-earth-search-cql2.json"))
  })

  it("stac-server's conformance classes (Earth Search's software) select query by default, with sorting", () => {
    const caps = Search.capabilities(golden("stac-server-conformance.json").conformsTo)
    assert.strictEqual(caps.dialect, "query")
    assert.isTrue(caps.sort)
    assert.strictEqual(Search.capabilities(caps.conformsTo, "cql2-json").dialect, "cql2-json")
  })
})

describe("@eoforge/stac", () => {
  it("exports exactly its documented modules", () => {
    assert.deepStrictEqual(Object.keys(Stac).sort(), [
      "Access",
      "AssetSigner",
      "Find",
      "Presets",
      "Product",
      "Search",
      "SearchCells",
      "Selection",
      "Ssl4eo",
      "StacClient",
      "StacError",
      "StacItem",
      "StaticCatalog",
      "TimeSlots"
    ])
  })
})
