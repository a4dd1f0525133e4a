// Recipes with composite slots: what they resolve to (every scene, least cloudy first, options), and the
// combinations refused before a build starts (pairing, linear integers, options without a composite).
import { assert, describe, it } from "@effect/vitest"
import { Find } from "@eoforge/stac"
import { Result } from "effect"
import { stringify } from "yaml"
import { Composite, Products, Recipe } from "../src/index.ts"

const base = (
  product: Record<string, unknown>,
  rule = "median",
  extra: ReadonlyArray<object> = []
) =>
  stringify({
    name: "c",
    sampling: { sampler: "sphere", count: 1 },
    patch: { size: 2640, resolution: 10 },
    sources: { es: { type: "stac-api", url: "http://127.0.0.1:9/stac" } },
    slots: { monthly: { kind: "months", year: 2021, rule } },
    products: [{ id: "s1", preset: "sentinel-1-grd", source: "es", ...product }, ...extra],
    output: { store: "out.zarr" }
  })

const parsed = (text: string) => {
  const r = Recipe.parse(text, "r.yaml")
  if (Result.isFailure(r)) assert.fail(r.failure.message)
  return (r as Result.Success<Recipe.Recipe, Recipe.RecipeError>).success
}

const problems = (text: string): string => {
  const r = Recipe.parse(text, "r.yaml")
  assert.isTrue(Result.isFailure(r), "the recipe should be rejected")
  return (r as Result.Failure<Recipe.Recipe, Recipe.RecipeError>).failure.message
}

describe("composite recipes", () => {
  it("resolve a median slot to every scene least cloudy first, in dB by default, per orbit direction", () => {
    for (const [orbit, scale] of [
      ["ascending", undefined],
      ["descending", "linear"]
    ] as const) {
      const recipe = parsed(
        base({ orbitDirection: orbit, ...(scale === undefined ? {} : { composite: { scale } }) })
      )
      const [p] = Products.resolve(recipe, (x) => x)
      assert.deepStrictEqual(p.composite, {
        rule: "median",
        scale: scale ?? "dB",
        validCount: false
      })
      assert.strictEqual(p.rules.select, "least-cloudy")
      // The orbit direction is a search filter, so a composite only ever sees scenes of that direction.
      const params = Find.searchParams(
        {
          footprint: [
            [0, 0],
            [0.01, 0],
            [0.01, 0.01],
            [0, 0.01]
          ]
        },
        p.preset,
        p.slots[0],
        p.rules
      )
      assert.strictEqual(params?.equals?.["sat:orbit_state"], orbit)
      assert.strictEqual(params?.equals?.["sar:product_type"], "GRD")
    }
  })

  it("keep single-scene slots single-scene", () => {
    const [p] = Products.resolve(parsed(base({}, "closest")), (x) => x)
    assert.isUndefined(p.composite)
    assert.strictEqual(p.rules.select, "closest")
  })

  it("refuse pairing a composite, linear compositing of integers and options without a composite", () => {
    const paired = problems(
      base({ pair: { with: "s2", rule: "within-days", maxDays: 12 } }, "mean").replace(
        "- id: s1",
        "- id: s2\n    preset: sentinel-2-l2a\n    source: es\n  - id: s1"
      )
    )
    assert.include(paired, "cannot pair with one scene of s2")
    assert.include(
      problems(base({ preset: "sentinel-2-l2a", composite: { scale: "linear" } })),
      "linear compositing converts dB values, which need a float dtype (this product is uint16)"
    )
    assert.include(
      problems(base({ composite: { scale: "linear" } }, "least-cloudy")),
      "composite options need a slot rule of median, mean, min, max, first-valid"
    )
    assert.include(problems(base({ orbitDirection: "up" })), "orbitDirection")
  })

  it("composite in linear power: the mean of −10 and −20 dB is 10·log10(0.055) dB", () => {
    const lin = Composite.toLinear(Float32Array.from([-10, -20]))
    assert.closeTo(lin[0], 0.1, 1e-7)
    const mean = Float32Array.from([(lin[0] + lin[1]) / 2])
    Composite.toDb(mean, Uint8Array.from([1]))
    assert.closeTo(mean[0], 10 * Math.log10(0.055), 1e-5)
    assert.isAbove(Math.abs(mean[0] + 15), 1, "not the mean of the dB values")
  })
})
