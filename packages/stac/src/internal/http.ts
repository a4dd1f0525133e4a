// JSON over HTTP and files, with per-host rate and concurrency limits, timeouts, retries and an access guard.
// Transient failures (network, timeout, 429, 5xx) are retried with exponential backoff, or after the server's
// Retry-After (capped at 60 s), up to a bound; waits use the Effect Clock.
import { Redact } from "@eoforge/core"
import { Clock, Duration, Effect, Semaphore } from "effect"
import { fileURLToPath } from "node:url"
import { AccessError, StacHttpError } from "../StacError.ts"
import { Guarded } from "@eoforge/access"

const {
  AccessDenied,
  AccessRefused,
  maxRetryAfterMs,
  openFile,
  request: guardedRequest,
  retryAfterMs
} = Guarded
type Guard = Guarded.Guard

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

/** Largest catalogue document read, in bytes (64 MiB). */
export const maxDocumentBytes = 64 * 1024 * 1024

export interface JsonRequest {
  readonly method: "GET" | "POST"
  readonly url: string
  readonly body?: unknown
  readonly headers?: Readonly<Record<string, string>>
}

export interface Http {
  /** Fetch and parse JSON under `guard` (no guard: any host or path, regular files only). */
  readonly json: (
    request: JsonRequest,
    guard?: Guard
  ) => Effect.Effect<JsonResponse, StacHttpError | AccessError>
}

export interface JsonResponse {
  readonly status: number
  readonly contentType: string
  /** The parsed body, or undefined when the body is not JSON. */
  readonly json: unknown
  readonly text: string
  /** Validators of the response, for conditional requests (`If-None-Match`, `If-Modified-Since`). */
  readonly etag?: string | undefined
  readonly lastModified?: string | undefined
}

interface HostState {
  readonly semaphore: Semaphore.Semaphore
  next: number
}

const isRetryable = (e: StacHttpError): boolean =>
  e.method !== "READ" &&
  e.permanent !== true &&
  (e.status === undefined || e.status === 429 || e.status >= 500)

/** Whether a string names a local file rather than an http(s) or s3 URL. */
export const isLocal = (url: string): boolean => !/^(https?|s3):\/\//i.test(url)

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

const describe = (cause: unknown): string =>
  Redact.inText(cause instanceof Error ? cause.message : String(cause))

const refusal = (url: string, error: Guarded.AccessRefused) =>
  new AccessError({ href: Redact.forMessage(url), origin: "the request", reason: error.reason })

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

  const once = (
    request: JsonRequest,
    guard: Guard
  ): Effect.Effect<JsonResponse, StacHttpError | AccessError> => {
    const shown = Redact.forMessage(request.url)
    const state = hostOf(request.url)
    // A conditional request is answered 304 when the copy the caller holds is still current.
    const conditional = Object.keys(request.headers ?? {}).some((h) =>
      /^if-(none-match|modified-since)$/i.test(h)
    )
    const send = Effect.tryPromise({
      try: async (signal) => {
        const res = await guardedRequest(
          request.url,
          {
            method: request.method,
            signal,
            headers: {
              accept: "application/geo+json, application/json",
              ...(request.body === undefined ? {} : { "content-type": "application/json" }),
              ...request.headers
            },
            ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) })
          },
          guard
        )
        const text = new TextDecoder().decode(await res.bytes(maxDocumentBytes))
        const header = (name: string) => [res.headers[name]].flat()[0]
        return {
          status: res.status,
          contentType: header("content-type") ?? "",
          retryAfter: header("retry-after"),
          etag: header("etag"),
          lastModified: header("last-modified"),
          text
        }
      },
      catch: (cause): StacHttpError | AccessError =>
        cause instanceof AccessRefused
          ? refusal(request.url, cause)
          : cause instanceof AccessDenied
            ? new StacHttpError({
                method: request.method,
                url: shown,
                ...(cause.status === undefined ? {} : { status: cause.status }),
                detail: Redact.inText(cause.message),
                permanent: true,
                cause
              })
            : new StacHttpError({
                method: request.method,
                url: shown,
                detail: `network error (${describe(cause)})`,
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
        (r.status >= 200 && r.status < 300) || (r.status === 304 && conditional)
          ? Effect.succeed({ ...r, json: r.status === 304 ? undefined : parse(r.text) })
          : Effect.flatMap(Clock.currentTimeMillis, (now) => {
              const after = retryAfterMs(r.retryAfter, now)
              return Effect.fail(
                new StacHttpError({
                  method: request.method,
                  url: shown,
                  status: r.status,
                  detail: `HTTP ${r.status}: ${Redact.inText(r.text.slice(0, 200))}`,
                  ...(after === undefined ? {} : { retryAfterMs: after })
                })
              )
            })
      )
    )
    return Semaphore.withPermit(state.semaphore)(Effect.andThen(pace(state), send))
  }

  const read = (
    path: string,
    guard: Guard
  ): Effect.Effect<JsonResponse, StacHttpError | AccessError> =>
    Effect.tryPromise({
      try: async () => {
        const file = /^file:/i.test(path) ? fileURLToPath(path) : path
        const handle = await openFile(file, guard)
        try {
          const { size } = await handle.stat()
          if (size > maxDocumentBytes)
            throw new Error(
              `${size} bytes, more than a catalogue document may hold (${maxDocumentBytes})`
            )
          return await handle.readFile("utf8")
        } finally {
          await handle.close()
        }
      },
      catch: (cause): StacHttpError | AccessError =>
        cause instanceof AccessRefused
          ? refusal(path, cause)
          : new StacHttpError({
              method: "READ",
              url: path,
              detail: `cannot read file (${describe(cause)})`,
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

  // The wait before retry `n` (0-based): the server's Retry-After when it gave one, else exponential backoff.
  const delay = (e: StacHttpError, n: number): Duration.Duration =>
    Duration.millis(
      e.retryAfterMs !== undefined
        ? Math.min(e.retryAfterMs, maxRetryAfterMs)
        : options.backoffMs * 2 ** n
    )

  const withRetry = (
    request: JsonRequest,
    guard: Guard,
    n: number
  ): Effect.Effect<JsonResponse, StacHttpError | AccessError> =>
    once(request, guard).pipe(
      Effect.catchTag("StacHttpError", (e) =>
        isRetryable(e) && n + 1 < Math.max(1, options.maxAttempts)
          ? Effect.andThen(Effect.sleep(delay(e, n)), withRetry(request, guard, n + 1))
          : Effect.fail(e)
      )
    )

  return {
    json: (request, guard = {}) =>
      isLocal(request.url) ? read(request.url, guard) : withRetry(request, guard, 0)
  }
}
