// JSON over HTTP (global fetch) and files, with per-host rate and concurrency limits, timeouts and retries.
// Transient failures (network, timeout, 429, 5xx) are retried with exponential backoff up to a bound.
import { Clock, Duration, Effect, Schedule, Semaphore } from "effect"
import { readFile } from "node:fs/promises"
import { fileURLToPath } from "node:url"
import { StacHttpError } from "../StacError.ts"
import { redactUrl } from "./redact.ts"

/** Limits applied to every request. */
export interface HttpOptions {
  /** Per-request timeout in milliseconds. */
  readonly timeoutMs: number
  /** Attempts per request including the first (≥ 1). */
  readonly maxAttempts: number
  /** First backoff delay in milliseconds; doubles per retry. */
  readonly backoffMs: number
  /** Requests started per second per host (0 = unlimited). */
  readonly requestsPerSecond: number
  /** Requests in flight per host. */
  readonly concurrency: number
}

export const defaultHttpOptions: HttpOptions = {
  timeoutMs: 30_000,
  maxAttempts: 5,
  backoffMs: 250,
  requestsPerSecond: 10,
  concurrency: 4
}

export interface JsonRequest {
  readonly method: "GET" | "POST"
  readonly url: string
  readonly body?: unknown
  readonly headers?: Readonly<Record<string, string>>
}

export interface Http {
  /** Fetch and parse JSON; `undefined` body text parse failures surface as StacHttpError with status. */
  readonly json: (request: JsonRequest) => Effect.Effect<JsonResponse, StacHttpError>
}

export interface JsonResponse {
  readonly status: number
  readonly contentType: string
  /** The parsed body, or undefined when the body is not JSON. */
  readonly json: unknown
  readonly text: string
}

interface HostState {
  readonly semaphore: Semaphore.Semaphore
  next: number
}

const isRetryable = (e: StacHttpError): boolean =>
  e.method !== "READ" && (e.status === undefined || e.status === 429 || e.status >= 500)

/** Whether a string names a local file rather than an http(s) URL. */
export const isLocal = (url: string): boolean => !/^https?:\/\//i.test(url)

/** Resolve a (possibly relative) href against the document it appeared in. */
export const resolveHref = (href: string, base: string): string => {
  if (/^[a-z][a-z0-9+.-]*:/i.test(href) && !/^[a-z]:[\\/]/i.test(href)) return href
  if (isLocal(base)) {
    const baseUrl = base.startsWith("file:")
      ? base
      : `file://${base.startsWith("/") ? "" : "/"}${base}`
    return fileURLToPath(new URL(href, baseUrl))
  }
  return new URL(href, base).toString()
}

const parse = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** An HTTP client with the given limits; state (per-host limits) lives in the returned value. */
export const make = (options: HttpOptions): Http => {
  const hosts = new Map<string, HostState>()
  const hostOf = (url: string): HostState => {
    const host = new URL(url).host
    let state = hosts.get(host)
    if (state === undefined) {
      state = { semaphore: Semaphore.makeUnsafe(Math.max(1, options.concurrency)), next: 0 }
      hosts.set(host, state)
    }
    return state
  }
  const interval = options.requestsPerSecond > 0 ? 1000 / options.requestsPerSecond : 0

  const pace = (state: HostState) =>
    Effect.flatMap(Clock.currentTimeMillis, (now) => {
      const start = Math.max(now, state.next)
      state.next = start + interval
      return start > now ? Effect.sleep(Duration.millis(start - now)) : Effect.void
    })

  const once = (request: JsonRequest): Effect.Effect<JsonResponse, StacHttpError> => {
    const shown = redactUrl(request.url)
    const state = hostOf(request.url)
    const send = Effect.tryPromise({
      try: async (signal) => {
        const res = await fetch(request.url, {
          method: request.method,
          signal,
          headers: {
            accept: "application/geo+json, application/json",
            ...(request.body === undefined ? {} : { "content-type": "application/json" }),
            ...request.headers
          },
          ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) })
        })
        const text = await res.text()
        return { status: res.status, contentType: res.headers.get("content-type") ?? "", text }
      },
      catch: (cause) =>
        new StacHttpError({
          method: request.method,
          url: shown,
          detail: `network error (${cause instanceof Error ? cause.message : String(cause)})`,
          cause
        })
    }).pipe(
      Effect.timeoutOrElse({
        duration: Duration.millis(options.timeoutMs),
        orElse: () =>
          Effect.fail(
            new StacHttpError({
              method: request.method,
              url: shown,
              detail: `no response within ${options.timeoutMs} ms`
            })
          )
      }),
      Effect.flatMap((r) =>
        r.status >= 200 && r.status < 300
          ? Effect.succeed({ ...r, json: parse(r.text) })
          : Effect.fail(
              new StacHttpError({
                method: request.method,
                url: shown,
                status: r.status,
                detail: `HTTP ${r.status}: ${r.text.slice(0, 200)}`
              })
            )
      )
    )
    return Semaphore.withPermit(state.semaphore)(Effect.andThen(pace(state), send))
  }

  const read = (path: string): Effect.Effect<JsonResponse, StacHttpError> =>
    Effect.tryPromise({
      try: () => readFile(path.startsWith("file:") ? fileURLToPath(path) : path, "utf8"),
      catch: (cause) =>
        new StacHttpError({
          method: "READ",
          url: path,
          detail: `cannot read file (${cause instanceof Error ? cause.message : String(cause)})`,
          cause
        })
    }).pipe(
      Effect.map((text) => ({
        status: 200,
        contentType: "application/json",
        text,
        json: parse(text)
      }))
    )

  const retry = Schedule.max([
    Schedule.exponential(Duration.millis(options.backoffMs)),
    Schedule.recurs(Math.max(0, options.maxAttempts - 1))
  ]).pipe(
    Schedule.setInputType<StacHttpError>(),
    Schedule.while(({ input }) => isRetryable(input))
  )

  return {
    json: (request) =>
      isLocal(request.url) ? read(request.url) : once(request).pipe(Effect.retry(retry))
  }
}
