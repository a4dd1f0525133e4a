// Where the bulk filter's time goes, per step and per unit of work, at two sizes of equal density:
//  - cities: the first --small candidates of the SSL4EO-like generator (σ 50 km) and --candidates of them at
//    σ × √(candidates / small) (gc.ts's "spread" set: wider clouds around neighbouring cities overlap, so
//    it is somewhat denser);
//  - uniform: --small and --candidates candidates uniform in five congruent spherical caps (sets.ts): the
//    same density and the same spread over the globe by construction.
// Main-thread CPU µs per candidate of each step of `acceptAll` (read, sort, gather, cells, decide, output),
// the kernel's share (`…Sys`: page faults of fresh working memory), and the decisions' work per candidate
// (neighbours scanned, within reach, decided by distance, exact clips, footprints converted). 2 runs per
// set, interleaved within each pair; with --compare each run is made with and without the centre-distance
// bounds (bounds.ts), interleaved too.
// Usage: npx node --conditions=@eoforge/source tools/bench/overlap/phases.ts [--candidates 5000000] [--small 1000000] [--compare]
// Last line: one JSON object.
import { loadavg } from "node:os"
import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"
import type { Patch } from "@eoforge/core"
import * as Bulk from "../../../packages/overlap/src/internal/bulk.ts"
import * as Lazy from "../../../packages/overlap/src/internal/lazy.ts"
import * as Sets from "./sets.ts"

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? Number(process.argv[i + 1]) : fallback
}
const candidates = arg("candidates", 5_000_000)
const small = arg("small", 1_000_000)
const modes = process.argv.includes("--compare") ? [false, true] : [true]
setFlagsFromString("--expose-gc")
const gc = runInNewContext("gc") as () => void
const usage = () => process.threadCpuUsage()

type Steps = Record<string, number>
const WORK = ["scanned", "withinReach", "byDistance", "exact", "converted"] as const
interface Run {
  readonly label: string
  readonly bounds: boolean
  readonly total: number
  readonly steps: Steps
  readonly work: Record<string, number>
  readonly rejected: number
  readonly hash: number
}

const run = (label: string, list: ReadonlyArray<Patch.Patch>, bounds: boolean): Run => {
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
    },
    bounds
  )
  if (accepted === undefined) throw new Error("the cube grid was too fine")
  const work = Object.fromEntries(
    WORK.map((name, k) => [name, Number((Lazy.work[k] / list.length).toFixed(3))])
  )
  let hash = 0
  for (let k = 0; k < accepted.length; k++) hash = (Math.imul(hash, 31) + accepted[k]) | 0
  const total = us(t.user + t.system - t0.user - t0.system)
  const rejected = Number((1 - accepted.length / list.length).toFixed(4))
  const result = { label, bounds, total, steps, work, rejected, hash }
  console.log(
    `${label.padEnd(8)} ${bounds ? "bounds" : "none  "} ${list.length} ${total} µs/cand, ${(100 * rejected).toFixed(1)} % rejected, steps ${JSON.stringify(steps)} work ${JSON.stringify(work)}`
  )
  return result
}

const runs: Array<Run> = []
const pair = (sets: Record<string, ReadonlyArray<Patch.Patch>>) => {
  for (let r = 0; r < 2; r++) {
    for (const [label, list] of Object.entries(sets)) {
      for (const bounds of modes) runs.push(run(label, list, bounds))
    }
  }
}
const loads = [loadavg()]
// One pair at a time, so that the heap holds at most 6 sets' worth of candidates.
let first: Array<Patch.Patch> | undefined = Sets.cities(50, small)
let spread: Array<Patch.Patch> | undefined = Sets.cities(
  50 * Math.sqrt(candidates / small),
  candidates
)
pair({ small: first, spread })
first = undefined
spread = undefined
loads.push(loadavg())
pair({
  uniform1: Sets.caps(small, 5, small / 5),
  uniform5: Sets.caps(candidates, 5, candidates / 5)
})
loads.push(loadavg())

const best = (label: string, bounds = true) =>
  runs.filter((r) => r.label === label && r.bounds === bounds).sort((a, b) => a.total - b.total)[0]
const summary = (bounds: boolean) => ({
  usPerCandidateSmall: best("small", bounds).total,
  usPerCandidateSpread: best("spread", bounds).total,
  usPerCandidateUniform1: best("uniform1", bounds).total,
  usPerCandidateUniform5: best("uniform5", bounds).total,
  ratioSpread: best("spread", bounds).total / best("small", bounds).total,
  ratioUniform: best("uniform5", bounds).total / best("uniform1", bounds).total,
  steps: Object.fromEntries(
    ["small", "spread", "uniform1", "uniform5"].map((l) => [l, best(l, bounds).steps])
  ),
  work: Object.fromEntries(
    ["small", "spread", "uniform1", "uniform5"].map((l) => [l, best(l, bounds).work])
  ),
  rejected: Object.fromEntries(
    ["small", "spread", "uniform1", "uniform5"].map((l) => [l, best(l, bounds).rejected])
  )
})
console.log(
  JSON.stringify({
    candidates,
    small,
    ...summary(true),
    ...(modes.length > 1 ? { withoutBounds: summary(false) } : {}),
    sameAcceptedEveryRun: new Set(runs.map((r) => `${r.label} ${r.hash}`)).size === 4,
    loadAverage: loads
  })
)
