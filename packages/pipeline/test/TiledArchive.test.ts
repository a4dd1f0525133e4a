// A build from a tiled archive (recipe `type: tiled-archive`): 1° GeoTIFF tiles named by their south-west
// corner, served by a local HTTP server (HEAD and Range) with one tile absent. Patches inside a tile have its
// values, a patch across a tile edge is the mosaic of both tiles, a patch over the absent tile is NotCovered
// with the tile named in the job record.
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Crs, PixelGrid, Reason } from "@eoforge/core"
import { GeoTiffWriter, Mosaic, RasterSource } from "@eoforge/raster"
import { Reader, Store } from "@eoforge/zarr"
import { Effect, Result } from "effect"
import { readFileSync, writeFileSync } from "node:fs"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { join } from "node:path"
import { Build, Job, Recipe, Services } from "../src/index.ts"
import { tempDir } from "./tree.ts"

const step = 0.01
const side = Math.round(1 / step)
// A value per global pixel (column, row from 180°W, 90°N), so a mosaic can be told from either tile.
const value = (col: number, row: number) => ((col * 7 + row * 13) % 2000) + 1

// The archive: N48E010, N48E011 and N49E010; N49E011 is absent.
const tiles: ReadonlyArray<readonly [string, number, number]> = [
  ["N48E010", 10, 48],
  ["N48E011", 11, 48],
  ["N49E010", 10, 49]
]

const tmp = tempDir("tiled-archive")
const store = join(tmp.path, "dem.zarr")
const srtmStore = join(tmp.path, "srtm.zarr")

// An SRTM3-sized .hgt tile (1201 × 1201 big-endian int16, georeferenced from its name), one pattern per tile.
const hgt = (seed: number): Uint8Array => {
  const n = 1201
  const out = new Uint8Array(2 * n * n)
  const v = new DataView(out.buffer)
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++)
      v.setInt16(2 * (i * n + j), ((i * 7 + j * 3 + seed) % 400) + seed, false)
  return out
}
const files = new Map<string, string>()
const requests: Array<{ method: string; path: string; range?: string }> = []
let server: Server
let base = ""

const serve = () =>
  new Promise<void>((resolve) => {
    server = createServer((req, res) => {
      const path = req.url ?? "/"
      requests.push({
        method: req.method ?? "GET",
        path,
        ...(req.headers.range === undefined ? {} : { range: req.headers.range })
      })
      const file = files.get(path)
      if (file === undefined) return void res.writeHead(404).end()
      const body = readFileSync(file)
      if (req.method === "HEAD")
        return void res.writeHead(200, { "content-length": body.byteLength }).end()
      const m = req.headers.range?.match(/bytes=(\d+)-(\d+)?/)
      if (m === null || m === undefined)
        return void res.writeHead(200, { "content-length": body.byteLength }).end(body)
      const from = Number(m[1])
      const to = Math.min(Number(m[2] ?? body.byteLength - 1), body.byteLength - 1)
      res
        .writeHead(206, {
          "content-range": `bytes ${from}-${to}/${body.byteLength}`,
          "content-length": to - from + 1
        })
        .end(body.subarray(from, to + 1))
    })
    server.listen(0, "127.0.0.1", () => {
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
      resolve()
    })
  })

const locations = [
  ["inside", 10.42, 48.37],
  ["edge", 11.0, 48.55],
  ["absent", 11.5, 49.5],
  ["north", 10.6, 49.3]
] as const

beforeAll(async () => {
  for (const [name, west, south] of tiles) {
    const data = new Int16Array(side * side)
    const col0 = Math.round((west + 180) / step)
    const row0 = Math.round((90 - (south + 1)) / step)
    for (let r = 0; r < side; r++)
      for (let c = 0; c < side; c++) data[r * side + c] = value(col0 + c, row0 + r)
    const grid = PixelGrid.make(Crs.epsg(4326), west, south + 1, step, side, side)
    const path = join(tmp.path, `${name}.tif`)
    writeFileSync(
      path,
      GeoTiffWriter.encodeSync(
        { grid, dtype: "int16", bands: 1, data },
        { tileSize: 64, nodata: -32768, modelType: "geographic" }
      )
    )
    files.set(`/dem/${name}/${name}_elevation.tif`, path)
  }
  for (const [name, seed] of [
    ["N07W036", 100],
    ["N07W035", 1000]
  ] as const) {
    const path = join(tmp.path, `${name}.hgt`)
    writeFileSync(path, hgt(seed))
    files.set(`/srtm/${name}.hgt`, path)
  }
  await serve()
  writeFileSync(
    join(tmp.path, "locations.csv"),
    `id,lon,lat\n${locations.map((l) => l.join(",")).join("\n")}\n`
  )
  const recipe = join(tmp.path, "dem.yaml")
  writeFileSync(
    recipe,
    `name: tiled-archive-e2e
seed: 1
sampling:
  sampler: locations
  locations: locations.csv
patch:
  size: 3000
  resolution: 100
access:
  hosts: [127.0.0.1]
  allowPrivateNetworks: true
sources:
  tiles:
    type: tiled-archive
    url: ${base}/dem/{tile}/{tile}_{asset}.tif
    tiling: one-degree-sw
    datetime: "2000-02-11T00:00:00Z"
slots:
  once:
    kind: any
products:
  - id: dem
    source: tiles
    collection: test-dem
    dtype: int16
    bands: [{ name: elevation, asset: elevation, nodata: -32768, resampling: nearest }]
split:
  method: random
output:
  store: out/unused.zarr
  shardSamples: 8
concurrency: 1
`
  )
  await Effect.runPromise(
    Build.build({ recipe, out: store, createdAt: "2026-01-01T00:00:00.000Z" }).pipe(
      Effect.provide(Services.layer)
    )
  )
  // The srtmgl1 preset over bare .hgt tiles: one patch across N07W036|N07W035, one over absent N08W036.
  writeFileSync(join(tmp.path, "srtm.csv"), "id,lon,lat\nacross,-35.0,7.5\nabsent,-35.5,8.5\n")
  const srtmRecipe = join(tmp.path, "srtm.yaml")
  writeFileSync(
    srtmRecipe,
    `name: srtm-e2e
seed: 1
sampling:
  sampler: locations
  locations: srtm.csv
patch:
  size: 3000
  resolution: 100
access:
  hosts: [127.0.0.1]
  allowPrivateNetworks: true
sources:
  srtm:
    type: tiled-archive
    url: ${base}/srtm/{tile}.{asset}
    tiling: one-degree-sw
    datetime: "2000-02-11"
slots:
  once:
    kind: any
products:
  - id: srtm
    preset: srtmgl1
    source: srtm
    resolution: 100
    resampling: nearest
split:
  method: random
output:
  store: out/unused.zarr
  shardSamples: 8
concurrency: 1
`
  )
  await Effect.runPromise(
    Build.build({ recipe: srtmRecipe, out: srtmStore, createdAt: "2026-01-01T00:00:00.000Z" }).pipe(
      Effect.provide(Services.layer)
    )
  )
}, 300_000)

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve))
  tmp.remove()
})

const samples = Effect.gen(function* () {
  const ds = yield* Reader.make(store)
  const all: Array<Reader.Sample> = []
  for (let s = 0; s < ds.layout.samples; s++) all.push(yield* ds.readSample(s))
  const byName = (name: (typeof locations)[number][0]) => {
    const [, lon, lat] = locations.find((l) => l[0] === name)!
    return all.find((s) => Math.abs(s.lon - lon) < 1e-9 && Math.abs(s.lat - lat) < 1e-9)!
  }
  return { all, byName }
})

describe("a build from a tiled archive (1° tiles at a URL template over HTTP)", () => {
  it("every patch the tiles cover has data; the patch over the absent tile is NotCovered", () =>
    Effect.gen(function* () {
      const { all, byName } = yield* samples
      assert.strictEqual(all.length, 4)
      for (const name of ["inside", "edge", "north"] as const) {
        const p = byName(name).products.dem
        assert.deepStrictEqual([...p.reason], [Reason.Reason.Ok], name)
        assert.deepStrictEqual([...p.valid], [1], name)
        assert.strictEqual(p.acquired[0], Date.parse("2000-02-11T00:00:00Z"))
        assert.isTrue(
          Array.from(p.data as ArrayLike<number>).every((v) => v >= 1 && v <= 2000),
          name
        )
      }
      assert.strictEqual(byName("inside").products.dem.item[0], "N48E010")
      assert.strictEqual(byName("north").products.dem.item[0], "N49E010")
      assert.include(byName("edge").products.dem.item[0], "N48E010")
      assert.include(byName("edge").products.dem.item[0], "N48E011")
      const absent = byName("absent").products.dem
      assert.deepStrictEqual([...absent.reason], [Reason.Reason.NotCovered])
      assert.deepStrictEqual([...absent.valid], [0])
    }).pipe(Effect.scoped, Effect.runPromise))

  it("the NotCovered record names the absent tile and its URL", () =>
    Effect.gen(function* () {
      const record = yield* Job.readRecord(0)
      const f = record.failures.find((x) => x.product === "dem")
      assert.strictEqual(f?.reason, "NotCovered")
      assert.include(f?.detail, "N49E011")
      assert.include(f?.detail, "/dem/N49E011/N49E011_elevation.tif")
    }).pipe(Effect.provide(Store.layerFileSystem(store)), Effect.runPromise))

  it("the patch across the tile edge equals reading both tiles directly onto its grid", () =>
    Effect.gen(function* () {
      const { byName } = yield* samples
      const s = byName("edge")
      const dem = s.products.dem
      const [, , height, width] = dem.shape
      const grid = PixelGrid.make(Crs.epsg(s.epsg), s.x0, s.y0, 100, width, height)
      const raster = yield* RasterSource.RasterSource
      const infos = [
        yield* raster.open(join(tmp.path, "N48E010.tif")),
        yield* raster.open(join(tmp.path, "N48E011.tif"))
      ]
      const direct = yield* Mosaic.read(infos, grid, { resampling: "nearest", bands: [0] })
      assert.deepStrictEqual([...dem.data], [...direct.data])
      // Both tiles contribute: columns west of 11°E come from one, east from the other.
      const west = yield* raster.read(infos[0], grid, { resampling: "nearest" })
      const fromWest = [...west.data].filter((v, i) => v === dem.data[i] && v !== -32768).length
      assert.isAbove(fromWest, 0)
      assert.isBelow(fromWest, width * height)
    }).pipe(
      Effect.scoped,
      Effect.provide(RasterSource.layerGeoTiffWith({ workers: 0 })),
      Effect.runPromise
    ))

  it("the srtmgl1 preset over .hgt tiles: the patch across two tiles is their mosaic, the absent tile NotCovered", () =>
    Effect.gen(function* () {
      const ds = yield* Reader.make(srtmStore)
      const all: Array<Reader.Sample> = []
      for (let i = 0; i < ds.layout.samples; i++) all.push(yield* ds.readSample(i))
      const across = all.find((x) => x.lon === -35)!.products.srtm
      const absent = all.find((x) => x.lon === -35.5)!.products.srtm
      assert.deepStrictEqual([...across.reason], [Reason.Reason.Ok])
      assert.strictEqual(across.item[0], "N07W036+N07W035")
      assert.deepStrictEqual([...absent.reason], [Reason.Reason.NotCovered])
      const s = all.find((x) => x.lon === -35)!
      const [, , height, width] = across.shape
      const grid = PixelGrid.make(Crs.epsg(s.epsg), s.x0, s.y0, 100, width, height)
      const raster = yield* RasterSource.RasterSource
      const infos = [
        yield* raster.open(join(tmp.path, "N07W036.hgt")),
        yield* raster.open(join(tmp.path, "N07W035.hgt"))
      ]
      const direct = yield* Mosaic.read(infos, grid, { resampling: "nearest", bands: [0] })
      assert.deepStrictEqual([...across.data], [...direct.data])
      // Values of both tiles are present (the second tile's pattern is offset by 900).
      assert.isTrue([...across.data].some((v) => v < 600))
      assert.isTrue([...across.data].some((v) => v >= 1000))
    }).pipe(
      Effect.scoped,
      Effect.provide(RasterSource.layerGeoTiffWith({ workers: 0 })),
      Effect.runPromise
    ))

  it("probes each tile once (HEAD) and reads tiles by range, never whole", () => {
    const heads = requests.filter((r) => r.method === "HEAD" && r.path.startsWith("/dem/"))
    assert.deepStrictEqual([...new Set(heads.map((r) => r.path))].sort(), [
      "/dem/N48E010/N48E010_elevation.tif",
      "/dem/N48E011/N48E011_elevation.tif",
      "/dem/N49E010/N49E010_elevation.tif",
      "/dem/N49E011/N49E011_elevation.tif"
    ])
    assert.strictEqual(heads.length, new Set(heads.map((r) => r.path)).size)
    const gets = requests.filter((r) => r.method === "GET" && r.path.startsWith("/dem/"))
    assert.isAbove(gets.length, 0)
    assert.isTrue(gets.every((r) => r.range !== undefined))
  })

  it("a recipe whose archive host the access policy does not allow fails before planning, naming the fix", () =>
    Effect.gen(function* () {
      const text = readFileSync(join(tmp.path, "srtm.yaml"), "utf8").replace(
        /access:\n(  .*\n)+/,
        ""
      )
      const recipe = join(tmp.path, "closed.yaml")
      writeFileSync(recipe, text)
      const error = yield* Effect.flip(Build.prepare(recipe))
      assert.include(error.message, 'source "srtm"')
      assert.include(error.message, "access.hosts")
    }).pipe(Effect.provide(Services.layer), Effect.runPromise))

  it("the recipe Schema refuses an unknown tiling with its line and the tilings it knows", () => {
    const text = readFileSync(join(tmp.path, "srtm.yaml"), "utf8").replace(
      "tiling: one-degree-sw",
      "tiling: one-degree"
    )
    const parsed = Recipe.parse(text, "srtm.yaml")
    assert.isTrue(Result.isFailure(parsed))
    const message = Result.isFailure(parsed) ? parsed.failure.message : ""
    assert.include(message, "tiling")
    assert.include(message, "one-degree-sw")
  })
})
