// Tiled archives against GDAL: every case of tools/fixtures/make-tiled-golden.py (GHS-BUILT-S zips in World
// Mollweide read through `#member=` as /vsizip/ does, MOD44B HDF-EOS2 sinusoidal tiles through `#var=` as
// HDF4_EOS:EOS_GRID does, pairs of tiles meeting at a tile edge) found by the archive over a local HTTP server
// and read onto UTM patch grids with Mosaic.read, equal to `gdalwarp -et 0` of the same tiles. Also counts the
// bytes each chip fetched (range reads: zip central directory and member, HDF4 data descriptors and blocks).
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { AccessPolicy, Crs, type DType, type Patch, PixelGrid } from "@eoforge/core"
import { Zone } from "@eoforge/grid"
import { Mosaic, RasterAccess, RasterSource } from "@eoforge/raster"
import type { Find, Product, TimeSlots } from "@eoforge/stac"
import { Effect, Redacted } from "effect"
import { readFileSync, readdirSync } from "node:fs"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { fromFile } from "geotiff"
import { Presets, TiledArchive } from "../src/index.ts"

const dir = new URL("./golden-tiled/", import.meta.url).pathname

interface Case {
  readonly name: string
  readonly tiling: "ghs-mollweide" | "modis-sinusoidal"
  readonly tiles: ReadonlyArray<string>
  readonly variable: string
  readonly epsg: number
  readonly x0: number
  readonly y0: number
  readonly resolution: number
  readonly width: number
  readonly height: number
  readonly resampling: "near" | "bilinear" | "cubic"
  readonly golden: string
}
const cases: ReadonlyArray<Case> = JSON.parse(readFileSync(`${dir}cases.json`, "utf8"))

// The archive over HTTP: files by path, an LP DAAC-like index page for the MODIS day folder, byte counts.
const modisFolder = "/MOD44B.061/2020.03.05/"
const files = new Map<string, Uint8Array>()
const sent = new Map<string, number>()
let server: Server
let base = ""
beforeAll(async () => {
  const names = readdirSync(dir)
  for (const n of names.filter((f) => f.endsWith(".zip"))) {
    files.set(`/ghs/${n}`, readFileSync(`${dir}${n}`))
    files.set(`/ghs-stored/${n}`, readFileSync(`${dir}stored/${n}`))
  }
  for (const n of names.filter((f) => f.endsWith(".hdf")))
    files.set(`${modisFolder}${n}`, readFileSync(`${dir}${n}`))
  const index = names
    .filter((f) => f.endsWith(".hdf"))
    .map((n) => `<a href="${n}">${n}</a>`)
    .join("\n")
  files.set(modisFolder, new TextEncoder().encode(`<html><body>${index}</body></html>`))
  server = createServer((req, res) => {
    const path = req.url ?? "/"
    const body = files.get(path)
    if (body === undefined) return void res.writeHead(404).end()
    if (req.method === "HEAD")
      return void res.writeHead(200, { "content-length": body.byteLength }).end()
    const m = req.headers.range?.match(/bytes=(\d+)-(\d+)?/)
    const from = m == null ? 0 : Number(m[1])
    const to =
      m == null
        ? body.byteLength - 1
        : Math.min(Number(m[2] ?? body.byteLength - 1), body.byteLength - 1)
    sent.set(path, (sent.get(path) ?? 0) + to - from + 1)
    res
      .writeHead(m == null ? 200 : 206, {
        "content-length": to - from + 1,
        ...(m == null ? {} : { "content-range": `bytes ${from}-${to}/${body.byteLength}` })
      })
      .end(body.subarray(from, to + 1))
  })
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((r) => server.close(() => r())))

const policy = AccessPolicy.make({ hosts: ["127.0.0.1"], allowPrivateNetworks: true })
const slot: TimeSlots.Slot = {
  id: "y2020",
  start: Date.parse("2020-01-01"),
  end: Date.parse("2020-12-31"),
  reference: Date.parse("2020-07-01")
}
const ghsStem = "GHS_BUILT_S_E{epoch}_GLOBE_R2023A_54009_100_V1_0_{tile}"

// GHS zips with DEFLATEd members (inflated whole, once) or STORED ones (range-read in place).
type Variant = "deflated" | "stored"
const sourceOf = (c: Case, variant: Variant) =>
  TiledArchive.prepare(
    {
      type: "tiled-archive",
      tiling: c.tiling,
      url:
        c.tiling === "ghs-mollweide"
          ? `${base}/${variant === "stored" ? "ghs-stored" : "ghs"}/${ghsStem}.zip#member=${ghsStem}.tif`
          : `${base}${modisFolder.replace("2020", "{year}")}MOD44B.A{year}065.{tile}.061.*.hdf#var={asset}`
    },
    { key: "archive", resolvePath: (p) => p, access: policy }
  )

const presetOf = (c: Case): Product.Preset =>
  c.tiling === "ghs-mollweide"
    ? Presets.ghsBuiltS
    : {
        ...Presets.modisVcf,
        spec: {
          ...Presets.modisVcf.spec,
          bands: Presets.modisVcf.spec.bands.filter((b) => b.name === c.variable)
        }
      }

const patchOf = (c: Case): Patch.Patch => {
  const grid = PixelGrid.make(Crs.epsg(c.epsg), c.x0, c.y0, c.resolution, c.width, c.height)
  const w = c.width * c.resolution
  const h = c.height * c.resolution
  const corner = (x: number, y: number) => Zone.inverse(c.epsg, x, y) as readonly [number, number]
  const footprint = [
    corner(c.x0, c.y0),
    corner(c.x0 + w, c.y0),
    corner(c.x0 + w, c.y0 - h),
    corner(c.x0, c.y0 - h)
  ] as const
  const [lon, lat] = Zone.inverse(c.epsg, c.x0 + w / 2, c.y0 - h / 2)
  return { id: c.name, lon, lat, grid, footprint }
}

const readGolden = async (c: Case) => {
  const image = await (await fromFile(`${dir}${c.golden}`)).getImage()
  const rasters = (await image.readRasters({
    interleave: false
  })) as unknown as Array<DType.TypedArray>
  return { values: rasters[0]!, alpha: rasters[rasters.length - 1]! }
}

const layer = RasterSource.layerGeoTiffWith({ workers: 0 })
const bytesPerChip: Record<string, number> = {}
const runs = cases.flatMap((c) =>
  c.tiling === "ghs-mollweide"
    ? (["deflated", "stored"] as const).map((variant) => ({
        c,
        variant,
        key: `${c.name}/${variant}`
      }))
    : [{ c, variant: "deflated" as Variant, key: c.name }]
)

describe("tiled archives match gdalwarp -et 0 of the same tiles", () => {
  for (const { c, variant, key } of runs)
    it.effect(`${key}: ${c.tiles.join(" + ")} (${c.tiling}) -r ${c.resampling}`, () =>
      Effect.gen(function* () {
        const found = (yield* sourceOf(c, variant).find({
          patch: patchOf(c),
          preset: presetOf(c),
          slot,
          rules: {} as Find.Rules
        })) as Find.Found | Find.Missing
        assert.strictEqual(found._tag, "Found")
        if (found._tag !== "Found") return
        // The archive asks for exactly the tiles GDAL was given, in the same paint order.
        assert.deepStrictEqual(
          found.items.map((i) => i.id),
          c.tiles
        )
        const raster = yield* RasterSource.RasterSource
        const refs = Object.values(found.assets)[0]!
        const infos = yield* Effect.forEach(refs, (r) => raster.open(Redacted.value(r.url)))
        const grid = patchOf(c).grid
        const chip = yield* Mosaic.read(infos, grid, {
          resampling: c.resampling === "near" ? "nearest" : c.resampling
        })
        const golden = yield* Effect.promise(() => readGolden(c))
        let valid = 0
        let maskMismatches = 0
        let differing = 0
        for (let i = 0; i < c.width * c.height; i++) {
          const ours = chip.mask === undefined ? 1 : chip.mask[i]!
          const theirs = golden.alpha[i]! > 0 ? 1 : 0
          if (ours !== theirs) maskMismatches++
          if (ours === 1 && theirs === 1) {
            valid++
            if (chip.data[i] !== golden.values[i]) differing++
          }
        }
        assert.isAbove(valid, (c.width * c.height) / 4)
        assert.strictEqual(maskMismatches, 0)
        assert.strictEqual(differing, 0)
        let bytes = 0
        for (const info of infos) bytes += (yield* raster.transfer(info)).bytes
        bytesPerChip[key] = bytes
      }).pipe(RasterAccess.withPolicy(policy), Effect.scoped, Effect.provide(layer))
    )

  it("reports bytes fetched per chip: stored zip members and chunked HDF4 fields are range-read", () => {
    console.log(`tiled-archive bytes per chip: ${JSON.stringify(bytesPerChip)}`)
    const sizeOf = (c: Case, folder: string) =>
      c.tiles.reduce(
        (s, t) =>
          s +
          [...files.entries()].find(
            ([p]) => p.startsWith(folder) && (p.includes(`_${t}.`) || p.includes(`.${t}.`))
          )![1].byteLength,
        0
      )
    for (const { c, key, variant } of runs) {
      const folder =
        c.tiling === "modis-sinusoidal"
          ? modisFolder
          : variant === "stored"
            ? "/ghs-stored/"
            : "/ghs/"
      const whole = sizeOf(c, folder)
      const bytes = bytesPerChip[key]!
      assert.isAtMost(bytes, whole, key)
      // Stored members are read by ranges: a chip fetches less than the zips (a DEFLATEd one is inflated whole).
      if (variant === "stored") assert.isBelow(bytes, whole * 0.75, key)
    }
  })
})
