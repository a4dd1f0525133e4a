// Request pacing per host after throttling answers (429, 503 SlowDown): a rate that adapts — set from what the
// host admitted at its first refusal, cut on each later one, raised while it holds requests back — so that
// a build sends at the rate the host serves instead of bursting, being refused and stalling on Retry-After.

/** Time as the caller sees it (ms), and a way to wait. */
export interface Clock {
  readonly now: () => number
  readonly sleep: (ms: number) => Promise<void>
}

/** How a pacer adapts. */
export interface Options {
  /** Share of the rate kept when the host refuses a request sent at that rate (multiplicative decrease). */
  readonly decrease: number
  /**
   * Requests per second added per second while the pacer holds requests back, as a share of the rate set
   * by the last refusal (additive increase; at least `minRate`): 0.05 gives back a 30 % cut in 6 s. The rate
   * set at the first refusal is only what the host served then (a build refused for a burst was asking less
   * on average than the host serves): it doubles per second held back until the next refusal.
   */
  readonly increase: number
  /** The rate never falls below this, requests per second. */
  readonly minRate: number
  /** Requests may leave together when they are due within this many ms of one another. */
  readonly burstMs: number
}

/**
 * Defaults: keep 70 % at a refusal (AWS SDKs' adaptive retry mode), +5 %/s while holding back, ≥ 2/s, bursts
 * of 100 ms (a chip's requests leave together, as an object store's bucket of requests allows; with 10 ms a
 * build's held requests waited 130 ms on average, 83 ms with 100 ms, and the build ran 11 % slower).
 */
export const defaultOptions: Options = { decrease: 0.7, increase: 0.05, minRate: 2, burstMs: 100 }

/** What a pacer has done. */
export interface Stats {
  /** Requests per second it lets through; undefined before the host's first refusal (not paced). */
  readonly rate: number | undefined
  /** Refusals seen, and how many of them lowered the rate (one per round of requests sent at one rate). */
  readonly throttled: number
  readonly cuts: number
  /** Requests held back, and their summed wait in ms. */
  readonly held: number
  readonly heldMs: number
}

/**
 * One host's pacer: `acquire` before sending, `sending` as the request leaves, then `admitted` or `throttled`
 * with the number `sending` gave.
 */
export interface Pacer {
  /** Resolves when the request may be sent; undefined (no promise, no wait) while the host is not paced. */
  readonly acquire: (clock: Clock) => Promise<void> | undefined
  /** The request's place in the order of sending, for `throttled`. */
  readonly sending: () => number
  /** The host served the request `sending` numbered `sent` (any answer that is not a refusal). */
  readonly admitted: (sent: number, clock: Clock) => void
  /** The host refused the request `sending` numbered `sent` (429, 503); true when this lowered the rate. */
  readonly throttled: (sent: number, clock: Clock) => boolean
  readonly stats: () => Stats
}

// Admissions are counted in 100 ms buckets over the last second: the rate the host served before refusing.
const bucketMs = 100
const buckets = 10

/** A pacer; the host's shared one is `forHost`. */
export const make = (options: Options = defaultOptions): Pacer => {
  let rate: number | undefined
  // The earliest time the next request is due (ms), as in a GCRA: one interval of 1 / rate after the last.
  let nextAt = 0
  // Requests sent before the last cut were sent at the old rate: their refusals say nothing new. Counted in
  // sending order (clocks in ms see many requests leave in the same ms as the cut).
  let sent = 0
  let cutBefore = 0
  // Refusals after a cut say the new rate is too high only once the host has served one request sent at
  // it: until then they are the debt of the old rate (the host's bucket still empty).
  let servedSinceCut = true
  let rateAtCut = 0
  let heldUntil = Number.NEGATIVE_INFINITY
  let probing = false
  let firstAdmitted = Number.NaN
  const counts = new Float64Array(buckets)
  const epochs = new Float64Array(buckets).fill(-1)
  let throttled = 0
  let cuts = 0
  let held = 0
  let heldMs = 0

  // Admissions in the last second, and the rate they make over the span they were counted in (the last
  // second, or since the first admission when that was sooner; at least 100 ms).
  const admittedRecently = (now: number): { readonly n: number; readonly perSecond: number } => {
    if (Number.isNaN(firstAdmitted)) return { n: 0, perSecond: 0 }
    const epoch = Math.floor(now / bucketMs)
    let n = 0
    for (let i = 0; i < buckets; i++) if (epochs[i] > epoch - buckets) n += counts[i]
    const from = Math.max(firstAdmitted, (epoch - buckets + 1) * bucketMs)
    return { n, perSecond: (n * 1000) / Math.max(bucketMs, now - from) }
  }

  // Requests held back, first come first served; each slot is given when it comes, at the rate of that
  // moment (a cut slows the requests already waiting too).
  const waiting: Array<{ readonly resolve: () => void; readonly since: number }> = []
  let armed = false
  const arm = (clock: Clock) => {
    if (armed) return
    armed = true
    void clock.sleep(Math.max(0, nextAt - options.burstMs - clock.now())).then(() => {
      armed = false
      const now = clock.now()
      while (waiting.length > 0 && nextAt - options.burstMs <= now) {
        nextAt = Math.max(nextAt, now) + 1000 / (rate ?? options.minRate)
        const w = waiting.shift()!
        heldMs += now - w.since
        heldUntil = now
        w.resolve()
      }
      if (waiting.length > 0) arm(clock)
    })
  }

  return {
    acquire: (clock) => {
      if (rate === undefined) return undefined
      const now = clock.now()
      if (waiting.length === 0 && nextAt - options.burstMs <= now) {
        nextAt = Math.max(nextAt, now) + 1000 / rate
        return undefined
      }
      held++
      return new Promise<void>((resolve) => {
        waiting.push({ resolve, since: now })
        arm(clock)
      })
    },
    sending: () => sent++,
    admitted: (ticket, clock) => {
      if (ticket >= cutBefore) servedSinceCut = true
      const now = clock.now()
      if (Number.isNaN(firstAdmitted)) firstAdmitted = now
      const epoch = Math.floor(now / bucketMs)
      const i = epoch % buckets
      if (epochs[i] !== epoch) {
        epochs[i] = epoch
        counts[i] = 0
      }
      counts[i]++
      // Raised only while it binds (a request was held back within the last second): a rate nobody asks
      // for is never tried, so it cannot turn into a burst later.
      if (rate !== undefined && now - heldUntil < 1000)
        rate += probing
          ? Math.LN2 // × 2 per second at this rate
          : Math.max(options.minRate, options.increase * rateAtCut) / rate
    },
    throttled: (ticket, clock) => {
      throttled++
      if (ticket < cutBefore || !servedSinceCut) return false
      const now = clock.now()
      // The first refusal: the rate the host was serving (it refused what came above it); later ones: a cut.
      if (rate === undefined) {
        const recent = admittedRecently(now)
        rate = Math.max(options.minRate, recent.perSecond)
        probing = true
      } else {
        rate = Math.max(options.minRate, rate * options.decrease)
        probing = false
      }
      rateAtCut = rate
      cutBefore = sent
      servedSinceCut = false
      cuts++
      return true
    },
    stats: () => ({ rate, throttled, cuts, held, heldMs })
  }
}

const hosts = new Map<string, Pacer>()

/** The pacer every request of this process to `host` (host:port, as in a URL) goes through. */
export const forHost = (host: string): Pacer => {
  let pacer = hosts.get(host)
  if (pacer === undefined) {
    pacer = make()
    hosts.set(host, pacer)
  }
  return pacer
}

/** Whether an HTTP status is a host asking for fewer requests (429 Too Many Requests, 503 SlowDown). */
export const isThrottle = (status: number): boolean => status === 429 || status === 503
