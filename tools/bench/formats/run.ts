// Formats benchmark: chips/s of @eoforge/raster reading a GUNW variable from a NetCDF-4 file and a GSSIC-like
// GeoTIFF tile over local HTTP (127.0.0.1, range requests), against GDAL reading the same on one thread
// (the NetCDF from the local file: GDAL's netCDF driver cannot read over HTTP; the GeoTIFF over /vsicurl/).
// Usage: npx node tools/bench/formats/run.ts [--chips 40] [--dir /tmp/eoforge-bench-formats]
// Last line: {"netcdfChipsPerS", "gdalNetcdfChipsPerS", "gssicChipsPerS", "gdalGssicChipsPerS", "differing"}.
import { Crs, PixelGrid } from "@eoforge/core"
import { RasterSource } from "@eoforge/raster"
import { Effect } from "effect"
import { execFileSync, spawn } from "node:child_process"
import { createReadStream, existsSync, mkdirSync, readFileSync, statSync } from "node:fs"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { loadavg } from "node:os"
import { join } from "node:path"
import proj4 from "proj4"

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? process.argv[i + 1] : fallback
}
const chips = Number(arg("chips", "40"))
const dir = arg("dir", "/tmp/eoforge-bench-formats")
mkdirSync(dir, { recursive: true })
const nc = join(dir, "gunw-bench.nc")
const tif = join(dir, "N31E035_summer_vv_COH12.tif")
if (!existsSync(nc))
  execFileSync("/usr/bin/python3", ["tools/fixtures/make-netcdf.py", "--bench", dir], {
    stdio: "inherit"
  })
if (!existsSync(tif))
  execFileSync("/usr/bin/python3", ["tools/bench/formats/make_gssic.py", tif], { stdio: "inherit" })

// A range-serving HTTP server on loopback, counting bytes.
const sent = { bytes: 0, requests: 0 }
const server = createServer((req, res) => {
  const file = join(dir, decodeURIComponent((req.url ?? "/").slice(1)))
  const size = statSync(file).size
  const m = /bytes=(\d+)-(\d+)?/.exec(req.headers.range ?? "")
  const start = m === null ? 0 : Number(m[1])
  const end = m === null || m[2] === undefined ? size - 1 : Math.min(size - 1, Number(m[2]))
  sent.requests++
  sent.bytes += end - start + 1
  res.writeHead(m === null ? 200 : 206, {
    "Content-Length": end - start + 1,
    ...(m === null ? {} : { "Content-Range": `bytes ${start}-${end}/${size}` }),
    "Accept-Ranges": "bytes"
  })
  createReadStream(file, { start, end }).pipe(res)
})
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

// Seeded chips: 128 × 128 px at 30 m on UTM 36N grids inside each raster (GUNW frame 35–38°E, 30–32.5°N).
let state = 16
const random = () => {
  state = (Math.imul(state, 1103515245) + 12345) >>> 0
  return state / 2 ** 32
}
const utm36 = "+proj=utm +zone=36 +datum=WGS84 +units=m +no_defs"
const gridsIn = (lon0: number, lat0: number, lon1: number, lat1: number) =>
  Array.from({ length: chips }, () => {
    const lon = lon0 + 0.05 + random() * (lon1 - lon0 - 0.15)
    const lat = lat0 + 0.1 + random() * (lat1 - lat0 - 0.15)
    const [x, y] = proj4("+proj=longlat +datum=WGS84", utm36, [lon, lat])
    return PixelGrid.make(
      Crs.epsg(32636),
      Math.round(x / 30) * 30,
      Math.round(y / 30) * 30,
      30,
      128,
      128
    )
  })
const sources = [
  {
    name: "netcdf",
    uri: `${base}/gunw-bench.nc#var=/science/grids/data/coherence`,
    gdal: `NETCDF:"${nc}":/science/grids/data/coherence`,
    grids: gridsIn(35.0, 30.0, 38.0, 32.5),
    resampling: "bilinear" as const
  },
  {
    name: "gssic",
    uri: `${base}/N31E035_summer_vv_COH12.tif`,
    gdal: `/vsicurl/${base}/N31E035_summer_vv_COH12.tif`,
    grids: gridsIn(35.0, 31.0, 36.0, 32.0),
    resampling: "bilinear" as const
  }
]

const ours = await Effect.runPromise(
  Effect.gen(function* () {
    const raster = yield* RasterSource.RasterSource
    const out: Record<
      string,
      {
        rate: number
        chips: Array<{ data: ArrayLike<number>; mask?: ArrayLike<number> | undefined }>
        bytes: number
      }
    > = {}
    for (const s of sources) {
      const before = sent.bytes
      const info = yield* raster.open(s.uri)
      for (const g of s.grids.slice(0, 2)) yield* raster.read(info, g, { resampling: s.resampling })
      const start = performance.now()
      const read = []
      for (const g of s.grids) read.push(yield* raster.read(info, g, { resampling: s.resampling }))
      const rate = s.grids.length / ((performance.now() - start) / 1000)
      out[s.name] = { rate, chips: read, bytes: sent.bytes - before }
    }
    return out
  }).pipe(Effect.scoped, Effect.provide(RasterSource.layerGeoTiffWith({ workers: 0 })))
)

const rawOut = join(dir, "gdal-chips.bin")
// Asynchronously: the HTTP server of this process answers GDAL's /vsicurl/ requests meanwhile.
const job = JSON.stringify({
  out: rawOut,
  sources: sources.map((s) => ({
    name: s.name,
    path: s.gdal,
    resampling: s.resampling,
    chips: s.grids.map((g) => ({
      epsg: Crs.epsgCode(g.crs),
      x0: g.x0,
      y0: g.y0,
      res: g.resolution,
      width: g.width,
      height: g.height
    }))
  }))
})
const gdalRun = await new Promise<{ status: number | null; stdout: string; stderr: string }>(
  (resolve) => {
    const child = spawn("/usr/bin/python3", ["tools/bench/formats/gdal_reads.py"], {
      env: { ...process.env, GDAL_CACHEMAX: "256", GDAL_DISABLE_READDIR_ON_OPEN: "EMPTY_DIR" }
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()))
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()))
    child.on("close", (status) => resolve({ status, stdout, stderr }))
    child.stdin.end(job)
  }
)
server.close()
if (gdalRun.status !== 0) throw new Error(gdalRun.stderr)
const gdal: Record<string, number> = JSON.parse(gdalRun.stdout)

// Values that differ from GDAL: a mask disagreement, or a value off by more than 1e-4 relative (floats) / 0.
const raw = readFileSync(rawOut)
let at = 0
let differing = 0
let compared = 0
for (const s of sources) {
  for (const chip of ours[s.name].chips) {
    const n = 128 * 128
    const values = new Float64Array(
      raw.buffer.slice(raw.byteOffset + at, raw.byteOffset + at + 8 * n)
    )
    at += 8 * n
    const alpha = raw.subarray(at, at + n)
    at += n
    for (let i = 0; i < n; i++) {
      const mine = chip.mask === undefined ? 1 : chip.mask[i]
      if (mine !== alpha[i]) differing++
      else if (mine === 1) {
        compared++
        const d = Math.abs(chip.data[i] - values[i])
        if (d > 1e-4 * Math.max(1, Math.abs(values[i]))) differing++
      }
    }
  }
}

const r = (x: number) => Math.round(x * 10) / 10
console.log(
  `${chips} chips of 128 × 128 px at 30 m (UTM 36N, bilinear, exact) per source; load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`
)
console.log(
  `| source | @eoforge/raster chips/s (local HTTP) | bytes fetched per chip | GDAL chips/s | ratio |`
)
console.log(`|---|---:|---:|---:|---:|`)
for (const s of sources)
  console.log(
    `| ${s.name} | ${r(ours[s.name].rate)} | ${Math.round(ours[s.name].bytes / (s.grids.length + 2))} | ${r(gdal[s.name])} | ${(ours[s.name].rate / gdal[s.name]).toFixed(2)}× |`
  )
console.log(`${compared} valid values compared with GDAL, ${differing} differing`)
console.log(
  JSON.stringify({
    netcdfChipsPerS: r(ours.netcdf.rate),
    gdalNetcdfChipsPerS: r(gdal.netcdf),
    gssicChipsPerS: r(ours.gssic.rate),
    gdalGssicChipsPerS: r(gdal.gssic),
    differing
  })
)
