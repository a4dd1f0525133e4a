import { assert, describe, it } from "@effect/vitest"
import { Effect, Result } from "effect"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { parse, stringify } from "yaml"
import { Products, Recipe } from "../src/index.ts"

// A recipe product's `readerOptions` reach its item reader, checked when the recipe is loaded: the
// sentinel-1-grd reader's DEM is another product of the recipe or a path/URL.
const m3leoText = readFileSync(join(Recipe.shippedDirectory, "m3leo.yaml"), "utf8")

const edited = (readerOptions: unknown, product = "s1grd_asc") => {
  const doc = parse(m3leoText) as { products: Array<Record<string, unknown>> }
  const p = doc.products.find((q) => q.id === product)
  assert.isDefined(p)
  if (readerOptions === undefined) delete p!["readerOptions"]
  else p!["readerOptions"] = readerOptions
  return { text: stringify(doc), index: doc.products.indexOf(p!) }
}

const resolveWith = (readerOptions: unknown, product?: string) => {
  const result = Recipe.parse(edited(readerOptions, product).text, "/recipes/r.yaml")
  assert.isTrue(Result.isSuccess(result), "the edited recipe is valid")
  const recipe = (result as Result.Success<Recipe.Recipe, Recipe.RecipeError>).success
  return Products.resolve(recipe, (p) => join("/recipes", p))
}

/** The problem Recipe.parse reports at products[i].readerOptions, with its line. */
const errorOf = (readerOptions: unknown, product?: string): string => {
  const { text, index } = edited(readerOptions, product)
  const result = Recipe.parse(text, "/recipes/r.yaml")
  assert.isTrue(Result.isFailure(result), "the recipe should be rejected")
  const error = (result as Result.Failure<Recipe.Recipe, Recipe.RecipeError>).failure
  const problem = error.problems.find((p) => p.key === `products[${index}].readerOptions`)
  assert.isDefined(problem, error.message)
  assert.isAbove(problem?.line ?? 0, 0)
  return problem?.message ?? ""
}

describe("readerOptions", () => {
  it.effect("the shipped m3leo recipe terrain-corrects S1 with its own DEM product", () =>
    Effect.gen(function* () {
      const loaded = yield* Recipe.load("m3leo")
      const plans = Products.resolve(loaded.recipe, (p) => Recipe.resolvePath(loaded, p))
      const s1 = plans.find((p) => p.spec.id === "s1grd_asc")
      const dem = plans.find((p) => p.spec.id === "srtm")
      assert.deepStrictEqual(s1?.preset.readerOptions, { demProduct: "srtm", demDatum: "egm96" })
      assert.strictEqual(s1?.uses?.["srtm"], dem)
      assert.isUndefined(dem?.uses)
    })
  )

  it("a DEM given as a relative path resolves against the recipe's folder; a URL stays as it is", () => {
    const byPath = resolveWith({ dem: "dems/glo30.vrt" }).find((p) => p.spec.id === "s1grd_asc")
    assert.deepStrictEqual(byPath?.preset.readerOptions, { dem: "/recipes/dems/glo30.vrt" })
    assert.isUndefined(byPath?.uses)
    const byUrl = resolveWith({ dem: "https://example.org/dem.tif", target: "gamma0" }).find(
      (p) => p.spec.id === "s1grd_asc"
    )
    assert.deepStrictEqual(byUrl?.preset.readerOptions, {
      dem: "https://example.org/dem.tif",
      target: "gamma0"
    })
    // No DEM: ellipsoid-only geocoding (the reader records it per chip), no options.
    const none = resolveWith(undefined).find((p) => p.spec.id === "s1grd_asc")
    assert.deepStrictEqual(none?.preset.readerOptions ?? {}, {})
  })

  it("are checked when the recipe is read, naming the product, the line and the fix: an unknown DEM name, a bad datum, an unknown key, options without a reader", () => {
    const unknownDem = errorOf({ dem: "copdem" })
    assert.include(unknownDem, "readerOptions of product s1grd_asc")
    assert.include(unknownDem, 'dem "copdem" is neither a product of this recipe')
    assert.include(unknownDem, "s1grd_asc, s1grd_desc, s2rgb, srtm")
    assert.include(errorOf({ dem: "srtm", demDatum: "egm2008" }), 'demDatum "egm2008"')
    assert.include(errorOf({ dem: "s1grd_asc" }), "names the product itself")
    assert.include(errorOf({ dem: "srtm", demProduct: "srtm" }), "not both")
    assert.include(errorOf({ dem: "srtm", speckle: "lee" }), 'unknown option "speckle"')
    assert.include(errorOf({ denoise: "yes" }), "denoise must be true or false")
    assert.include(
      errorOf({ dem: "srtm" }, "s2rgb"),
      "readerOptions need a preset with an item reader"
    )
  })
})
