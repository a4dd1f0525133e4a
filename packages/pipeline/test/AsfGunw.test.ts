// A build of ARIA GUNW interferograms (recipe `type: asf-gunw`, preset `aria-gunw`): ASF's Search API is a
// local double (tools/servers/asf.ts) checking ASF's parameters; the products are GUNW-structured NetCDF-4
// files (tools/fixtures/make-netcdf.py --gunw-pairs) behind an Earthdata-Login-like archive
// (tools/servers/login.ts: data host → login host → session cookie → pre-signed object host) that accepts one
// token. Every patch the frames cover has the 12-day pair's four layers, identical to reading the NetCDF
// variables directly; a patch on the frame edge is the mosaic of both frames; the uncovered patch has a
// reason; a wrong token is AccessDenied naming the fix.
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Crs, PixelGrid, Reason } from "@eoforge/core"
import { Mosaic, RasterSource, type RasterInfo } from "@eoforge/raster"
import { Reader, Store } from "@eoforge/zarr"
import { Effect } from "effect"
import { readdirSync, readFileSync, writeFileSync } from "node:fs"
import { join, resolve } from "node:path"
import * as AsfDouble from "../../../tools/servers/asf.ts"
import * as LoginServers from "../../../tools/servers/login.ts"
import { Build, Job, Services } from "../src/index.ts"
import { tempDir } from "./tree.ts"

const fixtures = resolve(__dirname, "../../../fixtures/netcdf/gunw-pairs")
const names = readdirSync(fixtures)
  .filter((n) => n.endsWith(".nc"))
  .sort()
const [pair24, pair12a, pair12b] = names.map((n) => n.replace(/\.nc$/, "")) as [
  string,
  string,
  string
]
const step = 0.000833333333333
const frameBox = (lon0: number) => {
  const [w, n, e, s] = [lon0, 31.75, lon0 + 160 * step, 31.75 - 120 * step]
  return [
    [w, s],
    [e, s],
    [e, n],
    [w, n],
    [w, s]
  ] as const
}
const ringOf = (id: string) => frameBox(id.includes("03513E") ? 35 + 160 * step : 35)
const token = "EDL-good-token-16"
const bands = ["unwrappedPhase", "coherence", "connectedComponents", "amplitude"] as const
const nodata = { unwrappedPhase: 0, coherence: 0, connectedComponents: -1, amplitude: 0 }
const resampling = {
  unwrappedPhase: "bilinear",
  coherence: "bilinear",
  connectedComponents: "nearest",
  amplitude: "bilinear"
} as const

const locations = [
  ["frameA", 35.05, 31.7],
  ["edge", 35.1333, 31.7],
  ["frameB", 35.2, 31.69],
  ["none", 35.6, 31.2]
] as const

const tmp = tempDir("asf-gunw")
const store = join(tmp.path, "gunw.zarr")
const deniedStore = join(tmp.path, "denied.zarr")
let asf: AsfDouble.Double
let logins: LoginServers.Servers

const recipeText = (tokenFile: string) => `name: gunw-e2e
seed: 1
sampling:
  sampler: locations
  locations: locations.csv
patch:
  size: 2700
  resolution: 90
access:
  hosts: [127.0.0.1, 127.0.0.2, 127.0.0.3, 127.0.0.4]
  allowPrivateNetworks: true
  logins:
    - { kind: earthdata, hosts: ["127.0.0.2"], urs: "127.0.0.3", token: { file: ${tokenFile} } }
sources:
  gunw:
    type: asf-gunw
    url: ${asf.url}
    pairs: { baselineDays: 12 }
slots:
  january:
    kind: window
    start: "2020-01-01"
    end: "2020-01-31"
products:
  - id: gunw
    preset: aria-gunw
    source: gunw
split:
  method: random
output:
  store: out/unused.zarr
  shardSamples: 8
concurrency: 1
`

beforeAll(async () => {
  logins = await LoginServers.start({
    files: new Map(
      names.map((n) => [`/door/download/${n}`, new Uint8Array(readFileSync(join(fixtures, n)))])
    ),
    tokens: [token],
    user: { name: "nobody", password: "unused-password" }
  })
  asf = await AsfDouble.start(
    [pair24, pair12a, pair12b].map((id) => ({
      fileID: id,
      url: `${logins.data}/door/download/${id}.nc`,
      startTime: "2020-01-25T03:50:00.000Z",
      stopTime: "2020-01-25T03:50:30.000Z",
      ring: ringOf(id),
      flightDirection: "ASCENDING" as const,
      pathNumber: 87
    }))
  )
  writeFileSync(
    join(tmp.path, "locations.csv"),
    `id,lon,lat\n${locations.map((l) => l.join(",")).join("\n")}\n`
  )
  writeFileSync(join(tmp.path, "token.txt"), `${token}\n`)
  writeFileSync(join(tmp.path, "wrong-token.txt"), "EDL-expired-token\n")
  writeFileSync(join(tmp.path, "gunw.yaml"), recipeText("token.txt"))
  writeFileSync(join(tmp.path, "denied.yaml"), recipeText("wrong-token.txt"))
  for (const [recipe, out] of [
    ["gunw.yaml", store],
    ["denied.yaml", deniedStore]
  ] as const)
    await Effect.runPromise(
      Build.build({
        recipe: join(tmp.path, recipe),
        out,
        createdAt: "2026-01-01T00:00:00.000Z"
      }).pipe(Effect.provide(Services.layer))
    )
}, 300_000)

afterAll(async () => {
  await Promise.all([asf?.close(), logins?.close()])
  tmp.remove()
})

const samplesOf = (path: string) =>
  Effect.gen(function* () {
    const ds = yield* Reader.make(path)
    const all: Array<Reader.Sample> = []
    for (let s = 0; s < ds.layout.samples; s++) all.push(yield* ds.readSample(s))
    return (name: (typeof locations)[number][0]) => {
      const [, lon, lat] = locations.find((l) => l[0] === name)!
      return all.find((s) => Math.abs(s.lon - lon) < 1e-9 && Math.abs(s.lat - lat) < 1e-9)!
    }
  })

describe("a build of ARIA GUNW interferograms found through ASF search, behind Earthdata Login", () => {
  it("every patch the frames cover has the 12-day pair; the edge patch is both frames' mosaic", () =>
    Effect.gen(function* () {
      const byName = yield* samplesOf(store)
      for (const name of ["frameA", "edge", "frameB"] as const) {
        const p = byName(name).products.gunw
        assert.deepStrictEqual([...p.reason], [Reason.Reason.Ok], name)
        assert.strictEqual(p.acquired[0], Date.UTC(2020, 0, 25, 3, 50), name)
      }
      assert.strictEqual(byName("frameA").products.gunw.item[0], pair12a)
      assert.strictEqual(byName("frameB").products.gunw.item[0], pair12b)
      assert.strictEqual(byName("edge").products.gunw.item[0], `${pair12a}+${pair12b}`)
      const none = byName("none").products.gunw
      assert.deepStrictEqual([...none.reason], [Reason.Reason.NoItemInWindow])
    }).pipe(Effect.scoped, Effect.runPromise))

  it("chips equal the NetCDF variables read directly onto each patch grid", () =>
    Effect.gen(function* () {
      const byName = yield* samplesOf(store)
      const raster = yield* RasterSource.RasterSource
      let compared = 0
      let withData = 0
      for (const [name, files] of [
        ["frameA", [pair12a]],
        ["edge", [pair12a, pair12b]],
        ["frameB", [pair12b]]
      ] as const) {
        const s = byName(name)
        const gunw = s.products.gunw
        const [, bandCount, height, width] = gunw.shape
        assert.strictEqual(bandCount, 4)
        const n = width * height
        const grid = PixelGrid.make(Crs.epsg(s.epsg), s.x0, s.y0, 90, width, height)
        const direct: Array<{ data: ArrayLike<number>; mask?: ArrayLike<number> | undefined }> = []
        for (const band of bands) {
          const infos: Array<RasterInfo.RasterInfo> = []
          for (const f of files)
            infos.push(
              yield* raster.open(`${join(fixtures, f)}.nc#var=/science/grids/data/${band}`)
            )
          direct.push(yield* Mosaic.read(infos, grid, { resampling: resampling[band], bands: [0] }))
        }
        const valid = new Uint8Array(n).fill(1)
        for (const d of direct)
          if (d.mask !== undefined) for (let i = 0; i < n; i++) if (d.mask[i] === 0) valid[i] = 0
        bands.forEach((band, b) => {
          for (let i = 0; i < n; i++) {
            const stored = gunw.data[b * n + i]!
            const expected = valid[i] === 1 ? Math.fround(direct[b]!.data[i]!) : nodata[band]
            if (stored !== expected)
              assert.fail(`${name} ${band} pixel ${i}: stored ${stored}, direct ${expected}`)
            compared++
            if (valid[i] === 1) withData++
          }
        })
      }
      assert.isAbove(withData, compared * 0.9)
    }).pipe(
      Effect.scoped,
      Effect.provide(RasterSource.layerGeoTiffWith({ workers: 0 })),
      Effect.runPromise
    ))

  it("ASF is searched once for the four patches of one cell, with ASF's parameters", () => {
    const first = asf.log.filter((l) => l.status === 200)
    // One cell search per build (two builds), never one per patch.
    assert.strictEqual(first.length, 2)
    const p = first[0]!.params
    assert.strictEqual(p.dataset, "ARIA S1 GUNW")
    assert.strictEqual(p.processingLevel, "GUNW_STD")
    assert.strictEqual(p.output, "geojson")
    assert.match(p.intersectsWith!, /^POLYGON\(\(34\.75 30\.75,/)
  })

  it("the products were fetched through the Earthdata redirect with the token, by ranges", () => {
    const urs = logins.log.filter((l) => l.host === "urs")
    assert.isTrue(urs.some((l) => l.status === 302 && l.authorization === `Bearer ${token}`))
    const objects = logins.log.filter((l) => l.host === "objects")
    assert.isAbove(objects.length, 0)
    assert.isTrue(objects.every((l) => l.authorization === undefined))
  })

  it("a wrong token leaves every covered patch AccessDenied, naming the token file and where to renew it", () =>
    Effect.gen(function* () {
      const byName = yield* samplesOf(deniedStore)
      for (const name of ["frameA", "edge", "frameB"] as const)
        assert.deepStrictEqual(
          [...byName(name).products.gunw.reason],
          [Reason.Reason.AccessDenied],
          name
        )
      const record = yield* Job.readRecord(0).pipe(
        Effect.provide(Store.layerFileSystem(deniedStore))
      )
      const f = record.failures.find((x) => x.product === "gunw" && x.reason === "AccessDenied")
      assert.include(f?.detail, "wrong-token.txt")
      assert.include(f?.detail, "users/tokens")
      assert.notInclude(JSON.stringify(record), "EDL-expired-token")
    }).pipe(Effect.scoped, Effect.runPromise))
})
