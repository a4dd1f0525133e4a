// HTTPS logins: what to add to requests for the hosts of an archive — a bearer token (NASA Earthdata Login,
// any token), a header key (Planetary Computer), an OpenID Connect token refreshed before it expires (CDSE).
import { Redacted } from "effect"
import * as Credentials from "./Credentials.ts"
import { AccessDenied, request, type Guard } from "./Guarded.ts"

/** A login for a set of hosts (exact names or `*.example.org`). Secrets are named, never written in. */
export type Login =
  | {
      /** `Authorization: Bearer <token>` on every request to the hosts. */
      readonly kind: "bearer"
      readonly hosts: ReadonlyArray<string>
      readonly token: Credentials.SecretSource
    }
  | {
      /**
       * NASA Earthdata Login: data hosts redirect to the login host (`urs`, default urs.earthdata.nasa.gov)
       * and back with a code, then set a session cookie. A token is sent as Bearer to the data hosts and the
       * login host; a user name and password as Basic to the login host only.
       */
      readonly kind: "earthdata"
      readonly hosts: ReadonlyArray<string>
      readonly urs?: string | undefined
      readonly token?: Credentials.SecretSource | undefined
      readonly username?: Credentials.SecretSource | undefined
      readonly password?: Credentials.SecretSource | undefined
    }
  | {
      /** A named header holding a key (Planetary Computer: `Ocp-Apim-Subscription-Key`). */
      readonly kind: "header"
      readonly hosts: ReadonlyArray<string>
      readonly name: string
      readonly value: Credentials.SecretSource
    }
  | {
      /**
       * OpenID Connect (CDSE): a password or refresh-token grant at `tokenUrl`; the access token is sent as
       * Bearer, refreshed with the refresh token `refreshBeforeMs` before it expires and after a 401.
       */
      readonly kind: "oidc"
      readonly hosts: ReadonlyArray<string>
      readonly tokenUrl: string
      readonly clientId: string
      readonly username?: Credentials.SecretSource | undefined
      readonly password?: Credentials.SecretSource | undefined
      readonly refreshToken?: Credentials.SecretSource | undefined
      readonly refreshBeforeMs?: number | undefined
    }

/** The hosts a login's credentials may be sent to. */
export const hostsOf = (login: Login): ReadonlyArray<string> =>
  login.kind === "earthdata"
    ? [...login.hosts, login.urs ?? "urs.earthdata.nasa.gov"]
    : login.kind === "oidc"
      ? [...login.hosts, new URL(login.tokenUrl).hostname]
      : login.hosts

/** Whether `host` matches a pattern (exact, or `*.example.org` for its subdomains). */
export const matches = (pattern: string, host: string): boolean => {
  const p = pattern.toLowerCase()
  const h = host.toLowerCase()
  return p.startsWith("*.") ? h.endsWith(p.slice(1)) && h.length > p.length - 1 : h === p
}

/** One login's live state: the headers for a request, and what a 401 means. */
export interface Session {
  readonly login: Login
  /** Headers for a request to `url` (only for the login's hosts), or AccessDenied naming what to set. */
  readonly headers: (url: URL) => Promise<Readonly<Record<string, string>>>
  /** After a 401: whether a new token was obtained (send again), once per request. */
  readonly refresh: () => Promise<boolean>
  /** What a refusal means, naming the variables to check. */
  readonly denied: (url: string, status: number) => AccessDenied
}

const describeSource = (s: Credentials.SecretSource | undefined): string =>
  s === undefined
    ? "(none)"
    : [s.env, s.file].filter((x): x is string => x !== undefined).join(" or ")

interface OidcToken {
  readonly access: Redacted.Redacted<string>
  readonly expiresAt: number
  readonly refresh?: Redacted.Redacted<string> | undefined
  readonly refreshExpiresAt: number
}

/** The live session of `login`; `now` is the clock (ms), `guard` what token endpoints may be reached under. */
export const session = (
  login: Login,
  env: Credentials.Environment,
  now: () => number,
  guard: Guard
): Session => {
  const hosts = hostsOf(login)
  const mine = (url: URL) =>
    url.protocol === "https:" || url.protocol === "http:"
      ? hosts.some((h) => matches(h, url.hostname))
      : false
  const what = `the ${login.kind} login for ${login.hosts.join(", ")}`
  switch (login.kind) {
    case "bearer":
    case "header": {
      const source = login.kind === "bearer" ? login.token : login.value
      return {
        login,
        headers: async (url): Promise<Readonly<Record<string, string>>> => {
          if (!mine(url)) return {}
          const value = Redacted.value(await Credentials.secret(env, source, what))
          return login.kind === "bearer"
            ? { authorization: `Bearer ${value}` }
            : { [login.name.toLowerCase()]: value }
        },
        refresh: async () => false,
        denied: (url, status) =>
          new AccessDenied(
            `${url}: ${status === 401 ? "the token was refused" : "access is forbidden with the token"} (HTTP ${status})`,
            `check or renew the secret in ${describeSource(source)}`,
            status
          )
      }
    }
    case "earthdata": {
      const urs = login.urs ?? "urs.earthdata.nasa.gov"
      return {
        login,
        headers: async (url): Promise<Readonly<Record<string, string>>> => {
          if (!mine(url)) return {}
          const optional = (source: Credentials.SecretSource | undefined) =>
            source === undefined
              ? Promise.resolve(undefined)
              : Credentials.secret(env, source, what).catch(() => undefined)
          const t = await optional(login.token)
          if (t !== undefined) return { authorization: `Bearer ${Redacted.value(t)}` }
          const [user, pass] = await Promise.all([
            optional(login.username),
            optional(login.password)
          ])
          // Nothing is sent to any host of the login without credentials to finish the flow.
          if (user === undefined || pass === undefined)
            throw new AccessDenied(
              `${what} has neither a token nor a user name and password`,
              `set ${describeSource(login.token)} to a token from https://${urs}/users/tokens${login.username === undefined ? "" : `, or ${describeSource(login.username)} and ${describeSource(login.password)}`}`
            )
          // Basic credentials only ever go to the login host itself.
          if (!matches(urs, url.hostname)) return {}
          return {
            authorization: `Basic ${Buffer.from(`${Redacted.value(user)}:${Redacted.value(pass)}`).toString("base64")}`
          }
        },
        refresh: async () => false,
        denied: (url, status) =>
          new AccessDenied(
            `${url}: Earthdata Login refused the credentials (HTTP ${status})`,
            `renew the token in ${describeSource(login.token)} at https://${urs}/users/tokens${login.username === undefined ? "" : ` or check ${describeSource(login.username)} and ${describeSource(login.password)}`}, and approve the archive's application in your Earthdata profile`,
            status
          )
      }
    }
    case "oidc": {
      let token: OidcToken | undefined
      let pending: Promise<OidcToken> | undefined
      const margin = login.refreshBeforeMs ?? 60_000
      const grant = async (form: Record<string, string>): Promise<OidcToken> => {
        const body = new URLSearchParams({ client_id: login.clientId, ...form }).toString()
        const res = await request(
          login.tokenUrl,
          {
            method: "POST",
            headers: {
              "content-type": "application/x-www-form-urlencoded",
              accept: "application/json"
            },
            body
          },
          { ...guard, auth: undefined }
        )
        const text = new TextDecoder().decode(await res.bytes(1 << 20))
        if (res.status >= 500)
          throw new Error(`the token endpoint ${login.tokenUrl} answered ${res.status}`)
        let json: Record<string, unknown> | undefined
        try {
          json = JSON.parse(text) as Record<string, unknown>
        } catch {
          json = undefined
        }
        if (res.status !== 200 || typeof json?.access_token !== "string") {
          const code = typeof json?.error === "string" ? ` ${json.error}` : ""
          throw new AccessDenied(
            `login at ${login.tokenUrl} failed (HTTP ${res.status}${code})`,
            `check ${describeSource(login.username)} and ${describeSource(login.password)}${login.refreshToken === undefined ? "" : ` or renew ${describeSource(login.refreshToken)}`}`,
            res.status
          )
        }
        const t = now()
        const seconds = (v: unknown, fallback: number) =>
          typeof v === "number" && v > 0 ? v : fallback
        return {
          access: Redacted.make(json.access_token),
          expiresAt: t + seconds(json.expires_in, 300) * 1000,
          ...(typeof json.refresh_token === "string"
            ? { refresh: Redacted.make(json.refresh_token) }
            : {}),
          refreshExpiresAt: t + seconds(json.refresh_expires_in, 0) * 1000
        }
      }
      const obtain = async (): Promise<OidcToken> => {
        const t = now()
        if (token?.refresh !== undefined && t < token.refreshExpiresAt - margin) {
          try {
            return await grant({
              grant_type: "refresh_token",
              refresh_token: Redacted.value(token.refresh)
            })
          } catch (error) {
            if (!(error instanceof AccessDenied)) throw error
          }
        }
        if (login.username !== undefined && login.password !== undefined) {
          const [user, pass] = await Promise.all([
            Credentials.secret(env, login.username, what),
            Credentials.secret(env, login.password, what)
          ]).catch(async (error) => {
            if (login.refreshToken === undefined) throw error
            return [undefined, undefined] as const
          })
          if (user !== undefined && pass !== undefined)
            return grant({
              grant_type: "password",
              username: Redacted.value(user),
              password: Redacted.value(pass)
            })
        }
        if (login.refreshToken !== undefined) {
          const r = await Credentials.secret(env, login.refreshToken, what)
          return grant({ grant_type: "refresh_token", refresh_token: Redacted.value(r) })
        }
        throw new AccessDenied(
          `${what} has no user name and password`,
          `set ${describeSource(login.username)} and ${describeSource(login.password)}`
        )
      }
      const current = async (): Promise<OidcToken> => {
        if (token !== undefined && now() < token.expiresAt - margin) return token
        pending ??= obtain().finally(() => {
          pending = undefined
        })
        token = await pending
        return token
      }
      const tokenHost = new URL(login.tokenUrl).hostname
      return {
        login,
        headers: async (url): Promise<Readonly<Record<string, string>>> => {
          if (!mine(url) || url.hostname === tokenHost) return {}
          return { authorization: `Bearer ${Redacted.value((await current()).access)}` }
        },
        refresh: async () => {
          token = token === undefined ? undefined : { ...token, expiresAt: 0 }
          return true
        },
        denied: (url, status) =>
          new AccessDenied(
            `${url}: the server refused the ${login.tokenUrl} token ${status === 401 ? "even after a refresh " : ""}(HTTP ${status})`,
            `check that the account of ${describeSource(login.username)} may read it, or renew ${describeSource(login.password)}`,
            status
          )
      }
    }
  }
}
