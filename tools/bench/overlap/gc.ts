// The bulk overlap filter at scale: does `filterAll` make V8 collect the caller's whole heap, and does its cost
// per candidate stay flat from 1M to 5M? Spawns itself with `--trace-gc` and counts the mark-compact events
// printed between a start and an end marker around each `filterAll` call (the caller holds all candidates).
// Three sets: the first --small of the large set (5× sparser around each city), the large set, and --small
// candidates with the large set's count per city over proportionally fewer cities. The share rejected
// (`rejected*`) says how far each is from the large set's work per candidate.
// Usage: npx node --conditions=@eoforge/source tools/bench/overlap/gc.ts [--candidates 5000000] [--small 1000000]
// Last line: one JSON object.
import { spawnSync } from "node:child_process"
import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"
import type { Patch } from "@eoforge/core"
import { PatchGeometry, Sampler } from "@eoforge/grid"
import { OverlapFilter } from "@eoforge/overlap"

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
  const patches: Array<Patch.Patch> = []
  for (const s of Sampler.citiesGaussian({
    seed: 42,
    topN: 10_000,
    sigmaKm: 50,
    count: candidates
  })) {
    patches.push(
      PatchGeometry.make({ lon: s.lon, lat: s.lat, size: 2640, resolution: 10, snap: 60 })
    )
  }
  // The same density as the large set at the small size: candidates per city as in the large set, over
  // proportionally fewer cities (the first `small` of the large set are 5× sparser, so fewer are rejected).
  const matched: Array<Patch.Patch> = []
  for (const s of Sampler.citiesGaussian({
    seed: 42,
    topN: Math.max(1, Math.round((10_000 * small) / candidates)),
    sigmaKm: 50,
    count: small
  })) {
    matched.push(
      PatchGeometry.make({ lon: s.lon, lat: s.lat, size: 2640, resolution: 10, snap: 60 })
    )
  }
  const run = (label: string, list: ReadonlyArray<Patch.Patch>) => {
    gc()
    console.log(`@@start ${label}`)
    const t0 = performance.now()
    const h0 = threadCpu()
    const { accepted } = OverlapFilter.filterAll(list, { maxOverlap: 0.25 })
    const threadSeconds = threadCpu() - h0
    const seconds = (performance.now() - t0) / 1000
    console.log(`@@end ${label}`)
    console.log(
      `@@result ${JSON.stringify({ label, n: list.length, accepted: accepted.length, seconds, threadSeconds })}`
    )
  }
  run("small", patches.slice(0, small))
  run("matched", matched)
  run("large", patches)
  run("small", patches.slice(0, small))
  run("matched", matched)
  run("large", patches)
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
    markCompacts: number
    scavenges: number
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
  const s = best("small")
  const l = best("large")
  const m = best("matched")
  for (const r of runs) {
    console.log(
      `${r.n.toLocaleString("en")} candidates: ${((r.threadSeconds / r.n) * 1e6).toFixed(2)} µs/cand thread CPU, ${((r.seconds / r.n) * 1e6).toFixed(2)} wall, ${r.markCompacts} mark-compact, ${r.scavenges} scavenges during filterAll`
    )
  }
  console.log(
    JSON.stringify({
      candidates,
      small,
      acceptedLarge: l.accepted,
      acceptedSmall: s.accepted,
      usPerCandidateLarge: (l.threadSeconds / l.n) * 1e6,
      usPerCandidateSmall: (s.threadSeconds / s.n) * 1e6,
      usPerCandidateMatched: (m.threadSeconds / m.n) * 1e6,
      rejectedLarge: 1 - l.accepted / l.n,
      rejectedSmall: 1 - s.accepted / s.n,
      rejectedMatched: 1 - m.accepted / m.n,
      wallUsPerCandidateLarge: (l.seconds / l.n) * 1e6,
      wallUsPerCandidateSmall: (s.seconds / s.n) * 1e6,
      markCompactsLarge: Math.max(
        ...runs.filter((r) => r.label === "large").map((r) => r.markCompacts)
      ),
      markCompactsSmall: Math.max(
        ...runs.filter((r) => r.label === "small").map((r) => r.markCompacts)
      )
    })
  )
}
