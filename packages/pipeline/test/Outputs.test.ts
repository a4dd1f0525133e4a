import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Croissant, Rules } from "@eoforge/croissant"
import { Metadata } from "@eoforge/zarr"
import { Effect, type Layer } from "effect"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { Build, ExportGeoTiff, Finalize, Services } from "../src/index.ts"
import * as Index from "../src/internal/patchIndex.ts"
import { digest, tempDir } from "./tree.ts"

// What Python's tools read from a finalized store: Croissant forms, CSV indexes, the RFC 7946 index,
// consolidated metadata, NaT acquisitions and the SSL4EO-S12 export tree.
const recipe = fileURLToPath(new URL("./fixtures/small.yaml", import.meta.url))
const tmp = tempDir("outputs")
const store = join(tmp.path, "s.zarr")
const run = <A, E>(effect: Effect.Effect<A, E, Layer.Success<typeof Services.layer>>) =>
  Effect.runPromise(effect.pipe(Effect.provide(Services.layer)))
const text = (path: string) => readFileSync(join(store, path), "utf8")
const json = (path: string): any => JSON.parse(text(path))
const csv = (path: string) =>
  text(path)
    .trimEnd()
    .split("\n")
    .map((l) => l.split(","))

beforeAll(async () => {
  await run(Build.build({ recipe, out: store, createdAt: "2024-05-06T07:08:09.000Z" }))
})
afterAll(() => tmp.remove())

describe("outputs of a finalized store, as Python's tools read them", () => {
  it("Croissant breaks no rule, loads samples and chips from CSV index files whose rows match the store", () => {
    const doc = json("croissant.json")
    assert.deepStrictEqual(Rules.check(doc), [])
    Croissant.validate(doc)
    assert.isUndefined(doc.url, "the recipe names no url: no placeholder")
    const samples = csv("index/samples.csv")
    assert.strictEqual(samples.length - 1, json("zarr.json").attributes.eoforge.layout.samples)
    const recordSets = new Map<string, any>(doc.recordSet.map((r: any) => [r["@id"], r]))
    for (const p of json("zarr.json").attributes.eoforge.layout.products) {
      const rows = csv(`index/${p.spec.id}.csv`)
      assert.strictEqual(rows.length - 1, (samples.length - 1) * p.times)
      const rs = recordSets.get(p.spec.id)
      for (const f of rs.field) {
        assert.strictEqual(f.source.fileObject["@id"], `index/${p.spec.id}.csv`)
        assert.include(rows[0], f.source.extract.column)
      }
    }
    const span = doc.temporalCoverage.split("/")
    assert.isTrue(span[0] >= "2000" && span[1] < "2100", `coverage ${doc.temporalCoverage}`)
    assert.match(doc.spatialCoverage.geo.box, /^-?[\d.]+ -?[\d.]+ -?[\d.]+ -?[\d.]+$/)
  })

  it("refuses to finalize for publication when the recipe gives no url", async () => {
    const error = await run(Finalize.at(store, { publish: true }).pipe(Effect.flip))
    assert.strictEqual(error._tag, "FinalizeError")
    assert.include(error.message, "url:")
  })

  it("index.geojson has counter-clockwise exterior rings", () => {
    const features = json("index.geojson").features as Array<any>
    assert.isTrue(features.length > 0)
    for (const f of features) {
      assert.strictEqual(f.geometry.type, "Polygon")
      assert.isTrue(Index.signedArea(f.geometry.coordinates[0].slice(0, -1)) > 0)
    }
  })

  it("the root zarr.json consolidates every other zarr.json; missing acquisitions are NaT", () => {
    const root = json("zarr.json")
    const files = Object.keys(digest(store)).filter(
      (k) => k.endsWith("/zarr.json") && !k.startsWith(".")
    )
    const consolidated = root.consolidated_metadata.metadata
    assert.deepStrictEqual(
      Object.keys(consolidated).sort(),
      files.map((k) => k.slice(0, -"/zarr.json".length)).sort()
    )
    for (const k of files) {
      const doc = json(k)
      assert.deepStrictEqual(
        consolidated[k.slice(0, -"/zarr.json".length)].attributes,
        doc.attributes
      )
    }
    assert.match(text("ls7s/acquired/zarr.json"), /"fill_value": -9223372036854775808,/)
    assert.strictEqual(String(Metadata.int64Min), "-9223372036854775808")
    for (const p of root.attributes.eoforge.layout.products) {
      const rows = csv(`index/${p.spec.id}.csv`).slice(1)
      for (const r of rows)
        assert.strictEqual(r[8] === "", r[5] === "0", "acquired empty iff missing")
    }
  })

  it("no categorical band carries a normalisation row", () => {
    for (const p of json("zarr.json").attributes.eoforge.layout.products) {
      const classes = p.spec.bands
        .filter((b: any) => b.classes !== undefined)
        .map((b: any) => b.name)
      const rows = json(`${p.spec.id}/zarr.json`).attributes.statistics?.normalisation ?? []
      for (const r of rows) assert.notInclude(classes, r.band)
    }
  })

  it("exports the SSL4EO-S12 tree: 7-digit sample folders holding only scene folders of band files", async () => {
    const out = join(tmp.path, "tif")
    await run(ExportGeoTiff.run({ store, out, layout: "ssl4eo-s12", limit: 2 }))
    const files = Object.keys(digest(out))
    assert.include(files, "center_coords.csv")
    for (const f of files.filter((x) => x !== "center_coords.csv")) {
      const parts = f.split("/")
      assert.strictEqual(parts.length, 4, f)
      assert.match(parts[1], /^\d{7}$/)
      assert.match(parts[3], /^(metadata\.json|[A-Za-z0-9_]+\.tif)$/)
    }
    const meta = JSON.parse(
      readFileSync(
        join(
          out,
          files.find((f) => f.endsWith("metadata.json"))!
        ),
        "utf8"
      )
    )
    assert.notProperty(meta, "nodata")
    assert.property(meta, "eoforge:nodata_fraction")
  })
})
