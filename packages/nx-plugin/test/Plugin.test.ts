import { assert, describe, it } from "@effect/vitest"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Recipe } from "@eoforge/pipeline"
import { Result } from "effect"
import { afterAll } from "vitest"
import { createNodes, createNodesV2 } from "../src/index.ts"
import { copySources, recipeText, writeRecipe } from "./workspace.ts"

const workspace = mkdtempSync(join(tmpdir(), "eoforge-nx-unit-"))
afterAll(() => rmSync(workspace, { recursive: true, force: true }))
copySources(workspace)
const a = writeRecipe(workspace, "olinda-a", 7, 4)
const b = writeRecipe(workspace, "olinda-b", 8, 4)
const context = { workspaceRoot: workspace, nxJsonConfiguration: {} }

const nodes = (files: ReadonlyArray<string>, options?: object) =>
  createNodes[1](files, options, context) as Array<readonly [string, any]>

describe("createNodes", () => {
  it("the fixture recipes are valid EOForge recipes", () => {
    const parsed = Recipe.parse(recipeText("x", 1, 4), "x.yaml")
    assert.isTrue(
      Result.isSuccess(parsed),
      JSON.stringify(Result.isFailure(parsed) && parsed.failure)
    )
  })

  it("gives each recipe file a project rooted at its folder, named after the recipe, with every target", () => {
    const results = nodes([a, b, "ci/config.yaml"], { shards: 3 })
    assert.deepStrictEqual(
      results.map(([file]) => file),
      [a, b]
    )
    const project = results[0]![1].projects["datasets/olinda-a"]
    assert.strictEqual(project.name, "olinda-a")
    assert.deepStrictEqual(Object.keys(project.targets).sort(), [
      "build",
      "build-shard-0",
      "build-shard-1",
      "build-shard-2",
      "export-geotiff",
      "finalize",
      "report",
      "sample"
    ])
    const build = project.targets.build
    assert.strictEqual(build.command, "eoforge build olinda-a.eoforge.yaml --out out/olinda-a.zarr")
    assert.strictEqual(build.options.cwd, "datasets/olinda-a")
    assert.deepStrictEqual(build.outputs, ["{workspaceRoot}/datasets/olinda-a/out/olinda-a.zarr"])
    assert.isTrue(build.cache)
    assert.deepStrictEqual(project.targets.finalize.dependsOn, [
      "build-shard-0",
      "build-shard-1",
      "build-shard-2"
    ])
    assert.strictEqual(
      project.targets["build-shard-1"].command,
      "eoforge build olinda-a.eoforge.yaml --out out/olinda-a.zarr --shard 1/3"
    )
    assert.isFalse(project.targets["build-shard-1"].cache)
    assert.deepStrictEqual(project.targets["export-geotiff"].dependsOn, ["build"])
    assert.strictEqual(
      project.targets.report.command,
      "eoforge report out/olinda-a.zarr --out out/olinda-a-report"
    )
    assert.deepStrictEqual(project.targets.report.outputs, ["{projectRoot}/out/olinda-a-report"])
    assert.deepStrictEqual(project.targets.report.dependsOn, ["build"])
  })

  it("hashes the recipe, the files it names (catalogue, items, rasters, AOI), the EOForge version and SOURCE_DATE_EPOCH", () => {
    const inputs = nodes([a])[0]![1].projects["datasets/olinda-a"].targets.build.inputs
    for (const file of [
      "datasets/olinda-a/olinda-a.eoforge.yaml",
      "sources/olinda-aoi.geojson",
      "sources/stac/catalog.json",
      "sources/stac/dem/collection.json",
      "sources/stac/dem/items/dem-olinda.json",
      "sources/data/dem/dem-olinda.tif",
      "sources/data/ls7/ls7-olinda-2001-07-01.tif"
    ]) {
      assert.include(inputs, `{workspaceRoot}/${file}`)
    }
    assert.deepInclude(inputs, { externalDependencies: ["@eoforge/cli", "@eoforge/pipeline"] })
    assert.deepInclude(inputs, { env: "SOURCE_DATE_EPOCH" })
  })

  it("takes the recipe glob, shard counts per recipe and the command from the options", () => {
    const results = nodes([a, b], {
      recipes: "datasets/olinda-b/*.yaml",
      shards: { "olinda-b": 1 },
      command: "npx eoforge"
    })
    assert.strictEqual(results.length, 1)
    const targets = results[0]![1].projects["datasets/olinda-b"].targets
    assert.deepStrictEqual(targets.finalize.dependsOn, ["build-shard-0"])
    assert.match(targets.sample.command, /^npx eoforge sample olinda-b\.eoforge\.yaml --geojson/)
    assert.strictEqual(createNodesV2, createNodes)
  })

  it("refuses two recipes in one folder and an invalid shard count, naming the file", () => {
    const twice = join("datasets", "olinda-a", "other.eoforge.yaml")
    assert.throws(() => nodes([a, twice]), /one recipe per folder/)
    assert.throws(() => nodes([a], { shards: 0 }), /shards for olinda-a must be an integer/)
  })
})
