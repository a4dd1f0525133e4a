import { assert, describe, it } from "@effect/vitest"
import * as Grid from "../src/index.ts"

describe("grid", () => {
  it("exports exactly its documented modules", () => {
    assert.deepStrictEqual(Object.keys(Grid).sort(), [
      "Aoi",
      "Cities",
      "Coverage",
      "PatchGeometry",
      "Random",
      "ReferenceGrid",
      "Sampler",
      "Tiling",
      "Zone"
    ])
  })
})
