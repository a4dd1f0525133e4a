import { assert, describe, it } from "@effect/vitest"
import * as Stats from "../src/index.ts"

describe("@eoforge/stats", () => {
  it("exports exactly its documented modules", () => {
    assert.deepStrictEqual(Object.keys(Stats).sort(), [
      "Accumulator",
      "Binning",
      "Grouped",
      "MergeTree",
      "Packed",
      "StatsError"
    ])
  })
})
