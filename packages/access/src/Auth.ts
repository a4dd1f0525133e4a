// Credentials for a build's reads: object stores (s3:// URLs, SigV4) and HTTPS logins, as one Authorizer that
// the guarded request consults at every hop. Cookies stay with the host that set them.
import type { IncomingHttpHeaders } from "node:http"
import type * as Credentials from "./Credentials.ts"
import type { Authorizer, Guard } from "./Guarded.ts"
import * as Login from "./Login.ts"
import * as ObjectStore from "./ObjectStore.ts"

/** What a recipe says about credentials: buckets and logins (names of profiles and variables, no secrets). */
export interface Config {
  readonly stores?: ReadonlyArray<ObjectStore.Store> | undefined
  readonly logins?: ReadonlyArray<Login.Login> | undefined
}

/** Where secrets and time come from, and what token endpoints may be reached under. */
export interface Options {
  /** Default `process.env`. */
  readonly env?: Credentials.Environment | undefined
  /** Clock in ms since the epoch (token expiry); default `Date.now`. */
  readonly now?: (() => number) | undefined
  /** Policy and resolver of token requests (OIDC); default: no restriction. */
  readonly guard?: Guard | undefined
}

/** Hosts the recipe's credentials name (endpoints, login and token hosts), for its access policy. */
export const hostsOf = (config: Config): ReadonlyArray<string> => [
  ...ObjectStore.endpointHosts(config.stores ?? []),
  ...(config.logins ?? []).flatMap((l) => Login.hostsOf(l).filter((h) => !h.startsWith("*.")))
]

const cookiePairs = (headers: IncomingHttpHeaders): ReadonlyArray<readonly [string, string]> =>
  (headers["set-cookie"] ?? []).flatMap((line) => {
    const first = line.split(";")[0] ?? ""
    const eq = first.indexOf("=")
    return eq <= 0 ? [] : [[first.slice(0, eq).trim(), first.slice(eq + 1).trim()] as const]
  })

/** The Authorizer of `config`. */
export const make = (config: Config, options: Options = {}): Authorizer => {
  const env = options.env ?? process.env
  const now = options.now ?? (() => Date.now())
  const signer = ObjectStore.make(config.stores ?? [], env)
  const sessions = (config.logins ?? []).map((l) => Login.session(l, env, now, options.guard ?? {}))
  const jar = new Map<string, Map<string, string>>()
  const sessionFor = (host: string) =>
    sessions.find((s) => Login.hostsOf(s.login).some((h) => Login.matches(h, host)))
  const isS3 = (url: string) => /^s3:/i.test(url)
  return {
    prepare: async (url, method, headers) => {
      if (isS3(url)) return signer.prepare(url, method, headers)
      const u = new URL(url)
      const extra: Record<string, string> = {}
      for (const s of sessions) Object.assign(extra, await s.headers(u))
      const cookies = jar.get(u.host)
      if (cookies !== undefined && cookies.size > 0)
        extra.cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join("; ")
      return { url, headers: extra }
    },
    observe: async (url, status, headers, attempt) => {
      if (isS3(url)) {
        const region = [headers["x-amz-bucket-region"]].flat()[0]
        return (status === 301 || status === 307 || status === 400) &&
          signer.learnRegion(url, region)
          ? "retry"
          : undefined
      }
      const u = new URL(url)
      const set = cookiePairs(headers)
      if (set.length > 0) {
        const cookies = jar.get(u.host) ?? new Map<string, string>()
        for (const [k, v] of set) cookies.set(k, v)
        jar.set(u.host, cookies)
      }
      if (status === 401 && attempt === 0) {
        const s = sessionFor(u.hostname)
        if (s !== undefined && (await s.refresh())) return "retry"
      }
      return undefined
    },
    denied: (url, status) => {
      if (isS3(url)) return signer.denied(url, status)
      const s = sessionFor(new URL(url).hostname)
      return s?.denied(url, status)
    }
  }
}
