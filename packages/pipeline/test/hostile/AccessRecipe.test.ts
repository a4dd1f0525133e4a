// The recipe's `access` key: validated with file:line errors, and turned into each source's policy (the
// recipe's folder and named folders, the catalogue's own host or folder, the presets' data hosts).
import { assert, describe, it } from "@effect/vitest"
import { AccessPolicy } from "@eoforge/core"
import { StacClient } from "@eoforge/stac"
import { Result } from "effect"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { Products, Recipe } from "../../src/index.ts"

const demoText = readFileSync(join(Recipe.shippedDirectory, "demo.yaml"), "utf8")
const withAccess = (block: string): string => {
  const from = "access:\n  localRoots: [../../../fixtures/demo]\n"
  assert.include(demoText, from)
  return demoText.replace(from, block)
}
const lineOf = (text: string, needle: string): number =>
  text.split("\n").findIndex((l) => l.includes(needle)) + 1

describe("the access key of a recipe", () => {
  it("rejects a host with a scheme, a non-boolean flag and a misspelt key, each with file:line", () => {
    const text = withAccess(
      "access:\n  hosts: [http://evil.example/]\n  allowPrivateNetworks: yes please\n  localRoot: [/]\n"
    )
    const result = Recipe.parse(text, "recipe.yaml")
    assert.isTrue(Result.isFailure(result))
    const error = (result as Result.Failure<Recipe.Recipe, Recipe.RecipeError>).failure
    const by = (key: string) => error.problems.find((p) => p.key.startsWith(key))
    assert.strictEqual(by("access.hosts")?.line, lineOf(text, "hosts:"))
    assert.include(by("access.hosts")?.message ?? "", "no scheme, port or path")
    assert.strictEqual(by("access.allowPrivateNetworks")?.line, lineOf(text, "allowPrivate"))
    assert.strictEqual(by("access.localRoot")?.line, lineOf(text, "localRoot:"))
    assert.include(by("access.localRoot")?.message ?? "", 'did you mean "localRoots"')
  })

  it("gives every source the recipe's hosts and folders besides its catalogue's own", () => {
    const text = withAccess(
      "access:\n  hosts: [data.example.org, '*.cdn.example.org']\n  localRoots: [../../../fixtures/demo]\n"
    )
    const result = Recipe.parse(text, "recipe.yaml")
    assert.isTrue(Result.isSuccess(result))
    const recipe = (result as Result.Success<Recipe.Recipe, Recipe.RecipeError>).success
    const dir = Recipe.shippedDirectory.replace(/\/$/, "")
    const products = Products.resolve(recipe, (p) => (p.startsWith("/") ? p : join(dir, p)))
    const policy = StacClient.accessOf(products[0].rules.source!)
    const ok = (href: string) =>
      AccessPolicy.resolve(policy, href, { _tag: "Local", path: "/elsewhere/item.json" })._tag
    assert.strictEqual(ok("https://data.example.org/a.tif"), "Allowed")
    assert.strictEqual(ok("https://tiles.cdn.example.org/a.tif"), "Allowed")
    assert.strictEqual(ok("https://sentinel-cogs.s3.us-west-2.amazonaws.com/a.tif"), "Allowed")
    assert.strictEqual(ok("https://evil.example/a.tif"), "Refused")
    assert.strictEqual(ok(join(dir, "../../../fixtures/demo/data/x.tif")), "Allowed")
    assert.strictEqual(ok(join(dir, "olinda-aoi.geojson")), "Allowed")
    assert.strictEqual(ok("/etc/passwd"), "Refused")
    assert.isFalse(policy.allowPrivateNetworks)
  })
})

describe("the recipe as the store records it", () => {
  it("keeps no key or signature of a source URL, and unsigned URLs unchanged", () => {
    const recorded = Products.sourcesForRecord({
      keyed: {
        type: "stac-api",
        url: "https://stac.example/api?subscription-key=KEY123",
        signing: "none"
      },
      plain: { type: "stac-api", url: "https://stac.example/api?f=json", signing: "none" },
      file: { type: "static", catalog: "cat/catalog.json" }
    })
    assert.deepStrictEqual(recorded, {
      keyed: { type: "stac-api", url: "https://stac.example/api", signing: "none" },
      plain: { type: "stac-api", url: "https://stac.example/api?f=json", signing: "none" },
      file: { type: "static", catalog: "cat/catalog.json" }
    })
  })
})
