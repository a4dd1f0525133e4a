// Where the bulk filter's time goes, per step, at two sizes of equal density: the first --small candidates of
// the SSL4EO-like generator (σ 50 km) and --candidates of them at σ × √(candidates / small) (as gc.ts's
// "spread" set). Main-thread CPU µs per candidate of each step of `acceptAll` (read, sort, gather, cells,
// decide, output) and the kernel's share of it (`…Sys`: page faults of fresh working memory), 2 runs each,
// interleaved. A step whose µs grows with size at equal density is a cache / address-translation effect.
// Usage: npx node --conditions=@eoforge/source tools/bench/overlap/phases.ts [--candidates 5000000] [--small 1000000]
// Last line: one JSON object.
import { loadavg } from "node:os"
import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"
import type { Patch } from "@eoforge/core"
import { PatchGeometry, Sampler } from "@eoforge/grid"
import * as Bulk from "../../../packages/overlap/src/internal/bulk.ts"

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? Number(process.argv[i + 1]) : fallback
}
const candidates = arg("candidates", 5_000_000)
const small = arg("small", 1_000_000)
setFlagsFromString("--expose-gc")
const gc = runInNewContext("gc") as () => void
const usage = () => process.threadCpuUsage()

const generate = (sigmaKm: number, count: number): Array<Patch.Patch> => {
  const list: Array<Patch.Patch> = []
  for (const s of Sampler.citiesGaussian({ seed: 42, topN: 10_000, sigmaKm, count })) {
    list.push(PatchGeometry.make({ lon: s.lon, lat: s.lat, size: 2640, resolution: 10, snap: 60 }))
  }
  return list
}

type Steps = Record<string, number>
const run = (list: ReadonlyArray<Patch.Patch>): { steps: Steps; total: number; hash: number } => {
  gc()
  const steps: Steps = {}
  const us = (micros: number) => Number((micros / list.length).toFixed(3))
  const t0 = usage()
  let t = t0
  const accepted = Bulk.acceptAll(
    list,
    0.25 + 1e-9,
    (i) => {
      throw new Error(`invalid footprint ${i}`)
    },
    Bulk.CACHE_BITS,
    (name) => {
      const now = usage()
      steps[name] = us(now.user + now.system - t.user - t.system)
      steps[`${name}Sys`] = us(now.system - t.system)
      t = now
    }
  )
  if (accepted === undefined) throw new Error("the cube grid was too fine")
  let hash = 0
  for (let k = 0; k < accepted.length; k++) hash = (Math.imul(hash, 31) + accepted[k]) | 0
  return { steps, total: us(t.user + t.system - t0.user - t0.system), hash }
}

const sets = {
  small: generate(50, small),
  spread: generate(50 * Math.sqrt(candidates / small), candidates)
}
const runs: Array<{ label: string; total: number; steps: Steps; hash: number }> = []
for (let r = 0; r < 2; r++) {
  for (const [label, list] of Object.entries(sets)) {
    const result = run(list)
    runs.push({ label, ...result })
    console.log(
      `${label.padEnd(6)} ${list.length} ${result.total} µs/cand ${JSON.stringify(result.steps)}`
    )
  }
}
const best = (label: string) =>
  runs.filter((r) => r.label === label).sort((a, b) => a.total - b.total)[0]
console.log(
  JSON.stringify({
    candidates,
    small,
    usPerCandidateSmall: best("small").total,
    usPerCandidateSpread: best("spread").total,
    ratioSpread: best("spread").total / best("small").total,
    stepsSmall: best("small").steps,
    stepsSpread: best("spread").steps,
    sameAcceptedEveryRun: new Set(runs.map((r) => `${r.label} ${r.hash}`)).size === 2,
    loadAverage: loadavg()
  })
)
