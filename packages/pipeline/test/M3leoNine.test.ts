// An M3LEO-style build with all nine products against local servers: Sentinel-1 GRD (a simulated SAFE through
// the sentinel-1-grd reader) and Sentinel-2 L2A RGB (a COG) as single scenes and ESA WorldCover from a static
// catalogue; an ARIA GUNW NetCDF-4 found through the ASF search double (asf-gunw) and, like SRTM's zipped
// .hgt, read behind the Earthdata login double; MOD44B HDF-EOS2, GSSIC
// GeoTIFF, ESA CCI AGB NetCDF-4 and GHS-BUILT-S zipped Mollweide tiles from tiled archives over HTTP ranges
// (fixtures: tools/fixtures/make-m3leo-build.py). The patch the fixtures cover has data in every product; the
// patch they do not cover has a reason for every product; bytes fetched per chip are counted per archive.
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Crs, PixelGrid, Reason } from "@eoforge/core"
import { GeoTiffWriter } from "@eoforge/raster"
import { Reader, Store } from "@eoforge/zarr"
import { Effect } from "effect"
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { join, relative } from "node:path"
import { stringify } from "yaml"
import * as AsfDouble from "../../../tools/servers/asf.ts"
import * as LoginServers from "../../../tools/servers/login.ts"
import { Build, Job, Services } from "../src/index.ts"
import { tempDir } from "./tree.ts"

const fixtures = new URL("./fixtures/m3leo/", import.meta.url).pathname
const s1 = new URL("../../sentinel1/test/fixture/flat/", import.meta.url).pathname
const tmp = tempDir("m3leo-nine")
const store = join(tmp.path, "m3leo.zarr")
const token = "EDL-m3leo-token"

// The archive host: files under fixtures/m3leo by path, folder index pages, bytes sent per file.
const sent = new Map<string, number>()
let server: Server
let base = ""
let logins: LoginServers.Servers
let asf: AsfDouble.Double
const gunwId = "S1-GUNW-D-R-022-tops-20210401_20210320-052623-00010E_00046N-PP-0000-v3_0_0"
const filesUnder = (dir: string): Array<string> =>
  readdirSync(dir).flatMap((n) => {
    const p = join(dir, n)
    return statSync(p).isDirectory() ? filesUnder(p) : [p]
  })

const serve = () =>
  new Promise<void>((resolve) => {
    server = createServer((req, res) => {
      const path = decodeURIComponent(req.url ?? "/")
      const local = join(fixtures, path)
      if (!local.startsWith(fixtures)) return void res.writeHead(403).end()
      if (path.endsWith("/")) {
        let names: Array<string>
        try {
          names = readdirSync(local)
        } catch {
          return void res.writeHead(404).end()
        }
        return void res
          .writeHead(200, { "content-type": "text/html" })
          .end(`<html>${names.map((n) => `<a href="${n}">${n}</a>`).join("\n")}</html>`)
      }
      let body: Buffer
      try {
        body = readFileSync(local)
      } catch {
        return void res.writeHead(404).end()
      }
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
    server.listen(0, "127.0.0.1", () => {
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
      resolve()
    })
  })

const write = (path: string, value: unknown) => {
  mkdirSync(join(path, ".."), { recursive: true })
  writeFileSync(path, JSON.stringify(value, null, 1))
}
const polygon = (b: readonly [number, number, number, number]) => ({
  type: "Polygon",
  coordinates: [
    [
      [b[0], b[1]],
      [b[2], b[1]],
      [b[2], b[3]],
      [b[0], b[3]],
      [b[0], b[1]]
    ]
  ]
})

// The static catalogue: S1 (the simulated SAFE), S2 (a COG written here), WorldCover and GUNW (fixtures).
const catalogue = (stac: string) => {
  const s1Item = JSON.parse(readFileSync(join(s1, "item.json"), "utf8"))
  for (const a of Object.values(s1Item.assets) as Array<{ href: string }>) a.href = join(s1, a.href)
  // A Sentinel-2 L2A scene: 6 km of UTM 32N at 10 m, uint16 DN (offset -1000 from baseline 04.00).
  const side = 600
  const grid = PixelGrid.make(Crs.epsg(32632), 631000, 5165000, 10, side, side)
  const s2Assets: Record<string, unknown> = {}
  for (const [k, key] of [
    [0, "red"],
    [1, "green"],
    [2, "blue"]
  ] as const) {
    const data = new Uint16Array(side * side)
    for (let i = 0; i < data.length; i++) data[i] = 1000 + ((i * (7 + k) + (i / side) * 13) % 3000)
    const file = join(stac, "s2", `${key}.tif`)
    mkdirSync(join(stac, "s2"), { recursive: true })
    writeFileSync(
      file,
      GeoTiffWriter.encodeSync(
        { grid, dtype: "uint16", bands: 1, data },
        { tileSize: 256, nodata: 0 }
      )
    )
    s2Assets[key] = {
      href: file,
      type: "image/tiff; application=geotiff; profile=cloud-optimized",
      "raster:bands": [{ nodata: 0, scale: 0.0001, offset: -0.1 }]
    }
  }
  const wc = join(fixtures, "worldcover", "ESA_WorldCover_10m_2021_v200_N45E009_Map.tif")
  const items: Record<string, Array<Record<string, unknown>>> = {
    "sentinel-1-grd": [s1Item],
    "sentinel-2-l2a": [
      {
        type: "Feature",
        stac_version: "1.0.0",
        id: "S2B_32TPS_20210402_0_L2A",
        collection: "sentinel-2-l2a",
        bbox: [10.68, 46.56, 10.77, 46.62],
        geometry: polygon([10.68, 46.56, 10.77, 46.62]),
        properties: {
          datetime: "2021-04-02T10:20:00Z",
          "eo:cloud_cover": 2,
          "s2:processing_baseline": "05.00",
          "proj:epsg": 32632
        },
        assets: s2Assets,
        links: []
      }
    ],
    "esa-worldcover": [
      {
        type: "Feature",
        stac_version: "1.0.0",
        id: "ESA_WorldCover_10m_2021_v200_N45E009",
        collection: "esa-worldcover",
        bbox: [10.7, 46.55, 10.8, 46.63],
        geometry: polygon([10.7, 46.55, 10.8, 46.63]),
        properties: { datetime: "2021-01-01T00:00:00Z" },
        assets: { map: { href: wc, type: "image/tiff; application=geotiff" } },
        links: []
      }
    ]
  }
  for (const [collection, list] of Object.entries(items)) {
    for (const item of list) write(join(stac, collection, `${item.id as string}.json`), item)
    write(join(stac, collection, "collection.json"), {
      type: "Collection",
      stac_version: "1.0.0",
      id: collection,
      description: collection,
      license: "proprietary",
      extent: {},
      links: list.map((i) => ({ rel: "item", href: `./${i.id as string}.json` }))
    })
  }
  write(join(stac, "catalog.json"), {
    type: "Catalog",
    stac_version: "1.0.0",
    id: "m3leo-local",
    description: "single scenes and products without a public STAC",
    links: Object.keys(items).map((c) => ({ rel: "child", href: `./${c}/collection.json` }))
  })
}

const locations = [
  ["covered", 10.75, 46.59],
  ["elsewhere", 11.3, 46.3]
] as const

const products = [
  "s1grd",
  "s2rgb",
  "srtm",
  "worldcover",
  "vcf",
  "coherence",
  "gunw",
  "agb",
  "built"
] as const

beforeAll(async () => {
  await serve()
  const srtmPath = "/data/SRTMGL3.003/2000.02.11/N46E010.SRTMGL3.hgt.zip"
  logins = await LoginServers.start({
    files: new Map([
      [srtmPath, readFileSync(join(fixtures, "srtm", srtmPath.slice(6)))],
      [`/door/download/${gunwId}.nc`, readFileSync(join(fixtures, "gunw", `${gunwId}.nc`))]
    ]),
    tokens: [token],
    user: { name: "eo-user", password: "not-used" }
  })
  // ASF's search API (a local double): the GUNW frame's footprint is the fixture's extent (300 × 240 px at 3″).
  const res = 0.000833333333333
  const [w, n] = [10.75 - 150 * res, 46.59 + 120 * res]
  const [e, so] = [w + 300 * res, n - 240 * res]
  asf = await AsfDouble.start([
    {
      fileID: gunwId,
      url: `${logins.data}/door/download/${gunwId}.nc`,
      startTime: "2021-04-01T05:26:23.000Z",
      stopTime: "2021-04-01T05:26:53.000Z",
      ring: [
        [w, so],
        [e, so],
        [e, n],
        [w, n],
        [w, so]
      ],
      flightDirection: "DESCENDING" as const,
      pathNumber: 22
    }
  ])
  const stac = join(tmp.path, "stac")
  catalogue(stac)
  writeFileSync(join(tmp.path, "edl-token.txt"), token)
  writeFileSync(
    join(tmp.path, "locations.csv"),
    `id,lon,lat\n${locations.map((l) => l.join(",")).join("\n")}\n`
  )
  const ghs = "GHS_BUILT_S_E{epoch}_GLOBE_R2023A_54009_100_V1_0_{tile}"
  const recipe = {
    name: "m3leo-nine",
    seed: 7,
    sampling: { sampler: "locations", locations: "locations.csv" },
    patch: { size: 1280, resolution: 10 },
    access: {
      hosts: ["127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4"],
      allowPrivateNetworks: true,
      localRoots: [tmp.path, relative(tmp.path, fixtures), relative(tmp.path, s1)],
      logins: [
        {
          kind: "earthdata",
          hosts: ["127.0.0.2"],
          urs: "127.0.0.3",
          token: { file: "edl-token.txt" }
        }
      ]
    },
    sources: {
      stac: { type: "static", catalog: join(stac, "catalog.json") },
      srtm: {
        type: "tiled-archive",
        url: `${logins.data}/data/SRTMGL3.003/2000.02.11/{tile}.SRTMGL3.hgt.zip#member={tile}.hgt`,
        tiling: "one-degree-sw",
        datetime: "2000-02-11"
      },
      modis: {
        type: "tiled-archive",
        url: `${base}/modis/MOD44B.061/{year}.03.05/MOD44B.A{year}065.{tile}.061.*.hdf#var={asset}`,
        tiling: "modis-sinusoidal"
      },
      gssic: {
        type: "tiled-archive",
        url: `${base}/gssic/{tile}/{tile}_{season}_{asset}.tif`,
        tiling: "one-degree-nw",
        values: { season: { y2020: "summer" } }
      },
      agb: {
        type: "tiled-archive",
        url: `${base}/agb/{tile}_ESACCI-BIOMASS-L4-AGB-MERGED-100m-{year}-fv5.0.nc#var={asset}`,
        tiling: "ten-degree-nw"
      },
      gunw: { type: "asf-gunw", url: asf.url, pairs: { baselineDays: 12 } },
      ghs: {
        type: "tiled-archive",
        url: `${base}/ghs/${ghs}.zip#member=${ghs}.tif`,
        tiling: "ghs-mollweide"
      }
    },
    slots: {
      once: { kind: "any" },
      y2020: { kind: "window", start: "2020-01-01", end: "2020-12-31" },
      apr2021: { kind: "window", start: "2021-03-25", end: "2021-04-10" },
      pair2021: { kind: "window", start: "2021-03-15", end: "2021-04-05" }
    },
    products: [
      {
        id: "s1grd",
        preset: "sentinel-1-grd",
        source: "stac",
        slots: "apr2021",
        bands: [{ name: "VV" }]
      },
      {
        id: "s2rgb",
        preset: "sentinel-2-l2a",
        source: "stac",
        slots: "apr2021",
        bands: [{ name: "B04" }, { name: "B03" }, { name: "B02" }]
      },
      { id: "srtm", preset: "srtmgl1", source: "srtm", slots: "once", resolution: 40 },
      { id: "worldcover", preset: "esa-worldcover", source: "stac", slots: "once" },
      {
        id: "vcf",
        preset: "modis-vcf",
        source: "modis",
        slots: "y2020",
        resolution: 320,
        bands: [{ name: "Percent_Tree_Cover" }, { name: "Percent_NonVegetated" }]
      },
      {
        id: "coherence",
        preset: "gssic",
        source: "gssic",
        slots: "y2020",
        resolution: 80,
        bands: [{ name: "vv_COH12" }]
      },
      { id: "gunw", preset: "aria-gunw", source: "gunw", slots: "pair2021", resolution: 80 },
      {
        id: "agb",
        preset: "esa-cci-agb",
        source: "agb",
        slots: "y2020",
        resolution: 80,
        bands: [
          { name: "AGB", asset: "agb" },
          { name: "AGB_SD", asset: "agb_sd" }
        ]
      },
      { id: "built", preset: "ghs-built-s", source: "ghs", slots: "y2020", resolution: 80 }
    ],
    split: { method: "random" },
    output: { store: "out/unused.zarr", shardSamples: 2 },
    concurrency: 1
  }
  const path = join(tmp.path, "m3leo.yaml")
  writeFileSync(path, stringify(recipe))
  await Effect.runPromise(
    Build.build({ recipe: path, out: store, createdAt: "2026-01-01T00:00:00.000Z" }).pipe(
      Effect.provide(Services.layer)
    )
  )
}, 600_000)

afterAll(async () => {
  await new Promise((r) => server?.close(r))
  await Promise.all([logins?.close(), asf?.close()])
  tmp.remove()
})

const samples = Effect.gen(function* () {
  const ds = yield* Reader.make(store)
  const all: Array<Reader.Sample> = []
  for (let s = 0; s < ds.layout.samples; s++) all.push(yield* ds.readSample(s))
  const at = (name: (typeof locations)[number][0]) => {
    const [, lon, lat] = locations.find((l) => l[0] === name)!
    return all.find((s) => Math.abs(s.lon - lon) < 1e-9 && Math.abs(s.lat - lat) < 1e-9)!
  }
  return { all, at }
})

describe("an M3LEO-style build of nine products over local servers", () => {
  it("the patch the fixtures cover has data in all nine products", () =>
    Effect.gen(function* () {
      const { at, all } = yield* samples
      const s = at("covered")
      const record = yield* Job.readRecord(0).pipe(Effect.provide(Store.layerFileSystem(store)))
      const table: Array<string> = []
      for (const id of products) {
        const p = s.products[id]!
        const failure = record.failures.find((f) => f.product === id && f.sample === all.indexOf(s))
        table.push(
          `${id}: item ${p.item[0]}${failure ? ` ${failure.reason}: ${failure.detail}` : ""}`
        )
        assert.deepStrictEqual([...p.reason], [Reason.Reason.Ok], table.at(-1))
        assert.deepStrictEqual([...p.valid], [1], id)
      }
      console.log(`covered patch:\n  ${table.join("\n  ")}`)
      // Values as each producer stores them (the fixtures' ranges), nodata aside.
      const range = (id: string, nodata?: number) => {
        const v = Array.from(s.products[id]!.data as ArrayLike<number>).filter((x) => x !== nodata)
        assert.isAbove(v.length, 0, id)
        return [Math.min(...v), Math.max(...v)] as const
      }
      const within = (id: string, lo: number, hi: number, nodata?: number) => {
        const [min, max] = range(id, nodata)
        assert.isAtLeast(min, lo, id)
        assert.isAtMost(max, hi, id)
      }
      within("coherence", 20, 95, 0)
      within("built", 0, 10000, 65535)
      within("vcf", 0, 100, 253)
      within("agb", 0, 400, -32768)
      within("srtm", 300, 300 + 3 * 1200 + 6, -32768)
      within("s1grd", -40, 20)
      const classes = new Set(Array.from(s.products.worldcover!.data as ArrayLike<number>))
      assert.isTrue([...classes].every((c) => [10, 20, 30, 40, 50, 60, 80, 90].includes(c)))
    }).pipe(Effect.scoped, Effect.runPromise))

  it("the patch no fixture covers has a reason for every product, named in the job record", () =>
    Effect.gen(function* () {
      const { at, all } = yield* samples
      const s = at("elsewhere")
      const index = all.indexOf(s)
      const record = yield* Job.readRecord(0).pipe(Effect.provide(Store.layerFileSystem(store)))
      const lines: Array<string> = []
      for (const id of products) {
        const p = s.products[id]!
        assert.deepStrictEqual([...p.valid], [0], id)
        assert.notStrictEqual(p.reason[0], Reason.Reason.Ok, id)
        const failure = record.failures.find((f) => f.product === id && f.sample === index)
        assert.isDefined(failure, id)
        assert.isAbove(failure!.detail.length, 10, id)
        lines.push(`${id}: ${failure!.reason} — ${failure!.detail.slice(0, 140)}`)
      }
      console.log(`uncovered patch:\n  ${lines.join("\n  ")}`)
    }).pipe(Effect.scoped, Effect.runPromise))

  it("reports bytes fetched per chip from the range-read archives (zip, NetCDF-4, HDF4)", () => {
    const report: Record<string, { readonly sent: number; readonly size: number }> = {}
    for (const file of filesUnder(fixtures)) {
      const path = `/${relative(fixtures, file)}`
      if (sent.has(path)) report[path] = { sent: sent.get(path)!, size: statSync(file).size }
    }
    console.log(`bytes per chip (one chip each): ${JSON.stringify(report)}`)
    for (const key of ["/ghs/", "/modis/", "/agb/", "/gssic/"])
      assert.isTrue(
        Object.keys(report).some((p) => p.startsWith(key)),
        `${key} was read over HTTP`
      )
  })
})
