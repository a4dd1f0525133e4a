// A queue worker's start-up on a large store: the compact plan of N patches (uniform on the sphere, 2,640 m,
// 10 m) written as the coordinator writes it, then, in a fresh process, what a worker does before its first
// chip: load and resolve the ssl4eo-s12 recipe, read and decode the plan, rebuild one shard's patches.
// Reports wall time, CPU time (user + system, whole process: module loading included; the wall time on a
// shared machine includes waiting for a core) and peak RSS of that process. Last line: one JSON object.
// Usage: npx node --conditions=@eoforge/source tools/bench/plan/run.ts [--patches 1000000] [--shard 256]
import { PatchGeometry, Sampler } from "@eoforge/grid"
import { spawnSync } from "node:child_process"
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Build, PlanFile } from "@eoforge/pipeline"
import { Effect } from "effect"
import { readFile } from "node:fs/promises"

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
  const compact = PlanFile.decode(new Uint8Array(await readFile(file)), file)
  if (compact instanceof PlanFile.PlanFileError) throw compact
  const start = Math.floor(compact.length / 2)
  const patches = Array.from({ length: shard }, (_, i) => compact.at(start + i)!)
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
  const child = spawnSync(
    process.execPath,
    [
      "--conditions=@eoforge/source",
      import.meta.filename,
      "--child",
      file,
      "--shard",
      String(shard)
    ],
    { encoding: "utf8" }
  )
  rmSync(dir, { recursive: true, force: true })
  if (child.status !== 0) throw new Error(child.stderr)
  const worker = JSON.parse(child.stdout.trim().split("\n").at(-1)!)
  console.log(
    JSON.stringify({
      patches: n,
      planBytes: bytes.length,
      bytesPerPatch: bytes.length / n,
      writeSeconds: writeS,
      workerStartMs: worker.ms,
      workerCpuMs: worker.cpuMs,
      workerRecipeAndImportMs: worker.recipeMs,
      workerMaxRssMB: worker.maxRssMB,
      shardPatches: worker.rebuilt
    })
  )
}
