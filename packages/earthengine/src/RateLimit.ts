// Per-project request limits: at most `concurrency` requests in flight, request starts spaced 1/`perSecond`
// apart and never more than `perSecond` starts in any sliding second (Earth Engine's defaults: 40, 100/s).
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
    /** Most starts within one sliding second (0 when unlimited). */
    readonly peakPerSecond: number
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
  let peak = 0
  // Starts of the last second, checked at the instant of sending: a fiber that wakes late (a busy event
  // loop) waits again instead of joining a burst.
  const window: Array<number> = []
  const admit: Effect.Effect<void> = Effect.flatMap(Clock.currentTimeMillis, (now) => {
    while (window.length > 0 && window[0] <= now - 1000) window.shift()
    if (limits.perSecond <= 0 || window.length < limits.perSecond) {
      if (limits.perSecond > 0) window.push(now)
      peak = Math.max(peak, window.length)
      return Effect.void
    }
    return Effect.andThen(Effect.sleep(Duration.millis(window[0] + 1000 - now)), admit)
  })
  const pace = Effect.flatMap(Clock.currentTimeMillis, (now) => {
    const start = Math.max(now, next)
    next = start + interval
    return start > now ? Effect.andThen(Effect.sleep(Duration.millis(start - now)), admit) : admit
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
    stats: () => ({ started, firstMs, lastMs, maxInFlight, peakPerSecond: peak })
  }
}
