// Queue scaling of the network benchmark: N `eoforge worker` processes on a local redis-server, each
// building one shard at a time with one sample at a time, so that a worker is bound by round trips
// (latency `latencyMs`) rather than by the cores; an L2A-only recipe of the four 10 m bands keeps the CPU per
// chip small. Time: from the first job started to the last shard finished (worker start-up and finalize
// excluded), measured in this process.
import { spawn } from "node:child_process"
import { existsSync, mkdirSync, writeFileSync } from "node:fs"
import { availableParallelism } from "node:os"
import { join } from "node:path"
import type * as Catalogue from "./catalogue.ts"
import { cli, env, gcSummary, node, processCpu, runChild, threadCpu } from "./processes.ts"
import type * as Simulator from "./simulator.ts"
import * as Timeline from "./timeline.ts"

/** What a scaling run needs of the benchmark. */
export interface Options {
  readonly sim: Awaited<ReturnType<typeof Simulator.start>>
  readonly catalogue: Awaited<ReturnType<typeof Catalogue.start>>
  /** The benchmark's temporary folder (stores and recipes). */
  readonly dir: string
  /** The benchmark's recipe text for a store path. */
  readonly recipeOf: (store: string) => string
  /** Patches and chips in flight of the benchmark's recipe (replaced by the queue's own). */
  readonly patches: number
  readonly concurrency: number
  readonly workerCounts: ReadonlyArray<number>
  /** Header cache on, off or both (each worker count runs once per mode). */
  readonly headerCacheModes: ReadonlyArray<boolean>
  readonly profile: string
  readonly traceGc: boolean
  readonly timelineDir: string
  readonly latencyMs: number
  readonly queuePatches: number
  readonly queueShard: number
  /**
   * Process settings of the workers (each worker count runs every variant, back to back): node/V8 options
   * for the worker's command line and `NAME=value` environment variables (`workerVariants` parses them).
   */
  readonly variants: ReadonlyArray<WorkerVariant>
}

/** A worker process's own settings: options on its node command line and extra environment. */
export interface WorkerVariant {
  readonly text: string
  readonly argv: ReadonlyArray<string>
  readonly env: Readonly<Record<string, string>>
}

/**
 * `--worker-node-options "A|B|…"`: variants separated by `|` (an empty one is the default); in each, words
 * `NAME=value` (an upper-case name) are environment variables (UV_THREADPOOL_SIZE=1), the others node or V8
 * options put on the worker's command line (`--single-threaded-gc`: NODE_OPTIONS refuses most V8 flags).
 */
export const workerVariants = (text: string): ReadonlyArray<WorkerVariant> =>
  text.split("|").map((variant) => {
    const words = variant
      .trim()
      .split(/\s+/)
      .filter((w) => w !== "")
    const isEnv = (w: string) => /^[A-Z_][A-Z0-9_]*=/.test(w)
    return {
      text: variant.trim(),
      argv: words.filter((w) => !isEnv(w)),
      env: Object.fromEntries(
        words.filter(isEnv).map((w) => [w.slice(0, w.indexOf("=")), w.slice(w.indexOf("=") + 1)])
      )
    }
  })

/** One row per worker count and header-cache mode: rates, CPU, searches and where the time went. */
export const scaling = async ({
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
  latencyMs,
  queuePatches,
  queueShard,
  variants
}: Options): Promise<Array<Record<string, number>>> => {
  const scaling: Array<Record<string, number>> = []
  sim.configure({ latencyMs })
  const port = 6390 + (process.pid % 500)
  const redis = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    { stdio: "ignore" }
  )
  await new Promise((r) => setTimeout(r, 500))
  try {
    for (const count of workerCounts)
      for (const cached of headerCacheModes)
        for (const [v, variant] of variants.entries()) {
          const tag = `${count}${cached ? "" : "-uncached"}${variants.length > 1 ? `-v${v}` : ""}`
          const qstore = join(dir, `queue-${tag}.zarr`)
          const qrecipe = join(dir, `queue-${tag}.yaml`)
          writeFileSync(
            qrecipe,
            recipeOf(qstore)
              .replace(`count: ${patches}`, `count: ${queuePatches}`)
              .replace(/  - id: s2l1c[\s\S]*?same-datatake \}\n/, "")
              .replace(
                "    maxCloud: 10\n",
                "    maxCloud: 10\n    bands: [{ name: B02 }, { name: B03 }, { name: B04 }, { name: B08 }]\n"
              )
              .replace("shardSamples: 8", `shardSamples: ${queueShard}`)
              .replace(`concurrency: ${concurrency}`, "concurrency: 1")
          )
          const url = `redis://127.0.0.1:${port}`
          const queue = `net${tag}`
          let first = Infinity
          let last = 0
          let shardsDone = 0
          let ready = 0
          // With --trace-gc: the workers' GC lines (stdout).
          const gcLogs: Array<NodeJS.ReadableStream> = []
          let gcText = ""
          // Per worker: its jobs as received and finished (the timeline of where the run's time goes).
          const spans: Array<Array<Timeline.JobSpan>> = []
          // Each worker's CPU when its first shard job ended: what its later (warm) jobs cost is measured from it.
          const cpuWarm: Array<number | undefined> = Array.from({ length: count }, () => undefined)
          const workers = Array.from({ length: count }, (_, i) => {
            const jobs: Array<Timeline.JobSpan> = []
            spans.push(jobs)
            const child = spawn(
              node[0],
              [
                ...node.slice(1),
                ...variant.argv,
                ...(profile === ""
                  ? []
                  : ["--cpu-prof", `--cpu-prof-dir=${profile}/workers-${tag}`]),
                ...(traceGc ? ["--trace-gc", "--trace-incremental-marking"] : []),
                cli,
                "worker",
                "--redis",
                url,
                "--queue",
                queue,
                "--json",
                ...(cached ? [] : ["--no-header-cache"])
              ],
              {
                env: { ...env, ...variant.env },
                stdio: ["ignore", traceGc ? "pipe" : "ignore", "pipe"]
              }
            )
            if (traceGc) gcLogs.push(child.stdout!)
            let buffer = ""
            child.stderr!.on("data", (d) => {
              buffer += d
              const lines = buffer.split("\n")
              buffer = lines.pop()!
              for (const line of lines) {
                if (!line.startsWith("{")) continue
                const event = JSON.parse(line)
                if (event.type === "ready") ready++
                const now = performance.now()
                if (event.type === "active") {
                  first = Math.min(first, now)
                  if (event.job.kind === "shard")
                    jobs.push({ id: event.job.id, active: now, completed: undefined })
                }
                if (event.type === "completed" && event.chips !== undefined) {
                  last = Math.max(last, now)
                  shardsDone++
                  const span = jobs.findLast((j) => j.id === event.job.id)
                  if (span !== undefined) span.completed = now
                  cpuWarm[i] ??= processCpu(child.pid)
                }
              }
            })
            return child
          })
          // Work starts once every worker is connected: start-up (module loading, measured by the plan
          // benchmark) is not part of the throughput.
          for (const log of gcLogs) log.on("data", (d) => (gcText += d))
          while (ready < count) await new Promise((r) => setTimeout(r, 100))
          const cpu0 = workers.map((wk) => processCpu(wk.pid))
          const threads0 = workers.map((wk) => threadCpu(wk.pid))
          sim.reset()
          sim.record(true)
          const queueSearches0 = catalogue.searches()
          const ports = Timeline.watchPorts(Number(new URL(sim.url).port))
          const enq = await runChild(node[0], [
            ...node.slice(1),
            cli,
            "enqueue",
            qrecipe,
            "--redis",
            url,
            "--queue",
            queue
          ])
          if (enq.status !== 0) throw new Error(`enqueue failed: ${enq.stderr.slice(-2000)}`)
          const t = performance.now()
          while (!existsSync(join(qstore, "croissant.json"))) {
            await new Promise((r) => setTimeout(r, 200))
            if (performance.now() - t > 900_000) throw new Error("queue run over 15 min")
          }
          if (traceGc) {
            console.error(`queue gc (${tag} workers): ${gcSummary(gcText)}`)
            if (profile !== "") writeFileSync(join(profile, `workers-${tag}.gc.log`), gcText)
          }
          // The workers' CPU from all connected to the end (their start-up excluded), all threads.
          const cpuEnd = workers.map((wk) => processCpu(wk.pid))
          // The same by thread name, summed over workers (threads that ended in between are not counted).
          const threadsWork = new Map<string, number>()
          for (const [i, wk] of workers.entries())
            for (const [name, cpu] of threadCpu(wk.pid))
              threadsWork.set(
                name,
                (threadsWork.get(name) ?? 0) + cpu - (threads0[i].get(name) ?? 0)
              )
          const workCpu = workers.reduce((sum, _, i) => sum + cpuEnd[i] - cpu0[i], 0)
          const warmCpu = workers.reduce(
            (sum, _, i) => sum + cpuEnd[i] - (cpuWarm[i] ?? cpuEnd[i]),
            0
          )
          await ports.stop()
          const timeline = Timeline.analyse(
            workers.map((wk, i) => ({ pid: wk.pid ?? 0, jobs: spans[i] })),
            sim.record(false),
            ports.owner,
            first,
            last
          )
          console.error(`queue timeline (${tag} workers): ${JSON.stringify(timeline.summary)}`)
          if (timelineDir !== "") {
            mkdirSync(timelineDir, { recursive: true })
            writeFileSync(
              join(timelineDir, `workers-${tag}.json`),
              JSON.stringify(
                {
                  ...timeline,
                  spans: spans.map((jobs) =>
                    jobs.map((j) => ({
                      ...j,
                      active: j.active - first,
                      completed: (j.completed ?? NaN) - first
                    }))
                  )
                },
                null,
                1
              )
            )
          }
          for (const wk of workers) wk.kill("SIGTERM")
          await Promise.all(workers.map((wk) => new Promise((r) => wk.once("exit", r))))
          const seconds = (last - first) / 1000
          const c = sim.counters()
          scaling.push({
            workers: count,
            headerCache: cached ? 1 : 0,
            // Index into the run's `--worker-node-options` variants (0 when there is one).
            variant: v,
            // Catalogue requests of the whole run (each cell searched by one worker, the others wait for its list).
            searches: catalogue.searches() - queueSearches0,
            shards: shardsDone,
            seconds: Number(seconds.toFixed(1)),
            patchesPerS: Number((queuePatches / seconds).toFixed(3)),
            requests: c.requests,
            throttled: c.throttled,
            workerCpuSeconds: Number(workCpu.toFixed(1)),
            cpuSecondsPerPatch: Number((workCpu / queuePatches).toFixed(3)),
            // Its share by thread: `cpuMsPerPatch.main`, `.V8Worker` (GC and compiler helpers), `.libuv-worker`.
            ...Object.fromEntries(
              [...threadsWork].map(([name, cpu]) => [
                `cpuMsPerPatch.${name}`,
                Number(((cpu / queuePatches) * 1000).toFixed(0))
              ])
            ),
            // The cores' limit at this CPU per patch: below N × one worker's rate, the cores bind.
            cpuBoundPatchesPerS: Number(
              (availableParallelism() / (workCpu / queuePatches)).toFixed(3)
            ),
            ...timeline.summary,
            // Once warm (each worker's jobs after its first): the rate a long build tends to, and its CPU.
            warmPatchesPerS: Number((timeline.summary.warmJobsPerS * queueShard).toFixed(3)),
            warmCpuSecondsPerPatch: Number(
              (
                warmCpu /
                Math.max(1, timeline.workers.reduce((n, w) => n + w.laterJobs, 0) * queueShard)
              ).toFixed(3)
            )
          })
          console.error(
            `queue: ${tag} workers${variant.text === "" ? "" : ` (${variant.text})`}, ${shardsDone} shards in ${seconds.toFixed(1)} s (${(queuePatches / seconds).toFixed(2)} patches/s), workers' CPU ${workCpu.toFixed(1)} s`
          )
        }
  } finally {
    redis.kill("SIGTERM")
  }
  // Of linear: against the first worker count's row of the same header-cache setting.
  for (const row of scaling) {
    const base = scaling.find(
      (r) => r.headerCache === row.headerCache && r.variant === row.variant
    )!
    row.ofLinear = Number(
      (row.patchesPerS / (base.patchesPerS * (row.workers / base.workers))).toFixed(3)
    )
    row.warmOfLinear = Number(
      (row.warmPatchesPerS / (base.warmPatchesPerS * (row.workers / base.workers))).toFixed(3)
    )
  }
  return scaling
}
