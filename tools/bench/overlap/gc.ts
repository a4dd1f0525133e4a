// The bulk overlap filter at scale: does `filterAll` make V8 collect the caller's whole heap, and does its cost
// per candidate stay flat from 1M to 5M? Spawns itself with `--trace-gc` and counts the mark-compact events
// printed between a start and an end marker around each `filterAll` call (the caller holds all candidates).
// Five sets: the large set, its first --small (5× sparser around each city), "spread": as many candidates as
// the large set from the same generator over an area N / small times larger (σ × √(N / small)) — near the
// small set's density, but neighbouring cities' wider clouds overlap, so denser — and "uniform1" / "uniform5":
// --small and --candidates uniform candidates in five congruent spherical caps (sets.ts), the same density
// and spread over the globe by construction, so the cost of size (GC, superlinear work) is shown apart from the cost of density. The share
// rejected (`rejected*`) and the decisions' work per candidate (neighbours scanned, exact clips, …) say how
// dense each set is.
// Usage: npx node --conditions=@eoforge/source tools/bench/overlap/gc.ts [--candidates 5000000] [--small 1000000]
// Last line: one JSON object.
import { spawnSync } from "node:child_process"
import { loadavg } from "node:os"
import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"
import type { Patch } from "@eoforge/core"
import { OverlapFilter } from "@eoforge/overlap"
import * as Lazy from "../../../packages/overlap/src/internal/lazy.ts"
import * as Sets from "./sets.ts"

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? Number(process.argv[i + 1]) : fallback
}
const candidates = arg("candidates", 5_000_000)
const small = arg("small", 1_000_000)

const threadCpu = () => {
  const u = process.threadCpuUsage()
  return (u.user + u.system) / 1e6
}

if (process.argv.includes("--child")) {
  setFlagsFromString("--expose-gc")
  const gc = runInNewContext("gc") as () => void
  // SSL4EO-like candidates (as tools/bench/overlap/run.ts): cities-Gaussian, 2,640 m at 10 m, snap 60 m.
  const generate = Sets.cities
  const run = (label: string, list: ReadonlyArray<Patch.Patch>) => {
    gc()
    console.log(`@@start ${label}`)
    const t0 = performance.now()
    const h0 = threadCpu()
    const { accepted } = OverlapFilter.filterAll(list, { maxOverlap: 0.25 })
    const threadSeconds = threadCpu() - h0
    const seconds = (performance.now() - t0) / 1000
    console.log(`@@end ${label}`)
    // The decisions' work (lazy.ts), per candidate: the same module instance as the package's.
    const work = Object.fromEntries(
      ["scanned", "withinReach", "byDistance", "exact", "converted"].map((name, k) => [
        name,
        Number((Lazy.work[k] / list.length).toFixed(3))
      ])
    )
    let hash = 0
    for (let k = 0; k < accepted.length; k++) hash = (Math.imul(hash, 31) + accepted[k]) | 0
    console.log(
      `@@result ${JSON.stringify({ label, n: list.length, accepted: accepted.length, hash, seconds, threadSeconds, work })}`
    )
  }
  // The large set (σ 50 km) and its first `small` candidates (5× sparser around each city), interleaved.
  let large: Array<Patch.Patch> | undefined = generate(50, candidates)
  const first = large.slice(0, small)
  run("small", first)
  run("large", large)
  run("small", first)
  run("large", large)
  large = undefined
  // As many candidates as the large set at the small set's density: the same generator with σ × √(N / small),
  // so each city's candidates spread over an area N / small times larger.
  let spread: Array<Patch.Patch> | undefined = generate(
    50 * Math.sqrt(candidates / small),
    candidates
  )
  run("spread", spread)
  run("small", first)
  run("spread", spread)
  spread = undefined
  // Uniform in five congruent caps, --small and --candidates of them at one density.
  const one = Sets.caps(small, 5, small / 5)
  const five = Sets.caps(candidates, 5, candidates / 5)
  run("uniform1", one)
  run("uniform5", five)
  run("uniform1", one)
  run("uniform5", five)
} else {
  const child = spawnSync(
    process.execPath,
    [
      "--conditions=@eoforge/source",
      "--trace-gc",
      "--max-old-space-size=12000",
      import.meta.filename,
      "--child",
      "--candidates",
      String(candidates),
      "--small",
      String(small)
    ],
    { encoding: "utf8", maxBuffer: 1 << 30 }
  )
  if (child.status !== 0) throw new Error(child.stderr)
  const lines = child.stdout.split("\n")
  interface Run {
    label: string
    n: number
    accepted: number
    seconds: number
    threadSeconds: number
    hash: number
    markCompacts: number
    scavenges: number
    work: Record<string, number>
  }
  const runs: Array<Run> = []
  let inside = false
  let marks = 0
  let scavenges = 0
  for (const line of lines) {
    if (line.startsWith("@@start")) {
      inside = true
      marks = 0
      scavenges = 0
    } else if (line.startsWith("@@end")) inside = false
    else if (line.startsWith("@@result")) {
      runs.push({ ...JSON.parse(line.slice(9)), markCompacts: marks, scavenges })
    } else if (inside && line.includes("Mark-Compact")) marks++
    else if (inside && line.includes("Scavenge")) scavenges++
  }
  const best = (label: string) =>
    runs.filter((r) => r.label === label).sort((a, b) => a.threadSeconds - b.threadSeconds)[0]
  const most = (label: string) =>
    Math.max(...runs.filter((r) => r.label === label).map((r) => r.markCompacts))
  const same = (label: string) =>
    new Set(runs.filter((r) => r.label === label).map((r) => r.hash)).size === 1
  const s = best("small")
  const l = best("large")
  const w = best("spread")
  const u1 = best("uniform1")
  const u5 = best("uniform5")
  const us = (r: Run) => (r.threadSeconds / r.n) * 1e6
  for (const r of runs) {
    console.log(
      `${r.label.padEnd(6)} ${r.n.toLocaleString("en")} candidates: ${us(r).toFixed(2)} µs/cand thread CPU, ${((r.seconds / r.n) * 1e6).toFixed(2)} wall, ${r.accepted.toLocaleString("en")} accepted (${(100 * (1 - r.accepted / r.n)).toFixed(1)} % rejected), ${r.markCompacts} mark-compact, ${r.scavenges} scavenges during filterAll; per candidate ${r.work.scanned} neighbours scanned, ${r.work.exact} exact clips, ${r.work.byDistance} decided by distance, ${r.work.converted} converted`
    )
  }
  const load = loadavg()
  console.log(
    `large / small ${(us(l) / us(s)).toFixed(2)}×, spread / small ${(us(w) / us(s)).toFixed(2)}×, uniform5 / uniform1 ${(us(u5) / us(u1)).toFixed(2)}× (main-thread CPU, best runs); load average ${load.map((v) => v.toFixed(1)).join(" ")}`
  )
  console.log(
    JSON.stringify({
      candidates,
      small,
      acceptedLarge: l.accepted,
      acceptedSmall: s.accepted,
      acceptedSpread: w.accepted,
      acceptedUniform1: u1.accepted,
      acceptedUniform5: u5.accepted,
      sameAcceptedEveryRun:
        same("small") && same("large") && same("spread") && same("uniform1") && same("uniform5"),
      usPerCandidateLarge: us(l),
      usPerCandidateSmall: us(s),
      usPerCandidateSpread: us(w),
      ratioLarge: us(l) / us(s),
      ratioSpread: us(w) / us(s),
      usPerCandidateUniform1: us(u1),
      usPerCandidateUniform5: us(u5),
      ratioUniform: us(u5) / us(u1),
      work: { small: s.work, large: l.work, spread: w.work, uniform1: u1.work, uniform5: u5.work },
      rejectedLarge: 1 - l.accepted / l.n,
      rejectedSmall: 1 - s.accepted / s.n,
      rejectedSpread: 1 - w.accepted / w.n,
      rejectedUniform1: 1 - u1.accepted / u1.n,
      rejectedUniform5: 1 - u5.accepted / u5.n,
      wallUsPerCandidateLarge: (l.seconds / l.n) * 1e6,
      wallUsPerCandidateSmall: (s.seconds / s.n) * 1e6,
      wallUsPerCandidateSpread: (w.seconds / w.n) * 1e6,
      wallUsPerCandidateUniform1: (u1.seconds / u1.n) * 1e6,
      wallUsPerCandidateUniform5: (u5.seconds / u5.n) * 1e6,
      markCompactsLarge: most("large"),
      markCompactsSmall: most("small"),
      markCompactsSpread: most("spread"),
      markCompactsUniform1: most("uniform1"),
      markCompactsUniform5: most("uniform5"),
      loadAverage: load
    })
  )
}
