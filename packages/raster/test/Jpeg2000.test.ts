// JPEG 2000 read tile by tile over HTTP ranges, against GDAL's JP2OpenJPEG driver: chips identical to
// `gdalwarp -et 0` on every variant of tools/fixtures/make-jp2.py (TLM on/off, tile-parts, GeoJP2/GMLJP2,
// reversible and lossy), header and levels as GDAL reports them, bytes fetched per chip, and bad input.
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Crs, PixelGrid } from "@eoforge/core"
import { Effect } from "effect"
import {
  createReadStream,
  existsSync,
  readFileSync,
  statSync,
  writeFileSync,
  mkdtempSync
} from "node:fs"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { RasterSource } from "../src/index.ts"
import { compare, readGolden, type Case } from "./golden.ts"
import * as Server from "./server.ts"

const dir = new URL("./golden/jp2/", import.meta.url).pathname
interface Info {
  readonly width: number
  readonly height: number
  readonly geoTransform: ReadonlyArray<number>
  readonly epsg: number
  readonly overviews: ReadonlyArray<readonly [number, number]>
  readonly block: readonly [number, number]
}
const manifest = JSON.parse(readFileSync(`${dir}cases.json`, "utf8")) as {
  readonly info: Readonly<Record<string, Info>>
  readonly cases: ReadonlyArray<Case>
}
const variants = Object.keys(manifest.info)
const grid = (c: Case) =>
  PixelGrid.make(Crs.epsg(c.epsg), c.x0, c.y0, c.resolution, c.width, c.height)
const rule = (c: Case) => (c.resampling === "near" ? "nearest" : c.resampling)
const goldenOf = (c: Case) => readGolden({ ...c, golden: `jp2/${c.golden}` })

const inline = RasterSource.layerGeoTiffWith({ workers: 0 })
const threaded = RasterSource.layerGeoTiffWith({ workers: 2 })

describe("JPEG 2000 against GDAL's JP2OpenJPEG driver", () => {
  let server: Server.TestServer
  beforeAll(async () => {
    const files: Record<string, string> = {}
    for (const v of variants) files[`/${v}.jp2`] = `${dir}${v}.jp2`
    server = await Server.start(files)
  })
  afterAll(() => server.close())

  for (const v of variants) {
    it.effect(`${v}: size, georeferencing, resolution levels and tiles are GDAL's`, () =>
      Effect.gen(function* () {
        const raster = yield* RasterSource.RasterSource
        const info = yield* raster.open(server.url(`/${v}.jp2`))
        const g = manifest.info[v]
        assert.deepStrictEqual([info.width, info.height, info.bands], [g.width, g.height, 1])
        assert.strictEqual(info.dtype, "uint16")
        assert.deepStrictEqual([...info.geoTransform], [...g.geoTransform])
        assert.deepStrictEqual(info.crs, Crs.epsg(g.epsg))
        assert.deepStrictEqual(
          info.overviews.map((o) => [o.width, o.height]),
          g.overviews.map((o) => [...o])
        )
        assert.deepStrictEqual([info.blockWidth, info.blockHeight], [...g.block])
      }).pipe(Effect.scoped, Effect.provide(inline))
    )
  }

  // Every variant, the lossy 9/7 one included (OpenJPEG in WASM against Debian's native libopenjp2 2.5.0):
  // identical values and masks.
  for (const c of manifest.cases) {
    it.effect(`${c.name}: the chip over HTTP ranges is identical to gdalwarp -et 0`, () =>
      Effect.gen(function* () {
        const raster = yield* RasterSource.RasterSource
        const info = yield* raster.open(server.url(`/${c.source}`))
        const chip = yield* raster.read(info, grid(c), { resampling: rule(c) })
        const golden = yield* Effect.promise(() => goldenOf(c))
        const d = compare(chip, golden, false)
        assert.strictEqual(d.maskMismatches, 0)
        assert.isAbove(d.validPixels, 0)
        assert.strictEqual(d.maxDiff, 0)
      }).pipe(Effect.scoped, Effect.provide(c.name.includes("utm32") ? threaded : inline))
    )
  }

  for (const cacheBytes of [64 * 1024 * 1024, 0]) {
    const kept = cacheBytes > 0
    it.effect(
      kept
        ? "decoded tiles stay in the layer's tile cache: a second read reads no byte of the file"
        : "without a tile cache a second read reads the tiles again (the control of the test above)",
      () =>
        Effect.gen(function* () {
          const raster = yield* RasterSource.RasterSource
          const c = manifest.cases.find((x) => x.name === "notlm_gml_utm32_bilinear") as Case
          const info = yield* raster.open(`${dir}notlm_gml.jp2`)
          const first = yield* raster.read(info, grid(c), { resampling: "bilinear" })
          const after = yield* raster.transfer(info)
          const second = yield* raster.read(info, grid(c), { resampling: "bilinear" })
          const again = yield* raster.transfer(info)
          assert.deepStrictEqual(Array.from(second.data), Array.from(first.data))
          if (kept) assert.deepStrictEqual(again, after)
          else assert.isAbove(again.bytes, after.bytes)
        }).pipe(
          Effect.scoped,
          Effect.provide(RasterSource.layerGeoTiffWith({ workers: 0, tileCacheBytes: cacheBytes }))
        )
    )
  }

  it.effect("a 64² chip fetches the headers and the tiles it covers, not the file", () =>
    Effect.gen(function* () {
      const raster = yield* RasterSource.RasterSource
      const report: Array<string> = []
      for (const v of ["tlm_both", "notlm_gml"]) {
        const path = `/${v}.jp2`
        const before = server.sent.get(path) ?? 0
        const info = yield* raster.open(server.url(path))
        const c = manifest.cases.find((x) => x.name === `${v}_same10_near`)
        assert.isDefined(c)
        const chip = yield* raster.read(info, grid(c as Case), { resampling: "nearest" })
        assert.isTrue(chip.mask?.every((m) => m === 1))
        const transfer = yield* raster.transfer(info)
        const served = (server.sent.get(path) ?? 0) - before
        assert.strictEqual(transfer.bytes, served)
        const size = statSync(`${dir}${v}.jp2`).size
        report.push(`${v}: ${served} of ${size} bytes in ${transfer.requests} requests`)
        // 25 tiles of ~12 kB; the chip covers 4 of them (columns 0–1, rows 1–2); HTTP reads go by 16 KiB
        // blocks, so on a file this small the header and 4 tiles are ~1/3 of it. Without TLM the walk of SOT
        // headers reads one block per tile-part before the last tile needed (large files: below). Ranges are
        // not coalesced here (by default gaps under 64 KiB are fetched too, trading bytes for round trips).
        assert.isBelow(served / size, v === "tlm_both" ? 0.45 : 0.7)
      }
      console.log(report.join("\n"))
    }).pipe(
      Effect.scoped,
      Effect.provide(RasterSource.layerGeoTiffWith({ workers: 0, http: { coalesceGapBytes: -1 } }))
    )
  )
})

// Sentinel-2-sized files (`make-jp2.py large DIR`: 10980² and 5490² uint16, 1024² tiles, TLM on and off), made
// when GDAL is present and kept in EOFORGE_JP2_DIR (default /tmp/eoforge-jp2); never committed.
const largeDir = process.env["EOFORGE_JP2_DIR"] ?? "/tmp/eoforge-jp2"
const large = [
  "s2like_10980_tlm",
  "s2like_10980_notlm",
  "s2like_5490_tlm",
  "s2like_5490_notlm"
].filter((f) => existsSync(`${largeDir}/${f}.jp2`))
if (large.length === 0)
  console.warn(
    `SKIPPED: no Sentinel-2-sized JP2 in ${largeDir}; make them with python3 tools/fixtures/make-jp2.py large ${largeDir}`
  )

/** A range server streaming from disk (the files are hundreds of MB), counting bytes sent per path. */
const streamingServer = async (root: string) => {
  const sent = new Map<string, number>()
  const server = createServer((req, res) => {
    const path = req.url ?? "/"
    const file = `${root}${path}`
    if (!existsSync(file)) return void res.writeHead(404).end()
    const size = statSync(file).size
    const m = /bytes=(\d+)-(\d+)?/.exec(req.headers.range ?? "")
    const start = m === null ? 0 : Number(m[1])
    const end = Math.min(m?.[2] === undefined ? size - 1 : Number(m[2]), size - 1)
    sent.set(path, (sent.get(path) ?? 0) + end - start + 1)
    res.writeHead(m === null ? 200 : 206, {
      "content-length": end - start + 1,
      ...(m === null ? {} : { "content-range": `bytes ${start}-${end}/${size}` })
    })
    createReadStream(file, { start, end }).pipe(res)
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const port = (server.address() as AddressInfo).port
  return {
    url: (p: string) => `http://127.0.0.1:${port}${p}`,
    sent,
    close: () => new Promise<void>((resolve) => server.close(() => resolve()))
  }
}

describe.skipIf(large.length === 0)("JPEG 2000 of Sentinel-2 size over HTTP ranges", () => {
  for (const f of large) {
    it.effect(
      `${f}: a 264² chip fetches its tiles, not the file (bytes reported)`,
      () =>
        Effect.gen(function* () {
          const server = yield* Effect.acquireRelease(
            Effect.promise(() => streamingServer(largeDir)),
            (s) => Effect.promise(() => s.close())
          )
          const raster = yield* RasterSource.RasterSource
          const info = yield* raster.open(server.url(`/${f}.jp2`))
          const opened = yield* raster.transfer(info)
          const size = statSync(`${largeDir}/${f}.jp2`).size
          const r = info.geoTransform[1]
          // Inside one 1024² tile, then across four tiles; then a 60 m chip served by resolution level 2 (r = 4×).
          const lines: Array<string> = [
            `${f}: ${size} bytes; open ${opened.bytes} bytes in ${opened.requests} requests`
          ]
          const grids = [
            PixelGrid.make(
              info.crs,
              info.geoTransform[0] + 100 * r,
              info.geoTransform[3] - 100 * r,
              r,
              264,
              264
            ),
            PixelGrid.make(
              info.crs,
              info.geoTransform[0] + 1900 * r,
              info.geoTransform[3] - 1900 * r,
              r,
              264,
              264
            ),
            PixelGrid.make(
              info.crs,
              info.geoTransform[0] + 2048 * r,
              info.geoTransform[3] - 2048 * r,
              4 * r,
              264,
              264
            )
          ]
          let before = opened.bytes
          for (const g of grids) {
            const chip = yield* raster.read(info, g, { resampling: "nearest" })
            assert.isTrue(chip.mask?.every((m) => m === 1))
            const t = yield* raster.transfer(info)
            lines.push(
              `  264² chip at ${g.resolution} m: ${t.bytes - before} bytes (${((100 * (t.bytes - before)) / size).toFixed(2)} % of the file)`
            )
            // A few of the 1024² tiles (121 in 10980², 36 in 5490²; a whole tile even for a reduced level, as
            // the files have one tile-part per tile): bounded by 9 tiles' share of the file.
            assert.isBelow(t.bytes - before, (9 / Math.ceil(info.width / 1024) ** 2) * size)
            before = t.bytes
          }
          assert.strictEqual(server.sent.get(`/${f}.jp2`), before)
          console.log(lines.join("\n"))
        }).pipe(Effect.scoped, Effect.provide(inline)),
      // Each chip decodes whole 1024² tiles (1.5 s each in WASM, several times that on a loaded machine).
      600_000
    )
  }
})

describe("JPEG 2000 bad input: typed errors naming the file and the fix", () => {
  const scratch = mkdtempSync(join(tmpdir(), "eoforge-jp2-"))
  const whole = readFileSync(`${dir}tlm_both.jp2`)

  it.effect(
    "a PAM sidecar (.aux.xml) georeferences a JP2 and wins over its GMLJP2/GeoJP2 boxes, as in GDAL",
    () =>
      Effect.gen(function* () {
        const utm31 =
          'PROJCS["WGS 84 / UTM zone 31N",GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",3],PARAMETER["scale_factor",0.9996],PARAMETER["false_easting",500000],PARAMETER["false_northing",0],UNIT["metre",1],AUTHORITY["EPSG","32631"]]'
        const pam = (gt: string) =>
          `<PAMDataset>\n  <SRS>${utm31}</SRS>\n  <GeoTransform>${gt}</GeoTransform>\n</PAMDataset>\n`
        const raster = yield* RasterSource.RasterSource
        for (const [name, gt] of [
          ["nogeo", [400000, 20, 0, 5100000, 0, -20]],
          ["tlm_both", [700000, 10, 0, 5000000, 0, -10]]
        ] as const) {
          const path = join(scratch, `pam_${name}.jp2`)
          writeFileSync(path, readFileSync(`${dir}${name}.jp2`))
          writeFileSync(`${path}.aux.xml`, pam(gt.map((v) => v.toExponential(16)).join(", ")))
          const info = yield* raster.open(path)
          assert.deepStrictEqual([...info.geoTransform], [...gt])
          const chip = yield* raster.read(
            info,
            PixelGrid.make(Crs.epsg(32631), gt[0] + 50 * gt[1], gt[3] - 40 * gt[1], gt[1], 32, 32),
            { resampling: "nearest" }
          )
          assert.isTrue(chip.mask?.every((m) => m === 1))
        }
      }).pipe(Effect.scoped, Effect.provide(inline))
  )

  it.effect("a JP2 without georeferencing is NoGeoreferencing", () =>
    Effect.gen(function* () {
      const raster = yield* RasterSource.RasterSource
      const error = yield* Effect.flip(raster.open(`${dir}nogeo.jp2`))
      assert.strictEqual(error.problem, "NoGeoreferencing")
      assert.include(error.message, "nogeo.jp2")
      assert.include(error.message, "-a_srs")
    }).pipe(Effect.scoped, Effect.provide(inline))
  )

  it.effect(
    "a truncated file is Truncated at open, naming the file and saying to download it again",
    () =>
      Effect.gen(function* () {
        const path = join(scratch, "truncated.jp2")
        writeFileSync(path, whole.subarray(0, Math.floor((whole.length * 2) / 3)))
        const raster = yield* RasterSource.RasterSource
        const error = yield* Effect.flip(raster.open(path))
        assert.strictEqual(error.problem, "Truncated")
        assert.include(error.message, "truncated.jp2")
        assert.include(error.message, "download it again")
      }).pipe(Effect.scoped, Effect.provide(inline))
  )

  it.effect(
    "a cut file without TLM (codestream box to end of file) fails the read of a lost tile, naming file and tile",
    () =>
      Effect.gen(function* () {
        const src = Buffer.from(readFileSync(`${dir}notlm_gml.jp2`))
        // jp2c box length 0 = "to the end of the file", so no box length tells that the file was cut; only the
        // walk of SOT headers finds a tile-part running past the end.
        const at = src.indexOf(Buffer.from("jp2c")) - 4
        src.writeUInt32BE(0, at)
        const path = join(scratch, "cut.jp2")
        writeFileSync(path, src.subarray(0, Math.floor(src.length * 0.6)))
        const raster = yield* RasterSource.RasterSource
        const info = yield* raster.open(path)
        const first = PixelGrid.make(
          info.crs,
          info.geoTransform[0],
          info.geoTransform[3],
          10,
          64,
          64
        )
        const ok = yield* raster.read(info, first, { resampling: "nearest" })
        assert.isTrue(ok.mask?.every((m) => m === 1))
        const last = PixelGrid.make(
          info.crs,
          info.geoTransform[0] + 5400,
          info.geoTransform[3] - 4600,
          10,
          64,
          64
        )
        const error = yield* Effect.flip(raster.read(info, last, { resampling: "nearest" }))
        assert.strictEqual(error.problem, "Decode")
        assert.include(error.message, "cut.jp2")
        assert.match(error.message, /JPEG 2000 tile (18|19|23|24) /)
        assert.include(error.message, "runs past the codestream's end")
        assert.include(error.message, "download it again")
      }).pipe(Effect.scoped, Effect.provide(inline))
  )

  it.effect(
    "a TLM index pointing past the end of the codestream is Malformed, naming the file",
    () =>
      Effect.gen(function* () {
        const bytes = Buffer.from(whole)
        // The TLM segment (FF55): make its last tile-part length point far beyond the codestream's end.
        const tlm = bytes.indexOf(Buffer.from([0xff, 0x55]))
        const length = bytes.readUInt16BE(tlm + 2)
        const stlm = bytes[tlm + 5]
        const entry = ((stlm >> 4) & 3) + (((stlm >> 6) & 1) === 1 ? 4 : 2)
        const last = tlm + 2 + length - entry + ((stlm >> 4) & 3)
        if (((stlm >> 6) & 1) === 1) bytes.writeUInt32BE(0x7fffffff, last)
        else bytes.writeUInt16BE(0xffff, last)
        const path = join(scratch, "badtlm.jp2")
        writeFileSync(path, bytes)
        const raster = yield* RasterSource.RasterSource
        const error = yield* Effect.flip(raster.open(path))
        assert.strictEqual(error.problem, "Malformed")
        assert.include(error.message, "badtlm.jp2")
        assert.include(error.message, "TLM")
        assert.include(error.message, "past the codestream's end")
      }).pipe(Effect.scoped, Effect.provide(inline))
  )

  it.effect(
    "a tile-part whose bytes are garbage fails the read as Decode, naming the file and tile",
    () =>
      Effect.gen(function* () {
        const bytes = Buffer.from(whole)
        // Overwrite the middle of the codestream (inside some tile's packets) with a repeated marker pattern.
        const mid = Math.floor(bytes.length / 2)
        bytes.fill(0xff, mid, mid + 4000)
        const path = join(scratch, "garbage.jp2")
        writeFileSync(path, bytes)
        const raster = yield* RasterSource.RasterSource
        const info = yield* raster.open(path)
        const whole_ = PixelGrid.make(
          info.crs,
          info.geoTransform[0],
          info.geoTransform[3],
          10,
          info.width,
          info.height
        )
        const error = yield* Effect.flip(raster.read(info, whole_, { resampling: "nearest" }))
        assert.strictEqual(error._tag, "RasterReadError")
        assert.strictEqual(error.problem, "Decode")
        assert.include(error.message, "garbage.jp2")
        assert.include(error.message, "JPEG 2000 tile")
      }).pipe(Effect.scoped, Effect.provide(inline))
  )
})
