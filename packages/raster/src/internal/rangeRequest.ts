// One HTTP range request of a URL source, with retries: exponential backoff or the server's Retry-After,
// timeouts, a concurrency limit per host and its pacer (refusals as too many requests slow the host's pace),
// all under the build's access policy; the process's transfer counters.
import { Guarded, Pacing } from "@eoforge/access"
import type { HttpOptions, Timer } from "./byteSource.ts"

const { AccessDenied, AccessRefused, maxRetryAfterMs, request, retryAfterMs } = Guarded
type Guard = Guarded.Guard

/**
 * Requests, bytes and retried requests (429, 5xx, timeouts) of every URL source of this process, the
 * requests refused as too many (429, 503: `throttled`, counted among `retries` when retried), and the summed
 * wall time of the requests from sending to the body's last byte (ms).
 */
export const totals = { requests: 0, bytes: 0, retries: 0, throttled: 0, requestMs: 0 }

/** An HTTP failure that retrying cannot fix (4xx) or that persisted through every attempt. */
export class HttpFailure extends Error {
  readonly status: number | undefined
  readonly timedOut: boolean
  constructor(message: string, status: number | undefined, timedOut: boolean, cause?: unknown) {
    super(message, { cause })
    this.status = status
    this.timedOut = timedOut
  }
}

class HostLimiter {
  private active = 0
  private readonly waiting: Array<() => void> = []
  private readonly limit: number
  constructor(limit: number) {
    this.limit = limit
  }
  async run<A>(f: () => Promise<A>): Promise<A> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve))
    this.active++
    try {
      return await f()
    } finally {
      this.active--
      this.waiting.shift()?.()
    }
  }
}

const limiters = new Map<string, HostLimiter>()
const limiterFor = (host: string, limit: number): HostLimiter => {
  const key = `${host}#${limit}`
  let limiter = limiters.get(key)
  if (limiter === undefined) {
    limiter = new HostLimiter(limit)
    limiters.set(key, limiter)
  }
  return limiter
}

/** Where the requests of one URL go: its host's concurrency limit and pacer. */
export interface Route {
  readonly limiter: HostLimiter
  readonly pacer: Pacing.Pacer
}

export const routeOf = (url: string, options: HttpOptions): Route => {
  const host = new URL(url).host
  return { limiter: limiterFor(host, options.perHostConcurrency), pacer: Pacing.forHost(host) }
}

/**
 * One range request with retries; resolves to the bytes (the pieces they arrived in) and the total file size
 * from Content-Range. A refusal as too many requests (429, 503) slows the host's pacer: a request's first
 * one is retried at the host's new pace with no other wait (unless Retry-After names more than 1 s); a
 * second one waits Retry-After or the backoff too.
 */
export const fetchRange = async (
  url: string,
  route: Route,
  start: number,
  end: number,
  options: HttpOptions,
  stats: { requests: number; bytes: number },
  guard: Guard,
  timer: Timer
): Promise<{
  data: ReadonlyArray<Uint8Array>
  total: number | undefined
  version: string | undefined
}> => {
  const limiter = route.limiter
  const pacer = options.pacing ? route.pacer : undefined
  let last: unknown
  let wait: number | undefined
  let timedOut = false
  let throttles = 0
  let paced = false
  for (let attempt = 0; attempt < options.maxAttempts; attempt++) {
    // The server's Retry-After (capped) when it sent one, else exponential backoff.
    if (attempt > 0) {
      totals.retries++
      if (!(paced && throttles === 1))
        await timer.sleep(wait ?? options.backoffMs * 2 ** (attempt - 1))
    }
    wait = undefined
    paced = false
    // The time limit starts when the request is sent, not while it waits for a slot of its host.
    const sending: { signal?: AbortSignal } = {}
    try {
      return await limiter.run(async () => {
        const turn = pacer?.acquire(timer)
        if (turn !== undefined) await turn
        const signal = AbortSignal.timeout(options.timeoutMs)
        sending.signal = signal
        stats.requests++
        totals.requests++
        const sent = performance.now()
        const ticket = pacer?.sending() ?? 0
        const response = await request(
          url,
          { headers: { Range: `bytes=${start}-${end - 1}` }, signal },
          guard
        )
        if (response.status < 200 || response.status >= 300) {
          response.discard()
          const after = retryAfterMs([response.headers["retry-after"]].flat()[0], timer.now())
          if (after !== undefined) wait = Math.min(after, maxRetryAfterMs)
          if (Pacing.isThrottle(response.status)) {
            totals.throttled++
            throttles++
            pacer?.throttled(ticket, timer)
            // A Retry-After of at most 1 s (the header's smallest whole number of seconds, S3-like
            // servers' hint to slow down) is left to the pacer; a longer one names a time, waited out.
            paced = pacer !== undefined && (wait === undefined || wait <= 1000)
          } else pacer?.admitted(ticket, timer)
          throw new HttpFailure(`HTTP ${response.status}`, response.status, false)
        }
        pacer?.admitted(ticket, timer)
        const done = (bytes: number) => {
          stats.bytes += bytes
          totals.bytes += bytes
          totals.requestMs += performance.now() - sent
        }
        if (response.status === 206) {
          // More than the range plus a block is refused.
          const data = await response.chunks(end - start + options.blockSize)
          done(data.reduce((n, chunk) => n + chunk.byteLength, 0))
          const range = [response.headers["content-range"]].flat()[0]
          const total = range?.match(/\/(\d+)$/)?.[1]
          return {
            data,
            total: total === undefined ? undefined : Number(total),
            version: versionOf(response.headers)
          }
        }
        // The server ignored the Range header and sent the whole file.
        const body = await response.bytes(Number.MAX_SAFE_INTEGER)
        done(body.byteLength)
        return {
          data: [body.subarray(start, end)],
          total: body.byteLength,
          version: versionOf(response.headers)
        }
      })
    } catch (error) {
      last = error
      timedOut = sending.signal?.aborted === true
      if (error instanceof AccessRefused || error instanceof AccessDenied) throw error
      const status = error instanceof HttpFailure ? error.status : undefined
      if (status !== undefined && status < 500 && status !== 429) throw error
    }
  }
  throw new HttpFailure(
    `${timedOut ? "timed out" : "failed"} after ${options.maxAttempts} attempts`,
    last instanceof HttpFailure ? last.status : undefined,
    timedOut,
    last
  )
}

/**
 * The version of a file as its server names it: a strong ETag, else the Last-Modified date (undefined when
 * the server sends neither; such files are never shared through a header shelf). A weak ETag (`W/"…"`) is
 * not a version: RFC 9110 §8.8.1 does not let it stand for a range's bytes. Last-Modified has one-second
 * resolution: a rewrite of the same size within the second the header was read is not seen.
 */
export const versionOf = (
  headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
) => {
  const etag = [headers["etag"]].flat()[0]
  if (etag !== undefined && etag !== "" && !etag.startsWith("W/")) return `etag:${etag}`
  const modified = [headers["last-modified"]].flat()[0]
  return modified === undefined || modified === "" ? undefined : `modified:${modified}`
}
