// Micro-benchmark of the CPU kernels one Sentinel-2 chip goes through on a build's main thread, on chip-sized
// data: resampling of 10, 20 and 60 m uint16 bands onto a 264² 10 m grid (bilinear), harmonisation into the
// stored dtype, exact statistics and the shard's binary statistics. `--baseline REV` measures the same
// kernels of another commit in the same run (interleaved rounds), so ratios are taken under the same load.
// Times are the main thread's CPU time (process.threadCpuUsage), best round of `--rounds`.
// Usage: npx node tools/bench/raster/kernels.ts [--baseline REV] [--rounds 7] [--chips 8]
// The last line of output is one JSON object: ms per chip of each kernel (and of the baseline, and ratios).
import { Chip, Crs, PixelGrid } from "@eoforge/core"
import { execFileSync } from "node:child_process"
import { existsSync, mkdirSync } from "node:fs"
import { loadavg } from "node:os"
import { join, resolve } from "node:path"

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? process.argv[i + 1] : fallback
}
const root = resolve(import.meta.dirname, "../../..")
const baselineRev = arg("baseline", "")
const rounds = Number(arg("rounds", "7"))
const chipsPerRound = Number(arg("chips", "8"))

/** The kernels' modules of one version of the sources (the current tree or a baseline's). */
interface Kernels {
  readonly resample: typeof import("../../../packages/raster/src/internal/resample.ts").resample
  readonly convertLinear: typeof import("../../../packages/pipeline/src/internal/storeValues.ts").convertLinear
  readonly Accumulator: typeof import("../../../packages/stats/src/Accumulator.ts")
  readonly Grouped: typeof import("../../../packages/stats/src/Grouped.ts")
  readonly Packed: typeof import("../../../packages/stats/src/Packed.ts")
}

const load = async (dir: string): Promise<Kernels> => ({
  resample: (await import(join(dir, "packages/raster/src/internal/resample.ts"))).resample,
  convertLinear: (await import(join(dir, "packages/pipeline/src/internal/storeValues.ts")))
    .convertLinear,
  Accumulator: await import(join(dir, "packages/stats/src/Accumulator.ts")),
  Grouped: await import(join(dir, "packages/stats/src/Grouped.ts")),
  Packed: await import(join(dir, "packages/stats/src/Packed.ts"))
})

/** The sources of `rev` extracted beside this file (git-ignored), so that they resolve this tree's packages. */
const extract = (rev: string): string => {
  const hash = execFileSync("git", ["rev-parse", "--short", rev], { cwd: root }).toString().trim()
  const dir = join(import.meta.dirname, `.baseline-kernels-${hash}`)
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true })
    const paths = ["core", "raster", "stats", "pipeline"].map((p) => `packages/${p}/src`)
    const tar = execFileSync("git", ["archive", hash, ...paths], { cwd: root, maxBuffer: 1 << 30 })
    execFileSync("tar", ["-x", "-C", dir], { input: tar })
  }
  return dir
}

// Synthetic Sentinel-2-like bands (tools/bench/network/cog.ts's texture): smooth fields plus 7 bits of noise.
let seed = 12345
const random = () => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
  return seed / 2 ** 32
}
const texture = (width: number, height: number): Uint16Array => {
  const a = 20 + random() * 60
  const b = 20 + random() * 60
  const base = 600 + random() * 2000
  const values = new Uint16Array(width * height)
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      values[y * width + x] =
        base + 300 * Math.sin(x / a) + 300 * Math.cos(y / b) + Math.floor(random() * 128) + 1
  return values
}

// One 10 980 m square (a tenth of a Sentinel-2 tile) in UTM 32N, at 10, 20 and 60 m.
const crs = Crs.epsg(32632)
const x0 = 600000
const y0 = 5000040
const extent = 10980
const chip = 264

/** An opened single-band file whose windows are cut once (reading is not what is measured). */
const opened = (resolution: number, nodataRows = false) => {
  const size = extent / resolution
  const band = texture(size, size)
  // A scene's edge in every window: one row in 40 is nodata (0).
  if (nodataRows) for (let y = 0; y < size; y += 40) band.fill(0, y * size, (y + 1) * size)
  const windows = new Map<string, ReadonlyArray<Uint16Array>>()
  return {
    header: {
      width: size,
      height: size,
      bands: 1,
      dtype: "uint16" as const,
      crs,
      geoTransform: [x0, resolution, 0, y0, 0, -resolution] as const,
      nodata: 0,
      scale: [1],
      offset: [0],
      descriptions: [undefined],
      classes: [undefined],
      blockWidth: 512,
      blockHeight: 512
    },
    levels: [
      {
        width: size,
        height: size,
        read: async (w: readonly [number, number, number, number]) => {
          const key = w.join(",")
          let arrays = windows.get(key)
          if (arrays === undefined) {
            const [wx0, wy0, wx1, wy1] = w
            const out = new Uint16Array((wx1 - wx0) * (wy1 - wy0))
            for (let y = wy0; y < wy1; y++)
              out.set(band.subarray(y * size + wx0, y * size + wx1), (y - wy0) * (wx1 - wx0))
            arrays = [out]
            windows.set(key, arrays)
          }
          return arrays
        }
      }
    ]
  }
}

const files = { r10: opened(10), r20: opened(20), r60: opened(60), r20nodata: opened(20, true) }
// Chip grids on the 60 m lattice (the recipe's snap), seeded positions.
const grids = Array.from({ length: chipsPerRound }, () => {
  const cells = Math.floor((extent - chip * 10) / 60)
  return PixelGrid.make(
    crs,
    x0 + 60 * Math.floor(random() * cells),
    y0 - 60 * Math.floor(random() * cells),
    10,
    chip,
    chip
  )
})
// An L2A chip: 4 bands at 10 m, 6 at 20 m, 2 at 60 m, as read (uint16) with its valid mask.
const n = chip * chip
const bandsPerChip = { r10: 4, r20: 6, r60: 2 } as const
const nb = bandsPerChip.r10 + bandsPerChip.r20 + bandsPerChip.r60
const chipData = new Uint16Array(nb * n)
for (let b = 0; b < nb; b++) chipData.set(texture(chip, chip), b * n)
const chipMask = new Uint8Array(n).fill(1)
for (let i = 0; i < n; i += 97) chipMask[i] = 0
// Sentinel-2 items of processing baseline < 04.00 onto the preset's radiometry: v + 1000 (as a double).
const harmonise = { a: 0.0001 / 0.0001, b: (0 - -0.1) / 0.0001 }
const stored = new Uint16Array(nb * n)
const product = {
  id: "s2l2a",
  dtype: "uint16" as const,
  resolution: 10,
  bands: Array.from({ length: nb }, (_, b) => ({ name: `B${b}`, nodata: 0 }))
}

/** One timed kernel: what it does for one chip. */
interface Case {
  readonly name: string
  readonly run: (
    k: Kernels,
    grid: PixelGrid.PixelGrid,
    prepared?: unknown
  ) => Promise<unknown> | unknown
  /** What `run` works on, made before each timed run (not timed). */
  readonly prepare?: (k: Kernels, grid: PixelGrid.PixelGrid) => unknown
  /** Another form of a kernel above (a chip at a scene's edge), left out of the chip's total. */
  readonly alternative?: boolean
  /** Run once per round for a shard of this many chips (its time is divided by them). */
  readonly perShard?: number
}

const read = (k: Kernels, file: keyof typeof files, grid: PixelGrid.PixelGrid, times: number) =>
  (async () => {
    for (let i = 0; i < times; i++)
      await k.resample(files[file] as never, grid, { resampling: "bilinear" }, file)
  })()

const cases: ReadonlyArray<Case> = [
  { name: "resample 4 bands 10 m", run: (k, g) => read(k, "r10", g, bandsPerChip.r10) },
  { name: "resample 6 bands 20 m", run: (k, g) => read(k, "r20", g, bandsPerChip.r20) },
  { name: "resample 2 bands 60 m", run: (k, g) => read(k, "r60", g, bandsPerChip.r60) },
  {
    name: "resample 6 bands 20 m, nodata in window",
    run: (k, g) => read(k, "r20nodata", g, bandsPerChip.r20),
    alternative: true
  },
  {
    name: "convertLinear 12 bands",
    run: (k) => {
      for (let b = 0; b < nb; b++)
        k.convertLinear(chipData.subarray(b * n, (b + 1) * n), harmonise, stored, b * n, "uint16")
    }
  },
  {
    // Into one accumulator per version, as a shard's statistics grow chip by chip.
    name: "stats add 12 bands",
    run: (() => {
      const accs = new Map<Kernels, ReturnType<Kernels["Accumulator"]["fromProduct"]>>()
      return (k, g) => {
        let acc = accs.get(k)
        if (acc === undefined) {
          acc = k.Accumulator.fromProduct(product as never)
          accs.set(k, acc)
        }
        const c: Chip.Chip = { grid: g, dtype: "uint16", bands: nb, data: stored, mask: chipMask }
        k.Accumulator.add(acc, c)
      }
    })()
  },
  {
    // A shard of 8 samples × 8 chips: 2 products in 3 splits, statistics made for the shard (as a job
    // does: histograms in fresh memory) and encoded once (÷ 64 per chip).
    name: "stats encode (shard ÷ 64)",
    prepare: (k, g) => {
      const gr = k.Grouped.empty([product, { ...product, id: "s2l1c" }] as never)
      const c: Chip.Chip = { grid: g, dtype: "uint16", bands: nb, data: chipData, mask: chipMask }
      for (const split of ["train", "val", "test"] as const)
        for (const id of ["s2l2a", "s2l1c"]) k.Grouped.add(gr, id, split, c)
      return gr
    },
    run: (k, _g, grouped) => k.Packed.encode(grouped as never),
    perShard: 64
  }
]

const current = await load(root)
const baseline = baselineRev === "" ? undefined : await load(extract(baselineRev))

// The outputs must agree before anything is timed (the baseline is the reference).
if (baseline !== undefined) {
  for (const file of ["r10", "r20", "r60", "r20nodata"] as const) {
    for (const g of grids) {
      const a = await baseline.resample(files[file] as never, g, { resampling: "bilinear" }, file)
      const b = await current.resample(files[file] as never, g, { resampling: "bilinear" }, file)
      if (Buffer.compare(Buffer.from(a.data.buffer), Buffer.from(b.data.buffer)) !== 0)
        throw new Error(`resample ${file} differs from the baseline`)
      if (Buffer.compare(Buffer.from(a.mask!), Buffer.from(b.mask!)) !== 0)
        throw new Error(`resample ${file} mask differs from the baseline`)
    }
  }
  const a = new Uint16Array(nb * n)
  for (let b = 0; b < nb; b++)
    baseline.convertLinear(chipData.subarray(b * n, (b + 1) * n), harmonise, a, b * n, "uint16")
  for (let b = 0; b < nb; b++)
    current.convertLinear(chipData.subarray(b * n, (b + 1) * n), harmonise, stored, b * n, "uint16")
  if (Buffer.compare(Buffer.from(a.buffer), Buffer.from(stored.buffer)) !== 0)
    throw new Error("convertLinear differs from the baseline")
}

const versions: ReadonlyArray<readonly [string, Kernels]> =
  baseline === undefined
    ? [["current", current]]
    : [
        ["baseline", baseline],
        ["current", current]
      ]
// Per case and version, the CPU ms of this thread per chip in each round (not wall time: on a shared machine
// the thread waits for a core), over as many passes as make ≥ 100 ms of CPU (the thread's CPU clock ticks in
// steps of a few ms); the fastest round is reported (other jobs only ever slow a round down). Shard cases
// (fresh memory prepared per run) are timed by the wall clock around the run alone.
const cpuMs = (t: NodeJS.CpuUsage) => (t.user + t.system) / 1000
const pass = async (c: Case, k: Kernels) => {
  if (c.perShard === undefined) for (const g of grids) await c.run(k, g)
  else await c.run(k, grids[0], c.prepare?.(k, grids[0]))
}
// Round 0 warms V8 up and counts the passes of each case that take 100 ms of CPU.
const passes = new Map<Case, number>()
for (const c of cases) {
  for (const [, k] of versions) await pass(c, k)
  if (c.perShard !== undefined) continue
  const t = process.threadCpuUsage()
  let n = 0
  while (cpuMs(process.threadCpuUsage(t)) < 100) {
    await pass(c, current)
    n++
  }
  passes.set(c, n)
}
const samples = new Map<string, Array<number>>()
for (let r = 0; r < rounds; r++) {
  for (const c of cases) {
    for (const [v, k] of versions) {
      let ms: number
      if (c.perShard !== undefined) {
        const prepared = c.prepare?.(k, grids[0])
        const t = performance.now()
        await c.run(k, grids[0], prepared)
        ms = (performance.now() - t) / c.perShard
      } else {
        const n = passes.get(c)!
        const t = process.threadCpuUsage()
        for (let i = 0; i < n; i++) await pass(c, k)
        ms = cpuMs(process.threadCpuUsage(t)) / (n * grids.length)
      }
      samples.set(`${c.name}|${v}`, [...(samples.get(`${c.name}|${v}`) ?? []), ms])
    }
  }
}
const fastest = (xs: ReadonlyArray<number>) => Math.min(...xs)

console.log(
  `load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`
)
console.log(
  `| kernel | ms per chip |${baseline === undefined ? "" : ` baseline (${baselineRev}) ms | speed-up |`}`
)
console.log(`|---|---:|${baseline === undefined ? "" : "---:|---:|"}`)
const result: Record<string, unknown> = {}
let total = 0
let totalBase = 0
for (const c of cases) {
  const now = fastest(samples.get(`${c.name}|current`)!)
  if (c.alternative !== true) total += now
  const row: Record<string, number> = { ms: Number(now.toFixed(3)) }
  let line = `| ${c.name} | ${now.toFixed(3)} |`
  if (baseline !== undefined) {
    const before = fastest(samples.get(`${c.name}|baseline`)!)
    if (c.alternative !== true) totalBase += before
    row.baselineMs = Number(before.toFixed(3))
    row.speedUp = Number((before / now).toFixed(2))
    line += ` ${before.toFixed(3)} | ${(before / now).toFixed(2)}× |`
  }
  result[c.name] = row
  console.log(line)
}
console.log(
  `| total | ${total.toFixed(3)} |${baseline === undefined ? "" : ` ${totalBase.toFixed(3)} | ${(totalBase / total).toFixed(2)}× |`}`
)
console.log(
  JSON.stringify({
    loadAverage: loadavg()[0],
    msPerChip: Number(total.toFixed(3)),
    ...(baseline === undefined ? {} : { baselineMsPerChip: Number(totalBase.toFixed(3)) }),
    kernels: result
  })
)
