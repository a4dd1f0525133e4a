import { describe, expect, it } from "@effect/vitest"
import * as Composite from "../src/index.ts"

describe("@eoforge/composite exports", () => {
  it("exposes the rules, running composites, medians and casts", () => {
    expect(Object.keys(Composite)).toEqual(["Cast", "Median", "Rule", "Running"])
    expect(Composite.Rule.rules).toEqual(["median", "mean", "min", "max", "first-valid"])
  })
})
