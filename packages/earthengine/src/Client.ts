// The Earth Engine REST client: `image:computePixels` and `value:compute` of one project, with the
// project's rate and concurrency limits, bearer tokens, retries on 429/5xx and typed permanent errors.
import { Guarded } from "@eoforge/access"
import { AccessPolicy, Redact } from "@eoforge/core"
import { Clock, Duration, Effect, Redacted } from "effect"
import { expired, type TokenSource } from "./Credentials.ts"
import { CredentialsError, EeHttpError, EeRequestError, fromResponse, refused } from "./EeError.ts"
import type { Expression } from "./Expression.ts"
import * as RateLimit from "./RateLimit.ts"

/** The public endpoint. */
export const defaultBaseUrl = "https://earthengine.googleapis.com"

/** Client options. */
export interface Options {
  /** API root (default `https://earthengine.googleapis.com`); tests point it at a local double. */
  readonly baseUrl: string
  /** The Cloud project the requests are billed to and limited by. */
  readonly project: string
  readonly limits: RateLimit.Limits
  /** Attempts per request including the first. */
  readonly maxAttempts: number
  /** First backoff delay, ms; doubles per retry (the server's Retry-After wins, capped at 60 s). */
  readonly backoffMs: number
  readonly timeoutMs: number
  /** Largest response body read, bytes (computePixels answers at most 48 MiB of pixels). */
  readonly maxResponseBytes: number
  /** What the base URL may be (default: its own host). */
  readonly policy?: AccessPolicy.AccessPolicy
  readonly resolve?: Guarded.Resolver
}

/** Defaults: Earth Engine's per-project quota (40 in flight, 100/s), 6 attempts from 500 ms, 120 s timeout. */
export const defaultOptions = {
  baseUrl: defaultBaseUrl,
  limits: RateLimit.earthEngineDefaults,
  maxAttempts: 6,
  backoffMs: 500,
  timeoutMs: 120_000,
  maxResponseBytes: 64 * 1024 * 1024
} as const

/** The `grid` of a computePixels request (PixelGrid in the REST API's terms). */
export interface RestGrid {
  readonly dimensions: { readonly width: number; readonly height: number }
  readonly affineTransform: {
    readonly scaleX: number
    readonly shearX: number
    readonly translateX: number
    readonly shearY: number
    readonly scaleY: number
    readonly translateY: number
  }
  readonly crsCode: string
}

/** A computePixels request body. */
export interface PixelsRequest {
  readonly expression: Expression
  readonly fileFormat: "NPY" | "GEO_TIFF"
  readonly grid: RestGrid
  readonly bandIds?: ReadonlyArray<string>
}

/** What a request can fail with. */
export type ClientError = EeHttpError | EeRequestError | CredentialsError

/** What the client did so far. */
export interface Stats {
  /** Requests sent (every attempt). */
  readonly requests: number
  /** Retries after 429. */
  readonly throttled: number
  /** Retries after network errors, timeouts and 5xx. */
  readonly retried: number
  /** Token refreshes after a 401. */
  readonly reauthenticated: number
  readonly limiter: ReturnType<RateLimit.RateLimit["stats"]>
}

/** A client of one project. */
export interface Client {
  readonly project: string
  readonly computePixels: (request: PixelsRequest) => Effect.Effect<Uint8Array, ClientError>
  readonly computeValue: (expression: Expression) => Effect.Effect<unknown, ClientError>
  readonly stats: () => Stats
}

interface Answer {
  readonly status: number
  readonly body: Uint8Array
  readonly retryAfter: string | undefined
}

const errorMessage = (body: Uint8Array): string => {
  const text = new TextDecoder().decode(body.subarray(0, 4096))
  try {
    const json = JSON.parse(text) as { error?: { message?: unknown } }
    if (typeof json.error?.message === "string") return json.error.message
  } catch {
    // not JSON: the raw text is the message
  }
  return text.slice(0, 300)
}

/** A client for `options.project`, authenticating with `tokens`. */
export const make = (
  tokens: TokenSource,
  partial: Partial<Options> & { readonly project: string }
): Client => {
  const options: Options = { ...defaultOptions, ...partial }
  const root = options.baseUrl.replace(/\/+$/, "")
  // The API root is named by the recipe (or is Google's): its host is reachable even on a loopback address.
  const rootUrl = new URL(root)
  const policy =
    options.policy ?? AccessPolicy.make({ hosts: [rootUrl.hostname], privateHosts: [rootUrl.host] })
  const limiter = RateLimit.make(options.limits)
  let requests = 0
  let throttled = 0
  let retried = 0
  let reauthenticated = 0

  const once = (
    url: string,
    body: string
  ): Effect.Effect<Answer, EeHttpError | EeRequestError | CredentialsError> =>
    Effect.flatMap(tokens.token, (token) =>
      limiter.run(
        Effect.tryPromise({
          try: async (signal) => {
            requests++
            const res = await Guarded.request(
              url,
              {
                method: "POST",
                headers: {
                  authorization: `Bearer ${Redacted.value(token)}`,
                  "content-type": "application/json",
                  "x-goog-user-project": options.project
                },
                body,
                signal
              },
              { policy, ...(options.resolve === undefined ? {} : { resolve: options.resolve }) }
            )
            const retryAfter = [res.headers["retry-after"]].flat()[0]
            return {
              status: res.status,
              body: await res.bytes(options.maxResponseBytes),
              retryAfter
            }
          },
          catch: (cause) =>
            cause instanceof Guarded.AccessRefused
              ? refused(url, cause.reason)
              : new EeHttpError({
                  url,
                  detail: `network error (${Redact.inText(cause instanceof Error ? cause.message : String(cause))})`,
                  cause
                })
        }).pipe(
          Effect.timeoutOrElse({
            duration: Duration.millis(options.timeoutMs),
            orElse: () =>
              Effect.fail(
                new EeHttpError({ url, detail: `no response within ${options.timeoutMs} ms` })
              )
          })
        )
      )
    )

  const delay = (n: number, retryAfterMs: number | undefined) =>
    Duration.millis(
      retryAfterMs !== undefined
        ? Math.min(retryAfterMs, Guarded.maxRetryAfterMs)
        : options.backoffMs * 2 ** n
    )

  const post = (method: string, payload: unknown): Effect.Effect<Uint8Array, ClientError> => {
    const url = `${root}/v1/projects/${encodeURIComponent(options.project)}/${method}`
    const body = JSON.stringify(payload)
    const attempt = (n: number, renewed: boolean): Effect.Effect<Uint8Array, ClientError> =>
      once(url, body).pipe(
        Effect.matchEffect({
          onFailure: (e): Effect.Effect<Uint8Array, ClientError> =>
            e._tag === "EeHttpError" && n + 1 < options.maxAttempts
              ? Effect.andThen(
                  Effect.sync(() => void retried++),
                  Effect.andThen(Effect.sleep(delay(n, undefined)), attempt(n + 1, renewed))
                )
              : Effect.fail(e),
          onSuccess: (answer): Effect.Effect<Uint8Array, ClientError> => {
            const { status } = answer
            if (status >= 200 && status < 300) return Effect.succeed(answer.body)
            if (status === 401) {
              if (!tokens.refreshable || renewed) return Effect.fail(expired(tokens))
              return Effect.andThen(
                Effect.sync(() => void reauthenticated++),
                Effect.andThen(tokens.invalidate, attempt(n, true))
              )
            }
            const transient = status === 429 || status >= 500
            if (transient && n + 1 < options.maxAttempts) {
              return Effect.flatMap(Clock.currentTimeMillis, (now) => {
                if (status === 429) throttled++
                else retried++
                return Effect.andThen(
                  Effect.sleep(delay(n, Guarded.retryAfterMs(answer.retryAfter, now))),
                  attempt(n + 1, renewed)
                )
              })
            }
            const message = errorMessage(answer.body)
            if (status >= 500)
              return Effect.fail(
                new EeHttpError({
                  url,
                  status,
                  detail: `HTTP ${status} after ${options.maxAttempts} attempts: ${Redact.inText(message)}`
                })
              )
            return Effect.fail(fromResponse(url, status, Redact.inText(message)))
          }
        })
      )
    return attempt(0, false)
  }

  return {
    project: options.project,
    computePixels: (request) => post("image:computePixels", request),
    computeValue: (expression) =>
      Effect.flatMap(post("value:compute", { expression }), (bytes) =>
        Effect.try({
          try: () => (JSON.parse(new TextDecoder().decode(bytes)) as { result?: unknown }).result,
          catch: () =>
            new EeRequestError({
              problem: "BadRequest",
              url: `${root}/v1/projects/${options.project}/value:compute`,
              status: 200,
              detail: "the answer is not JSON",
              fix: "check baseUrl: it does not point at the Earth Engine API"
            })
        })
      ),
    stats: () => ({ requests, throttled, retried, reauthenticated, limiter: limiter.stats() })
  }
}
