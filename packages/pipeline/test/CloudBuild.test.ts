// A build over a month in which every Sentinel-2 scene has a cloud over part of the patch
// (tools/fixtures/make-clouds.py): each scene's chip records its masked cloud fraction, and maxPatchCloud
// walks the least-cloudy order (by scene cover) to the first scene clear enough over the patch.
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Reason } from "@eoforge/core"
import { Croissant, Rules } from "@eoforge/croissant"
import { Reader } from "@eoforge/zarr"
import { Effect, Exit } from "effect"
import { readFileSync, readdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { stringify } from "yaml"
import { Build, ExportGeoTiff, Services } from "../src/index.ts"
import { tempDir } from "./tree.ts"

const fixture = fileURLToPath(new URL("./fixtures/clouds/", import.meta.url))
const golden = JSON.parse(readFileSync(join(fixture, "cases.json"), "utf8")) as {
  readonly patches: Record<string, { lon: number; lat: number }>
  readonly cases: ReadonlyArray<{
    readonly item: string
    readonly patch: string
    readonly resolution: number
    readonly values: ReadonlyArray<number>
    readonly dilationM: number
    readonly masked: number
    readonly pixels: number
  }>
}
const scenes = [
  "S2A_MSIL2A_20210605_N0300_T25MBN",
  "S2B_MSIL2A_20210615_N0300_T25MBN",
  "S2A_MSIL2A_20210625_N0300_T25MBN"
]
// Each scene's masked fraction over patch A with the default classes and no dilation (GDAL + numpy).
const expected = scenes.map((item) => {
  const c = golden.cases.find(
    (k) =>
      k.item === item &&
      k.patch === "A" &&
      k.resolution === 10 &&
      k.dilationM === 0 &&
      k.values.join() === "3,8,9,10"
  )!
  return c.masked / c.pixels
})

const tmp = tempDir("cloud-build")
const out = join(tmp.path, "clouds.zarr")
const l2a = (id: string, slots: string, cloudMask?: Record<string, unknown>) => ({
  id,
  preset: "sentinel-2-l2a",
  source: "local",
  slots,
  resampling: "nearest",
  bands: [{ name: "B04" }],
  ...(cloudMask === undefined ? {} : { cloudMask })
})

let exit: Exit.Exit<unknown, unknown>
beforeAll(async () => {
  writeFileSync(
    join(tmp.path, "patches.csv"),
    `id,lon,lat\nA,${golden.patches.A.lon},${golden.patches.A.lat}\n`
  )
  const recipe = join(tmp.path, "clouds.yaml")
  writeFileSync(
    recipe,
    stringify({
      name: "clouds",
      sampling: { sampler: "locations", locations: "patches.csv" },
      patch: { size: 960, resolution: 10, snap: 10 },
      sources: { local: { type: "static", catalog: join(fixture, "stac", "catalog.json") } },
      slots: {
        june: { kind: "window", start: "2021-06-01", end: "2021-06-30" },
        d05: { kind: "window", start: "2021-06-05", end: "2021-06-05" },
        d15: { kind: "window", start: "2021-06-15", end: "2021-06-15" },
        d25: { kind: "window", start: "2021-06-25", end: "2021-06-25" },
        junemedian: { kind: "window", start: "2021-06-01", end: "2021-06-30", rule: "median" }
      },
      products: [
        l2a("plain", "june"),
        l2a("masked", "june", {}),
        l2a("each05", "d05", {}),
        l2a("each15", "d15", {}),
        l2a("each25", "d25", {}),
        l2a("max20", "june", { maxPatchCloud: 0.2 }),
        l2a("max06", "june", { maxPatchCloud: 0.06 }),
        l2a("max05", "june", { maxPatchCloud: 0.05 }),
        l2a("median", "junemedian", {})
      ],
      split: { method: "random" },
      output: { store: out },
      access: { localRoots: [fixture] }
    })
  )
  exit = await Effect.runPromiseExit(
    Build.build({ recipe, out, createdAt: "2024-01-01T00:00:00.000Z" }).pipe(
      Effect.provide(Services.layer)
    )
  )
})
afterAll(() => tmp.remove())

describe("a month in which every scene has a cloud over the patch", () => {
  it("records each scene's masked cloud fraction, and maxPatchCloud takes the first scene under it", () =>
    Effect.gen(function* () {
      assert.isTrue(Exit.isSuccess(exit), String(Exit.isFailure(exit) ? exit.cause : ""))
      const ds = yield* Reader.make(out)
      const sample = yield* ds.readSample(0)
      const p = sample.products
      // Every scene has a cloud over part of the patch, each of a known size.
      for (const [k, id] of ["each05", "each15", "each25"].entries()) {
        assert.strictEqual(p[id]!.item[0], scenes[k])
        assert.isAbove(expected[k]!, 0)
        assert.strictEqual(p[id]!.cloudMask!.patchCloud[0], Math.fround(expected[k]!), id)
        assert.strictEqual(p[id]!.cloudMask!.maskSource[0], 1)
      }
      // Least cloudy by the scenes' own cover is the scene with the largest cloud over the patch.
      assert.strictEqual(p.masked!.item[0], scenes[0])
      assert.strictEqual(p.plain!.item[0], scenes[0])
      assert.isTrue(expected[0]! > 0.4 && expected[1]! < 0.2 && expected[2]! < 0.06)
      assert.strictEqual(p.max20!.item[0], scenes[1])
      assert.strictEqual(p.max20!.cloudMask!.patchCloud[0], Math.fround(expected[1]!))
      assert.strictEqual(p.max06!.item[0], scenes[2])
      assert.strictEqual(p.max05!.valid[0], 0)
      assert.strictEqual(p.max05!.reason[0], Reason.Reason.TooCloudy)
      // Products without a mask keep today's arrays; masked pixels are stored as nodata (0).
      assert.isUndefined(p.plain!.cloudMask)
      const plain = yield* ds.readChip("plain", 0, 0)
      const masked = yield* ds.readChip("masked", 0, 0)
      let zeros = 0
      for (let i = 0; i < masked.length; i++) {
        if (masked[i] === 0) zeros++
        else assert.strictEqual(masked[i], plain[i])
      }
      assert.strictEqual(zeros, Math.round(expected[0]! * masked.length))
      assert.isTrue(Array.from(plain).every((v) => v !== 0))
    }).pipe(Effect.scoped, Effect.runPromise))

  it("composites the masked scenes into a cloud-free median chip, its cloud fraction showing it", () =>
    Effect.gen(function* () {
      assert.isTrue(Exit.isSuccess(exit), String(Exit.isFailure(exit) ? exit.cause : ""))
      const ds = yield* Reader.make(out)
      const sample = yield* ds.readSample(0)
      const singles = yield* Effect.forEach(["each05", "each15", "each25"], (id) =>
        ds.readChip(id, 0, 0)
      )
      const median = yield* ds.readChip("median", 0, 0)
      // Masked pixels are stored as 0: a pixel cloudy in every scene would stay without data.
      let everywhereCloudy = 0
      for (let i = 0; i < median.length; i++) {
        const clear = singles
          .map((c) => c[i])
          .filter((v) => v !== 0)
          .sort((x, y) => x - y)
        if (clear.length === 0) {
          everywhereCloudy++
          assert.strictEqual(median[i], 0)
          continue
        }
        const h = clear.length >> 1
        const m = clear.length % 2 === 1 ? clear[h] : (clear[h - 1] + clear[h]) / 2
        const r = Math.round(m)
        assert.strictEqual(median[i], r - m === 0.5 && r % 2 !== 0 ? r - 1 : r, `pixel ${i}`)
      }
      // Every scene is cloudy over part of the patch; their clouds do not meet, so the median has none.
      assert.strictEqual(everywhereCloudy, 0)
      const p = sample.products.median!
      assert.strictEqual(p.item[0], scenes.join("+"))
      assert.strictEqual(p.cloudMask!.patchCloud[0], 0)
      assert.strictEqual(p.nodata[0], 0)
      const record = JSON.parse(readFileSync(join(out, ".eoforge/jobs/0.json"), "utf8"))
      const made = record.provenance.find((q: { product: string }) => q.product === "median")
      assert.strictEqual(made.facts.contributed, 3)
      for (const [k, id] of scenes.entries())
        assert.include(made.facts.sceneCloud, `${id} ${(expected[k]! * 100).toFixed(1)} %`)
    }).pipe(Effect.scoped, Effect.runPromise))

  it("explains a slot no candidate satisfies with each candidate's patch cloud fraction", () => {
    const jobs = join(out, ".eoforge", "jobs")
    const records = readdirSync(jobs).map((f) => JSON.parse(readFileSync(join(jobs, f), "utf8")))
    const failure = records
      .flatMap((r) => r.failures as Array<{ product: string; reason: string; detail: string }>)
      .find((f) => f.product === "max05")!
    assert.strictEqual(failure.reason, "TooCloudy")
    for (const [k, scene] of scenes.entries()) {
      assert.include(failure.detail, `${scene} ${(expected[k]! * 100).toFixed(1)} %`)
    }
  })

  it("describes the mask in the product's attributes and its arrays for xarray", () => {
    const attrs = JSON.parse(readFileSync(join(out, "max20", "zarr.json"), "utf8")).attributes
    assert.deepStrictEqual(attrs.cloud_mask, {
      layers: [{ kind: "classes", asset: "scl", values: [3, 8, 9, 10], resampling: "nearest" }],
      dilationM: 0,
      maxPatchCloud: 0.2,
      fallback: "fail"
    })
    const patchCloud = JSON.parse(
      readFileSync(join(out, "max20", "patchCloud", "zarr.json"), "utf8")
    )
    assert.deepStrictEqual(patchCloud.dimension_names, ["sample", "time"])
    assert.strictEqual(patchCloud.data_type, "float32")
    assert.isFalse(readdirSync(join(out, "plain")).includes("patchCloud"))
  })

  it("lists each chip's patch cloud and mask source in the product's CSV index, described in Croissant", () => {
    const [header, row] = readFileSync(join(out, "index", "max20.csv"), "utf8")
      .trim()
      .split("\n")
    const cols = header!.split(",")
    assert.deepStrictEqual(cols.slice(-2), ["patch_cloud", "mask_source"])
    const values = row!.split(",")
    assert.strictEqual(
      Number(values[cols.indexOf("patch_cloud")]),
      Number(Math.fround(expected[1]!).toPrecision(7))
    )
    assert.strictEqual(values[cols.indexOf("mask_source")], "1")
    assert.notInclude(readFileSync(join(out, "index", "plain.csv"), "utf8"), "patch_cloud")
    const croissant = JSON.parse(readFileSync(join(out, "croissant.json"), "utf8"))
    assert.deepStrictEqual(Rules.check(croissant), [])
    Croissant.validate(croissant)
    const fieldsOf = (id: string) =>
      (croissant.recordSet as Array<{ name: string; field: Array<{ name: string }> }>)
        .find((r) => r.name === id)!
        .field.map((f) => f.name)
    assert.strictEqual(fieldsOf("max20").filter((n) => /patch_cloud|mask_source/.test(n)).length, 2)
    assert.strictEqual(fieldsOf("plain").filter((n) => /patch_cloud|mask_source/.test(n)).length, 0)
  })

  it("writes each chip's patch cloud into the GeoTIFF export's metadata.json", async () => {
    const tif = join(tmp.path, "tif")
    await Effect.runPromise(
      ExportGeoTiff.run({ store: out, out: tif, products: ["max20", "plain"] }).pipe(
        Effect.provide(Services.layer)
      )
    )
    const meta = (product: string) => {
      const sample = readdirSync(join(tif, product))[0]!
      const slot = readdirSync(join(tif, product, sample))[0]!
      return JSON.parse(readFileSync(join(tif, product, sample, slot, "metadata.json"), "utf8"))
    }
    assert.strictEqual(meta("max20").patch_cloud, Math.fround(expected[1]!))
    assert.strictEqual(meta("max20").mask_source, 1)
    assert.notProperty(meta("plain"), "patch_cloud")
  })
})
