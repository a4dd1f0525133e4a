import { afterAll, assert, describe, it } from "@effect/vitest"
import { Reason, Split } from "@eoforge/core"
import { Reader } from "@eoforge/zarr"
import { Effect, Exit, type Layer } from "effect"
import { cpSync, readFileSync, renameSync, writeFileSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { parse, stringify } from "yaml"
import { Build, Services } from "../src/index.ts"
import { digest, tempDir } from "./tree.ts"

const small = fileURLToPath(new URL("./fixtures/small.yaml", import.meta.url))
const tmp = tempDir("edges")
afterAll(() => tmp.remove())

const run = <A, E>(effect: Effect.Effect<A, E, Layer.Success<typeof Services.layer>>) =>
  Effect.runPromiseExit(effect.pipe(Effect.provide(Services.layer)))

// The small test recipe with `edit` applied, its relative paths made absolute, written to a temp file.
const recipeWith = (name: string, edit: (r: any) => void): string => {
  const r = parse(readFileSync(small, "utf8"))
  const base = dirname(small)
  r.sampling.aoi = resolve(base, r.sampling.aoi)
  for (const s of Object.values(r.sources) as Array<any>) s.catalog = resolve(base, s.catalog)
  if (r.access?.localRoots !== undefined)
    r.access.localRoots = r.access.localRoots.map((p: string) => resolve(base, p))
  edit(r)
  const file = join(tmp.path, `${name}.yaml`)
  writeFileSync(file, stringify(r))
  return file
}

describe("Build edge cases", () => {
  it("a static catalogue that does not exist fails before anything is written, naming the path", async () => {
    const recipe = recipeWith("nocat", (r) => {
      r.sources.demo.catalog = "/nonexistent/stac/catalog.json"
    })
    const out = join(tmp.path, "nocat.zarr")
    const exit = await run(Build.build({ recipe, out }))
    assert.isTrue(Exit.isFailure(exit))
    const error = Exit.isFailure(exit) ? (exit.cause as any) : undefined
    const text = JSON.stringify(error) + String(error)
    assert.include(text, "InputError")
    assert.include(text, "/nonexistent/stac/catalog.json")
    assert.isFalse((await import("node:fs")).existsSync(out))
  })

  it("a product with no acquisition in any slot is finalized with every slot's reason", async () => {
    const recipe = recipeWith("nodata", (r) => {
      r.slots.y2015 = { kind: "window", start: "2015-01-01", end: "2015-12-31" }
      r.products.find((p: any) => p.id === "landcover").slots = "y2015"
    })
    const out = join(tmp.path, "nodata.zarr")
    const exit = await run(Build.build({ recipe, out, createdAt: "2024-01-01T00:00:00.000Z" }))
    assert.isTrue(Exit.isSuccess(exit), String(Exit.isFailure(exit) ? exit.cause : ""))
    const summary = Exit.isSuccess(exit) ? exit.value.summary! : undefined
    assert.deepStrictEqual(summary?.availability.landcover, { NoItemInWindow: 6 })
    assert.isAbove(summary?.availability.ls7s?.Ok ?? 0, 0)
    const croissant = JSON.parse(readFileSync(join(out, "croissant.json"), "utf8"))
    assert.include(JSON.stringify(croissant), "landcover")
  })

  it("--retry-failed rebuilds the shards whose reads failed, ending as a clean build would", async () => {
    // A copy of the demo sources whose land-cover file is missing during the first build.
    const sources = join(tmp.path, "sources")
    cpSync(resolve(dirname(small), "../../../../fixtures/demo"), sources, { recursive: true })
    const recipe = recipeWith("retry", (r) => {
      r.sources.demo.catalog = join(sources, "stac/catalog.json")
      r.access.localRoots = [sources]
    })
    const tif = join(sources, "data/landcover/landcover-olinda.tif")
    const createdAt = "2024-01-01T00:00:00.000Z"
    const out = join(tmp.path, "retry.zarr")
    renameSync(tif, `${tif}.away`)
    const first = await run(Build.build({ recipe, out, createdAt }))
    renameSync(`${tif}.away`, tif)
    assert.isTrue(Exit.isSuccess(first))
    const failed = Exit.isSuccess(first) ? first.value.summary!.availability.landcover : undefined
    assert.deepStrictEqual(failed, { ReadFailed: 6 })
    // A plain rerun keeps the recorded failures; --retry-failed rebuilds those shards.
    const plain = await run(Build.build({ recipe, out, createdAt }))
    assert.deepStrictEqual(
      Exit.isSuccess(plain) ? plain.value.summary!.availability.landcover : undefined,
      { ReadFailed: 6 }
    )
    const retried = await run(Build.build({ recipe, out, createdAt, retryFailed: true }))
    assert.deepStrictEqual(
      Exit.isSuccess(retried) ? retried.value.summary!.availability.landcover : undefined,
      { Ok: 6 }
    )
    const clean = join(tmp.path, "clean.zarr")
    await run(Build.build({ recipe, out: clean, createdAt }))
    assert.deepStrictEqual(digest(out), digest(clean))
  })

  it("an asset that is not a TIFF is recorded as Unsupported, which --retry-failed leaves alone", async () => {
    const sources = join(tmp.path, "sources-bad")
    cpSync(resolve(dirname(small), "../../../../fixtures/demo"), sources, { recursive: true })
    writeFileSync(join(sources, "data/landcover/landcover-olinda.tif"), "this is not a TIFF\n")
    const recipe = recipeWith("bad", (r) => {
      r.sources.demo.catalog = join(sources, "stac/catalog.json")
      r.access.localRoots = [sources]
    })
    const out = join(tmp.path, "bad.zarr")
    const first = await run(Build.build({ recipe, out, createdAt: "2024-01-01T00:00:00.000Z" }))
    assert.deepStrictEqual(
      Exit.isSuccess(first) ? first.value.summary!.availability.landcover : undefined,
      { Unsupported: 6 }
    )
    const events: Array<Build.Event> = []
    await run(Build.build({ recipe, out, retryFailed: true, onEvent: (e) => void events.push(e) }))
    assert.isFalse(
      events.some((e) => e.type === "shard"),
      "no shard is rebuilt"
    )
  })

  it("with extractGuard false, guard-zone samples hold the Guard reason and no data", async () => {
    const recipe = recipeWith("guard", (r) => {
      r.split = { ...r.split, extractGuard: false }
    })
    const out = join(tmp.path, "guard.zarr")
    const exit = await run(Build.build({ recipe, out, createdAt: "2024-01-01T00:00:00.000Z" }))
    assert.isTrue(Exit.isSuccess(exit), String(Exit.isFailure(exit) ? exit.cause : ""))
    const checked = await Effect.runPromise(
      Effect.gen(function* () {
        const ds = yield* Reader.make(out)
        let guards = 0
        for (let s = 0; s < ds.layout.samples; s++) {
          const sample = yield* ds.readSample(s)
          for (const ps of Object.values(sample.products)) {
            for (let t = 0; t < ps.valid.length; t++) {
              if (sample.split === Split.Split.guard) {
                assert.strictEqual(ps.valid[t], 0)
                assert.strictEqual(ps.reason[t], Reason.Reason.Guard)
              } else assert.notStrictEqual(ps.reason[t], Reason.Reason.Guard)
            }
          }
          if (sample.split === Split.Split.guard) guards++
        }
        return guards
      }).pipe(Effect.scoped)
    )
    assert.isAbove(checked, 0, "the small recipe has guard samples")
  })
})
