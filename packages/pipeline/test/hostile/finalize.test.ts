import { afterAll, assert, describe, it } from "@effect/vitest"
import { Croissant } from "@eoforge/croissant"
import { Effect, Exit, type Layer } from "effect"
import { spawn } from "node:child_process"
import { existsSync, mkdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { Build, Finalize, Services } from "../../src/index.ts"
import { tempDir } from "../tree.ts"
import { copySources, smallRecipe, spoilRasters, zeroDem } from "./finalizeInputs.ts"

const tmp = tempDir("hostile-finalize")
afterAll(() => tmp.remove())

const run = <A, E>(effect: Effect.Effect<A, E, Layer.Success<typeof Services.layer>>) =>
  Effect.runPromiseExit(effect.pipe(Effect.provide(Services.layer)))

const createdAt = "2024-01-01T00:00:00.000Z"

/** Build `recipe` into a fresh store; the build (and so finalize) must succeed. */
const built = async (name: string, recipe: string) => {
  const out = join(tmp.path, `${name}.zarr`)
  const exit = await run(Build.build({ recipe, out, createdAt }))
  if (Exit.isFailure(exit)) return assert.fail(`${name} was refused: ${String(exit.cause)}`)
  const summary = exit.value.summary!
  const croissant = JSON.parse(readFileSync(join(out, "croissant.json"), "utf8"))
  // The written document passes every rule the generator checks (mlcroissant's, written from the spec).
  Croissant.validate(croissant)
  const recordSets = (croissant.recordSet as Array<{ "@id": string; data?: Array<any> }>).map(
    (rs) => rs["@id"]
  )
  const unavailable =
    (croissant.recordSet as Array<{ "@id": string; data?: Array<any> }>).find(
      (rs) => rs["@id"] === "statisticsUnavailable"
    )?.data ?? []
  const card = readFileSync(join(out, "README.md"), "utf8")
  return { out, summary, recordSets, unavailable, card }
}

/** A directory with a copy of the demo sources, its catalogue path. */
const sources = (name: string) => {
  const dir = join(tmp.path, `${name}-sources`)
  mkdirSync(dir)
  return { dir, catalog: copySources(dir) }
}

describe("finalize describes a dataset without data instead of refusing it", () => {
  it("no item in any slot (a catalogue with nothing to offer): exit 0, every product noted", async () => {
    const recipe = smallRecipe(join(tmp.path, "noitems.yaml"), sources("noitems").catalog, (r) => {
      r.slots.seasons.year = 2015
      r.slots.any = { kind: "window", start: "2015-01-01", end: "2015-12-31" }
    })
    const b = await built("noitems", recipe)
    assert.deepStrictEqual(b.summary.availability, {
      ls7s: { NoItemInWindow: 24 },
      dem: { NoItemInWindow: 6 },
      landcover: { NoItemInWindow: 6 }
    })
    assert.deepStrictEqual(b.summary.warnings, [
      "ls7s: no chip holds data (NoItemInWindow: 24); it has no statistics",
      "dem: no chip holds data (NoItemInWindow: 6); it has no statistics",
      "landcover: no chip holds data (NoItemInWindow: 6); it has no statistics"
    ])
    assert.notInclude(b.recordSets, "statistics")
    assert.notInclude(b.recordSets, "normalisation")
    assert.deepStrictEqual(
      b.unavailable.map((r) => r["statisticsUnavailable/product"]),
      ["ls7s", "dem", "landcover"]
    )
    assert.include(b.card, "### Bands without statistics")
    assert.include(b.card, "| dem | (every band) | no chip holds data (NoItemInWindow: 6) |")
    // Finalizing again gives the same answer (a rerun is never stuck).
    const again = await run(Finalize.at(b.out))
    assert.isTrue(Exit.isSuccess(again))
  })

  it("every asset is invalid (not a TIFF): exit 0, the reasons counted and the products noted", async () => {
    const s = sources("invalid")
    assert.isAbove(spoilRasters(s.dir), 3)
    const b = await built("invalid", smallRecipe(join(tmp.path, "invalid.yaml"), s.catalog))
    for (const product of ["ls7s", "dem", "landcover"]) {
      const reasons = b.summary.availability[product]
      assert.isUndefined(reasons.Ok, `${product} has no data`)
      assert.isAbove(reasons.Unsupported ?? 0, 0, JSON.stringify(reasons))
    }
    assert.strictEqual(b.summary.warnings.length, 3)
    assert.match(b.summary.warnings[0], /^ls7s: no chip holds data \(.*Unsupported: \d+/)
    assert.notInclude(b.recordSets, "statistics")
  })

  it("every train pixel of a band is nodata: exit 0, that band noted, the others normalised", async () => {
    const s = sources("zerodem")
    zeroDem(s.dir)
    const recipe = smallRecipe(join(tmp.path, "zerodem.yaml"), s.catalog, (r) => {
      r.products.find((p: any) => p.id === "dem").bands[0].nodata = 0
    })
    const b = await built("zerodem", recipe)
    assert.strictEqual(
      b.summary.availability.dem.Ok,
      6,
      "the chips are read, they hold only nodata"
    )
    assert.deepStrictEqual(b.summary.warnings, [
      "dem elevation: no valid pixel in the train split (every train pixel is nodata or masked); it has no train statistics"
    ])
    assert.deepStrictEqual(b.unavailable, [
      {
        "statisticsUnavailable/product": "dem",
        "statisticsUnavailable/band": "elevation",
        "statisticsUnavailable/reason":
          "no valid pixel in the train split (every train pixel is nodata or masked)"
      }
    ])
    assert.include(b.recordSets, "normalisation")
    assert.include(b.card, "| dem | elevation | no valid pixel in the train split")
  })

  it("a categorical-only dataset: exit 0, statistics of the codes, no normalisation table", async () => {
    const recipe = smallRecipe(join(tmp.path, "classes.yaml"), sources("classes").catalog, (r) => {
      r.products = r.products.filter((p: any) => p.id === "landcover")
      r.products[0].bands[0].classes = { "1": "water", "2": "forest", "3": "urban" }
    })
    const b = await built("classes", recipe)
    assert.deepStrictEqual(b.summary.warnings, [
      "every band is categorical (class codes): there is no normalisation table"
    ])
    assert.include(b.recordSets, "statistics")
    assert.notInclude(b.recordSets, "normalisation")
    assert.include(b.card, "No band is continuous; nothing is normalised.")
  })

  it("the command finalizes such a store with exit 0 and prints the warnings", async () => {
    const out = join(tmp.path, "noitems.zarr")
    assert.isTrue(existsSync(out), "built by the first test")
    const bin = fileURLToPath(new URL("../../../cli/src/bin.ts", import.meta.url))
    const child = spawn(process.execPath, [bin, "finalize", out], { stdio: "pipe" })
    let output = ""
    child.stdout.on("data", (d: Buffer) => (output += d.toString()))
    child.stderr.on("data", (d: Buffer) => (output += d.toString()))
    const code = await new Promise((done) => child.on("close", done))
    assert.strictEqual(code, 0, output)
    assert.include(output, "warning: dem: no chip holds data (NoItemInWindow: 6)")
  }, 120_000)
})
