// Raster benchmark: chips/s of @eoforge/raster against GDAL (gdal.Warp into MEM, one thread) in one run.
// 264 × 264 × 13-band uint16 chips from a DEFLATE COG with 512² tiles; same CRS and the neighbouring UTM zone.
// Usage: npx node tools/bench/raster/run.ts [--chips 30] [--workers 0] [--cache-mb 256] [--cog …] [--size 5490]
//          [--baseline DIR]  (DIR/src/index.ts: another version of @eoforge/raster, measured in the same run)
//          [--only cog|jp2] [--jp2-chips 10] [--jp2-dir /tmp/eoforge-bench/jp2] [--jp2-size 2745]
//          [--jp2-workers 0]  (our JP2 decoder threads; 0 = one thread, the per-core comparison)
// The last line of output is one JSON object: chips/s and ratios per row, and `jp2Ratio`.
import { Crs, PixelGrid } from "@eoforge/core"
import { RasterSource as Current } from "@eoforge/raster"
import { Effect } from "effect"
import { execFileSync, spawnSync } from "node:child_process"
import { existsSync, mkdirSync } from "node:fs"
import { loadavg } from "node:os"
import { dirname } from "node:path"
import proj4 from "proj4"
import { measureJp2 } from "./jp2.ts"

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? process.argv[i + 1] : fallback
}
const chipsPerMode = Number(arg("chips", "30"))
const cog = arg("cog", "/tmp/eoforge-bench/s2like.tif")
const size = Number(arg("size", "5490"))
const workers = Number(arg("workers", "0"))
// Decoded-tile cache of both sides, in MiB: ours (tileCacheBytes) and GDAL's block cache (GDAL_CACHEMAX).
const cacheMb = Number(arg("cache-mb", "256"))

const only = arg("only", "all")
const runCog = only !== "jp2"
if (runCog && !existsSync(cog)) {
  mkdirSync(dirname(cog), { recursive: true })
  console.log(`generating ${cog} (${size}² px) …`)
  execFileSync("/usr/bin/python3", ["tools/bench/raster/make_cog.py", cog, String(size)], {
    stdio: "inherit"
  })
}

// Seeded chip positions (LCG) inside the tile with a margin that keeps reprojected chips covered.
let state = 12345
const random = () => {
  state = (Math.imul(state, 1103515245) + 12345) >>> 0
  return state / 2 ** 32
}
const x0 = 600000
const y0 = 5000040
const chip = 264
const margin = 400
const utm31 = "+proj=utm +zone=31 +datum=WGS84 +units=m +no_defs"
const utm32 = "+proj=utm +zone=32 +datum=WGS84 +units=m +no_defs"
const same: Array<PixelGrid.PixelGrid> = []
const reprojected: Array<PixelGrid.PixelGrid> = []
for (let i = 0; i < chipsPerMode; i++) {
  const col = margin + Math.floor(random() * (size - chip - 2 * margin))
  const row = margin + Math.floor(random() * (size - chip - 2 * margin))
  const gx = x0 + col * 10
  const gy = y0 - row * 10
  same.push(PixelGrid.make(Crs.epsg(32631), gx, gy, 10, chip, chip))
  const [cx, cy] = proj4(utm31, utm32, [gx + chip * 5, gy - chip * 5])
  const rx = Math.round((cx - chip * 5) / 10) * 10
  const ry = Math.round((cy + chip * 5) / 10) * 10
  reprojected.push(PixelGrid.make(Crs.epsg(32632), rx, ry, 10, chip, chip))
}

const modes = [
  { name: "same CRS, nearest", grids: same, resampling: "nearest", approximate: false },
  {
    name: "neighbouring UTM zone, bilinear, exact",
    grids: reprojected,
    resampling: "bilinear",
    approximate: false
  },
  {
    name: "neighbouring UTM zone, bilinear, approximate",
    grids: reprojected,
    resampling: "bilinear",
    approximate: true
  }
] as const

const baselineDir = arg("baseline", "")
type Service = typeof Current
const measure = (RasterSource: Service) =>
  Effect.runPromise(
    Effect.gen(function* () {
      const raster = yield* RasterSource.RasterSource
      const info = yield* raster.open(cog)
      const rates: Record<string, number> = {}
      for (const mode of modes) {
        const options = { resampling: mode.resampling, approximate: mode.approximate }
        for (const g of mode.grids.slice(0, 2)) yield* raster.read(info, g, options)
        const start = performance.now()
        let valid = 0
        for (const g of mode.grids) {
          const c = yield* raster.read(info, g, options)
          valid += c.mask?.reduce((a, v) => a + v, 0) ?? 0
        }
        rates[mode.name] = mode.grids.length / ((performance.now() - start) / 1000)
        if (valid === 0) throw new Error(`${mode.name}: no valid pixel read`)
      }
      return rates
    }).pipe(
      Effect.scoped,
      Effect.provide(
        RasterSource.layerGeoTiffWith({ workers, tileCacheBytes: cacheMb * 1024 * 1024 })
      )
    )
  )
const baseline: Record<string, number> | undefined =
  baselineDir === "" || !runCog
    ? undefined
    : await measure(
        (
          (await import(`${process.cwd()}/${baselineDir}/src/index.ts`)) as {
            RasterSource: Service
          }
        ).RasterSource
      )
const ours = runCog ? await measure(Current) : {}

const toJob = (g: PixelGrid.PixelGrid) => ({
  epsg: Crs.epsgCode(g.crs),
  x0: g.x0,
  y0: g.y0,
  res: g.resolution,
  width: g.width,
  height: g.height
})
const job = {
  cog,
  modes: [
    { name: modes[0].name, resampling: "near", errorThreshold: 0, chips: same.map(toJob) },
    {
      name: modes[1].name,
      resampling: "bilinear",
      errorThreshold: 0,
      chips: reprojected.map(toJob)
    },
    {
      name: modes[2].name,
      resampling: "bilinear",
      errorThreshold: 0.125,
      chips: reprojected.map(toJob)
    }
  ]
}
const gdalRun = !runCog
  ? undefined
  : spawnSync("/usr/bin/python3", ["tools/bench/raster/gdal_reads.py"], {
      input: JSON.stringify(job),
      env: { ...process.env, GDAL_CACHEMAX: String(cacheMb) },
      encoding: "utf8"
    })
if (gdalRun !== undefined && gdalRun.status !== 0) throw new Error(gdalRun.stderr)
const gdal: Record<string, number> = gdalRun === undefined ? {} : JSON.parse(gdalRun.stdout)

const jp2ChipCount = Number(arg("jp2-chips", "10"))
const jp2 =
  only === "cog"
    ? undefined
    : await measureJp2({
        dir: arg("jp2-dir", "/tmp/eoforge-bench/jp2"),
        chips: jp2ChipCount,
        cacheMb,
        size10: Number(arg("jp2-size", "2745")),
        workers: Number(arg("jp2-workers", "0"))
      })

const summary: Record<string, number> = {}
if (runCog) {
  console.log(
    `\n${chipsPerMode} chips of 264 × 264 × 13 uint16 per row; ${cog} (${size}² px, 512² DEFLATE tiles)`
  )
  console.log(
    `@eoforge/raster decoder workers: ${workers}, tile cache ${cacheMb} MiB; GDAL 3.6: gdal.Warp → MEM, 1 thread, GDAL_CACHEMAX=${cacheMb} MB; load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}\n`
  )
  const before = baseline === undefined ? "" : " baseline chips/s | baseline ratio |"
  console.log(`| read | @eoforge/raster chips/s | GDAL chips/s | ratio |${before}`)
  console.log(`|---|---:|---:|---:|${baseline === undefined ? "" : "---:|---:|"}`)
  for (const mode of modes) {
    const a = ours[mode.name]
    const b = gdal[mode.name]
    const c = baseline?.[mode.name]
    const extra = c === undefined ? "" : ` ${c.toFixed(1)} | ${(c / b).toFixed(2)}× |`
    console.log(
      `| ${mode.name} | ${a.toFixed(1)} | ${b.toFixed(1)} | ${(a / b).toFixed(2)}× |${extra}`
    )
  }
}
if (jp2 !== undefined) {
  console.log(
    `\nJPEG 2000: ${jp2ChipCount} chips of 264 × 264 px × 13 bands per row (each band its own JP2: 10/20/60 m, 1024² tiles, TLM, lossless; ${jp2.tiles}); ours workers ${arg("jp2-workers", "0")}, GDAL one thread (OPJ_NUM_THREADS=1), tile cache ${cacheMb} MiB both sides; load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}\n`
  )
  console.log("| read | @eoforge/raster chips/s | GDAL chips/s | ratio |")
  console.log("|---|---:|---:|---:|")
  for (const name of Object.keys(jp2.ours)) {
    const a = jp2.ours[name]
    const b = jp2.gdal[name]
    console.log(`| ${name} | ${a.toFixed(2)} | ${b.toFixed(2)} | ${(a / b).toFixed(2)}× |`)
    summary[`${name} ratio`] = a / b
  }
  const first = Object.keys(jp2.ours)[0]
  summary["jp2Ratio"] = jp2.ours[first] / jp2.gdal[first]
}
for (const mode of runCog ? modes : [])
  summary[`${mode.name} ratio`] = ours[mode.name] / gdal[mode.name]
console.log(JSON.stringify(summary))
