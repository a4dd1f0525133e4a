// The JPEG 2000 row of the raster benchmark: 264 × 264 chips of the 13 Sentinel-2 bands, each band its own
// tiled JP2 (make-jp2.py bands: 10/20/60 m, 1024² tiles, TLM, lossless), read by @eoforge/raster and by GDAL's
// JP2OpenJPEG driver (gdal_reads.py, gdal.Warp into MEM) on one thread each, with the same tile cache budget.
import { Crs, PixelGrid } from "@eoforge/core"
import { RasterSource } from "@eoforge/raster"
import { Effect } from "effect"
import { execFileSync, spawnSync } from "node:child_process"
import { existsSync } from "node:fs"
import proj4 from "proj4"

const bands = [
  "B01",
  "B02",
  "B03",
  "B04",
  "B05",
  "B06",
  "B07",
  "B08",
  "B8A",
  "B09",
  "B10",
  "B11",
  "B12"
]

export interface Jp2Options {
  readonly dir: string
  readonly chips: number
  readonly cacheMb: number
  /** Pixels a side at 10 m (make-jp2.py bands SIZE10). */
  readonly size10: number
  /** Our decoder threads (0: the calling thread, the one-thread comparison). */
  readonly workers: number
}

/** Chips/s per mode, ours and GDAL's, in one run. */
export const measureJp2 = async (
  o: Jp2Options
): Promise<{ ours: Record<string, number>; gdal: Record<string, number>; tiles: string }> => {
  const files = bands.map((b) => `${o.dir}/${b}.jp2`)
  if (!files.every(existsSync)) {
    console.log(`generating the 13 JP2 bands in ${o.dir} …`)
    execFileSync(
      "/usr/bin/python3",
      ["tools/fixtures/make-jp2.py", "bands", o.dir, String(o.size10)],
      {
        stdio: "inherit"
      }
    )
  }
  let state = 4242
  const random = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0
    return state / 2 ** 32
  }
  const x0 = 600000
  const y0 = 5000040
  const chip = 264
  const margin = 300
  const utm31 = "+proj=utm +zone=31 +datum=WGS84 +units=m +no_defs"
  const utm32 = "+proj=utm +zone=32 +datum=WGS84 +units=m +no_defs"
  const same: Array<PixelGrid.PixelGrid> = []
  const reprojected: Array<PixelGrid.PixelGrid> = []
  for (let i = 0; i < o.chips; i++) {
    const col = margin + Math.floor(random() * (o.size10 - chip - 2 * margin))
    const row = margin + Math.floor(random() * (o.size10 - chip - 2 * margin))
    const gx = x0 + col * 10
    const gy = y0 - row * 10
    same.push(PixelGrid.make(Crs.epsg(32631), gx, gy, 10, chip, chip))
    const [cx, cy] = proj4(utm31, utm32, [gx + chip * 5, gy - chip * 5])
    reprojected.push(
      PixelGrid.make(
        Crs.epsg(32632),
        Math.round((cx - chip * 5) / 10) * 10,
        Math.round((cy + chip * 5) / 10) * 10,
        10,
        chip,
        chip
      )
    )
  }
  const modes = [
    { name: "JP2 13 bands, same CRS, nearest", grids: same, resampling: "nearest", gdal: "near" },
    {
      name: "JP2 13 bands, neighbouring UTM zone, bilinear, exact",
      grids: reprojected,
      resampling: "bilinear",
      gdal: "bilinear"
    }
  ] as const
  let tiles = ""
  const ours = await Effect.runPromise(
    Effect.gen(function* () {
      const raster = yield* RasterSource.RasterSource
      const infos = []
      for (const f of files) infos.push(yield* raster.open(f))
      const rates: Record<string, number> = {}
      for (const mode of modes) {
        const start = performance.now()
        let valid = 0
        for (const g of mode.grids) {
          for (const info of infos) {
            const c = yield* raster.read(info, g, { resampling: mode.resampling })
            valid += c.mask?.reduce((a, v) => a + v, 0) ?? 0
          }
        }
        rates[mode.name] = mode.grids.length / ((performance.now() - start) / 1000)
        if (valid === 0) throw new Error(`${mode.name}: no valid pixel read`)
      }
      let bytes = 0
      for (const info of infos) bytes += (yield* raster.transfer(info)).bytes
      tiles = `${(bytes / 1e6).toFixed(0)} MB of JP2 read`
      return rates
    }).pipe(
      Effect.scoped,
      Effect.provide(
        RasterSource.layerGeoTiffWith({
          workers: o.workers,
          tileCacheBytes: o.cacheMb * 1024 * 1024
        })
      )
    )
  )
  const toJob = (g: PixelGrid.PixelGrid) => ({
    epsg: Crs.epsgCode(g.crs),
    x0: g.x0,
    y0: g.y0,
    res: g.resolution,
    width: g.width,
    height: g.height
  })
  const job = {
    files,
    modes: modes.map((m) => ({
      name: m.name,
      resampling: m.gdal,
      errorThreshold: 0,
      chips: m.grids.map(toJob),
      warmup: 0
    }))
  }
  const run = spawnSync("/usr/bin/python3", ["tools/bench/raster/gdal_reads.py"], {
    input: JSON.stringify(job),
    env: { ...process.env, GDAL_CACHEMAX: String(o.cacheMb), OPJ_NUM_THREADS: "1" },
    encoding: "utf8"
  })
  if (run.status !== 0) throw new Error(run.stderr)
  return { ours, gdal: JSON.parse(run.stdout) as Record<string, number>, tiles }
}
