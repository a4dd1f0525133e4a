import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Reason, Split } from "@eoforge/core"
import { RasterSource } from "@eoforge/raster"
import { Reader } from "@eoforge/zarr"
import { Cause, Effect, Exit, Layer, Scope } from "effect"
import { createHash } from "node:crypto"
import { existsSync, readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { Build, Extract, Finalize, Inspect, Services, ShardThreads } from "../src/index.ts"
import { digest, tempDir } from "./tree.ts"

const recipe = fileURLToPath(new URL("./fixtures/small.yaml", import.meta.url))
const createdAt = "2024-05-06T07:08:09.000Z"
const tmp = tempDir("build")
const storeA = join(tmp.path, "a.zarr")

const run = <A, E>(effect: Effect.Effect<A, E, Layer.Success<typeof Services.layer>>) =>
  Effect.runPromise(effect.pipe(Effect.provide(Services.layer)))

const planEvent = (events: ReadonlyArray<Build.Event>) => {
  const e = events[0]
  if (e?.type !== "plan") return assert.fail("the first event is the plan")
  return e
}

let result: Effect.Success<ReturnType<typeof Build.build>>
const events: Array<Build.Event> = []

beforeAll(async () => {
  result = await run(
    Build.build({ recipe, out: storeA, createdAt, onEvent: (e) => void events.push(e) })
  )
})
afterAll(() => tmp.remove())

const readJson = (path: string): any => JSON.parse(readFileSync(path, "utf8"))
const sha256 = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex")

describe("Build of the small demo recipe", () => {
  it("reports a plan, one event per shard and a final summary in that order", () => {
    const types = events.map((e) => e.type)
    assert.strictEqual(types[0], "plan")
    assert.strictEqual(types.at(-1), "done")
    const plan = planEvent(events)
    assert.strictEqual(plan.patches, 6)
    assert.strictEqual(plan.shards, 3)
    assert.isFalse(plan.resumed)
    // Two shards are built at once, so they may finish in either order; each is reported once.
    const shards = events.flatMap((e) => (e.type === "shard" ? [e] : []))
    assert.deepStrictEqual(shards.map((e) => e.shard).sort(), [0, 1, 2])
    assert.deepStrictEqual(
      shards.map((e) => e.done),
      [1, 2, 3]
    )
    assert.isDefined(result.summary)
  })

  it("accounts for every patch × product × slot: data or a reason, in the summary, the store and its arrays", () =>
    Effect.gen(function* () {
      const summary = yield* Inspect.at(storeA)
      assert.isTrue(summary.finalized)
      assert.strictEqual(summary.shardsBuilt, summary.shards)
      const ds = yield* Reader.make(storeA)
      const slotsOf = { ls7s: 4, dem: 1, landcover: 1 } as Record<string, number>
      assert.deepStrictEqual(
        summary.products.map((p) => p.id),
        Object.keys(slotsOf)
      )
      const counted: Record<string, Record<string, number>> = {}
      for (let s = 0; s < summary.samples; s++) {
        const sample = yield* ds.readSample(s)
        for (const [product, ps] of Object.entries(sample.products)) {
          const c = (counted[product] ??= {})
          for (let t = 0; t < ps.valid.length; t++) {
            assert.notStrictEqual(ps.reason[t], Reason.Reason.Pending)
            assert.strictEqual(ps.valid[t] === 1, ps.reason[t] === Reason.Reason.Ok)
            const name = Reason.name(ps.reason[t])
            c[name] = (c[name] ?? 0) + 1
          }
        }
      }
      for (const p of summary.products) {
        const slots = Object.entries(p.availability)
        assert.strictEqual(slots.length, slotsOf[p.id])
        let total = 0
        for (const [, reasons] of slots) {
          const n = Object.values(reasons).reduce((a, b) => a + b, 0)
          assert.strictEqual(n, summary.samples, `${p.id}: every sample once per slot`)
          total += n
        }
        assert.strictEqual(total, summary.samples * slotsOf[p.id])
        assert.deepStrictEqual(result.summary!.availability[p.id], counted[p.id])
      }
    }).pipe(Effect.scoped, Effect.runPromise))

  it("describes every file in croissant.json with its true size and sha256", () => {
    const doc = readJson(join(storeA, "croissant.json"))
    const files = (doc.distribution as Array<any>).filter((d) => d["@type"] === "cr:FileObject")
    const paths = files.map((f) => f.contentUrl as string)
    for (const must of ["index.geojson", "zarr.json", "ls7s/data/zarr.json", "index/samples.csv"]) {
      assert.include(paths, must)
    }
    for (const f of files) {
      if (f.contentUrl === undefined || /^https?:/.test(f.contentUrl)) continue
      const path = join(storeA, f.contentUrl)
      assert.isTrue(existsSync(path), `${f.contentUrl} exists`)
      assert.strictEqual(f.sha256, sha256(path), `sha256 of ${f.contentUrl}`)
      assert.strictEqual(f.contentSize, `${statSync(path).size} B`, `size of ${f.contentUrl}`)
    }
    const sets = (doc.distribution as Array<any>).filter((d) => d["@type"] === "cr:FileSet")
    assert.isTrue(sets.length > 0)
    for (const set of sets) {
      for (const glob of set.includes as Array<string>) {
        const dir = join(storeA, glob.replace(/\/\*\*$/, ""))
        assert.isTrue(existsSync(dir), `${glob} matches shard files`)
      }
    }
  })

  it("writes a dataset card whose statistics table gives the train mean of every band", () =>
    Effect.gen(function* () {
      const card = readFileSync(join(storeA, "README.md"), "utf8")
      assert.match(card, /^## Statistics \(train split\)$/m)
      const summary = yield* Inspect.at(storeA)
      const stats = card.slice(card.indexOf("## Statistics"))
      for (const p of summary.products) {
        assert.strictEqual(p.normalisation.length, p.bands.length)
        for (const row of p.normalisation) {
          const line = stats.split("\n").find((l) => l.startsWith(`| ${p.id} | ${row.band} |`))
          assert.isDefined(line, `a row for ${p.id} ${row.band}`)
          const mean = Number(line!.split("|")[3])
          assert.approximately(mean, row.mean, Math.abs(row.mean) * 1e-4 + 1e-4)
        }
      }
    }).pipe(Effect.scoped, Effect.runPromise))

  it("writes a patch index with one feature per sample carrying its split", () =>
    Effect.gen(function* () {
      const index = readJson(join(storeA, "index.geojson"))
      const ds = yield* Reader.make(storeA)
      assert.strictEqual(index.type, "FeatureCollection")
      assert.strictEqual(index.features.length, ds.layout.samples)
      for (let s = 0; s < ds.layout.samples; s++) {
        const sample = yield* ds.readSample(s)
        const f = index.features[s]
        assert.strictEqual(f.properties.sample, s)
        assert.strictEqual(f.properties.split, Split.name(sample.split))
        // Per product: how many slots of the sample hold data.
        for (const [product, ps] of Object.entries(sample.products)) {
          assert.strictEqual(
            f.properties[product],
            ps.valid.reduce((a, b) => a + b, 0),
            `${product} slots of sample ${s}`
          )
        }
        const ring = f.geometry.coordinates[0] as Array<[number, number]>
        assert.strictEqual(ring.length, 5)
        // The footprint surrounds the sample's centre.
        const lons = ring.map((c) => c[0])
        const lats = ring.map((c) => c[1])
        assert.isTrue(sample.lon > Math.min(...lons) && sample.lon < Math.max(...lons))
        assert.isTrue(sample.lat > Math.min(...lats) && sample.lat < Math.max(...lats))
      }
    }).pipe(Effect.scoped, Effect.runPromise))

  it("stores exactly the chip Extract.chip reads for a patch, for every product and slot", () =>
    run(
      Effect.gen(function* () {
        const prepared = yield* Build.prepare(recipe)
        const raster = yield* RasterSource.RasterSource
        const scope = yield* Scope.Scope
        const open: Extract.Opener = {
          use: (uris, use) =>
            Effect.forEach(uris, (uri) => raster.open(uri).pipe(Scope.provide(scope))).pipe(
              Effect.flatMap(use)
            )
        }
        const ds = yield* Reader.make(storeA)
        const samples = [0, prepared.plan.patches.length - 1]
        let compared = 0
        for (const s of samples) {
          const sample = yield* ds.readSample(s)
          assert.strictEqual(sample.id, prepared.plan.patches[s].id)
          for (const product of prepared.products) {
            for (let t = 0; t < product.slots.length; t++) {
              const outcome = yield* Extract.chip(prepared.plan.patches[s], product, t, open)
              const stored = sample.products[product.spec.id]
              if (outcome._tag === "Missing") {
                assert.strictEqual(stored.reason[t], outcome.reason)
                continue
              }
              const chip = yield* ds.readChip(product.spec.id, s, t)
              assert.strictEqual(chip.constructor, outcome.data.constructor)
              assert.strictEqual(chip.length, outcome.data.length)
              assert.deepStrictEqual(chip, outcome.data, `${product.spec.id} sample ${s} slot ${t}`)
              assert.strictEqual(stored.item[t], outcome.facts.item)
              assert.strictEqual(stored.acquired[t], outcome.facts.acquired)
              compared++
            }
          }
        }
        assert.strictEqual(compared, samples.length * 6)
      }).pipe(Effect.scoped)
    ))

  it("gives byte-identical stores for the same createdAt, whatever the concurrency", async () => {
    const storeB = join(tmp.path, "b.zarr")
    await run(Build.build({ recipe, out: storeB, createdAt, concurrency: 1 }))
    const a = digest(storeA)
    const b = digest(storeB)
    assert.isTrue(Object.keys(a).length > 50)
    assert.deepStrictEqual(b, a)
  })

  it("reads up to `concurrency` chips at once, across the slots of each sample and two shards", async () => {
    // Every read is held 40 ms; the most reads in flight at concurrency 1 are those of one chip.
    const peak = async (concurrency: number) => {
      let now = 0
      let most = 0
      const held = Layer.effect(
        RasterSource.RasterSource,
        Effect.gen(function* () {
          const source = yield* RasterSource.RasterSource
          return {
            ...source,
            read: (...args: Parameters<typeof source.read>) =>
              Effect.sync(() => (most = Math.max(most, ++now))).pipe(
                Effect.andThen(Effect.sleep("40 millis")),
                Effect.andThen(source.read(...args)),
                Effect.ensuring(Effect.sync(() => void now--))
              )
          }
        })
      ).pipe(Layer.provide(RasterSource.layerGeoTiff))
      const out = join(tmp.path, `peak-${concurrency}.zarr`)
      await run(Build.build({ recipe, out, createdAt, concurrency }).pipe(Effect.provide(held)))
      assert.deepStrictEqual(digest(out), digest(storeA))
      return most
    }
    const one = await peak(1)
    const six = await peak(6)
    // Shards hold 2 samples: with samples alone in flight, no more than 2 chips' reads could overlap.
    assert.isAbove(six, 2 * one, `${six} reads at once at concurrency 6, ${one} at 1`)
    assert.isAtMost(six, 6 * one)
  })

  it("builds the same bytes in two --shard partitions followed by finalize", async () => {
    const storeD = join(tmp.path, "d.zarr")
    const first = await run(
      Build.build({ recipe, out: storeD, createdAt, shard: { index: 0, count: 2 } })
    )
    assert.isUndefined(first.summary, "a partition alone does not finalize")
    assert.isFalse(existsSync(join(storeD, "croissant.json")))
    const second = await run(
      Build.build({ recipe, out: storeD, createdAt, shard: { index: 1, count: 2 } })
    )
    assert.isDefined(second.summary, "the last partition finds every shard built and finalizes")
    assert.deepStrictEqual(digest(storeD), digest(storeA))
    const again = await run(Finalize.at(storeD))
    assert.deepStrictEqual(again, second.summary)
    assert.deepStrictEqual(digest(storeD), digest(storeA))
  })

  it("builds the same bytes on three threads, each shard once, and counts what every thread read", async () => {
    const storeT = join(tmp.path, "t.zarr")
    const seen: Array<Build.Event> = []
    const threaded = await run(
      Build.build({ recipe, out: storeT, createdAt, threads: 3, onEvent: (e) => void seen.push(e) })
    )
    const shards = seen.flatMap((e) => (e.type === "shard" ? [e] : []))
    assert.deepStrictEqual(shards.map((e) => e.shard).sort(), [0, 1, 2])
    assert.deepStrictEqual(
      shards.map((e) => e.done),
      [1, 2, 3]
    )
    assert.strictEqual(
      shards.reduce((n, e) => n + e.chips, 0),
      events.reduce((n, e) => n + (e.type === "shard" ? e.chips : 0), 0)
    )
    assert.strictEqual(threaded.transfer.chips, result.transfer.chips)
    assert.deepStrictEqual(threaded.summary, result.summary)
    assert.deepStrictEqual(digest(storeT), digest(storeA))
  })

  it("fails with the error a build thread met, naming it", async () => {
    const queue = ShardThreads.queueOf([0, 1])
    const missing = join(tmp.path, "no-such-store.zarr")
    const exit = await Effect.runPromiseExit(
      Effect.gen(function* () {
        const pool = yield* ShardThreads.start({ recipe, out: missing }, queue, 1, () => {})
        return yield* pool.join
      }).pipe(Effect.scoped)
    )
    assert.isTrue(Exit.isFailure(exit))
    const error = Exit.isFailure(exit) ? Cause.squash(exit.cause) : undefined
    assert.instanceOf(error, ShardThreads.BuildThreadError)
    assert.include((error as ShardThreads.BuildThreadError).message, missing)
    assert.isUndefined(ShardThreads.next(queue), "the queue hands out nothing after a failure")
  })

  it("records the creation instant, so another createdAt changes only the files that carry it", async () => {
    const storeC = join(tmp.path, "c.zarr")
    await run(Build.build({ recipe, out: storeC, createdAt: "2030-01-01T00:00:00.000Z" }))
    const a = digest(storeA)
    const c = digest(storeC)
    assert.deepStrictEqual(Object.keys(c), Object.keys(a))
    const changed = Object.keys(a).filter((k) => a[k] !== c[k])
    assert.include(changed, "zarr.json")
    assert.isTrue(
      changed.every((k) => !k.includes("/c/")),
      "no chunk or shard differs"
    )
    assert.strictEqual(
      readJson(join(storeC, "zarr.json")).attributes.created,
      "2030-01-01T00:00:00.000Z"
    )
  })

  it("resumes a finished store without rebuilding any shard", async () => {
    const before = digest(storeA)
    const again: Array<Build.Event> = []
    await run(Build.build({ recipe, out: storeA, createdAt, onEvent: (e) => void again.push(e) }))
    const plan = planEvent(again)
    assert.isTrue(plan.resumed)
    assert.strictEqual(plan.todo, 0)
    assert.isFalse(again.some((e) => e.type === "shard"))
    assert.deepStrictEqual(digest(storeA), before)
  })
})
