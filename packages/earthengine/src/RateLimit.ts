// Per-project request limits: at most `concurrency` requests in flight and request starts spaced
// 1/`perSecond` apart (Earth Engine's published defaults: 40 concurrent, 100 requests/s). Waits use the Clock.
import { Clock, Duration, Effect, Semaphore } from "effect"

/** Limits of one project. */
export interface Limits {
  /** Requests in flight. */
  readonly concurrency: number
  /** Request starts per second (0 = unlimited). */
  readonly perSecond: number
}

/** Earth Engine's default quota of a project. */
export const earthEngineDefaults: Limits = { concurrency: 40, perSecond: 100 }

/** A limiter and what it let through. */
export interface RateLimit {
  /** Run `effect` inside the limits. */
  readonly run: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  /** Requests started, the first and last start instant (ms) and the largest number in flight. */
  readonly stats: () => {
    readonly started: number
    readonly firstMs: number
    readonly lastMs: number
    readonly maxInFlight: number
  }
}

/** A limiter with the given limits. */
export const make = (limits: Limits): RateLimit => {
  const semaphore = Semaphore.makeUnsafe(Math.max(1, limits.concurrency))
  const interval = limits.perSecond > 0 ? 1000 / limits.perSecond : 0
  let next = 0
  let started = 0
  let firstMs = 0
  let lastMs = 0
  let inFlight = 0
  let maxInFlight = 0
  const pace = Effect.flatMap(Clock.currentTimeMillis, (now) => {
    const start = Math.max(now, next)
    next = start + interval
    return start > now ? Effect.sleep(Duration.millis(start - now)) : Effect.void
  })
  const enter = Effect.flatMap(Clock.currentTimeMillis, (now) =>
    Effect.sync(() => {
      if (started === 0) firstMs = now
      lastMs = now
      started++
      inFlight++
      maxInFlight = Math.max(maxInFlight, inFlight)
    })
  )
  const leave = Effect.sync(() => {
    inFlight--
  })
  return {
    run: (effect) =>
      Semaphore.withPermit(semaphore)(
        Effect.andThen(
          pace,
          Effect.acquireUseRelease(
            enter,
            () => effect,
            () => leave
          )
        )
      ),
    stats: () => ({ started, firstMs, lastMs, maxInFlight })
  }
}
