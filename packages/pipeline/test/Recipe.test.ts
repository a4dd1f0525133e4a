import { assert, describe, it } from "@effect/vitest"
import { Effect, Result } from "effect"
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { parse, stringify } from "yaml"
import { Recipe } from "../src/index.ts"

const demoText = readFileSync(join(Recipe.shippedDirectory, "demo.yaml"), "utf8")

/** The demo recipe with one edit; fails the test when the edit does not apply. */
const edited = (from: string, to: string): string => {
  assert.include(demoText, from)
  return demoText.replace(from, to)
}

const lineOf = (text: string, needle: string): number =>
  text.split("\n").findIndex((l) => l.includes(needle)) + 1

const problemsOf = (text: string) => {
  const result = Recipe.parse(text, "recipe.yaml")
  assert.isTrue(Result.isFailure(result), "the recipe should be rejected")
  const error = (result as Result.Failure<Recipe.Recipe, Recipe.RecipeError>).failure
  assert.strictEqual(error._tag, "RecipeError")
  assert.strictEqual(error.file, "recipe.yaml")
  return error
}

describe("Recipe", () => {
  it("rejects a misspelt key with its line and key path and suggests the right key", () => {
    const text = edited("  resolution: 10\n  snap: 30", "  resolutoin: 10\n  snap: 30")
    const error = problemsOf(text)
    const typo = error.problems.find((p) => p.key === "patch.resolutoin")
    assert.isDefined(typo)
    assert.strictEqual(typo!.line, lineOf(text, "resolutoin"))
    assert.include(typo!.message, 'did you mean "resolution"')
    assert.include(error.message, `recipe.yaml:${typo!.line} patch.resolutoin`)
  })

  it("rejects a dtype outside the supported set, naming the product and listing the choices", () => {
    const text = edited("dtype: float32", "dtype: float33")
    const error = problemsOf(text)
    assert.strictEqual(error.problems.length, 1)
    const [p] = error.problems
    assert.match(p.key, /^products\[\d+\]\.dtype$/)
    assert.strictEqual(p.line, lineOf(text, "float33"))
    assert.include(p.message, "float32")
    assert.include(p.message, "uint8")
  })

  it("reports a missing required key at the block that lacks it", () => {
    const text = edited("  size: 960\n", "")
    const error = problemsOf(text)
    assert.deepStrictEqual(
      error.problems.map((p) => p.key),
      ["patch.size"]
    )
    // The line of `patch:` or of its first entry: either points the reader at the right block.
    const line = error.problems[0].line!
    assert.isTrue(line === lineOf(text, "patch:") || line === lineOf(text, "patch:") + 1)
    assert.match(error.problems[0].message, /missing/i)
  })

  it("reports invalid YAML syntax as a syntax problem rather than a schema problem", () => {
    const error = problemsOf(edited("seed: 7", "seed: [7"))
    assert.isTrue(error.problems.length > 0)
    assert.isTrue(error.problems.every((p) => p.key === "(syntax)"))
    assert.include(error.problems[0].message.toLowerCase(), "flow sequence")
    // The first problem names a line at or after the broken one.
    const text = edited("seed: 7", "seed: [7")
    assert.isAtLeast(error.problems[0].line!, lineOf(text, "seed: [7"))
  })

  it("checks rules between keys, each problem with its line and key", () => {
    const text = edited("  count: 48\n", "").replace(
      "  method: banding\n",
      "  method: banding\n  proportions: [0.5, 0.5, 0.5]\n"
    )
    const error = problemsOf(text)
    const keys = error.problems.map((p) => p.key)
    assert.include(keys, "sampling")
    assert.match(
      error.problems.find((p) => p.key === "sampling")!.message,
      /draws without end: give sampling.count/
    )
    assert.strictEqual(
      error.problems.find((p) => p.key === "sampling")!.line,
      lineOf(text, "sampling:")
    )
    assert.include(keys, "split.proportions")
    assert.match(error.problems.find((p) => p.key === "split.proportions")!.message, /sum to 1/)
  })

  it("refuses a product resolution that does not divide the patch and pairing across slot sets", () => {
    // Demo: products[0] is ls7s (slots seasons), products[1] is ls7 (slots any, 30 m).
    const r = parse(demoText) as any
    r.products[1].resolution = 25
    r.products[1].pair = { with: r.products[0].id, rule: "within-days", maxDays: 3 }
    const error = problemsOf(stringify(r))
    const keys = error.problems.map((p) => p.key)
    assert.include(keys, "products[1].resolution")
    assert.include(keys, "products[1].pair.with")
    assert.match(
      error.problems.find((p) => p.key === "products[1].pair.with")!.message,
      /must share their slots/
    )
    assert.isDefined(error.problems.find((p) => p.key === "products[1].resolution")!.line)
  })

  it("fills in defaults of keys the recipe leaves out", () => {
    const result = Recipe.parse(edited("concurrency: 4", ""), "recipe.yaml")
    assert.isTrue(Result.isSuccess(result))
    const recipe = (result as Result.Success<Recipe.Recipe, Recipe.RecipeError>).success
    assert.strictEqual(recipe.concurrency, 4)
    assert.strictEqual(recipe.version, "1.0.0")
    assert.strictEqual(recipe.output.codec, "zstd")
  })

  for (const name of Recipe.shipped) {
    const file = join(Recipe.shippedDirectory, `${name}.yaml`)
    it(`the shipped recipe ${name} exists, parses and validates`, () => {
      assert.isTrue(existsSync(file), `${file} exists`)
      const result = Recipe.parse(readFileSync(file, "utf8"), file)
      if (Result.isFailure(result)) assert.fail(result.failure.message)
      const recipe = (result as Result.Success<Recipe.Recipe, Recipe.RecipeError>).success
      assert.strictEqual(recipe.name, name)
      assert.isTrue(recipe.products.length > 0)
      for (const p of recipe.products) {
        assert.property(recipe.sources, p.source, `product ${p.id} names a defined source`)
      }
    })
  }

  it.effect("loads a shipped recipe by name and resolves its paths against its directory", () =>
    Effect.gen(function* () {
      const loaded = yield* Recipe.load("demo")
      assert.strictEqual(loaded.file, join(Recipe.shippedDirectory, "demo.yaml"))
      assert.isTrue(existsSync(Recipe.resolvePath(loaded, loaded.recipe.sampling.aoi!)))
    })
  )

  it.effect("fails to load a recipe file that does not exist with a message naming it", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(Recipe.load("/nonexistent/recipe.yaml"))
      assert.strictEqual(error._tag, "RecipeNotFoundError")
      assert.include(error.message, "/nonexistent/recipe.yaml")
      assert.include(error.message, "demo")
    })
  )
})
