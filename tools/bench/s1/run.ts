// σ⁰ dB chips (264 × 264 at 10 m, VV + VH) per second from a full-size GRD (25,788 × 16,685 px, the real IPF
// 3.31 product's geometry, 512-px DEFLATE tiles with ESA's 210 GCPs) over local HTTP: EOForge (DN window reads,
// thermal noise removal, calibration, Range-Doppler terrain correction with heights) against GDAL's
// gdalwarp -tps -r bilinear of the same chips (geometry only), one chip-making thread and one helper thread
// each side:
// - GDAL: one warping thread (GDAL_NUM_THREADS=1, no -multi) that decodes DEFLATE (libdeflate), solves the TPS
//   and warps; its GTiff driver reads through /vsicurl's download thread (multi-range AdviseRead), which
//   receives the next tiles while the warping thread works (measured: a third to a half of GDAL's process
//   CPU). GDAL's CPU figure is its whole process (both threads).
// - EOForge: one JavaScript thread makes the chips, HTTP receive included (RasterSource with no decoder
//   workers); DEFLATE tiles read over HTTP are inflated on node's thread pool, held to one thread here
//   (UV_THREADPOOL_SIZE=1: the script re-runs itself with it). Chips run `--concurrency` (4, the recipe
//   default) at a time on that thread as a build runs them, so one chip's requests are in flight while
//   another's geometry and radiometry run. The CPU figure is the whole process (V8's GC helpers included);
//   the chip thread's own is printed beside it.
// - The HTTP host is a process of its own (server.ts): neither side is billed for serving.
// Also reports geolocMaxPx (worst residual over ESA's geolocation grid) and calibMaxRel (against the numpy
// reference golden). Run: node --conditions=@eoforge/source tools/bench/s1/run.ts [--chips N (48)]
// [--concurrency C (4)] [--workers W (0)] [--rounds R (2): each side's fastest of R alternating rounds]
// [--real ../shared/real]
import { execFile, execFileSync, spawn, spawnSync } from "node:child_process"
import { promisify } from "node:util"
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { PatchGeometry, Zone } from "@eoforge/grid"
import { RasterSource } from "@eoforge/raster"
import {
  Annotation,
  Calibration,
  Geolocation,
  GrdChip,
  Noise,
  Radiometry,
  Simulate
} from "@eoforge/sentinel1"
import { Effect } from "effect"
import * as Xml from "../../s1-sim/xml.ts"

// One helper thread, as GDAL has one: node's thread pool is sized when the process starts.
if (process.env["UV_THREADPOOL_SIZE"] !== "1") {
  const again = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: "inherit",
    env: { ...process.env, UV_THREADPOOL_SIZE: "1" }
  })
  process.exit(again.status ?? 1)
}

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? process.argv[i + 1] : fallback
}
const chipsN = Number(arg("chips", "48"))
const real = arg("real", "../shared/real")
const work = "/tmp/eoforge-bench-s1"
mkdirSync(work, { recursive: true })
const log = (s: string) => process.stderr.write(`${s}\n`)

// ---- the product: real geometry, synthetic calibration/noise, a DN pattern with speckle-like noise.
const annotationPath = join(
  real,
  "s1/S1B_IW_GRDH_1SDV_20210401T052623_20210401T052648_026269_032297_ECC8.SAFE/annotation/s1b-iw-grd-vv-20210401t052623-20210401t052648-026269-032297-001.xml"
)
const annotation = Effect.runSync(
  Annotation.parse(readFileSync(annotationPath, "utf8"), "iw-vv.xml")
)
const model = Geolocation.make(annotation)
const calibration = Effect.runSync(
  Calibration.parse(Xml.calibration(annotation, Simulate.calibrationFor(annotation)), "cal")
)
const noise = Effect.runSync(
  Noise.parse(Xml.noise(annotation, Simulate.noiseFor(annotation)), "noise")
)
const tif = join(work, "iw-vv.tiff")
if (!existsSync(tif)) {
  log("generating the 25,788 × 16,685 GCP GeoTIFF (once, cached in /tmp/eoforge-bench-s1) …")
  const tile = 2048
  const dn = new Uint16Array(tile * tile)
  let s = 12345
  for (let i = 0; i < dn.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0
    const x = i % tile
    const y = (i / tile) | 0
    dn[i] = Math.round(
      (120 + 60 * Math.sin(x / 37) * Math.cos(y / 53)) * (0.6 + 0.8 * (s / 2 ** 32))
    )
  }
  writeFileSync(join(work, "tile.bin"), new Uint8Array(dn.buffer))
  writeFileSync(
    join(work, "tile.hdr"),
    `ENVI\nsamples = ${tile}\nlines = ${tile}\nbands = 1\nheader offset = 0\ndata type = 12\ninterleave = bsq\nbyte order = 0\n`
  )
  const { samples: w, lines: h } = annotation
  let vrt = `<VRTDataset rasterXSize="${w}" rasterYSize="${h}"><VRTRasterBand dataType="UInt16" band="1">`
  for (let y = 0; y < h; y += tile)
    for (let x = 0; x < w; x += tile) {
      const cw = Math.min(tile, w - x)
      const ch = Math.min(tile, h - y)
      vrt += `<SimpleSource><SourceFilename relativeToVRT="1">tile.bin</SourceFilename><SourceBand>1</SourceBand><SrcRect xOff="0" yOff="0" xSize="${cw}" ySize="${ch}"/><DstRect xOff="${x}" yOff="${y}" xSize="${cw}" ySize="${ch}"/></SimpleSource>`
    }
  writeFileSync(join(work, "mosaic.vrt"), `${vrt}</VRTRasterBand></VRTDataset>`)
  const gcps = annotation.grid.flatMap((g) => [
    "-gcp",
    String(g.pixel),
    String(g.line),
    String(g.longitude),
    String(g.latitude),
    String(g.height)
  ])
  execFileSync("gdal_translate", [
    "-q",
    "-of",
    "GTiff",
    "-co",
    "TILED=YES",
    "-co",
    "BLOCKXSIZE=512",
    "-co",
    "BLOCKYSIZE=512",
    "-co",
    "COMPRESS=DEFLATE",
    "-co",
    "BIGTIFF=NO",
    "-a_srs",
    "EPSG:4326",
    ...gcps,
    join(work, "mosaic.vrt"),
    tif
  ])
}
log(`measurement ${(statSync(tif).size / 1e6).toFixed(0)} MB`)

// ---- local HTTP with byte ranges (tools/bench/s1/server.ts in a process of its own, as a remote host would
// be: neither side pays for serving); VV and VH are the same bytes under two names.
const server = spawn(process.execPath, [new URL("./server.ts", import.meta.url).pathname, tif], {
  stdio: ["pipe", "pipe", "inherit"]
})
const port = await new Promise<number>((resolve, reject) => {
  server.stdout.once("data", (d: Buffer) => resolve(Number(d.toString().trim())))
  server.once("exit", (code) => reject(new Error(`bench server exited with ${code}`)))
})
const base = `http://127.0.0.1:${port}`
const urls = [`${base}/measurement/iw-vv.tiff`, `${base}/measurement/iw-vh.tiff`]

// ---- chips: patches around random image points (seeded), away from the edges.
let seed = 7
const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32
const chips = Array.from({ length: chipsN + 1 }, () => {
  const [lat, lon] = Geolocation.forward(
    model,
    1500 + rand() * (annotation.lines - 3000),
    1500 + rand() * (annotation.samples - 3000),
    500
  )
  const grid = PatchGeometry.make({ lon, lat, size: 2640, resolution: 10 }).grid
  return grid
})
// One more chip elsewhere, made by both sides before timing (EOForge's JIT, GDAL's /vsicurl header cache).
const warmup = chips.pop()!
const asJson = (g: (typeof chips)[number]) => ({
  epsg: g.crs._tag === "Epsg" ? g.crs.code : 0,
  x0: g.x0,
  y0: g.y0
})
writeFileSync(
  join(work, "chips.json"),
  JSON.stringify({ urls, warmup: asJson(warmup), chips: chips.map(asJson) })
)

// ---- EOForge: one JavaScript thread, as a build reads: chips `concurrency` at a time (the recipe default, 4),
// each chip's polarisations through GrdChip.makeAll (positions once, both DN windows read at once), DN windows
// over HTTP, calibration + noise + terrain correction.
const concurrency = Number(arg("concurrency", "4"))
const workers = Number(arg("workers", "0"))
const rounds = Number(arg("rounds", "2"))
// Time (and process CPU) while at least one DN window read is in flight.
let readMs = 0
let readCpuMs = 0
let inFlight = 0
let r0 = 0
let c0 = process.cpuUsage()
let cpu0 = process.cpuUsage()
let eoCpuSeconds = 0
let eoThreadCpuSeconds = 0
const eoforge = Effect.gen(function* () {
  const raster = yield* RasterSource.RasterSource
  const infos = yield* Effect.forEach(urls, (u) => raster.open(`${u}#georeferencing=ignore`))
  const chip = (grid: (typeof chips)[number]) => {
    const epsg = grid.crs._tag === "Epsg" ? grid.crs.code : 0
    const toLonLat = (x: number, y: number) => Zone.inverse(epsg, x, y)
    const heights = new Float32Array(grid.width * grid.height).fill(500)
    return GrdChip.makeAll(
      infos.map((info) => ({
        polarisation: {
          annotation,
          calibration,
          noise,
          measurement: { asset: info.uri, width: info.width, height: info.height }
        },
        readDn: (w: Radiometry.Window) =>
          Effect.suspend(() => {
            if (inFlight++ === 0) {
              r0 = performance.now()
              c0 = process.cpuUsage()
            }
            return raster
              .readWindow(info, [w.pixel0, w.line0, w.pixel0 + w.width, w.line0 + w.height], [0])
              .pipe(
                Effect.map(([d]) => d),
                Effect.ensuring(
                  Effect.sync(() => {
                    if (--inFlight > 0) return
                    readMs += performance.now() - r0
                    const c = process.cpuUsage(c0)
                    readCpuMs += (c.user + c.system) / 1000
                  })
                )
              )
          })
      })),
      grid,
      toLonLat,
      { values: heights, datum: "egm96", asset: "flat 500 m" }
    )
  }
  yield* chip(warmup)
  const t0 = performance.now()
  cpu0 = process.cpuUsage()
  const thread0 = process.threadCpuUsage()
  readMs = 0
  readCpuMs = 0
  yield* Effect.forEach(chips, chip, { concurrency, discard: true })
  const used = process.cpuUsage(cpu0)
  eoCpuSeconds = (used.user + used.system) / 1e6
  const thread = process.threadCpuUsage(thread0)
  eoThreadCpuSeconds = (thread.user + thread.system) / 1e6
  return (performance.now() - t0) / 1000
}).pipe(Effect.scoped, Effect.provide(RasterSource.layerGeoTiffWith({ workers })))
const runEoforge = async () => {
  const seconds = await Effect.runPromise(eoforge)
  log(
    `EOForge: ${chipsN} chips (VV+VH) in ${seconds.toFixed(2)} s (${eoCpuSeconds.toFixed(2)} s CPU, of which ${eoThreadCpuSeconds.toFixed(2)} s in the chip thread), of which ${(readMs / 1000).toFixed(2)} s (${(readCpuMs / 1000).toFixed(2)} s CPU) with a DN window read in flight (HTTP + DEFLATE; other chips' work runs meanwhile)`
  )
  return { seconds, cpuSeconds: eoCpuSeconds }
}
const runGdal = async () => {
  const out = (
    await promisify(execFile)(
      "/usr/bin/python3",
      [new URL("./gdal_chips.py", import.meta.url).pathname, join(work, "chips.json")],
      { env: { ...process.env, GDAL_NUM_THREADS: "1" } }
    )
  ).stdout
  const gdal = JSON.parse(out.trim().split("\n").pop() ?? "{}") as {
    seconds: number
    cpuSeconds: number
    mainThreadCpuSeconds: number
  }
  log(
    `GDAL gdalwarp -tps: ${chipsN} chips (VV+VH) in ${gdal.seconds.toFixed(2)} s (${gdal.cpuSeconds.toFixed(2)} s CPU, of which ${gdal.mainThreadCpuSeconds.toFixed(2)} s in the warping thread, the rest in its /vsicurl download thread)`
  )
  return gdal
}
// Rounds alternate the sides (each round a fresh start: sources opened and warmed again, GDAL a new
// process); each side's fastest round counts, so a burst of load on the shared machine during one side's
// turn does not decide the ratio.
const eoRounds: Array<{ seconds: number; cpuSeconds: number }> = []
const gdalRounds: Array<{ seconds: number; cpuSeconds: number }> = []
for (let r = 0; r < rounds; r++) {
  eoRounds.push(await runEoforge())
  gdalRounds.push(await runGdal())
}
server.stdin.end()
const fastest = <A extends { readonly seconds: number }>(xs: ReadonlyArray<A>): A =>
  xs.reduce((a, b) => (b.seconds < a.seconds ? b : a))
const eo = fastest(eoRounds)
const gdal = fastest(gdalRounds)

// ---- accuracy figures: ESA's geolocation grid, and the numpy radiometry reference.
let geolocMaxPx = 0
for (const g of annotation.grid) {
  const ip = Geolocation.inverse(model, g.latitude, g.longitude, g.height)
  geolocMaxPx = Math.max(geolocMaxPx, Math.abs(ip.line - g.line), Math.abs(ip.pixel - g.pixel))
}
const golden = JSON.parse(
  readFileSync(
    new URL("../../../packages/sentinel1/test/golden/radiometry.json", import.meta.url),
    "utf8"
  )
)
let calibMaxRel = 0
for (const c of golden.cases) {
  const cal = Effect.runSync(
    Calibration.parse(readFileSync(join(real, c.calibration), "utf8"), c.calibration)
  )
  const noi = Effect.runSync(Noise.parse(readFileSync(join(real, c.noise), "utf8"), c.noise))
  for (const g of c.windows) {
    const [line0, pixel0, height, width] = g.window
    const out = Radiometry.calibrate(g.dn, { line0, pixel0, height, width }, cal, noi, {
      db: false
    })
    g.sigma0.forEach((v: number | null, i: number) => {
      if (v !== null && v !== 0)
        calibMaxRel = Math.max(calibMaxRel, Math.abs(out[i] - v) / Math.abs(v))
    })
  }
}
const chipsPerS = chipsN / eo.seconds
const gdalChipsPerS = chipsN / gdal.seconds
console.log(
  JSON.stringify({
    chips: chipsN,
    chipsPerS: +chipsPerS.toFixed(3),
    gdalChipsPerS: +gdalChipsPerS.toFixed(3),
    ratio: +(chipsPerS / gdalChipsPerS).toFixed(3),
    // Process CPU seconds of the same rounds, GDAL over EOForge (less sensitive to the load than wall time).
    cpuRatio: +(gdal.cpuSeconds / eo.cpuSeconds).toFixed(3),
    rounds,
    geolocMaxPx: +geolocMaxPx.toFixed(5),
    calibMaxRel
  })
)
