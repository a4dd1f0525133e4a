// End-to-end build over a simulated object store (simulator.ts: latency per request, shared bandwidth,
// request-rate limit, connection limit) and a local STAC API of real-shaped items (catalogue.ts): an
// SSL4EO-like recipe (264 px patches at 10 m, ≤ 25 % overlap, four seasons with a fallback year, Sentinel-2
// L2A under 10 % cloud and the L1C of its datatake, 25 band files per patch-season), then a Python peer
// reading the same chips with GDAL /vsicurl/ in 16 threads, against the same simulator in the same run.
// Reports patches/s, the simulator's bound (README: "Network-bound reading"), searches, requests and bytes
// per chip. Last line: one JSON object.
// Usage: npx node tools/bench/network/run.ts [--patches 192] [--threads 1] [--latency 40] [--mbps 200]
//        [--rps 500] [--connections 64] [--concurrency 16] [--workers 1,2,4,8 (queue scaling)] [--no-peer]
//        [--profile DIR (CPU profiles of the build's and the queue workers' main threads)] [--trace-gc]
//        [--keep-store DIR] [--worker-node-options "A|B" (queue workers' node/V8 options and NAME=value env)]
import { mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs"
import { availableParallelism, loadavg, tmpdir } from "node:os"
import { join } from "node:path"
import { Reader } from "@eoforge/zarr"
import { Effect } from "effect"
import * as Catalogue from "./catalogue.ts"
import { cli, cpuOf, gcSummary, node, runChild } from "./processes.ts"
import * as Queue from "./queue.ts"
import * as Simulator from "./simulator.ts"

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? process.argv[i + 1] : fallback
}
const patches = Number(arg("patches", "192"))
const limits: Simulator.Limits = {
  latencyMs: Number(arg("latency", "40")),
  bytesPerSecond: Number(arg("mbps", "200")) * 1e6,
  requestsPerSecond: Number(arg("rps", "500")),
  concurrency: Number(arg("connections", "64")),
  retryAfterS: 1
}
const concurrency = Number(arg("concurrency", "16"))
// Threads of the build (its --threads): shards built at once, each with `concurrency` chips in flight.
const threads = Number(arg("threads", "1"))
const workerCounts = arg("workers", "")
  .split(",")
  .filter((x) => x !== "")
  .map(Number)
const peer = !process.argv.includes("--no-peer")
// --profile DIR: the build writes a V8 CPU profile of its main thread into DIR.
const profile = arg("profile", "")
// --keep-store DIR: the single-process build's store is moved to DIR (to compare stores of two versions).
const keepStore = arg("keep-store", "")
// --trace-gc: the build's V8 GC events, summarised (mark-compacts, scavenges, their time and reasons).
const traceGc = process.argv.includes("--trace-gc")
// --timeline DIR: each queue run's per-worker jobs, gaps and round trips as workers-N.json.
const timelineDir = arg("timeline", "")
// --header-cache on|off|both: queue workers sharing headers through the store (the default) or not; with
// both, each worker count runs twice, with then without, back to back.
const headerCacheArg = arg("header-cache", "on")
const headerCacheModes =
  headerCacheArg === "both" ? [true, false] : headerCacheArg === "off" ? [false] : [true]
// Patches lie uniformly in a 1.6° × 1.2° area of northern Italy (six Sentinel-2 tiles, one UTM zone mostly).
const area: readonly [number, number, number, number] = [8.2, 45.2, 9.8, 46.4]

const loadStart = loadavg()
const sim = await Simulator.start(limits)
const catalogue = await Catalogue.start({
  region: [area[0] - 2, area[1] - 2, area[2] + 2, area[3] + 2],
  years: [2020, 2021],
  seed: 7,
  maxPage: 1000,
  assetBase: sim.url
})
const dir = mkdtempSync(join(tmpdir(), "eoforge-network-"))
const aoi = join(dir, "area.geojson")
writeFileSync(aoi, JSON.stringify(Catalogue.polygon(area)))
const recipeOf = (store: string) => `name: network-bench
seed: 42
sampling:
  sampler: aoi
  aoi: ${aoi}
  count: ${patches}
patch:
  size: 2640
  resolution: 10
  snap: 60
overlap:
  maxOverlap: 0.25
sources:
  earth-search:
    type: stac-api
    url: ${catalogue.url}
access:
  hosts: ["127.0.0.1"]
  allowPrivateNetworks: true
slots:
  seasons:
    kind: seasons
    year: 2021
    fallbackYear: 2020
    halfWindowDays: 15
    rule: least-cloudy
products:
  - id: s2l2a
    preset: sentinel-2-l2a
    source: earth-search
    slots: seasons
    maxCloud: 10
  - id: s2l1c
    preset: sentinel-2-l1c
    source: earth-search
    slots: seasons
    maxCloud: 10
    pair: { with: s2l2a, rule: same-datatake }
split:
  method: random
output:
  store: ${store}
  shardSamples: 8
concurrency: ${concurrency}
`
// 1. The single-process build.
const store = join(dir, "net.zarr")
const recipe = join(dir, "net.yaml")
writeFileSync(recipe, recipeOf(store))
sim.reset()
const searches0 = catalogue.searches()
const t0 = performance.now()
// This process's CPU (the simulator and the catalogue serving the build) shares the machine's cores with it.
const benchCpu0 = process.cpuUsage()
const buildThreads = new Map<string, number>()
const built = await runChild(
  "/usr/bin/time",
  [
    "-v",
    ...node,
    ...(profile === "" ? [] : ["--cpu-prof", `--cpu-prof-dir=${profile}`]),
    ...(traceGc ? ["--trace-gc", "--trace-incremental-marking"] : []),
    cli,
    "build",
    recipe,
    "--json",
    "--log-format",
    "json",
    "--threads",
    String(threads)
  ],
  buildThreads
)
const buildS = (performance.now() - t0) / 1000
const cpuSince = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1e6
const simulatorCpuS = cpuSince(process.cpuUsage(benchCpu0))
if (built.status !== 0) {
  console.error(built.stderr.slice(-4000))
  throw new Error(`the build failed with exit ${built.status}`)
}
const net = sim.counters()
const searches = catalogue.searches() - searches0
// With --trace-gc the build's stdout holds V8's GC lines around its JSON summary.
// Decoder threads may print theirs after it: the summary runs from a line "{" to the next line "}".
const jsonStart = Math.max(0, built.stdout.search(/^\{$/m))
const closing = /^\}$/m.exec(built.stdout.slice(jsonStart))
const jsonEnd = closing === null ? built.stdout.length : jsonStart + closing.index + 1
const printed = JSON.parse(built.stdout.slice(jsonStart, jsonEnd))
if (traceGc && profile !== "")
  writeFileSync(
    join(profile, "build-gc.txt"),
    built.stdout.slice(0, jsonStart) + built.stdout.slice(jsonEnd)
  )
if (traceGc)
  console.error(`gc: ${gcSummary(built.stdout.slice(0, jsonStart) + built.stdout.slice(jsonEnd))}`)
const summary = printed.summary
const cpuS = cpuOf(built.stderr)
const rssMB =
  Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(built.stderr)?.[1] ?? NaN) / 1024

// The chips with data, for the peer and the per-chip figures.
const chips: Array<{
  epsg: number
  x0: number
  y0: number
  size: number
  resolution: number
  urls: Array<string>
}> = []
let slots = 0
await Effect.runPromise(
  Effect.scoped(
    Effect.gen(function* () {
      const ds = yield* Reader.make(store)
      for (let i = 0; i < ds.layout.samples; i++) {
        const sample = yield* ds.readSample(i)
        for (const [product, ps] of Object.entries(sample.products)) {
          const keys = Object.entries(Simulator.bandResolution)
            .filter(([k]) => product === "s2l1c" || k !== "cirrus")
            .map(([k]) => k)
          ps.valid.forEach((v, t) => {
            slots++
            if (v !== 1) return
            chips.push({
              epsg: sample.epsg,
              x0: sample.x0,
              y0: sample.y0,
              size: 264,
              resolution: 10,
              urls: keys.map((k) => `${sim.url}/files/${ps.item[t]}/${k}.tif`)
            })
          })
        }
      }
    })
  )
)
const samples = summary.samples as number
const perChip = (x: number) => x / Math.max(1, chips.length)
const perPatch = (x: number) => x / Math.max(1, samples)
const patchesPerS = samples / buildS
// The simulator's bound on patches/s for reads costing what this build's did (README): the shared link
// (bytes), the request-rate limit (requests) and the connection limit over the latency (requests in flight).
const bounds = {
  bandwidth: limits.bytesPerSecond / perPatch(net.bytes),
  rate: limits.requestsPerSecond / perPatch(net.requests),
  connections: limits.concurrency / (limits.latencyMs / 1000) / perPatch(net.requests)
}
const boundPatchesPerS = Math.min(bounds.bandwidth, bounds.rate, bounds.connections)
// Requests the simulator was serving at once, on average over the build (the connections bound allows
// `connections`): low when the build waits on its own CPU or issues its requests one after another.
const meanInFlight = net.servingSeconds / buildS
// Seconds from the build's start to its first range request: start-up, plan, store, the first searches.
const firstRequestS = net.firstAt === undefined ? null : (net.firstAt - t0) / 1000
// When the build's events came (its JSON lines on stderr), in seconds from its start: the plan, the first
// range request, the first and last shard, finalize.
const startedAt = Date.now() - (performance.now() - t0)
const eventsAt = (type: string) =>
  built.stderr
    .split("\n")
    .filter((l) => l.startsWith("{") && l.includes(`"type":"${type}"`))
    .map((l) => (Date.parse(JSON.parse(l).time) - startedAt) / 1000)
const shardTimes = eventsAt("shard")
console.error(
  `timeline (s): plan ${eventsAt("plan")[0]?.toFixed(1)}, first request ${firstRequestS?.toFixed(1)}, first shard ${shardTimes[0]?.toFixed(1)}, last shard ${shardTimes.at(-1)?.toFixed(1)} (${shardTimes.length}), finalize ${eventsAt("finalize")[0]?.toFixed(1)}, end ${buildS.toFixed(1)}`
)
console.error(
  `build: ${samples} patches, ${chips.length} chips in ${buildS.toFixed(1)} s (${patchesPerS.toFixed(2)} patches/s, CPU ${cpuS.toFixed(1)} s); ${net.requests} requests (${net.throttled} throttled), ${(net.bytes / 1e6).toFixed(1)} MB, ${searches} searches; ${meanInFlight.toFixed(1)} requests in flight on average (at most ${net.maxInFlight}); bound ${boundPatchesPerS.toFixed(2)} patches/s ${JSON.stringify(bounds)}`
)

// 2. The peer: the same chips with GDAL /vsicurl/, 16 threads.
let peerResult:
  | {
      seconds: number
      cpuSeconds: number
      simulatorCpuSeconds: number
      requests: number
      bytes: number
      throttled: number
    }
  | undefined
if (peer) {
  const file = join(dir, "chips.json")
  writeFileSync(file, JSON.stringify(chips))
  sim.reset()
  const peerCpu0 = process.cpuUsage()
  const r = await runChild("/usr/bin/time", [
    "-v",
    "/usr/bin/python3",
    join(import.meta.dirname, "peer.py"),
    file,
    "16"
  ])
  if (r.status !== 0) {
    console.error(r.stderr.slice(-4000))
    throw new Error(`the peer failed with exit ${r.status}`)
  }
  const out = JSON.parse(r.stdout.trim().split("\n").at(-1)!)
  const c = sim.counters()
  peerResult = {
    seconds: out.seconds,
    cpuSeconds: Number(cpuOf(r.stderr).toFixed(1)),
    simulatorCpuSeconds: Number(cpuSince(process.cpuUsage(peerCpu0)).toFixed(1)),
    requests: c.requests,
    bytes: c.bytes,
    throttled: c.throttled
  }
  console.error(
    `peer: ${chips.length} chips in ${out.seconds.toFixed(1)} s (${(samples / out.seconds).toFixed(2)} patches/s); ${c.requests} requests (${c.throttled} throttled), ${(c.bytes / 1e6).toFixed(1)} MB`
  )
}

// 3. Queue scaling (queue.ts).
const scaling: Array<Record<string, number>> =
  workerCounts.length === 0
    ? []
    : await Queue.scaling({
        sim,
        catalogue,
        dir,
        recipeOf,
        patches,
        concurrency,
        workerCounts,
        headerCacheModes,
        profile,
        traceGc,
        timelineDir,
        latencyMs: Number(arg("queue-latency", "200")),
        queuePatches: Number(arg("queue-patches", "48")),
        // Shards of 2 samples: 24 jobs, so that 8 workers get 3 each and one slow shard does not set the time.
        queueShard: Number(arg("queue-shard", "2")),
        variants: Queue.workerVariants(arg("worker-node-options", ""))
      })

await sim.close()
await catalogue.close()
if (keepStore !== "") renameSync(store, keepStore)
rmSync(dir, { recursive: true, force: true })

const result = {
  patchesPerS: Number(patchesPerS.toFixed(3)),
  boundPatchesPerS: Number(boundPatchesPerS.toFixed(3)),
  peerPatchesPerS:
    peerResult === undefined ? null : Number((samples / peerResult.seconds).toFixed(3)),
  searchesPerChip: Number((searches / Math.max(1, slots)).toFixed(4)),
  requestsPerChip: Number(perChip(net.requests).toFixed(2)),
  bytesPerChip: Math.round(perChip(net.bytes)),
  ofBound: Number((patchesPerS / boundPatchesPerS).toFixed(3)),
  overPeer:
    peerResult === undefined
      ? null
      : Number((patchesPerS / (samples / peerResult.seconds)).toFixed(3)),
  patches: samples,
  chips: chips.length,
  slots,
  buildSeconds: Number(buildS.toFixed(1)),
  buildCpuSeconds: Number(cpuS.toFixed(1)),
  // This process's CPU while the build ran: the simulator and the catalogue serving it, on the same cores.
  simulatorCpuSeconds: Number(simulatorCpuS.toFixed(1)),
  buildMaxRssMB: Math.round(rssMB),
  // CPU ms per chip of the build's main thread and of its other threads by name (decoder threads, libuv's
  // pool, V8's GC helpers), from /proc: what one thread's work costs, whatever the machine's load.
  buildCpuMsPerChip: Object.fromEntries(
    [...buildThreads].map(([name, cpu]) => [name, Number(perChip(cpu * 1000).toFixed(1))])
  ),
  // The machine's own limit for each side: its cores ÷ the CPU seconds it spent per patch. Below the
  // simulator's bound, the cores bind, not the network.
  cores: availableParallelism(),
  cpuBoundPatchesPerS: Number((availableParallelism() / (cpuS / samples)).toFixed(3)),
  peerCpuBoundPatchesPerS:
    peerResult === undefined
      ? null
      : Number((availableParallelism() / (peerResult.cpuSeconds / samples)).toFixed(3)),
  threads,
  searches,
  requests: net.requests,
  // Of them, those starting in a file's header (opening it: IFDs, tile indexes) rather than in tile data.
  headerReads: net.headerReads,
  bytes: net.bytes,
  throttled: net.throttled,
  meanInFlight: Number(meanInFlight.toFixed(2)),
  firstRequestS: firstRequestS === null ? null : Number(firstRequestS.toFixed(2)),
  maxInFlight: net.maxInFlight,
  reportedByBuild: printed.transfer,
  bounds,
  peer:
    peerResult === undefined
      ? null
      : {
          ...peerResult,
          requestsPerChip: Number(perChip(peerResult.requests).toFixed(2)),
          bytesPerChip: Math.round(perChip(peerResult.bytes))
        },
  scaling,
  limits,
  concurrency,
  loadavg: { start: loadStart, end: loadavg() }
}
console.log(JSON.stringify(result))
