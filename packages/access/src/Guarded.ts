// Reads that obey an access policy: local files (regular files under the allowed roots, symlinks resolved)
// and HTTP requests (allowed hosts, resolved addresses checked at connect time, every redirect re-checked).
import { AccessPolicy } from "@eoforge/core"
import { lookup as dnsLookup, type LookupAddress } from "node:dns"
import { constants, open, realpath, type FileHandle } from "node:fs/promises"
import {
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage
} from "node:http"
import { Agent as HttpsAgent, request as httpsRequest } from "node:https"
import * as S3Url from "./internal/s3Url.ts"

/** A read the access policy refuses; never retried. */
export class AccessRefused extends Error {
  readonly reason: string
  constructor(reason: string) {
    super(`refused by the access policy: ${reason}`)
    this.reason = reason
  }
}

/**
 * A read that can never succeed as configured: no credentials, a refused login, a 403 from a bucket that
 * needs the requester-pays header. Never retried; `message` names the fix (which setting), never a secret.
 */
export class AccessDenied extends Error {
  readonly fix: string
  readonly status: number | undefined
  constructor(message: string, fix: string, status?: number) {
    super(`${message}; ${fix}`)
    this.fix = fix
    this.status = status
  }
}

/** What one hop of a request is sent as: the http(s) URL and the headers to add (credentials, cookies). */
export interface Prepared {
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
}

/**
 * Adds credentials to requests (see `Auth.make`): turns `s3://` URLs into signed HTTPS requests, adds
 * tokens and cookies for the hosts of a login, and explains refusals. Every hop of a redirect chain is
 * prepared anew, so a credential never follows a redirect to a host it was not given for.
 */
export interface Authorizer {
  /** The URL and extra headers of one hop (`url` may be `s3://`); rejects with AccessDenied when it cannot. */
  readonly prepare: (
    url: string,
    method: string,
    headers: Readonly<Record<string, string>>
  ) => Promise<Prepared>
  /** Sees every response (cookies); answers `retry` when a 401 should be sent again after a token refresh. */
  readonly observe: (
    url: string,
    status: number,
    headers: IncomingHttpHeaders,
    attempt: number
  ) => Promise<"retry" | undefined>
  /** The permanent error a 401/403 for `url` (as first asked for) means, or undefined to return the response. */
  readonly denied: (url: string, status: number) => AccessDenied | undefined
}

/** Resolves a host name to its addresses (tests substitute their own). */
export type Resolver = (hostname: string) => Promise<ReadonlyArray<LookupAddress>>

/** What reads must obey; no policy means any host or path (still regular files only, no /proc). */
export interface Guard {
  readonly policy?: AccessPolicy.AccessPolicy | undefined
  readonly resolve?: Resolver | undefined
  /** Credentials for object stores and logins; without one, `s3://` URLs are read anonymously. */
  readonly auth?: Authorizer | undefined
}

const systemResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) =>
    dnsLookup(hostname, { all: true }, (error, addresses) =>
      error ? reject(error) : resolve(addresses)
    )
  )

const realRoots = async (roots: ReadonlyArray<string>): Promise<ReadonlyArray<string>> =>
  Promise.all(roots.map((r) => realpath(r).catch(() => r)))

/**
 * Open a local file for reading: allowed by the policy before and after resolving symlinks, and a regular
 * file. Opened non-blocking and checked with fstat, so a FIFO or device is refused without ever blocking.
 */
export const openFile = async (path: string, guard: Guard): Promise<FileHandle> => {
  let target = path
  if (guard.policy !== undefined) {
    const before = AccessPolicy.checkPath(guard.policy, path)
    if (before._tag === "Refused") throw new AccessRefused(before.reason)
    target = await realpath(before.target._tag === "File" ? before.target.path : path)
    const roots = await realRoots(guard.policy.localRoots)
    const after = AccessPolicy.checkPath(
      AccessPolicy.make({ ...guard.policy, localRoots: roots }),
      target
    )
    if (after._tag === "Refused")
      throw new AccessRefused(`${path} leads to ${target} (symbolic link): ${after.reason}`)
  } else {
    target = await realpath(path)
    if (/^\/(proc|sys|dev)(\/|$)/.test(target))
      throw new AccessRefused(`${target} is a system path, never data`)
  }
  const handle = await open(target, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY)
  try {
    const s = await handle.stat()
    if (!s.isFile())
      throw new AccessRefused(`${target} is not a regular file (a FIFO, device or directory)`)
    return handle
  } catch (error) {
    await handle.close()
    throw error
  }
}

/** Parse `Retry-After` (delta-seconds or an HTTP-date) into a wait in ms from `nowMs`; undefined if absent. */
export const retryAfterMs = (value: string | undefined, nowMs: number): number | undefined => {
  if (value === undefined) return undefined
  const v = value.trim()
  if (/^\d+$/.test(v)) return Number(v) * 1000
  const at = Date.parse(v)
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs)
}

/** Longest wait a `Retry-After` header can impose, in ms. */
export const maxRetryAfterMs = 60_000

/** An HTTP response whose body has not been read yet. */
export interface Response {
  readonly status: number
  readonly headers: IncomingHttpHeaders
  /** The body, refused past `maxBytes`. */
  readonly bytes: (maxBytes?: number) => Promise<Uint8Array>
  /**
   * The body as the pieces it arrived in (views of the socket's reads, not copied), refused past `maxBytes`:
   * for callers that keep parts of it, so that the whole is never copied into one array.
   */
  readonly chunks: (maxBytes?: number) => Promise<ReadonlyArray<Uint8Array>>
  readonly discard: () => void
}

const checkUrl = (guard: Guard, url: string): URL => {
  const u = new URL(url)
  if (u.protocol !== "http:" && u.protocol !== "https:")
    throw new AccessRefused(`scheme ${u.protocol} cannot be read (http and https can)`)
  if (guard.policy !== undefined) {
    const d = AccessPolicy.checkUrl(guard.policy, url)
    if (d._tag === "Refused") throw new AccessRefused(d.reason)
  }
  return u
}

// Every address a host name resolves to is checked when the connection is made (no window for a second,
// different DNS answer between check and use).
const lookupFor = (guard: Guard, u: URL) => {
  const policy = guard.policy
  if (policy === undefined) return undefined
  const resolve = guard.resolve ?? systemResolver
  return (
    hostname: string,
    options: { readonly all?: boolean },
    callback: (...args: Array<unknown>) => void
  ) => {
    resolve(hostname).then(
      (addresses) => {
        const bad = addresses.find((a) => AccessPolicy.isNonPublicHost(a.address))
        if (bad !== undefined && !AccessPolicy.privateAllowed(policy, hostname, u.port))
          return callback(
            new AccessRefused(`host ${hostname} resolves to the non-public address ${bad.address}`)
          )
        if (addresses.length === 0) return callback(new Error(`${hostname} has no address`))
        if (options.all === true) callback(null, addresses)
        else callback(null, addresses[0]!.address, addresses[0]!.family)
      },
      (error: unknown) => callback(error)
    )
  }
}

/**
 * Connections are kept alive and reused per host (a pool of at most 64 sockets each, the most recently used
 * first so idle ones time out): a range request to an object store costs one round trip, not a TCP (and
 * TLS) handshake too. Callers bound their requests per host below it (raster: `http.perHostConcurrency`).
 */
const agentOptions = { keepAlive: true, maxSockets: 64, scheduling: "lifo" as const }
const httpAgent = new HttpAgent(agentOptions)
const httpsAgent = new HttpsAgent(agentOptions)

const send = (
  u: URL,
  method: string,
  headers: Readonly<Record<string, string>>,
  body: string | undefined,
  signal: AbortSignal | undefined,
  guard: Guard
): Promise<IncomingMessage> =>
  new Promise((resolve, reject) => {
    const lookup = lookupFor(guard, u)
    const req = (u.protocol === "https:" ? httpsRequest : httpRequest)(u, {
      method,
      agent: u.protocol === "https:" ? httpsAgent : httpAgent,
      headers:
        body === undefined ? headers : { ...headers, "content-length": Buffer.byteLength(body) },
      ...(signal === undefined ? {} : { signal }),
      ...(lookup === undefined ? {} : { lookup: lookup as never })
    })
    req.once("response", resolve)
    req.once("error", reject)
    req.end(body)
  })

// Passes every chunk of the body to `take` with its position; resolves to the body's length. Refuses a body
// past `maxBytes`, or past `limit` (the Content-Length its array was sized by).
const collect = (
  res: IncomingMessage,
  maxBytes: number,
  limit: number | undefined,
  take: (chunk: Uint8Array, at: number) => void
): Promise<number> =>
  new Promise((resolve, reject) => {
    let size = 0
    res.on("data", (chunk: Buffer) => {
      const over =
        size + chunk.byteLength > maxBytes
          ? `larger than ${maxBytes} bytes`
          : limit !== undefined && size + chunk.byteLength > limit
            ? `longer than its Content-Length (${limit} bytes)`
            : undefined
      if (over !== undefined) {
        // Before the destroy, whose "aborted" would say the response was cut short.
        reject(new Error(`response ${over}`))
        res.destroy()
        return
      }
      take(chunk, size)
      size += chunk.byteLength
    })
    res.once("end", () => resolve(size))
    res.once("error", reject)
    res.once("aborted", () => reject(new Error("the response was cut short")))
  })

// A discarded body of at most this many bytes is read to its end, keeping the connection alive.
const maxDrainedBytes = 64 * 1024

// A body whose Content-Length is at most this is written into one array sized by it from the start.
const maxPresizedBytes = 256 * 1024 * 1024

// An array of `n` bytes of its own (a whole ArrayBuffer, transferable) that is not zeroed first: every byte is
// written before it is read.
const uninitialised = (n: number): Uint8Array =>
  new Uint8Array(Buffer.allocUnsafeSlow(n).buffer, 0, n)

const anonymous: Authorizer = {
  prepare: async (url) => {
    const location = S3Url.parse(url)
    if (location === undefined) return { url, headers: {} }
    return { url: S3Url.toHttp(location, {}), headers: {} }
  },
  observe: async () => undefined,
  denied: (url, status) =>
    /^s3:/i.test(url)
      ? new AccessDenied(
          `${url}: the object store answered ${status} to an anonymous request`,
          "if the bucket is requester-pays or private, name it under access.s3 with requesterPays: true and a profile (or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)",
          status
        )
      : undefined
}

/**
 * One HTTP request under the guard: the URL and every redirect target must be allowed (at most 5 redirects),
 * and the host must resolve to public addresses unless the policy allows it. `s3://` URLs and the hosts of
 * logins get their credentials from `guard.auth` (anonymous S3 without one), prepared anew at every hop.
 */
export const request = async (
  url: string,
  init: {
    readonly method?: string
    readonly headers?: Readonly<Record<string, string>>
    readonly body?: string
    readonly signal?: AbortSignal
  },
  guard: Guard
): Promise<Response> => {
  const auth = guard.auth ?? anonymous
  let current = url
  let method = init.method ?? "GET"
  let body = init.body
  let refreshed = 0
  for (let hop = 0; ; hop++) {
    const base = init.headers ?? {}
    const prepared = await auth.prepare(current, method, base)
    const u = checkUrl(guard, prepared.url)
    const res = await send(u, method, { ...base, ...prepared.headers }, body, init.signal, guard)
    const status = res.statusCode ?? 0
    const next = await auth.observe(current, status, res.headers, refreshed)
    if (next === "retry" && refreshed < 1) {
      res.resume()
      refreshed++
      hop--
      continue
    }
    const location = res.headers.location
    if (status >= 300 && status < 400 && location !== undefined) {
      res.resume()
      if (hop >= 5) throw new Error(`more than 5 redirects from ${url}`)
      current = new URL(location, prepared.url).href
      if (status === 303 || ((status === 301 || status === 302) && method === "POST")) {
        method = "GET"
        body = undefined
      }
      continue
    }
    if (status === 401 || status === 403) {
      const denied = auth.denied(url, status)
      if (denied !== undefined) {
        res.resume()
        throw denied
      }
    }
    return {
      status,
      headers: res.headers,
      // A body already received whole, or a short one (an error document: 503 SlowDown, 404) that ends within
      // a second, is read off so that the connection goes back to the pool; a long one, or one of unknown
      // length still arriving, closes it.
      discard: () => {
        if (res.complete) return void res.resume()
        const declared = Number(res.headers["content-length"] ?? NaN)
        if (!(declared >= 0 && declared <= maxDrainedBytes)) return void res.destroy()
        const late = setTimeout(() => res.destroy(), 1000).unref()
        res.once("close", () => clearTimeout(late))
        res.resume()
      },
      bytes: (maxBytes = Number.POSITIVE_INFINITY) => {
        // With a Content-Length (node's parser passes no more bytes than it says), each chunk is copied on
        // arrival into one array of that size, not zeroed first; else chunks are kept and copied at the end.
        const declared = Number(res.headers["content-length"] ?? NaN)
        const sized =
          Number.isSafeInteger(declared) &&
          declared >= 0 &&
          declared <= Math.min(maxBytes, maxPresizedBytes)
        const body = sized ? uninitialised(declared) : undefined
        const chunks: Array<Uint8Array> = []
        return collect(res, maxBytes, body?.byteLength, (chunk, at) => {
          if (body !== undefined) body.set(chunk, at)
          else chunks.push(chunk)
        }).then((size) => {
          if (body !== undefined) return size === body.byteLength ? body : body.subarray(0, size)
          const out = uninitialised(size)
          let at = 0
          for (const chunk of chunks) {
            out.set(chunk, at)
            at += chunk.byteLength
          }
          return out
        })
      },
      chunks: (maxBytes = Number.POSITIVE_INFINITY) => {
        const chunks: Array<Uint8Array> = []
        // Plain Uint8Array views: a Buffer's subarray goes through its species constructor, many times slower.
        const plain = (chunk: Uint8Array) =>
          void chunks.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength))
        return collect(res, maxBytes, undefined, plain).then(() => chunks)
      }
    }
  }
}
