import { assert, describe, it } from "@effect/vitest"
import * as Split from "../src/index.ts"

describe("@eoforge/split", () => {
  it("exports exactly its documented modules", () => {
    assert.deepStrictEqual(Object.keys(Split).sort(), [
      "Assignment",
      "Banding",
      "Blocks",
      "Leakage",
      "Proportions",
      "RandomSplit",
      "Sample",
      "SplitError"
    ])
  })
})
