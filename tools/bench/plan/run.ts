// Planning at scale, two measurements. (1) Plan memory: `eoforge sample` and `eoforge build --dry-run` of a
// uniform recipe of --plan patches (the demo recipe with sampler sphere, 2,640 m at 10 m), each run as a
// user runs it, under /usr/bin/time -v: peak RSS, CPU and wall time, patches per CPU second. (2) A queue
// worker's start-up on a large store: the compact plan of --patches patches written as the coordinator
// writes it, then, in a fresh process, what a worker does before its first chip: load and resolve the
// ssl4eo-s12 recipe, open the plan by slices (header and split column), read one shard's rows.
// Reports wall time, CPU time (user + system, whole process: module loading included; the wall time on a
// shared machine includes waiting for a core) and peak RSS of that process. Last line: one JSON object.
// Usage: npx node --conditions=@eoforge/source tools/bench/plan/run.ts [--patches 1000000] [--shard 256]
//        [--dist (the worker loads the compiled packages, as installed; run `npm run build` first)]
//   [--plan 10000000] (--plan 0 skips the plan-memory runs)
import { PatchGeometry, Sampler } from "@eoforge/grid"
import { spawnSync } from "node:child_process"
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Build, PlanFile } from "@eoforge/pipeline"
import { Store } from "@eoforge/zarr"
import { Effect } from "effect"
import { readFileSync } from "node:fs"

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? Number(process.argv[i + 1]) : fallback
}

if (process.argv.includes("--child")) {
  // The worker side: everything before the first chip of one shard.
  const t0 = performance.now()
  const file = process.argv[process.argv.indexOf("--child") + 1]
  const shard = arg("shard", 256)
  const resolved = await Effect.runPromise(Build.resolveRecipe("ssl4eo-s12"))
  const recipeMs = performance.now() - t0
  const store = join(file, "..", "..")
  const sliced = await Effect.runPromise(PlanFile.open(Store.makeFileSystem(store), file))
  if (sliced === undefined) throw new Error(`no plan at ${file}`)
  const start = Math.floor(sliced.length / 2)
  const patches = await Effect.runPromise(sliced.range(start, start + shard))
  const ms = performance.now() - t0
  console.log(
    JSON.stringify({
      ms,
      cpuMs: (process.cpuUsage().user + process.cpuUsage().system) / 1000,
      recipeMs,
      maxRssMB: process.resourceUsage().maxRSS / 1024,
      products: resolved.products.length,
      rebuilt: patches.length,
      firstId: patches[0].id
    })
  )
} else {
  const n = arg("patches", 1_000_000)
  const shard = arg("shard", 256)
  const t0 = performance.now()
  const columns: PlanFile.Columns = {
    lon: new Float64Array(n),
    lat: new Float64Array(n),
    x0: new Float64Array(n),
    y0: new Float64Array(n),
    epsg: new Uint32Array(n),
    splits: new Uint8Array(n)
  }
  let i = 0
  for (const s of Sampler.uniformSphere({ seed: 1 })) {
    if (i >= n) break
    const p = PatchGeometry.make({ lon: s.lon, lat: s.lat, size: 2640, resolution: 10, snap: 60 })
    columns.lon[i] = p.lon
    columns.lat[i] = p.lat
    columns.x0[i] = p.grid.x0
    columns.y0[i] = p.grid.y0
    columns.epsg[i] = Number(p.id.split("-")[0])
    columns.splits[i] = i % 10 === 0 ? 1 : 0
    i++
  }
  const bytes = PlanFile.fromColumns(
    {
      count: n,
      size: 2640,
      resolution: 10,
      snap: 60,
      splitFit: {
        method: "random",
        seed: 1,
        proportions: { train: 0.9, val: 0.1, test: 0 }
      } as never,
      sampling: { candidates: n, accepted: n, rejected: 0 },
      splitCounts: { train: n - Math.ceil(n / 10), val: Math.ceil(n / 10), test: 0, guard: 0 }
    },
    columns
  )
  const dir = mkdtempSync(join(tmpdir(), "eoforge-plan-bench-"))
  mkdirSync(join(dir, ".eoforge"))
  const file = join(dir, PlanFile.key)
  writeFileSync(file, bytes)
  const writeS = (performance.now() - t0) / 1000
  const spawned = performance.now()
  // --dist: the worker loads the compiled packages (dist/, as installed from npm; `npm run build` first)
  // instead of the TypeScript sources.
  const dist = process.argv.includes("--dist")
  const env = { ...process.env }
  if (dist)
    env.NODE_OPTIONS = (env.NODE_OPTIONS ?? "").replace(/--conditions=@eoforge\/source/g, "")
  const child = spawnSync(
    process.execPath,
    [
      ...(dist ? [] : ["--conditions=@eoforge/source"]),
      import.meta.filename,
      "--child",
      file,
      "--shard",
      String(shard)
    ],
    { encoding: "utf8", env }
  )
  // The whole worker process, from spawn to exit: node start-up and module loading included.
  const workerProcessMs = performance.now() - spawned
  rmSync(dir, { recursive: true, force: true })
  if (child.status !== 0) throw new Error(child.stderr)
  const worker = JSON.parse(child.stdout.trim().split("\n").at(-1)!)
  const planned = arg("plan", 10_000_000)
  const memory = planned > 0 ? planMemory(planned) : undefined
  console.log(
    JSON.stringify({
      ...memory,
      patches: n,
      planBytes: bytes.length,
      bytesPerPatch: bytes.length / n,
      writeSeconds: writeS,
      workerStartMs: worker.ms,
      workerProcessMs,
      workerCpuMs: worker.cpuMs,
      workerRecipeAndImportMs: worker.recipeMs,
      workerMaxRssMB: worker.maxRssMB,
      shardPatches: worker.rebuilt,
      workerLoads: dist ? "dist" : "sources"
    })
  )
}

// `eoforge <args>` under /usr/bin/time -v: peak RSS (MiB), user + system CPU (s), wall (s).
function timed(args: ReadonlyArray<string>) {
  const cli = join(import.meta.dirname, "..", "..", "..", "packages", "cli", "bin", "eoforge.js")
  const out = spawnSync("/usr/bin/time", ["-v", process.execPath, cli, ...args], {
    encoding: "utf8",
    maxBuffer: 1 << 28
  })
  if (out.status !== 0) throw new Error(`eoforge ${args.join(" ")}: ${out.stderr}`)
  const field = (name: string) => {
    const line = out.stderr.split("\n").find((l) => l.trim().startsWith(name))
    return line === undefined ? "" : line.slice(line.indexOf("): ") + 3).trim()
  }
  // h:mm:ss or m:ss.
  const clock = field("Elapsed (wall clock) time (h:mm:ss or m:ss)").split(":").map(Number)
  return {
    peakMiB: Number(field("Maximum resident set size (kbytes)")) / 1024,
    cpuSeconds: Number(field("User time (seconds)")) + Number(field("System time (seconds)")),
    wallSeconds: clock.reduce((t, x) => t * 60 + x, 0),
    stdout: out.stdout
  }
}

// The demo recipe turned into a uniform one of n patches (catalogue paths made absolute).
function planMemory(n: number) {
  const root = join(import.meta.dirname, "..", "..", "..")
  const text = readFileSync(join(root, "packages", "pipeline", "recipes", "demo.yaml"), "utf8")
    .replace(
      /sampling:\n(?: {2}.*\n)+/,
      `sampling:\n  sampler: sphere\n  count: ${n}\n  maxCandidates: ${4 * n}\n`
    )
    .replace(/patch:\n(?: {2}.*\n)+/, "patch:\n  size: 2640\n  resolution: 10\n  snap: 60\n")
    .replaceAll("../../../fixtures/", `${join(root, "fixtures")}/`)
  const dir = mkdtempSync(join(tmpdir(), "eoforge-plan-memory-"))
  const recipe = join(dir, "uniform.yaml")
  writeFileSync(recipe, text)
  try {
    const sample = timed(["sample", recipe, "--json"])
    const accepted = (JSON.parse(sample.stdout) as { accepted: number }).accepted
    const dry = timed(["build", recipe, "--dry-run", "--out", join(dir, "u.zarr")])
    return {
      planPatches: accepted,
      samplePeakMiB: sample.peakMiB,
      sampleCpuSeconds: sample.cpuSeconds,
      sampleWallSeconds: sample.wallSeconds,
      patchesPerS: accepted / sample.cpuSeconds,
      dryRunPeakMiB: dry.peakMiB,
      dryRunCpuSeconds: dry.cpuSeconds,
      dryRunWallSeconds: dry.wallSeconds,
      peakMiB: Math.max(sample.peakMiB, dry.peakMiB)
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
