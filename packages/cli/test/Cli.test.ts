import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { jsonLines, run, smallRecipe } from "./run.ts"
import { digest, tempDir } from "./tree.ts"

const tmp = tempDir("cli")
const store = join(tmp.path, "small.zarr")
let built: Awaited<ReturnType<typeof run>>

beforeAll(async () => {
  built = await run("build", smallRecipe, "--out", store, "--log-format", "json", "--json")
})
afterAll(() => tmp.remove())

/** The tags of the first IFD of a little-endian classic TIFF: tag → [type, count, value or offset]. */
const firstIfd = (bytes: Buffer): Map<number, readonly [number, number, number]> => {
  assert.strictEqual(bytes.toString("latin1", 0, 4), "II*\0", "a little-endian classic TIFF")
  const at = bytes.readUInt32LE(4)
  const n = bytes.readUInt16LE(at)
  const tags = new Map<number, readonly [number, number, number]>()
  for (let i = 0; i < n; i++) {
    const e = at + 2 + i * 12
    const type = bytes.readUInt16LE(e + 2)
    const count = bytes.readUInt32LE(e + 4)
    const value = type === 3 && count === 1 ? bytes.readUInt16LE(e + 8) : bytes.readUInt32LE(e + 8)
    tags.set(bytes.readUInt16LE(e), [type, count, value])
  }
  return tags
}

const doubles = (bytes: Buffer, entry: readonly [number, number, number]): Array<number> =>
  Array.from({ length: entry[1] }, (_, i) => bytes.readDoubleLE(entry[2] + i * 8))

/** The products of the small recipe as `inspect --json` reports them. */
const products = [
  {
    id: "ls7s",
    dtype: "uint8",
    resolution: 10,
    shape: [6, 4, 2, 96, 96],
    bands: ["B3", "B4"],
    slots: ["spring", "summer", "autumn", "winter"]
  },
  {
    id: "dem",
    dtype: "float32",
    resolution: 30,
    shape: [6, 1, 1, 32, 32],
    bands: ["elevation"],
    slots: ["any"]
  },
  {
    id: "landcover",
    dtype: "uint8",
    resolution: 30,
    shape: [6, 1, 1, 32, 32],
    bands: ["class"],
    slots: ["any"]
  }
] as const

const subcommands: Record<string, ReadonlyArray<string>> = {
  build: [
    "--out",
    "--json",
    "--log-format",
    "--dry-run",
    "--shard",
    "--concurrency",
    "--threads",
    "--retry-failed",
    "--header-cache"
  ],
  sample: ["--json", "--geojson"],
  inspect: ["--json"],
  "export-geotiff": ["--out", "--product", "--limit", "--json"],
  finalize: ["--json"]
}

describe("eoforge", () => {
  it("builds a recipe, prints a JSON summary on stdout and JSON progress lines on stderr", () => {
    assert.strictEqual(built.code, 0, built.stderr)
    const result = JSON.parse(built.stdout)
    assert.strictEqual(result.store, store)
    assert.strictEqual(result.summary.samples, 6)
    assert.deepStrictEqual(result.summary.availability.ls7s, { Ok: 24 })
    const types = jsonLines(built.stderr).map((l) => l.type)
    assert.deepStrictEqual(types, ["plan", "shard", "shard", "shard", "finalize", "done"])
  })

  it("shows help for every subcommand with its flags, exiting 0", async () => {
    const outcomes = await Promise.all(
      Object.keys(subcommands).map((name) => run(name, "--help").then((o) => [name, o] as const))
    )
    for (const [name, o] of outcomes) {
      assert.strictEqual(o.code, 0, `${name} --help: ${o.stderr}`)
      const text = o.stdout + o.stderr
      assert.include(text, `eoforge ${name}`)
      for (const flag of subcommands[name])
        assert.include(text, flag, `${name} --help lists ${flag}`)
    }
  })

  it("lists the exit codes and every subcommand in the top-level help", async () => {
    const o = await run("--help")
    assert.strictEqual(o.code, 0)
    for (const name of Object.keys(subcommands)) assert.include(o.stdout, name)
    assert.include(o.stdout, "2 usage or recipe error")
  })

  it("exits 2 on a recipe with a misspelt key, printing file:line and the key", async () => {
    const text = readFileSync(smallRecipe, "utf8").replace(
      "  resolution: 10\n",
      "  resolutoin: 10\n"
    )
    const file = join(tmp.path, "typo.yaml")
    writeFileSync(file, text)
    const o = await run("build", file, "--out", join(tmp.path, "typo.zarr"))
    assert.strictEqual(o.code, 2)
    const line = text.split("\n").findIndex((l) => l.includes("resolutoin")) + 1
    assert.include(o.stderr, `${file}:${line} patch.resolutoin`)
    assert.include(o.stderr, 'did you mean "resolution"')
    assert.isFalse(existsSync(join(tmp.path, "typo.zarr")), "nothing is written")
  })

  it("exits 2 on an unknown option, without a stack trace", async () => {
    const o = await run("build", smallRecipe, "--no-such-flag")
    assert.strictEqual(o.code, 2)
    assert.notInclude(o.stderr, "    at ")
  })

  it("exits 4 when --out is an existing regular file and leaves the file untouched", async () => {
    const file = join(tmp.path, "not-a-store.txt")
    writeFileSync(file, "precious\n")
    const before = statSync(file).mtimeMs
    const o = await run("build", smallRecipe, "--out", file, "--log-format", "json")
    assert.strictEqual(o.code, 4, o.stderr)
    assert.include(o.stderr, file)
    assert.include(o.stderr, "is a file")
    assert.strictEqual(readFileSync(file, "utf8"), "precious\n")
    assert.strictEqual(statSync(file).mtimeMs, before)
  })

  it("refuses to write into a non-empty directory that is not a store (exit 4)", async () => {
    const dir = join(tmp.path, "photos")
    mkdirSync(dir)
    writeFileSync(join(dir, "holiday.jpg"), "jpeg")
    const o = await run("build", smallRecipe, "--out", dir)
    assert.strictEqual(o.code, 4, o.stderr)
    assert.include(o.stderr, dir)
    assert.include(o.stderr, "not an EOForge store")
    assert.deepStrictEqual(readdirSync(dir), ["holiday.jpg"])
  })

  it("exits 3 when inspecting a directory that is not a store, naming it and the way out", async () => {
    const o = await run("inspect", join(tmp.path, "nowhere.zarr"))
    assert.strictEqual(o.code, 3, o.stderr)
    assert.include(o.stderr, join(tmp.path, "nowhere.zarr"))
    assert.include(o.stderr, "not an EOForge store")
    assert.include(o.stderr, "eoforge build")
  })

  it("inspects a built store as JSON: products, shapes, splits and availability", async () => {
    const o = await run("inspect", store, "--json")
    assert.strictEqual(o.code, 0, o.stderr)
    const s = JSON.parse(o.stdout)
    assert.strictEqual(s.samples, 6)
    assert.isTrue(s.finalized)
    for (const [i, p] of products.entries()) {
      const got = s.products[i]
      assert.strictEqual(got.id, p.id)
      assert.strictEqual(got.dtype, p.dtype)
      assert.deepStrictEqual(got.shape, p.shape)
      assert.deepStrictEqual(got.bands, p.bands)
      assert.deepStrictEqual(Object.keys(got.availability), [...p.slots])
      assert.strictEqual(got.normalisation.length, p.bands.length)
    }
    assert.strictEqual(s.products.length, products.length)
    const splits = s.splits as Record<string, number>
    assert.strictEqual(
      Object.values(splits).reduce((a, b) => a + b, 0),
      6
    )
    const text = await run("inspect", store)
    assert.strictEqual(text.code, 0)
    assert.include(text.stdout, "ls7s")
    assert.include(text.stdout, "train normalisation")
  })

  it("exports the first sample as SSL4EO-S12 folders of georeferenced single-band GeoTIFFs", async () => {
    const out = join(tmp.path, "tif")
    const o = await run("export-geotiff", store, "--out", out, "--limit", "1", "--json")
    assert.strictEqual(o.code, 0, o.stderr)
    const expected: Array<string> = []
    const sampleIds = new Set<string>()
    for (const p of products) {
      const ids = readdirSync(join(out, p.id))
      assert.strictEqual(ids.length, 1, `one sample of ${p.id}`)
      sampleIds.add(ids[0])
      for (const slot of p.slots) {
        const dir = join(out, p.id, ids[0], slot)
        for (const band of p.bands) expected.push(join(dir, `${band}.tif`))
        expected.push(join(dir, "metadata.json"))
        const meta = JSON.parse(readFileSync(join(dir, "metadata.json"), "utf8"))
        assert.strictEqual(meta.id, ids[0])
        assert.strictEqual(meta.product, p.id)
        assert.strictEqual(meta.slot, slot)
        assert.deepStrictEqual(meta.bands, p.bands)
        assert.strictEqual(meta.resolution_m, p.resolution)
        for (const band of p.bands) {
          const bytes = readFileSync(join(dir, `${band}.tif`))
          const tags = firstIfd(bytes)
          assert.strictEqual(tags.get(256)![2], p.shape[4], "width")
          assert.strictEqual(tags.get(257)![2], p.shape[3], "height")
          assert.strictEqual(tags.get(277)?.[2] ?? 1, 1, "one band per file")
          assert.strictEqual(tags.get(258)![2], p.dtype === "float32" ? 32 : 8, "bits per sample")
          assert.strictEqual(
            tags.get(339)?.[2] ?? 1,
            p.dtype === "float32" ? 3 : 1,
            "sample format"
          )
          const scale = doubles(bytes, tags.get(33550)!)
          assert.deepStrictEqual(scale.slice(0, 2), [p.resolution, p.resolution])
          const tie = doubles(bytes, tags.get(33922)!)
          assert.deepStrictEqual(tie.slice(3, 5), [meta.x0, meta.y0], "origin of the patch grid")
        }
      }
    }
    assert.strictEqual(sampleIds.size, 1, "every product uses the sample's id")
    assert.strictEqual(JSON.parse(o.stdout).files, expected.length)
    const written = Object.keys(digest(out)).map((p) => join(out, p))
    assert.deepStrictEqual(written.sort(), expected.sort())
  })

  it("samples a recipe without extracting and writes the patches as GeoJSON", async () => {
    const geojson = join(tmp.path, "patches.geojson")
    const o = await run("sample", smallRecipe, "--json", "--geojson", geojson)
    assert.strictEqual(o.code, 0, o.stderr)
    const s = JSON.parse(o.stdout)
    assert.strictEqual(s.accepted, 6)
    assert.strictEqual(s.candidates, s.accepted + s.rejected)
    const fc = JSON.parse(readFileSync(geojson, "utf8"))
    assert.strictEqual(fc.features.length, 6)
    const index = JSON.parse(readFileSync(join(store, "index.geojson"), "utf8"))
    assert.deepStrictEqual(
      fc.features.map((f: any) => f.properties.split),
      index.features.map((f: any) => f.properties.split)
    )
  })

  it("samples the shipped m3leo recipe offline: seam tiles reported, no network needed", async () => {
    const o = await run("sample", "m3leo", "--json")
    assert.strictEqual(o.code, 0, o.stderr)
    const s = JSON.parse(o.stdout)
    assert.strictEqual(s.accepted, 4287)
    assert.strictEqual(s.candidates, s.accepted + s.rejected)
    assert.strictEqual(s.seam.tiles, 77)
    assert.isTrue(s.seam.maxOverlap < 1 && s.seam.meanOverlap > 0)
    assert.deepStrictEqual(s.splits, { train: 2572, val: 858, test: 857, guard: 0 })
    const text = await run("sample", "m3leo")
    assert.include(text.stdout, "seam rule: 77 tiles added where zones meet")
  })

  it("prints a dry-run plan without writing anything", async () => {
    const out = join(tmp.path, "dry.zarr")
    const o = await run("build", smallRecipe, "--out", out, "--dry-run", "--json")
    assert.strictEqual(o.code, 0, o.stderr)
    const r = JSON.parse(o.stdout)
    assert.strictEqual(r.patches, 6)
    assert.strictEqual(r.chips, 6 * (4 + 1 + 1))
    assert.strictEqual(r.shards, 3)
    assert.isTrue(r.bytes > 0 && r.estimatedSeconds >= 0)
    assert.isFalse(existsSync(out))
  })
})
