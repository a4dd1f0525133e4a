import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import type { Band } from "@eoforge/core"
import { Grouped, Packed } from "@eoforge/stats"
import { Codec, StoreLock } from "@eoforge/zarr"
import { Effect, type Layer } from "effect"
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { Build, ExportGeoTiff, Finalize, Job, Recipe, Services } from "../../src/index.ts"
import { digest, tempDir } from "../tree.ts"
import {
  copyStore,
  editJson,
  filesUnder,
  recipeVariant,
  smallRecipe,
  writeSampleIds
} from "./stores.ts"

const createdAt = "2024-05-06T07:08:09.000Z"
const tmp = tempDir("hostile")
const reference = join(tmp.path, "reference.zarr")
let expected: Record<string, string>

const run = <A, E>(effect: Effect.Effect<A, E, Layer.Success<typeof Services.layer>>) =>
  Effect.runPromise(effect.pipe(Effect.provide(Services.layer)))
const flip = <A, E>(effect: Effect.Effect<A, E, Layer.Success<typeof Services.layer>>) =>
  run(Effect.flip(effect))

beforeAll(async () => {
  await run(Build.build({ recipe: smallRecipe, out: reference, createdAt }))
  expected = digest(reference)
})
afterAll(() => tmp.remove())

/** A fresh directory holding `outside`, where nothing may ever be written. */
const sandbox = (name: string) => {
  const dir = join(tmp.path, name)
  mkdirSync(join(dir, "outside"), { recursive: true })
  return { dir, outside: join(dir, "outside") }
}

describe("recipes: names that become paths", () => {
  it("a band name, slot set id or product id that is not a safe path segment is a recipe error with file:line key", () => {
    const text = `name: t
sampling: { sampler: aoi, aoi: a.geojson, count: 1 }
patch: { size: 960, resolution: 10 }
sources: { s: { type: static, catalog: c.json } }
slots:
  "../up": { kind: any }
products:
  - id: p
    source: s
    slots: "../up"
    bands:
      - { name: "../../x" }
      - { name: "ok" }
output: { store: out/t.zarr }
`
    const parsed = Recipe.parse(text, "r.yaml")
    assert.strictEqual(parsed._tag, "Failure")
    if (parsed._tag !== "Failure") return
    const problems = parsed.failure.problems
    const slot = problems.find((p) => p.key === "slots.../up")
    const band = problems.find((p) => p.key.startsWith("products[0].bands[0]"))
    assert.isDefined(slot, JSON.stringify(problems))
    assert.strictEqual(slot!.line, 6)
    assert.include(slot!.message, "path")
    assert.isDefined(band, JSON.stringify(problems))
    assert.strictEqual(band!.line, 12)
    assert.include(parsed.failure.message, "r.yaml:12")
  })
})

describe("store creation and repair", () => {
  it("a store half-made by an older version (root zarr.json only) of the same recipe is repaired and ends byte-identical", async () => {
    const out = join(tmp.path, "half-same.zarr")
    mkdirSync(out)
    copyStore(join(reference, "zarr.json"), join(out, "zarr.json"))
    const events: Array<Build.Event> = []
    await run(
      Build.build({ recipe: smallRecipe, out, createdAt, onEvent: (e) => void events.push(e) })
    )
    const plan = events.find((e) => e.type === "plan")
    assert.isTrue(plan?.type === "plan" && plan.resumed)
    assert.deepStrictEqual(digest(out), expected)
  })

  it("a half-made store of another recipe is explained: what it is and what to delete", async () => {
    const out = join(tmp.path, "half-other.zarr")
    mkdirSync(out)
    copyStore(join(reference, "zarr.json"), join(out, "zarr.json"))
    const other = recipeVariant(tmp.path, "seed8.yaml", (t) => t.replace("seed: 7", "seed: 8"))
    const error = await flip(Build.build({ recipe: other, out, createdAt }))
    assert.strictEqual(error._tag, "OutputError")
    assert.include(error.message, "unfinished store")
    assert.include(error.message, "no finished shard")
    assert.include(error.message, `Delete the directory ${out}`)
    assert.deepStrictEqual(filesUnder(out), ["zarr.json"], "nothing was written into it")
  })

  it("two builds of different recipes racing for one new store: exactly one wins, the store is wholly its", async () => {
    const other = recipeVariant(tmp.path, "seed9.yaml", (t) => t.replace("seed: 7", "seed: 9"))
    const otherRef = join(tmp.path, "seed9-reference.zarr")
    await run(Build.build({ recipe: other, out: otherRef, createdAt }))
    const expectedOther = digest(otherRef)
    for (let round = 0; round < 3; round++) {
      const out = join(tmp.path, `race-${round}.zarr`)
      const [a, b] = await run(
        Effect.all(
          [
            Effect.result(Build.build({ recipe: smallRecipe, out, createdAt })),
            Effect.result(Build.build({ recipe: other, out, createdAt }))
          ],
          { concurrency: "unbounded" }
        )
      )
      const won = [a, b].filter((r) => r._tag === "Success")
      assert.strictEqual(won.length, 1, `round ${round}: exactly one build succeeds`)
      const lost = [a, b].find((r) => r._tag === "Failure")!
      if (lost._tag === "Failure") {
        assert.oneOf(lost.failure._tag, ["OutputError", "StoreLockedError"])
        assert.match(lost.failure.message, /different recipe|locked by eoforge build/)
      }
      assert.deepStrictEqual(digest(out), a._tag === "Success" ? expected : expectedOther)
    }
  })

  it("a store whose shard directory is a symlink is not written through", async () => {
    const { dir, outside } = sandbox("symlinked-shards")
    const out = copyStore(reference, join(dir, "s.zarr"))
    rmSync(join(out, ".eoforge", "jobs"), { recursive: true })
    rmSync(join(out, "ls7s", "data", "c"), { recursive: true })
    symlinkSync(outside, join(out, "ls7s", "data", "c"))
    const error = await flip(Build.build({ recipe: smallRecipe, out, createdAt }))
    assert.strictEqual(error._tag, "OutputError")
    assert.include(error.message, "symbolic link")
    assert.deepStrictEqual(filesUnder(outside), [])
  })
})

describe("export-geotiff and finalize of hostile stores", () => {
  it("a sample id with ../ is refused before anything is written outside --out", async () => {
    const { dir, outside } = sandbox("hostile-id")
    const store = copyStore(reference, join(dir, "s.zarr"))
    writeSampleIds(store, 0, ["../../outside/escape", "fine"])
    const error = await flip(ExportGeoTiff.run({ store, out: join(dir, "tif") }))
    assert.strictEqual(error._tag, "InvalidStoreError")
    assert.include(error.message, "sample 0")
    assert.deepStrictEqual(filesUnder(outside), [])
  })

  it("a slot name with ../ in the build record is refused", async () => {
    const { dir, outside } = sandbox("hostile-slot")
    const store = copyStore(reference, join(dir, "s.zarr"))
    editJson(
      join(store, ".eoforge", "build.json"),
      (b) => (b.products[0].slots[0].id = "../../outside")
    )
    const error = await flip(ExportGeoTiff.run({ store, out: join(dir, "tif") }))
    assert.strictEqual(error._tag, "InvalidStoreError")
    assert.include(error.message, "slot name")
    assert.deepStrictEqual(filesUnder(outside), [])
  })

  it("an output folder holding a symlink to elsewhere is not written through", async () => {
    const { dir, outside } = sandbox("symlinked-out")
    mkdirSync(join(dir, "tif"))
    symlinkSync(outside, join(dir, "tif", "ls7s"))
    const error = await flip(
      ExportGeoTiff.run({ store: reference, out: join(dir, "tif"), limit: 1 })
    )
    assert.strictEqual(error._tag, "ExportError")
    assert.include(error.message, "symbolic link")
    assert.deepStrictEqual(filesUnder(outside), [])
  })

  it("a product id with ../ makes finalize refuse the store, creating nothing outside it", async () => {
    const { dir, outside } = sandbox("hostile-product")
    const store = copyStore(reference, join(dir, "s.zarr"))
    editJson(
      join(store, "zarr.json"),
      (d) => (d.attributes.eoforge.layout.products[0].spec.id = "../outside/p")
    )
    const error = await flip(Finalize.at(store))
    assert.strictEqual(error._tag, "InvalidStoreError")
    assert.deepStrictEqual(filesUnder(outside), [])
  })

  it("statistics naming an unknown product are a JobRecordError naming the shard, not a crash", async () => {
    const store = copyStore(reference, join(tmp.path, "unknown-group.zarr"))
    writeFileSync(
      join(store, ...Job.statsKey(1).split("/")),
      Codec.encode(Codec.zstd(3), new TextEncoder().encode('{"ghost/train":{}}'))
    )
    const error = await flip(Finalize.at(store))
    assert.strictEqual(error._tag, "JobRecordError")
    assert.include(error.message, "shard")
    assert.include(error.message, "unknown product")
  })

  it("a store whose shards hold statistics in the JSON form of earlier versions finalizes to the same bytes", async () => {
    const store = copyStore(reference, join(tmp.path, "legacy-stats.zarr"))
    const products = (
      JSON.parse(readFileSync(join(store, "zarr.json"), "utf8")) as {
        attributes: { eoforge: { layout: { products: Array<{ spec: Band.ProductSpec }> } } }
      }
    ).attributes.eoforge.layout.products.map((p) => p.spec)
    let shards = 0
    for (let k = 0; existsSync(join(store, ...Job.statsKey(k).split("/"))); k++) {
      const path = join(store, ...Job.statsKey(k).split("/"))
      const packed = Codec.decode(Codec.zstd(3), new Uint8Array(readFileSync(path)), 1 << 30)
      const json = Grouped.toJson(Packed.decode(products, packed))
      writeFileSync(
        join(store, ...Job.legacyStatsKey(k).split("/")),
        Codec.encode(Codec.zstd(3), new TextEncoder().encode(JSON.stringify(json)))
      )
      rmSync(path)
      shards++
    }
    assert.isAbove(shards, 1)
    await run(Finalize.at(store))
    const after = digest(store)
    const legacy = Object.keys(after).filter((k) => k.endsWith(".json.zst"))
    assert.strictEqual(legacy.length, shards, "the earlier files are kept as they were")
    for (const k of legacy) delete after[k]
    const before = Object.fromEntries(
      Object.entries(expected).filter(([k]) => !/^\.eoforge\/stats\//.test(k))
    )
    for (const k of Object.keys(after)) if (/^\.eoforge\/stats\//.test(k)) delete after[k]
    assert.deepStrictEqual(after, before)
  })

  it("finalize waits for nobody: a live holder of the store lock is named", async () => {
    const store = copyStore(reference, join(tmp.path, "locked.zarr"))
    const lock = await Effect.runPromise(
      StoreLock.take(store, { command: "build", recipeHash: "0".repeat(64) })
    )
    try {
      const error = await flip(Finalize.at(store))
      assert.strictEqual(error._tag, "StoreLockedError")
      assert.include(error.message, `pid ${process.pid}`)
    } finally {
      await Effect.runPromise(lock.release)
    }
    await run(Finalize.at(store))
    assert.isFalse(existsSync(join(store, ".eoforge", "lock")), "finalize released its lock")
  })
})
