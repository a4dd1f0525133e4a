// OAuth access tokens for Earth Engine: a service-account key (JWT signed RS256, exchanged at the token
// endpoint, refreshed before expiry) or a token from an environment variable. Tokens stay `Redacted`.
import { Guarded } from "@eoforge/access"
import { AccessPolicy, Redact } from "@eoforge/core"
import { Clock, Effect, Redacted, Schema, Semaphore } from "effect"
import { createPrivateKey, sign } from "node:crypto"
import { CredentialsError } from "./EeError.ts"

/** Where credentials come from (the recipe names a file or a variable, never a secret). */
export const CredentialsRecipe = Schema.Union([
  /** A service-account JSON key file (path). */
  Schema.Struct({ keyFile: Schema.NonEmptyString }),
  /** An environment variable holding the path of a service-account JSON key file. */
  Schema.Struct({ keyFileEnv: Schema.NonEmptyString }),
  /** An environment variable holding an OAuth access token (e.g. `gcloud auth print-access-token`). */
  Schema.Struct({ tokenEnv: Schema.NonEmptyString })
])
/** Where credentials come from. */
export type CredentialsRecipe = typeof CredentialsRecipe.Type

/** Gives bearer tokens; `invalidate` forgets a token the service refused. */
export interface TokenSource {
  readonly token: Effect.Effect<Redacted.Redacted<string>, CredentialsError>
  readonly invalidate: Effect.Effect<void>
  /** Whether a refused token can be replaced by a new one (service accounts can, fixed tokens cannot). */
  readonly refreshable: boolean
  /** The file or variable the credentials come from (for messages). */
  readonly source: string
}

/** OAuth scope of Earth Engine. */
export const earthEngineScope = "https://www.googleapis.com/auth/earthengine"

/** Google's token endpoint and the hosts token requests may reach by default. */
export const defaultTokenHosts: ReadonlyArray<string> = ["oauth2.googleapis.com"]

/** Options of the service-account flow. */
export interface ServiceAccountOptions {
  /** Refresh this long before the token expires, ms (default 5 min). */
  readonly refreshMarginMs?: number
  /** Lifetime asked for in the JWT, s (≤ 3600, Google's maximum). */
  readonly lifetimeS?: number
  /** What the token endpoint (the key file's `token_uri`) may be: default `oauth2.googleapis.com` only. */
  readonly policy?: AccessPolicy.AccessPolicy
  readonly resolve?: Guarded.Resolver
}

interface ServiceAccountKey {
  readonly client_email: string
  readonly private_key: string
  readonly private_key_id?: string
  readonly token_uri: string
}

const base64url = (bytes: Uint8Array | string): string => Buffer.from(bytes).toString("base64url")

/** The signed JWT assertion of the JWT-bearer grant (RFC 7523) for `key`, issued at `nowS`. */
export const assertion = (
  key: Pick<ServiceAccountKey, "client_email" | "private_key" | "private_key_id" | "token_uri">,
  nowS: number,
  lifetimeS = 3600,
  scope = earthEngineScope
): string => {
  const header = {
    alg: "RS256",
    typ: "JWT",
    ...(key.private_key_id ? { kid: key.private_key_id } : {})
  }
  const claims = {
    iss: key.client_email,
    scope,
    aud: key.token_uri,
    iat: nowS,
    exp: nowS + lifetimeS
  }
  const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`
  const signature = sign("RSA-SHA256", Buffer.from(input), createPrivateKey(key.private_key))
  return `${input}.${base64url(signature)}`
}

const readKey = (path: string): Effect.Effect<ServiceAccountKey, CredentialsError> =>
  Effect.tryPromise({
    try: async () => {
      const handle = await Guarded.openFile(path, {})
      try {
        const { size } = await handle.stat()
        if (size > 64 * 1024) throw new Error(`${size} bytes is too large for a key file`)
        return JSON.parse(await handle.readFile("utf8")) as unknown
      } finally {
        await handle.close()
      }
    },
    catch: (cause) =>
      new CredentialsError({
        problem: "BadKeyFile",
        source: path,
        detail: `cannot read the key file (${cause instanceof Error ? cause.message.replace(/\{[\s\S]*$/, "") : "unknown"})`,
        fix: "point keyFile / keyFileEnv at the JSON key downloaded for the service account",
        cause
      })
  }).pipe(
    Effect.flatMap((json) => {
      const k = json as Partial<ServiceAccountKey> & { type?: unknown }
      return typeof k === "object" &&
        k !== null &&
        typeof k.client_email === "string" &&
        typeof k.private_key === "string" &&
        typeof k.token_uri === "string"
        ? Effect.succeed(k as ServiceAccountKey)
        : Effect.fail(
            new CredentialsError({
              problem: "BadKeyFile",
              source: path,
              detail:
                "not a service-account key (client_email, private_key and token_uri required)",
              fix: "download a JSON key of type service_account from the Cloud console"
            })
          )
    })
  )

/**
 * Tokens of a service account: the key file is read once; a token is fetched at first use and refreshed
 * `refreshMarginMs` before it expires (one refresh at a time; concurrent callers wait for it).
 */
export const serviceAccount = (
  keyFile: string,
  options: ServiceAccountOptions = {}
): Effect.Effect<TokenSource, CredentialsError> =>
  Effect.gen(function* () {
    const key = yield* readKey(keyFile)
    const margin = options.refreshMarginMs ?? 300_000
    const lifetime = Math.min(3600, options.lifetimeS ?? 3600)
    const policy = options.policy ?? AccessPolicy.make({ hosts: [...defaultTokenHosts] })
    const lock = Semaphore.makeUnsafe(1)
    let cached: { token: Redacted.Redacted<string>; expiresAt: number } | undefined
    const refused = (detail: string, cause?: unknown) =>
      new CredentialsError({
        problem: "TokenRefused",
        source: keyFile,
        detail: `the token endpoint ${Redact.forMessage(key.token_uri)} ${Redact.inText(detail)}`,
        fix: "check that the service account and its key still exist (keys can be revoked) and that the clock is right",
        ...(cause === undefined ? {} : { cause })
      })
    const fetchToken = Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      const body = new URLSearchParams({
        grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer",
        assertion: assertion(key, Math.floor(now / 1000), lifetime)
      }).toString()
      const res = yield* Effect.tryPromise({
        try: async (signal) => {
          const r = await Guarded.request(
            key.token_uri,
            {
              method: "POST",
              headers: { "content-type": "application/x-www-form-urlencoded" },
              body,
              signal
            },
            { policy, ...(options.resolve === undefined ? {} : { resolve: options.resolve }) }
          )
          return { status: r.status, text: new TextDecoder().decode(await r.bytes(1 << 20)) }
        },
        catch: (cause) =>
          refused(
            `could not be reached (${cause instanceof Error ? cause.message : "error"})`,
            cause
          )
      })
      let json: { access_token?: unknown; expires_in?: unknown } | undefined
      try {
        json = JSON.parse(res.text) as typeof json
      } catch {
        json = undefined
      }
      if (res.status !== 200 || typeof json?.access_token !== "string")
        // The endpoint's error text names the problem (invalid_grant …) and holds no secret of ours.
        return yield* refused(`answered HTTP ${res.status}: ${res.text.slice(0, 200)}`)
      const expiresIn = typeof json.expires_in === "number" ? json.expires_in : 3600
      cached = { token: Redacted.make(json.access_token), expiresAt: now + expiresIn * 1000 }
      return cached.token
    })
    const token = lock.withPermit(
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        cached !== undefined && now < cached.expiresAt - margin
          ? Effect.succeed(cached.token)
          : fetchToken
      )
    )
    return {
      token,
      invalidate: Effect.sync(() => {
        cached = undefined
      }),
      refreshable: true,
      source: keyFile
    } satisfies TokenSource
  })

/** A fixed token read from the environment variable `name` (it cannot be refreshed). */
export const fromEnv = (
  name: string,
  env: Readonly<Record<string, string | undefined>> = process.env
): Effect.Effect<TokenSource, CredentialsError> => {
  const value = env[name]
  if (value === undefined || value.trim() === "")
    return Effect.fail(
      new CredentialsError({
        problem: "NoCredentials",
        source: `$${name}`,
        detail: "the variable is not set",
        fix: `export ${name}=$(gcloud auth print-access-token), or use a service-account key (keyFileEnv)`
      })
    )
  const token = Effect.succeed(Redacted.make(value.trim()))
  return Effect.succeed({ token, invalidate: Effect.void, refreshable: false, source: `$${name}` })
}

/** The token source a recipe's credentials name. */
export const fromRecipe = (
  recipe: CredentialsRecipe,
  options: ServiceAccountOptions & {
    readonly env?: Readonly<Record<string, string | undefined>>
  } = {}
): Effect.Effect<TokenSource, CredentialsError> => {
  const env = options.env ?? process.env
  if ("tokenEnv" in recipe) return fromEnv(recipe.tokenEnv, env)
  if ("keyFile" in recipe) return serviceAccount(recipe.keyFile, options)
  const path = env[recipe.keyFileEnv]
  if (path === undefined || path === "")
    return Effect.fail(
      new CredentialsError({
        problem: "NoCredentials",
        source: `$${recipe.keyFileEnv}`,
        detail: "the variable is not set",
        fix: `export ${recipe.keyFileEnv}=/path/to/service-account-key.json`
      })
    )
  return serviceAccount(path, options)
}

/** The error for a token the service refused (401) after a refresh, or a fixed token that expired. */
export const expired = (source: TokenSource): CredentialsError =>
  new CredentialsError({
    problem: "Expired",
    source: source.source,
    detail: "Earth Engine refused the access token (expired or revoked)",
    fix: source.refreshable
      ? "the refreshed token was refused too: check the service account's roles and the key's validity"
      : `set a fresh token (export ${source.source.slice(1)}=$(gcloud auth print-access-token)); tokens live one hour — use a service-account key for long builds`
  })
