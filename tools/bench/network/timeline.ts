// Where a queue run's time goes, per worker: jobs received and finished (the workers' JSON events, timed on
// arrival here), the gaps between one job's end and the next one's start, the idle tail once a worker has
// no job left, and the worker's round trips to the simulator (its requests, told apart by the client port
// of each connection, mapped to the worker's pid with `ss -tnp`).
import { spawn } from "node:child_process"
import type * as Simulator from "./simulator.ts"

/** A job as one worker ran it: times in ms (performance.now() of this process). */
export interface JobSpan {
  readonly id: string
  readonly active: number
  completed: number | undefined
}

/** Client ports of connections to `serverPort`, mapped to the pid owning them, from `ss -tnp` every 250 ms. */
export const watchPorts = (serverPort: number) => {
  const owner = new Map<number, number>()
  let stopped = false
  const poll = () =>
    new Promise<void>((resolve) => {
      const ss = spawn("ss", ["-tnpH"], { stdio: ["ignore", "pipe", "ignore"] })
      let out = ""
      ss.stdout.on("data", (d) => (out += d))
      ss.on("close", () => {
        for (const line of out.split("\n")) {
          const m = /127\.0\.0\.1:(\d+)\s+127\.0\.0\.1:(\d+)\s+users:\(\("[^"]*",pid=(\d+)/.exec(
            line
          )
          if (m !== null && Number(m[2]) === serverPort) owner.set(Number(m[1]), Number(m[3]))
        }
        resolve()
      })
      ss.on("error", () => resolve())
    })
  const loop = (async () => {
    while (!stopped) {
      await poll()
      await new Promise((r) => setTimeout(r, 250))
    }
  })()
  return {
    owner,
    stop: async () => {
      stopped = true
      await loop
      await poll()
    }
  }
}

// Total length of the union of intervals (sorted by start here).
const unionMs = (intervals: Array<readonly [number, number]>): number => {
  intervals.sort((a, b) => a[0] - b[0])
  let total = 0
  let from = -Infinity
  let to = -Infinity
  for (const [a, b] of intervals) {
    if (a > to) {
      if (to > from) total += to - from
      from = a
      to = b
    } else to = Math.max(to, b)
  }
  if (to > from) total += to - from
  return total
}

/** One worker's figures over a run from `start` to `end` (ms). */
export interface WorkerFigures {
  readonly pid: number
  readonly jobs: number
  /** Sum of its jobs' durations (received → finished), s. */
  readonly jobSeconds: number
  /** Between a job finished and the next one received, summed and the longest, ms. */
  readonly gapMs: number
  readonly maxGapMs: number
  /** From the run's start to its first job, and from its last job to the run's end, s. */
  readonly startS: number
  readonly idleTailS: number
  readonly requests: number
  readonly headerRequests: number
  /** Share of its job time with at least one of its requests in flight at the simulator. */
  readonly networkShare: number
  /** Its first job's duration, s (start-up of the job path: plan, searches, headers, cold code). */
  readonly firstJobS: number
  /** Jobs after its first, and the time from its first job's end to its last's, s. */
  readonly laterJobs: number
  readonly laterSpanS: number
}

/**
 * Jobs per second once every worker has finished its first job: one window for all workers (from the last
 * first job's end to the last job's end), so that workers warm at different times are not added up over
 * windows that do not overlap.
 */
const warmRate = (workers: ReadonlyArray<{ readonly jobs: ReadonlyArray<JobSpan> }>): number => {
  const ends = workers.map((w) =>
    w.jobs.flatMap((j) => (j.completed === undefined ? [] : [j.completed])).sort((a, b) => a - b)
  )
  const busy = ends.filter((e) => e.length > 0)
  if (busy.length === 0) return 0
  const warmFrom = Math.max(...busy.map((e) => e[0]))
  const last = Math.max(...busy.map((e) => e.at(-1)!))
  const after = busy.reduce((n, e) => n + e.filter((t) => t > warmFrom).length, 0)
  return last > warmFrom ? Number((after / ((last - warmFrom) / 1000)).toFixed(3)) : 0
}

/** Figures per worker and for the run. */
export const analyse = (
  workers: ReadonlyArray<{ readonly pid: number; readonly jobs: ReadonlyArray<JobSpan> }>,
  served: ReadonlyArray<Simulator.Served>,
  owner: ReadonlyMap<number, number>,
  start: number,
  end: number
) => {
  const figures: Array<WorkerFigures> = workers.map(({ pid, jobs }) => {
    const done = jobs.flatMap((j) =>
      j.completed === undefined ? [] : [{ active: j.active, completed: j.completed }]
    )
    done.sort((a, b) => a.active - b.active)
    let gap = 0
    let maxGap = 0
    for (let i = 1; i < done.length; i++) {
      const g = done[i].active - done[i - 1].completed
      gap += g
      maxGap = Math.max(maxGap, g)
    }
    const mine = served.filter((r) => owner.get(r.port) === pid)
    const jobMs = done.reduce((sum, j) => sum + (j.completed - j.active), 0)
    // Time of its jobs with a request of it in flight.
    let covered = 0
    for (const j of done) {
      const inside = mine
        .filter((r) => r.t1 > j.active && r.t0 < j.completed)
        .map((r) => [Math.max(r.t0, j.active), Math.min(r.t1, j.completed)] as const)
      covered += unionMs(inside)
    }
    return {
      pid,
      jobs: done.length,
      jobSeconds: Number((jobMs / 1000).toFixed(2)),
      gapMs: Math.round(gap),
      maxGapMs: Math.round(maxGap),
      startS: Number((((done[0]?.active ?? end) - start) / 1000).toFixed(2)),
      idleTailS: Number(((end - (done.at(-1)?.completed ?? start)) / 1000).toFixed(2)),
      requests: mine.length,
      headerRequests: mine.filter((r) => r.header).length,
      networkShare: Number((covered / Math.max(1, jobMs)).toFixed(3)),
      firstJobS: Number(
        ((done.length === 0 ? 0 : done[0].completed - done[0].active) / 1000).toFixed(2)
      ),
      laterJobs: Math.max(0, done.length - 1),
      laterSpanS: Number(
        ((done.length < 2 ? 0 : done.at(-1)!.completed - done[0].completed) / 1000).toFixed(2)
      )
    }
  })
  const n = Math.max(1, figures.length)
  const jobs = figures.reduce((s, f) => s + f.jobs, 0)
  const sum = (f: (w: WorkerFigures) => number) => figures.reduce((s, w) => s + f(w), 0)
  return {
    workers: figures,
    summary: {
      // Seconds of the run per worker: working, waiting between jobs, before the first and after the last.
      jobSecondsPerWorker: Number((sum((w) => w.jobSeconds) / n).toFixed(2)),
      meanGapMs: Math.round(sum((w) => w.gapMs) / Math.max(1, jobs - figures.length)),
      gapSecondsPerWorker: Number((sum((w) => w.gapMs) / 1000 / n).toFixed(2)),
      startSecondsPerWorker: Number((sum((w) => w.startS) / n).toFixed(2)),
      idleTailSecondsPerWorker: Number((sum((w) => w.idleTailS) / n).toFixed(2)),
      secondsPerJob: Number((sum((w) => w.jobSeconds) / Math.max(1, jobs)).toFixed(2)),
      // A worker's first job against its later ones: the part of a short run that a long build amortises.
      firstJobSeconds: Number((sum((w) => w.firstJobS) / n).toFixed(2)),
      laterJobSeconds: Number(
        (
          (sum((w) => w.jobSeconds) - sum((w) => w.firstJobS)) /
          Math.max(
            1,
            sum((w) => w.laterJobs)
          )
        ).toFixed(2)
      ),
      // Jobs per second of all workers together once every one is warm: the jobs finished after the last
      // worker's first job ended, over the time from then to the run's last job (its tail included); 0
      // when no job finished after that.
      warmJobsPerS: warmRate(workers),
      unattributed: served.filter((r) => !owner.has(r.port)).length,
      headerRequests: served.filter((r) => r.header).length,
      networkShare: Number(
        (
          sum((w) => w.networkShare * w.jobSeconds) /
          Math.max(
            1e-9,
            sum((w) => w.jobSeconds)
          )
        ).toFixed(3)
      )
    }
  }
}
