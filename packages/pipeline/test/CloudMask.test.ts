// Per-pixel cloud masks on Sentinel-2 scenes with known clouds (tools/fixtures/make-clouds.py): SCL at 20 m
// onto 10 m and 60 m grids, QA60 bits (baseline 03.01) and MSK_CLASSI bands (04.00, JPEG 2000), dilation by
// 0, 30 and 100 m — every chip's mask equal to GDAL's view of the layer (gdalwarp -r near/mode) with the
// selection and the disk applied by numpy; a missing layer is MissingAsset or the scene-cover fallback.
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Reason } from "@eoforge/core"
import { RasterSource } from "@eoforge/raster"
import { Effect, type Layer, Scope } from "effect"
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { stringify } from "yaml"
import { Build, CloudMask, Extract, Products, Recipe, Services } from "../src/index.ts"
import { tempDir } from "./tree.ts"

const fixture = fileURLToPath(new URL("./fixtures/clouds/", import.meta.url))
interface Case {
  readonly item: string
  readonly kind: "classes" | "bits" | "bands"
  readonly patch: "A" | "B"
  readonly resolution: number
  readonly resampling: string
  readonly values: ReadonlyArray<number>
  readonly dilationM: number
  readonly masked: number
  readonly pixels: number
  readonly hex: string
}
const golden = JSON.parse(readFileSync(join(fixture, "cases.json"), "utf8")) as {
  readonly patches: Record<string, { lon: number; lat: number; x0: number; y0: number }>
  readonly cases: ReadonlyArray<Case>
}
const items = [...new Set(golden.cases.map((c) => c.item))]
const dayOf = (id: string) => {
  const m = /_(\d{4})(\d{2})(\d{2})_/.exec(id)!
  return `${m[1]}-${m[2]}-${m[3]}`
}
const l1c = (id: string) => id.includes("MSIL1C")
const selections = { classes: [[3, 8, 9, 10], [9]], bits: [[10, 11], [10]], bands: [[1, 2], [3]] }
// One product per item × selection × dilation × resolution; L1C products give their bits and bands together.
const productId = (item: string, sel: number, dilation: number, res: number) =>
  `p${items.indexOf(item)}_s${sel}_d${dilation}_r${res}`
const selectionIndex = (c: Case) =>
  (selections[c.kind] as ReadonlyArray<ReadonlyArray<number>>).findIndex(
    (s) => s.join() === c.values.join()
  )

const tmp = tempDir("cloud-mask")
// 60 m products need the patch grid snapped to 60 m: a recipe of their own (patch A's grid is the same).
const recipeFile = join(tmp.path, "clouds.yaml")
const recipe60 = join(tmp.path, "clouds60.yaml")
const nomask = "S2A_MSIL1C_20230610_N0500_T25MBN"

beforeAll(() => {
  writeFileSync(
    join(tmp.path, "patches.csv"),
    [
      "id,lon,lat",
      ...["A", "B"].map((p) => `${p},${golden.patches[p].lon},${golden.patches[p].lat}`)
    ].join("\n") + "\n"
  )
  const products: Array<Record<string, unknown>> = []
  const products60: Array<Record<string, unknown>> = []
  for (const item of items) {
    for (const sel of [0, 1]) {
      for (const dilation of [0, 30, 100]) {
        for (const res of [10, 60]) {
          const masks = l1c(item)
            ? { bits: selections.bits[sel], bands: selections.bands[sel] }
            : { classes: selections.classes[sel] }
          ;(res === 10 ? products : products60).push({
            id: productId(item, sel, dilation, res),
            preset: l1c(item) ? "sentinel-2-l1c" : "sentinel-2-l2a",
            source: "local",
            slots: `d${items.indexOf(item)}`,
            resolution: res,
            resampling: "nearest",
            bands: [{ name: "B04" }],
            cloudMask: { ...masks, dilationM: dilation }
          })
        }
      }
    }
  }
  const days = [...items, nomask].map(dayOf)
  products.push(
    {
      id: "nomask_fail",
      preset: "sentinel-2-l1c",
      source: "local",
      slots: "nomask",
      bands: [{ name: "B04" }],
      cloudMask: {}
    },
    {
      id: "nomask_scene",
      preset: "sentinel-2-l1c",
      source: "local",
      slots: "nomask",
      bands: [{ name: "B04" }],
      cloudMask: { fallback: "scene-cover" }
    }
  )
  const recipeOf = (snap: number, list: ReadonlyArray<Record<string, unknown>>) =>
    stringify({
      name: "clouds",
      sampling: { sampler: "locations", locations: "patches.csv" },
      patch: { size: 960, resolution: 10, snap },
      overlap: { maxOverlap: 1 },
      sources: { local: { type: "static", catalog: join(fixture, "stac", "catalog.json") } },
      slots: {
        ...Object.fromEntries(
          items.map((item, i) => [`d${i}`, { kind: "window", start: days[i], end: days[i] }])
        ),
        nomask: { kind: "window", start: dayOf(nomask), end: dayOf(nomask) }
      },
      products: list,
      split: { method: "random" },
      output: { store: join(tmp.path, "unused.zarr") },
      // The items' assets lie beside the catalogue's folder.
      access: { localRoots: [fixture] }
    })
  writeFileSync(recipeFile, recipeOf(10, products))
  writeFileSync(recipe60, recipeOf(60, products60))
})
afterAll(() => tmp.remove())

const run = <A, E>(
  effect: Effect.Effect<A, E, Layer.Success<typeof Services.layer> | Scope.Scope>
) => Effect.runPromise(effect.pipe(Effect.scoped, Effect.provide(Services.layer)))

const opener = Effect.gen(function* () {
  const raster = yield* RasterSource.RasterSource
  const scope = yield* Scope.Scope
  const open: Extract.Opener = {
    use: (uris, use) =>
      Effect.forEach(uris, (uri) => raster.open(uri).pipe(Scope.provide(scope))).pipe(
        Effect.flatMap(use)
      )
  }
  return open
})

const bitsOf = (hex: string, n: number): Uint8Array => {
  const out = new Uint8Array(n)
  for (let i = 0; i < n; i++)
    out[i] = (parseInt(hex.slice((i >> 3) * 2, (i >> 3) * 2 + 2), 16) >> (7 - (i & 7))) & 1
  return out
}

describe("cloud masks from the items' quality layers", () => {
  it("masks exactly GDAL's view of SCL, QA60 and MSK_CLASSI on 10 m and 60 m grids, dilated by 0, 30 and 100 m", () =>
    run(
      Effect.gen(function* () {
        const prepared = yield* Build.prepare(recipeFile)
        const prepared60 = yield* Build.prepare(recipe60)
        const open = yield* opener
        const patches = Object.fromEntries(
          ["A", "B"].map((name, i) => [name, prepared.plan.patches[i]!])
        )
        for (const [name, p] of Object.entries(patches)) {
          // The sampler's grid is the generator's: otherwise every comparison below would be off.
          assert.deepStrictEqual(
            [p.grid.x0, p.grid.y0],
            [golden.patches[name].x0, golden.patches[name].y0]
          )
        }
        const byId = new Map(
          [...prepared.products, ...prepared60.products].map((p) => [p.spec.id, p])
        )
        let compared = 0
        for (const c of golden.cases) {
          const id = productId(c.item, selectionIndex(c), c.dilationM, c.resolution)
          const product = byId.get(id)!
          assert.strictEqual(
            product.spec.cloudMask?.layers.find((l) => l.kind === c.kind)?.resampling,
            c.resampling === "near" ? "nearest" : "mode"
          )
          const outcome = yield* Extract.chip(patches[c.patch]!, product, 0, open)
          assert.strictEqual(
            outcome._tag,
            "Data",
            `${id} ${c.patch}: ${outcome._tag === "Missing" ? outcome.detail : ""}`
          )
          if (outcome._tag !== "Data") continue
          const want = bitsOf(c.hex, c.pixels)
          let differing = 0
          for (let i = 0; i < c.pixels; i++)
            if ((outcome.mask[i] === 0 ? 1 : 0) !== want[i]) differing++
          assert.strictEqual(
            differing,
            0,
            `${id} patch ${c.patch}: pixels differing from GDAL + numpy`
          )
          assert.strictEqual(outcome.facts.patchCloud, c.masked / c.pixels, `${id} ${c.patch}`)
          assert.strictEqual(outcome.facts.maskSource, 1)
          // Masked pixels hold the band's nodata value, as pixels without data do.
          for (let i = 0; i < c.pixels; i++)
            if (want[i] === 1) assert.strictEqual(outcome.data[i], 0)
          compared++
        }
        assert.strictEqual(compared, golden.cases.length)
        // Every variant masks something, and dilation only ever adds.
        assert.isTrue(golden.cases.every((c) => c.masked > 0))
      })
    ))

  it("chooses QA60 before processing baseline 04.00 and MSK_CLASSI from it", () =>
    run(
      Effect.gen(function* () {
        const prepared = yield* Build.prepare(recipeFile)
        const mask = prepared.products.find((p) => p.spec.id === "nomask_fail")!.spec.cloudMask!
        const item = (baseline: string | undefined, assets: ReadonlyArray<string> = []) =>
          ({
            id: "x",
            properties: baseline === undefined ? {} : { "s2:processing_baseline": baseline },
            assets: Object.fromEntries(assets.map((a) => [a, { href: a }]))
          }) as never
        assert.strictEqual(CloudMask.layerFor(mask, item("02.14"))?.asset, "qa60")
        assert.strictEqual(CloudMask.layerFor(mask, item("03.01"))?.asset, "qa60")
        assert.strictEqual(CloudMask.layerFor(mask, item("04.00"))?.asset, "msk_classi")
        assert.strictEqual(CloudMask.layerFor(mask, item("05.11"))?.asset, "msk_classi")
        assert.strictEqual(
          CloudMask.layerFor(mask, item(undefined, ["msk_classi"]))?.asset,
          "msk_classi"
        )
        assert.deepStrictEqual(
          mask.layers.map((l) => [l.kind, l.asset, l.values]),
          [
            ["bits", "qa60", [10, 11]],
            ["bands", "msk_classi", [1, 2]]
          ]
        )
      })
    ))

  it("records MissingAsset naming the item when its mask layer is absent, or falls back to the scene's cloud cover", () =>
    run(
      Effect.gen(function* () {
        const prepared = yield* Build.prepare(recipeFile)
        const open = yield* opener
        const patch = prepared.plan.patches[0]!
        const fail = prepared.products.find((p) => p.spec.id === "nomask_fail")!
        const scene = prepared.products.find((p) => p.spec.id === "nomask_scene")!
        const failed = yield* Extract.chip(patch, fail, 0, open)
        assert.strictEqual(failed._tag, "Missing")
        if (failed._tag !== "Missing") return
        assert.strictEqual(failed.reason, Reason.Reason.MissingAsset)
        assert.include(failed.detail, nomask)
        assert.include(failed.detail, "msk_classi")
        const fell = yield* Extract.chip(patch, scene, 0, open)
        assert.strictEqual(fell._tag, "Data")
        if (fell._tag !== "Data") return
        assert.strictEqual(fell.facts.maskSource, 2)
        assert.strictEqual(fell.facts.patchCloud, 0.03)
        assert.isTrue(fell.mask.every((v) => v === 1))
      })
    ))

  it("refuses a cloudMask on a product whose preset has no quality layer unless the recipe names one", () => {
    const recipe = Recipe.parse(
      stringify({
        name: "x",
        sampling: { sampler: "locations", locations: "p.csv" },
        patch: { size: 960, resolution: 10 },
        sources: { local: { type: "static", catalog: "c.json" } },
        slots: { any: { kind: "any" } },
        products: [
          { id: "dem", preset: "cop-dem-glo-30", source: "local", cloudMask: {} },
          {
            id: "custom",
            source: "local",
            collection: "c",
            dtype: "uint16",
            bands: [{ name: "b" }],
            cloudMask: { assets: { classes: "qa" }, classes: [1] }
          }
        ],
        output: { store: "o.zarr" }
      }),
      "x.yaml"
    )
    assert.isTrue(recipe._tag === "Success")
    if (recipe._tag !== "Success") return
    assert.throws(() => Products.resolve(recipe.success, (p) => p), /no quality layer/)
    const custom = Products.resolve(
      { ...recipe.success, products: [recipe.success.products[1]!] },
      (p) => p
    )
    assert.deepStrictEqual(custom[0]!.spec.cloudMask?.layers, [
      { kind: "classes", asset: "qa", values: [1], resampling: "nearest" }
    ])
  })

  it("rejects a cloudMask with an out-of-range limit or a misspelt key, naming the line and key", () => {
    const text = (cloudMask: string) =>
      [
        "name: x",
        "sampling: { sampler: locations, locations: p.csv }",
        "patch: { size: 960, resolution: 10 }",
        "sources: { local: { type: static, catalog: c.json } }",
        "slots: { any: { kind: any } }",
        "products:",
        "  - id: s2",
        "    preset: sentinel-2-l2a",
        "    source: local",
        `    cloudMask: ${cloudMask}`,
        "output: { store: o.zarr }"
      ].join("\n")
    const problems = (cloudMask: string) => {
      const r = Recipe.parse(text(cloudMask), "x.yaml")
      return r._tag === "Failure" ? r.failure.message : ""
    }
    assert.match(
      problems("{ maxPatchCloud: 1.5 }"),
      /x\.yaml:10 products\[0\]\.cloudMask\.maxPatchCloud/
    )
    assert.match(problems("{ dilatonM: 30 }"), /dilatonM: unknown key.*dilationM/)
    assert.match(problems("{ fallback: guess }"), /cloudMask\.fallback/)
    assert.match(problems("{ bits: [40] }"), /bits/)
    const ok = Recipe.parse(text("{}"), "x.yaml")
    assert.strictEqual(ok._tag, "Success")
    if (ok._tag === "Success")
      assert.deepStrictEqual(ok.success.products[0]!.cloudMask, { dilationM: 0, fallback: "fail" })
  })
})
