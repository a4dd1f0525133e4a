import { describe, expect, it } from "@effect/vitest"
import * as Collection from "../src/index.ts"

describe("@eoforge/collection exports", () => {
  it("exposes the file-collection kind, its index, listing and date patterns", () => {
    expect(Object.keys(Collection)).toEqual([
      "CollectionIndex",
      "DatePattern",
      "FileCollection",
      "Listing"
    ])
    expect(Collection.FileCollection.kind.type).toBe("file-collection")
  })
})
