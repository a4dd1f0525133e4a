// A local test double of the Earth Engine REST API on 127.0.0.1: an OAuth token endpoint (JWT-bearer grant,
// RS256 verified against the service accounts' public keys), `image:computePixels` (bearer token checked,
// expression graph and grid parsed, size limits enforced, NPY computed from fixture images) and
// `value:compute`; it injects 429s over its rate and concurrency limits and records every request.
import { Expression, Npy } from "@eoforge/earthengine"
import type { DType } from "@eoforge/core"
import { randomBytes, verify, type KeyObject } from "node:crypto"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { evaluate, EvalError, isImage, type FixtureImage, type Grid } from "./evaluate.ts"

export type { BandPixels, FixtureImage, Grid, Mode } from "./evaluate.ts"

/** What the double serves and enforces. */
export interface DoubleOptions {
  readonly project: string
  /** Service accounts: client_email → public key verifying their JWTs. */
  readonly accounts?: Readonly<Record<string, KeyObject>>
  /** Access tokens accepted without the token endpoint (e.g. from an environment variable) → expiry, ms. */
  readonly staticTokens?: Readonly<Record<string, number>>
  /** Lifetime of issued tokens, s (default 3600). */
  readonly tokenLifetimeS?: number
  readonly collections?: Readonly<Record<string, ReadonlyArray<FixtureImage>>>
  readonly images?: Readonly<Record<string, FixtureImage>>
  /** computePixels limits (default Earth Engine's: 48 MiB, 32,768 px per side, 1,024 bands). */
  readonly maxBytes?: number
  readonly maxSide?: number
  readonly maxBands?: number
  /** Quota: a token bucket of this many requests refilled at this many per second; empty → 429 (default unlimited). */
  readonly perSecond?: number
  /** Requests in flight before 429 (default unlimited). */
  readonly concurrency?: number
  /** Answer 429 to the request with this 1-based sequence number (injected throttling). */
  readonly throttle?: (sequence: number) => boolean
  /** Projects the credentials may use (default: `project` only); others get 403. */
  readonly allowedProjects?: ReadonlyArray<string>
}

/** One API request as the double saw it. */
export interface Seen {
  readonly sequence: number
  readonly method: "computePixels" | "value:compute"
  readonly at: number
  readonly status: number
  readonly token: string
  readonly grid?: Grid
  readonly bandIds?: ReadonlyArray<string>
  readonly functions: ReadonlyArray<string>
  readonly message?: string
}

/** A running double. */
export interface Double {
  /** API root for the client's `baseUrl`. */
  readonly url: string
  /** The token endpoint for service-account keys' `token_uri`. */
  readonly tokenUrl: string
  readonly requests: ReadonlyArray<Seen>
  /** Tokens issued, with their expiry (ms). */
  readonly issued: ReadonlyArray<{
    readonly token: string
    readonly expiresAt: number
    readonly at: number
  }>
  /** Every body the token endpoint received and the reasons it refused any. */
  readonly tokenRefusals: ReadonlyArray<string>
  /** Largest number of API requests in flight at once. */
  readonly maxInFlight: () => number
  readonly close: () => Promise<void>
}

const bytesOf = (d: DType.DType): number =>
  d === "uint8" || d === "int8" ? 1 : d === "uint16" || d === "int16" ? 2 : d === "float64" ? 8 : 4

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")))
    req.on("error", reject)
  })

const sendError = (
  res: ServerResponse,
  code: number,
  status: string,
  message: string,
  headers = {}
) => {
  res.writeHead(code, { "content-type": "application/json", ...headers })
  res.end(JSON.stringify({ error: { code, message, status } }))
}

const fromB64 = (s: string): Buffer => Buffer.from(s, "base64url")

/** Start the double on 127.0.0.1 (a free port). */
export const start = async (options: DoubleOptions): Promise<Double> => {
  const requests: Array<Seen> = []
  const issued: Array<{ token: string; expiresAt: number; at: number }> = []
  const tokenRefusals: Array<string> = []
  const valid = new Map<string, number>(Object.entries(options.staticTokens ?? {}))
  let bucket = options.perSecond ?? 0
  let filledAt = Date.now()
  let sequence = 0
  let inFlight = 0
  let maxInFlight = 0
  let base = ""
  const maxBytes = options.maxBytes ?? 48 * 1024 * 1024
  const maxSide = options.maxSide ?? 32_768
  const maxBands = options.maxBands ?? 1024
  const allowed = options.allowedProjects ?? [options.project]

  const token = async (req: IncomingMessage, res: ServerResponse) => {
    const form = new URLSearchParams(await readBody(req))
    const refuse = (why: string) => {
      tokenRefusals.push(why)
      res.writeHead(400, { "content-type": "application/json" })
      res.end(JSON.stringify({ error: "invalid_grant", error_description: why }))
    }
    if (form.get("grant_type") !== "urn:ietf:params:oauth:grant-type:jwt-bearer")
      return refuse("unsupported grant_type")
    const parts = (form.get("assertion") ?? "").split(".")
    if (parts.length !== 3) return refuse("the assertion is not a JWT")
    let header: { alg?: string }
    let claims: { iss?: string; aud?: string; scope?: string; iat?: number; exp?: number }
    try {
      header = JSON.parse(fromB64(parts[0]).toString("utf8"))
      claims = JSON.parse(fromB64(parts[1]).toString("utf8"))
    } catch {
      return refuse("the JWT is not JSON")
    }
    if (header.alg !== "RS256") return refuse(`alg ${header.alg} is not RS256`)
    const key = claims.iss === undefined ? undefined : options.accounts?.[claims.iss]
    if (key === undefined) return refuse(`unknown service account ${claims.iss}`)
    const signed = Buffer.from(`${parts[0]}.${parts[1]}`)
    if (!verify("RSA-SHA256", signed, key, fromB64(parts[2])))
      return refuse("Invalid JWT Signature.")
    if (claims.aud !== `${base}/token`) return refuse(`aud ${claims.aud} is not this endpoint`)
    if (!(claims.scope ?? "").split(" ").includes("https://www.googleapis.com/auth/earthengine"))
      return refuse("the scope does not include Earth Engine")
    const nowS = Date.now() / 1000
    if (claims.iat === undefined || claims.exp === undefined || claims.exp - claims.iat > 3600)
      return refuse("iat/exp missing or lifetime over one hour")
    if (claims.iat > nowS + 60 || claims.exp < nowS)
      return refuse("Invalid JWT: token expired or not yet valid")
    const lifetime = options.tokenLifetimeS ?? 3600
    const access = `ya29.double-${randomBytes(16).toString("hex")}`
    const expiresAt = Date.now() + lifetime * 1000
    valid.set(access, expiresAt)
    issued.push({ token: access, expiresAt, at: Date.now() })
    res.writeHead(200, { "content-type": "application/json" })
    res.end(JSON.stringify({ access_token: access, expires_in: lifetime, token_type: "Bearer" }))
  }

  const api = async (
    req: IncomingMessage,
    res: ServerResponse,
    project: string,
    method: Seen["method"]
  ) => {
    const seq = ++sequence
    const at = Date.now()
    const auth = req.headers.authorization ?? ""
    const bearer = auth.startsWith("Bearer ") ? auth.slice(7) : ""
    const record = (status: number, extra: Partial<Seen> = {}) =>
      requests.push({ sequence: seq, method, at, status, token: bearer, functions: [], ...extra })
    const body = await readBody(req)
    const expiry = valid.get(bearer)
    if (expiry === undefined || expiry <= Date.now()) {
      record(401)
      return sendError(
        res,
        401,
        "UNAUTHENTICATED",
        "Request had invalid authentication credentials."
      )
    }
    if (!allowed.includes(project)) {
      record(403)
      return sendError(
        res,
        403,
        "PERMISSION_DENIED",
        `Permission 'earthengine.computations.create' denied on resource 'projects/${project}'.`
      )
    }
    if (options.perSecond !== undefined) {
      bucket = Math.min(options.perSecond, bucket + ((at - filledAt) * options.perSecond) / 1000)
      filledAt = at
    }
    if (
      options.throttle?.(seq) === true ||
      (options.perSecond !== undefined && bucket < 1) ||
      (options.concurrency !== undefined && inFlight >= options.concurrency)
    ) {
      record(429)
      return sendError(
        res,
        429,
        "RESOURCE_EXHAUSTED",
        "Too many concurrent requests or rate limit exceeded."
      )
    }
    bucket -= 1
    inFlight++
    maxInFlight = Math.max(maxInFlight, inFlight)
    try {
      const json = JSON.parse(body) as {
        expression?: unknown
        grid?: {
          dimensions?: { width?: number; height?: number }
          affineTransform?: Record<string, number>
          crsCode?: string
        }
        bandIds?: Array<string>
        fileFormat?: string
      }
      const tree = Expression.parse(json.expression)
      const functions = Expression.functionNames(tree)
      const value = evaluate(tree, options.collections ?? {}, options.images ?? {})
      if (method === "value:compute") {
        record(200, { functions })
        res.writeHead(200, { "content-type": "application/json" })
        return res.end(JSON.stringify({ result: value }))
      }
      if (!isImage(value)) throw new EvalError("computePixels: the expression is not an Image.")
      const g = json.grid
      const t = g?.affineTransform
      const width = g?.dimensions?.width
      const height = g?.dimensions?.height
      if (
        g === undefined ||
        t === undefined ||
        typeof g.crsCode !== "string" ||
        !Number.isInteger(width) ||
        !Number.isInteger(height) ||
        (t.shearX ?? 0) !== 0 ||
        (t.shearY ?? 0) !== 0 ||
        t.scaleX !== -t.scaleY ||
        !(t.scaleX > 0)
      )
        throw new EvalError(
          "grid: a north-up grid with crsCode, affineTransform and dimensions is required"
        )
      const grid: Grid = {
        crsCode: g.crsCode,
        x0: t.translateX ?? 0,
        y0: t.translateY ?? 0,
        resolution: t.scaleX,
        width: width!,
        height: height!
      }
      const ids = json.bandIds ?? value.bands.map((b) => b.name)
      const picks = ids.map((id) => {
        const k = value.bands.findIndex((b) => b.name === id)
        if (k < 0) throw new EvalError(`Band '${id}' not found in the image.`)
        return k
      })
      const bytes =
        grid.width * grid.height * picks.reduce((s, k) => s + bytesOf(value.bands[k].dtype), 0)
      if (grid.width > maxSide || grid.height > maxSide)
        throw new EvalError(
          `Pixel grid dimensions (${grid.width}x${grid.height}) must be less than or equal to ${maxSide}.`
        )
      if (picks.length > maxBands)
        throw new EvalError(
          `Number of bands (${picks.length}) must be less than or equal to ${maxBands}.`
        )
      if (bytes > maxBytes)
        throw new EvalError(
          `Total request size (${bytes} bytes) must be less than or equal to ${maxBytes} bytes.`
        )
      if (json.fileFormat !== "NPY")
        throw new EvalError(`fileFormat ${json.fileFormat} is not served by the double`)
      const computed = await value.compute(grid, "nearest")
      const out = Npy.encode({
        names: ids,
        dtypes: picks.map((k) => value.bands[k].dtype),
        width: grid.width,
        height: grid.height,
        // Masked pixels are 0 in the answer, as Earth Engine fills them.
        data: picks.map((k) => computed[k].data.map((v, i) => (computed[k].mask[i] === 1 ? v : 0)))
      })
      record(200, { grid, bandIds: ids, functions })
      res.writeHead(200, { "content-type": "application/octet-stream" })
      res.end(out)
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e)
      const notFound = /not found\.$/.test(message) && /load:/.test(message)
      record(notFound ? 404 : 400, { message })
      sendError(res, notFound ? 404 : 400, notFound ? "NOT_FOUND" : "INVALID_ARGUMENT", message)
    } finally {
      inFlight--
    }
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", base)
    const m = /^\/v1\/projects\/([^/]+)\/(image:computePixels|value:compute)$/.exec(url.pathname)
    const run =
      req.method === "POST" && url.pathname === "/token"
        ? token(req, res)
        : req.method === "POST" && m !== null
          ? api(
              req,
              res,
              decodeURIComponent(m[1]),
              m[2] === "value:compute" ? "value:compute" : "computePixels"
            )
          : Promise.resolve(
              sendError(res, 404, "NOT_FOUND", `no route ${req.method} ${url.pathname}`)
            )
    run.catch((e: unknown) => sendError(res, 500, "INTERNAL", String(e)))
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url: base,
    tokenUrl: `${base}/token`,
    requests,
    issued,
    tokenRefusals,
    maxInFlight: () => maxInFlight,
    close: () => new Promise((resolve) => server.close(() => resolve()))
  }
}

/** The largest number of requests that started within any 1 s window. */
export const peakPerSecond = (seen: ReadonlyArray<Seen>): number => {
  const at = seen.map((s) => s.at).sort((a, b) => a - b)
  let best = 0
  for (let i = 0, j = 0; i < at.length; i++) {
    while (at[i] - at[j] >= 1000) j++
    best = Math.max(best, i - j + 1)
  }
  return best
}
