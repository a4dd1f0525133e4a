// A build whose products come from Earth Engine (the local double of its REST API, serving the demo's
// fixture rasters) against a build reading the same rasters from the static catalogue: the same bytes, every
// computePixels request on a patch grid exactly, the service-account token never recorded.
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Crs, PixelGrid } from "@eoforge/core"
import { Mosaic, RasterSource } from "@eoforge/raster"
import { Effect, ManagedRuntime } from "effect"
import { generateKeyPairSync } from "node:crypto"
import { readdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import * as Double from "../../../tools/earthengine-double/server.ts"
import { Reason } from "@eoforge/core"
import { Build, Extract, Products, Recipe, Services } from "../src/index.ts"
import { digest, tempDir } from "./tree.ts"

const root = fileURLToPath(new URL("../../../", import.meta.url))
const stac = join(root, "fixtures/demo/stac")
const project = "eoforge-test"
const email = "builder@eoforge-test.iam.gserviceaccount.com"
const createdAt = "2024-05-06T07:08:09.000Z"
const tmp = tempDir("earthengine")
const raster = ManagedRuntime.make(RasterSource.layerGeoTiff)
const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 })
let double: Double.Double
const events: Array<string> = []

const modes = { nearest: "nearest", bilinear: "bilinear", bicubic: "cubic" } as const

// Every item of a demo collection as an Earth Engine image: bands b1…bn of its `data` asset, read onto the
// requested grid by EOForge's raster reader (what the static-catalogue build reads too).
const collection = (id: string): ReadonlyArray<Double.FixtureImage> =>
  readdirSync(join(stac, id, "items")).map((file) => {
    const item = JSON.parse(readFileSync(join(stac, id, "items", file), "utf8"))
    const href = join(stac, id, "items", item.assets.data.href)
    const types: ReadonlyArray<{ data_type: "uint8" | "float32" }> =
      item.assets.data["raster:bands"]
    return {
      id: item.id,
      time: Date.parse(item.properties.datetime),
      properties: { "eo:cloud_cover": item.properties["eo:cloud_cover"] },
      bands: types.map((t, k) => ({ name: `b${k + 1}`, dtype: t.data_type })),
      // The demo's items all cover the sampled AOI.
      intersects: () => true,
      pixels: (band, g, mode) =>
        raster.runPromise(
          Effect.scoped(
            Effect.gen(function* () {
              const source = yield* RasterSource.RasterSource
              const info = yield* source.open(href)
              const grid = PixelGrid.make(
                Crs.fromCode(g.crsCode)!,
                g.x0,
                g.y0,
                g.resolution,
                g.width,
                g.height
              )
              const chip = yield* Mosaic.read([info], grid, {
                resampling: modes[mode],
                bands: [Number(band.slice(1)) - 1]
              })
              const n = g.width * g.height
              return {
                data: Float64Array.from(chip.data.subarray(0, n)),
                mask: chip.mask === undefined ? new Uint8Array(n).fill(1) : chip.mask.slice(0, n)
              }
            })
          )
        )
    }
  })

const base = (store: string) => ({
  name: "small-ee",
  seed: 7,
  sampling: {
    sampler: "aoi",
    aoi: join(root, "packages/pipeline/recipes/olinda-aoi.geojson"),
    count: 6,
    maxCandidates: 2000
  },
  patch: { size: 960, resolution: 10, snap: 30 },
  overlap: { maxOverlap: 0.25 },
  slots: {
    seasons: { kind: "seasons", year: 2002, halfWindowDays: 16, rule: "least-cloudy" },
    any: { kind: "any" }
  },
  split: { method: "banding", bandKm: 1.5, bearingDeg: 90, guardKm: 0.2 },
  output: { store, shardSamples: 2 },
  concurrency: 2
})

const products = (source: string, ee: boolean) => [
  {
    id: "ls7s",
    source,
    collection: "ls7-seasonal",
    dtype: "uint8",
    resolution: 10,
    resampling: "bilinear",
    slots: "seasons",
    maxCloud: 10,
    bands: [
      { name: "B3", asset: ee ? "b3" : "data", index: 3, description: "Red", nodata: 0 },
      { name: "B4", asset: ee ? "b4" : "data", index: 4, description: "Near infrared", nodata: 0 }
    ]
  },
  {
    id: "dem",
    source,
    collection: "dem",
    dtype: "float32",
    resolution: 30,
    resampling: "bilinear",
    slots: "any",
    bands: [{ name: "elevation", asset: ee ? "b1" : "data", index: 1, unit: "m", nodata: -9999 }]
  }
]

const build = (recipe: object, name: string) => {
  const file = join(tmp.path, `${name}.json`)
  writeFileSync(file, JSON.stringify(recipe))
  return Effect.runPromise(
    Build.build({
      recipe: file,
      out: join(tmp.path, `${name}.zarr`),
      createdAt,
      onEvent: (e) => void events.push(JSON.stringify(e))
    }).pipe(Effect.provide(Services.layer))
  )
}

let keyFile: string
let before = 0

beforeAll(async () => {
  double = await Double.start({
    project,
    accounts: { [email]: publicKey },
    staticTokens: { "token-expired": Date.now() - 1000 },
    collections: { "ls7-seasonal": collection("ls7-seasonal"), dem: collection("dem") }
  })
  keyFile = join(tmp.path, "key.json")
  writeFileSync(
    keyFile,
    JSON.stringify({
      type: "service_account",
      private_key: privateKey.export({ type: "pkcs8", format: "pem" }),
      client_email: email,
      token_uri: double.tokenUrl
    })
  )
  await build(
    {
      ...base(join(tmp.path, "direct.zarr")),
      sources: { demo: { type: "static", catalog: join(stac, "catalog.json") } },
      access: { localRoots: [join(root, "fixtures/demo")] },
      products: products("demo", false)
    },
    "direct"
  )
  before = double.requests.length
  const resample = [
    { op: "filterDate" },
    { op: "filterBounds" },
    { op: "resample", mode: "bilinear" }
  ]
  await build(
    {
      ...base(join(tmp.path, "ee.zarr")),
      sources: {
        ee: {
          type: "earth-engine",
          project,
          credentials: { keyFile },
          url: double.url,
          cloudProperty: "eo:cloud_cover",
          products: { ls7s: { operations: resample }, dem: { operations: resample } }
        }
      },
      products: products("ee", true)
    },
    "ee"
  )
}, 300_000)
afterAll(async () => {
  await double.close()
  await raster.dispose()
  if (process.env.EOFORGE_KEEP === undefined) tmp.remove()
})

describe("a build from Earth Engine (local double) against the same rasters read directly", () => {
  it("the product and sample arrays are byte-identical", () => {
    const a = digest(join(tmp.path, "direct.zarr"))
    const b = digest(join(tmp.path, "ee.zarr"))
    const arrays = (d: Record<string, string>) =>
      Object.fromEntries(Object.entries(d).filter(([p]) => /^(ls7s|dem|samples)\//.test(p)))
    const compared = arrays(a)
    assert.isAbove(Object.keys(compared).length, 20)
    assert.deepStrictEqual(arrays(b), compared)
  })

  it("every computePixels request asked for exactly one product grid of one patch", () => {
    const seen = double.requests.slice(before)
    const pixels = seen.filter((r) => r.method === "computePixels")
    // The source's check makes one more value:compute (of a constant) before planning.
    const lists = seen.filter((r) => r.functions.includes("AggregateFeatureCollection.array"))
    assert.isTrue(seen.every((r) => r.status === 200))
    // 6 patches × (4 seasons of ls7s + 1 dem): one listing per slot, one computePixels per chip with data.
    assert.strictEqual(lists.length, 6 * 5)
    const grids = new Set(pixels.map((r) => JSON.stringify(r.grid)))
    for (const r of pixels) {
      const g = r.grid!
      assert.strictEqual(g.crsCode, "EPSG:32725")
      // Patch grids of 960 m: 96 × 96 at 10 m (ls7s) or 32 × 32 at 30 m (dem), origins on the 30 m snap.
      assert.isTrue(
        (g.resolution === 10 && g.width === 96 && g.height === 96) ||
          (g.resolution === 30 && g.width === 32 && g.height === 32)
      )
      assert.strictEqual(g.x0 % 30, 0)
      assert.strictEqual(g.y0 % 30, 0)
    }
    // One dem grid per patch and at most one ls7s grid per patch (its four slots share the grid).
    assert.strictEqual(grids.size, 12)
    console.log(
      JSON.stringify({
        earthEngineBuild: {
          patches: 6,
          valueCompute: lists.length,
          computePixels: pixels.length,
          requestsPerPatch: (lists.length + pixels.length) / 6
        }
      })
    )
  })

  it("the access token and the private key appear in no event, job record or store file", () => {
    const tokens = double.issued.map((t) => t.token)
    assert.isAtLeast(tokens.length, 1)
    const texts = [...events]
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, entry.name)
        if (entry.isDirectory()) walk(p)
        else texts.push(readFileSync(p).toString("latin1"))
      }
    }
    walk(join(tmp.path, "ee.zarr"))
    // Job records name, per chip, the images, their times and the expression's digest.
    const jobs = readdirSync(join(tmp.path, "ee.zarr/.eoforge/jobs")).map((f) =>
      JSON.parse(readFileSync(join(tmp.path, "ee.zarr/.eoforge/jobs", f), "utf8"))
    )
    const chips = jobs.flatMap((j) => j.provenance ?? [])
    assert.strictEqual(chips.length, 30)
    for (const c of chips) {
      assert.match(c.facts.expressionSha256, /^[0-9a-f]{64}$/)
      assert.isAbove(c.facts.images.length, 0)
      assert.match(c.facts.times, /^\d{4}-\d\d-\d\dT/)
    }
    for (const text of texts) {
      for (const t of tokens) assert.notInclude(text, t)
      assert.notInclude(text, "PRIVATE KEY")
      assert.notInclude(text, "ya29.")
    }
  })
})

describe("bad Earth Engine input in a build", () => {
  const eeRecipe = (name: string, source: object, product: object) => {
    const file = join(tmp.path, `${name}.json`)
    writeFileSync(
      file,
      JSON.stringify({
        ...base(join(tmp.path, `${name}.zarr`)),
        sources: { ee: { type: "earth-engine", project, url: double.url, ...source } },
        products: [{ ...products("ee", true)[1], ...product }]
      })
    )
    return file
  }
  const noOpen: Extract.Opener = { use: () => Effect.die("Earth Engine chips open no raster") }

  it.live("an expired token is refused before planning, naming the variable and the fix", () =>
    Effect.gen(function* () {
      process.env.EOFORGE_TEST_EE_TOKEN = "token-expired"
      const file = eeRecipe("expired", { credentials: { tokenEnv: "EOFORGE_TEST_EE_TOKEN" } }, {})
      const e = yield* Effect.flip(Build.prepare(file))
      delete process.env.EOFORGE_TEST_EE_TOKEN
      assert.include(e.message, "refused the access token (expired or revoked)")
      assert.include(e.message, "$EOFORGE_TEST_EE_TOKEN")
      assert.include(e.message, "gcloud auth print-access-token")
      assert.notInclude(e.message, "token-expired")
    }).pipe(Effect.provide(Services.layer))
  )

  it.live(
    "an unknown collection fails the build with the fix; a missing band is Unsupported with the fix",
    () =>
      Effect.gen(function* () {
        const unknown = yield* Build.prepare(
          eeRecipe("unknown", { credentials: { keyFile } }, { collection: "NO/SUCH" })
        )
        const patch = unknown.plan.patches[0]
        const e = yield* Effect.flip(Extract.chip(patch, unknown.products[0], 0, noOpen))
        assert.strictEqual(e._tag, "UnknownCollectionError")
        assert.include(e.message, "NO/SUCH")
        assert.include(e.message, "data catalogue")
        const band = yield* Build.prepare(
          eeRecipe(
            "band",
            { credentials: { keyFile } },
            { bands: [{ name: "elevation", asset: "b9", unit: "m", nodata: -9999 }] }
          )
        )
        const outcome = yield* Extract.chip(patch, band.products[0], 0, noOpen)
        assert.strictEqual(outcome._tag, "Missing")
        if (outcome._tag !== "Missing") return
        assert.strictEqual(outcome.reason, Reason.Reason.Unsupported)
        assert.include(outcome.detail, "UnknownBand")
        assert.include(outcome.detail, "b9")
      }).pipe(Effect.provide(Services.layer))
  )
})

describe("the ssl4eo-s12-ee recipe", () => {
  it.effect("validates and resolves to S2 L2A, L1C (harmonised) and S1 GRD from Earth Engine", () =>
    Effect.gen(function* () {
      const loaded = yield* Recipe.load("ssl4eo-s12-ee")
      const plans = Products.resolve(loaded.recipe, (p) => Recipe.resolvePath(loaded, p))
      assert.deepStrictEqual(
        plans.map((p) => [p.spec.id, Object.values(p.preset.bindings)[0]?.collection]),
        [
          ["s2l2a", "COPERNICUS/S2_SR_HARMONIZED"],
          ["s2l1c", "COPERNICUS/S2_HARMONIZED"],
          ["s1grd", "COPERNICUS/S1_GRD"]
        ]
      )
      assert.isTrue(plans.every((p) => p.kind !== undefined))
      assert.deepStrictEqual(
        plans.map((p) => p.spec.bands.length),
        [12, 13, 2]
      )
      assert.deepStrictEqual(
        plans.map((p) => p.slots.map((s) => s.fallback !== undefined)),
        [
          [true, true, true, true],
          [true, true, true, true],
          [true, true, true, true]
        ]
      )
      // The store records the source without secrets: credentials name a variable, never a key.
      const recorded = JSON.stringify(Products.sourcesForRecord(loaded.recipe.sources))
      assert.include(recorded, "GOOGLE_APPLICATION_CREDENTIALS")
    })
  )
})
