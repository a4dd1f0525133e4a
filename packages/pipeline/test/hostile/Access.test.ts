// A build from a hostile local catalogue: assets pointing at /etc/passwd, /proc/self/environ, a COG outside
// the allowed folders, a FIFO and a symbolic link escaping the catalogue's folder are never read: each slot
// is recorded as Unsupported with the refusal in its detail, while the honest asset beside them is read.
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Effect, Exit, type Layer } from "effect"
import { execFileSync } from "node:child_process"
import {
  copyFileSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync
} from "node:fs"
import { join } from "node:path"
import { Build, Recipe, Services } from "../../src/index.ts"
import { demoStac } from "../stacApi.ts"
import { tempDir } from "../tree.ts"

const tmp = tempDir("hostile-access")
const scene = join(demoStac, "../data/ls7/ls7-olinda-2001-07-01.tif")
const itemTemplate = JSON.parse(
  readFileSync(join(demoStac, "ls7/items/ls7-olinda-2001-07-01.json"), "utf8")
)

// Each case is a collection of one item whose `data` asset has this href (relative to the item file,
// tmp/cat/<case>/items/<case>.json).
const cases: Record<string, { href: string; refusal: string }> = {
  passwd: { href: "/etc/passwd", refusal: "outside the local folders" },
  environ: { href: "file:///proc/self/environ", refusal: "system path" },
  outside: { href: "../../../outside.tif", refusal: "outside the local folders" },
  fifo: { href: "../../data/fifo", refusal: "not a regular file" },
  escape: { href: "../../data/escape.tif", refusal: "symbolic link" },
  honest: { href: "../../data/ls7.tif", refusal: "" }
}

/** Generate the hostile catalogue under tmp/cat (FIFO by mkfifo), and a recipe in tmp/recipe. */
const generate = (): string => {
  const cat = join(tmp.path, "cat")
  mkdirSync(join(cat, "data"), { recursive: true })
  copyFileSync(scene, join(cat, "data/ls7.tif"))
  copyFileSync(scene, join(tmp.path, "outside.tif"))
  copyFileSync(scene, join(tmp.path, "private.tif"))
  execFileSync("mkfifo", [join(cat, "data/fifo")])
  symlinkSync(join(tmp.path, "private.tif"), join(cat, "data/escape.tif"))
  const ids = Object.keys(cases)
  writeFileSync(
    join(cat, "catalog.json"),
    JSON.stringify({
      type: "Catalog",
      stac_version: "1.0.0",
      id: "hostile",
      description: "hostile",
      links: ids.map((id) => ({ rel: "child", href: `./${id}/collection.json` }))
    })
  )
  for (const id of ids) {
    mkdirSync(join(cat, id, "items"), { recursive: true })
    writeFileSync(
      join(cat, id, "collection.json"),
      JSON.stringify({
        type: "Collection",
        stac_version: "1.0.0",
        id,
        description: id,
        license: "CC0-1.0",
        extent: {},
        links: [{ rel: "item", href: `./items/${id}.json` }]
      })
    )
    const item = structuredClone(itemTemplate)
    item.id = `item-${id}`
    item.collection = id
    item.links = []
    item.assets.data.href = cases[id]!.href
    writeFileSync(join(cat, id, "items", `${id}.json`), JSON.stringify(item))
  }
  mkdirSync(join(tmp.path, "recipe"))
  const recipe = join(tmp.path, "recipe", "hostile.yaml")
  writeFileSync(
    recipe,
    `name: hostile
sampling:
  sampler: aoi
  aoi: ${join(Recipe.shippedDirectory, "olinda-aoi.geojson")}
  count: 2
patch: { size: 960, resolution: 30, snap: 30 }
sources:
  cat: { type: static, catalog: ${join(cat, "catalog.json")} }
slots:
  any: { kind: any }
products:
${ids
  .map(
    (id) => `  - id: ${id}
    source: cat
    collection: ${id}
    dtype: uint8
    resolution: 30
    bands: [{ name: B4, asset: data, index: 4, nodata: 0 }]`
  )
  .join("\n")}
split: { method: random }
output: { store: out/unused.zarr, shardSamples: 2 }
`
  )
  return recipe
}

const run = <A, E>(effect: Effect.Effect<A, E, Layer.Success<typeof Services.layer>>) =>
  Effect.runPromiseExit(effect.pipe(Effect.provide(Services.layer)))

let exit: Exit.Exit<unknown, unknown>
const out = join(tmp.path, "hostile.zarr")
beforeAll(async () => {
  const recipe = generate()
  exit = await run(Build.build({ recipe, out, createdAt: "2024-01-01T00:00:00.000Z" }))
}, 60_000)
afterAll(() => tmp.remove())

describe("a build from a hostile local catalogue", () => {
  it("finishes, reading the honest asset", () => {
    assert.isTrue(Exit.isSuccess(exit), String(Exit.isFailure(exit) ? exit.cause : ""))
    const summary = Exit.isSuccess(exit) ? (exit.value as any).summary : undefined
    assert.deepStrictEqual(summary.availability.honest, { Ok: 2 })
  })

  for (const [id, { refusal }] of Object.entries(cases)) {
    if (id === "honest") continue
    it(`records ${id} (${cases[id]!.href}) as Unsupported: ${refusal}`, () => {
      const failures = readdirSync(join(out, ".eoforge/jobs")).flatMap(
        (f) => JSON.parse(readFileSync(join(out, ".eoforge/jobs", f), "utf8")).failures
      )
      const mine = failures.filter((f: any) => f.product === id)
      assert.strictEqual(mine.length, 2)
      for (const f of mine) {
        assert.strictEqual(f.reason, "Unsupported")
        assert.include(f.detail, "refused by the access policy")
        assert.include(f.detail, refusal)
      }
    })
  }
})
