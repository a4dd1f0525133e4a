// How much a hostile input cost: wall time and the peak growth of RSS and ArrayBuffer memory while it ran,
// sampled every 2 ms (and once at the end), as the hostile tests' memory bounds need.
import { Effect, type Exit } from "effect"

/** A run's result with its wall time (ms) and peak memory growth (MiB) over the process's use before it. */
export interface Measured<A> {
  readonly value: A
  readonly ms: number
  readonly rssMiB: number
  readonly buffersMiB: number
}

/** Runs `run`, measuring wall time and the peak RSS / ArrayBuffer growth while it runs. */
export const measured = async <A>(run: () => Promise<A>): Promise<Measured<A>> => {
  const before = process.memoryUsage()
  let rss = before.rss
  let buffers = before.arrayBuffers
  const sample = () => {
    const m = process.memoryUsage()
    rss = Math.max(rss, m.rss)
    buffers = Math.max(buffers, m.arrayBuffers)
  }
  const poll = setInterval(sample, 2)
  const start = performance.now()
  try {
    const value = await run()
    const ms = performance.now() - start
    sample()
    return {
      value,
      ms,
      rssMiB: (rss - before.rss) / 2 ** 20,
      buffersMiB: (buffers - before.arrayBuffers) / 2 ** 20
    }
  } finally {
    clearInterval(poll)
  }
}

/** `effect` run to its Exit, measured (for Effect-based tests). */
export const measuredExit = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.promise(() => measured(() => Effect.runPromiseExit(effect))).pipe(
    Effect.map(({ value, ...cost }) => ({ exit: value as Exit.Exit<A, E>, ...cost }))
  )
