// Local login servers for tests, each on its own loopback address so host-scoped credentials can be checked:
// an Earthdata-like archive (data host → login host OAuth redirect → back with a code → session cookie →
// 307 to a pre-signed object host that refuses any Authorization header) and an OpenID Connect token
// endpoint (password and refresh-token grants, expiring tokens) with an archive that accepts its tokens.
import { randomBytes } from "node:crypto"
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"

/** One request a server saw. */
export interface Logged {
  readonly host: string
  readonly method: string
  readonly path: string
  readonly authorization?: string
  readonly cookie?: string
  readonly status: number
}

/** What the servers accept. */
export interface Options {
  /** Files served by the archives, by path (e.g. `/data/a.bin`). */
  readonly files: ReadonlyMap<string, Uint8Array>
  /** Earthdata tokens accepted as Bearer at the login host. */
  readonly tokens: ReadonlyArray<string>
  /** User name and password accepted as Basic at the login host, and by the OIDC password grant. */
  readonly user: { readonly name: string; readonly password: string }
  /** Access token lifetime in seconds (OIDC). */
  readonly accessSeconds?: number
  /** Clock, ms. */
  readonly now?: () => number
}

/** The running servers. */
export interface Servers {
  /** Earthdata-like archive: `${data}/data/<path>`. */
  readonly data: string
  /** Login host (OAuth authorize; OIDC token endpoint `${urs}/token`). */
  readonly urs: string
  /** Pre-signed object host. */
  readonly objects: string
  /** Archive accepting OIDC access tokens: `${oidcData}/odata/<path>`. */
  readonly oidcData: string
  readonly log: Array<Logged>
  /** Signature query values the object host's pre-signed URLs carry (must never be persisted). */
  readonly presignedSecrets: Array<string>
  /** Access tokens the OIDC endpoint issued. */
  readonly issued: Array<string>
  /** Make the OIDC archive refuse every token (an account without the right), or accept them again. */
  readonly refuseTokens: (refuse: boolean) => void
  readonly close: () => Promise<void>
}

const listen = async (
  host: string,
  handler: (req: IncomingMessage, res: ServerResponse) => void
) => {
  const server = createServer(handler)
  await new Promise<void>((resolve) => server.listen(0, host, resolve))
  return { server, url: `http://${host}:${(server.address() as AddressInfo).port}` }
}

const range = (req: IncomingMessage, res: ServerResponse, bytes: Uint8Array): number => {
  const m = /^bytes=(\d+)-(\d*)$/.exec(String(req.headers.range ?? ""))
  if (m === null) {
    res.writeHead(200, { "content-length": bytes.length }).end(Buffer.from(bytes))
    return 200
  }
  const start = Number(m[1])
  const end = Math.min(m[2] === "" ? bytes.length - 1 : Number(m[2]), bytes.length - 1)
  res
    .writeHead(206, {
      "content-range": `bytes ${start}-${end}/${bytes.length}`,
      "content-length": end - start + 1
    })
    .end(Buffer.from(bytes.subarray(start, end + 1)))
  return 206
}

/** Start the four servers on 127.0.0.2–127.0.0.5. */
export const start = async (options: Options): Promise<Servers> => {
  const now = options.now ?? (() => Date.now())
  const log: Array<Logged> = []
  const presignedSecrets: Array<string> = []
  const issued: Array<string> = []
  const sessions = new Set<string>()
  const codes = new Map<string, string>()
  const access = new Map<string, number>()
  const refresh = new Set<string>()
  const urls = { data: "", urs: "", objects: "", oidcData: "" }
  let refuse = false
  const record = (host: string, req: IncomingMessage, status: number) =>
    log.push({
      host,
      method: req.method ?? "GET",
      path: req.url ?? "/",
      ...(req.headers.authorization === undefined
        ? {}
        : { authorization: req.headers.authorization }),
      ...(req.headers.cookie === undefined ? {} : { cookie: req.headers.cookie }),
      status
    })
  const plain = (
    host: string,
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    extra: Record<string, string> = {}
  ) => {
    record(host, req, status)
    res.writeHead(status, extra).end()
  }

  const data = await listen("127.0.0.2", (req, res) => {
    const u = new URL(req.url ?? "/", urls.data)
    if (u.pathname === "/login") {
      const target = codes.get(u.searchParams.get("code") ?? "")
      if (target === undefined) return plain("data", req, res, 401)
      codes.delete(u.searchParams.get("code")!)
      const session = randomBytes(12).toString("hex")
      sessions.add(session)
      return plain("data", req, res, 302, {
        location: `${urls.data}${target}`,
        "set-cookie": `asf-urs=${session}; Path=/; HttpOnly`
      })
    }
    if (!options.files.has(u.pathname)) return plain("data", req, res, 404)
    const cookie = /asf-urs=([0-9a-f]+)/.exec(String(req.headers.cookie ?? ""))?.[1]
    if (cookie === undefined || !sessions.has(cookie)) {
      const redirect = encodeURIComponent(`${urls.data}/login`)
      return plain("data", req, res, 302, {
        location: `${urls.urs}/oauth/authorize?client_id=archive&response_type=code&redirect_uri=${redirect}&state=${encodeURIComponent(u.pathname)}`
      })
    }
    const sig = randomBytes(16).toString("hex")
    presignedSecrets.push(sig)
    return plain("data", req, res, 307, {
      location: `${urls.objects}${u.pathname}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=ASIAPRESIGNED&X-Amz-Signature=${sig}`
    })
  })
  const urs = await listen("127.0.0.3", (req, res) => {
    const u = new URL(req.url ?? "/", urls.urs)
    if (u.pathname === "/oauth/authorize") {
      const auth = String(req.headers.authorization ?? "")
      const basic = `Basic ${Buffer.from(`${options.user.name}:${options.user.password}`).toString("base64")}`
      const ok = auth === basic || options.tokens.some((t) => auth === `Bearer ${t}`)
      if (!ok)
        return plain("urs", req, res, 401, {
          "www-authenticate": 'Basic realm="Please enter your Earthdata Login credentials"'
        })
      const code = randomBytes(8).toString("hex")
      codes.set(code, u.searchParams.get("state") ?? "/")
      return plain("urs", req, res, 302, {
        location: `${u.searchParams.get("redirect_uri")}?code=${code}&state=${encodeURIComponent(u.searchParams.get("state") ?? "")}`
      })
    }
    if (u.pathname === "/token" && req.method === "POST") {
      let body = ""
      req.on("data", (c: Buffer) => (body += c.toString("utf8")))
      req.on("end", () => {
        const form = new URLSearchParams(body)
        const grant = form.get("grant_type")
        const good =
          form.get("client_id") === "cdse-public" &&
          ((grant === "password" &&
            form.get("username") === options.user.name &&
            form.get("password") === options.user.password) ||
            (grant === "refresh_token" && refresh.has(form.get("refresh_token") ?? "")))
        if (!good) {
          record("urs", req, 401)
          res
            .writeHead(401, { "content-type": "application/json" })
            .end(JSON.stringify({ error: "invalid_grant" }))
          return
        }
        if (grant === "refresh_token") refresh.delete(form.get("refresh_token")!)
        const token = `at-${randomBytes(12).toString("hex")}`
        const next = `rt-${randomBytes(12).toString("hex")}`
        const lifetime = options.accessSeconds ?? 600
        access.set(token, now() + lifetime * 1000)
        refresh.add(next)
        issued.push(token, next)
        record("urs", req, 200)
        res.writeHead(200, { "content-type": "application/json" }).end(
          JSON.stringify({
            access_token: token,
            expires_in: lifetime,
            refresh_token: next,
            refresh_expires_in: 3600,
            token_type: "Bearer"
          })
        )
      })
      return
    }
    return plain("urs", req, res, 404)
  })
  const objects = await listen("127.0.0.4", (req, res) => {
    const u = new URL(req.url ?? "/", urls.objects)
    const sig = u.searchParams.get("X-Amz-Signature") ?? ""
    // S3 refuses a request carrying two authentication mechanisms.
    if (req.headers.authorization !== undefined) return plain("objects", req, res, 400)
    if (!presignedSecrets.includes(sig)) return plain("objects", req, res, 403)
    const bytes = options.files.get(u.pathname)
    if (bytes === undefined) return plain("objects", req, res, 404)
    record("objects", req, range(req, res, bytes))
  })
  const oidcData = await listen("127.0.0.5", (req, res) => {
    const u = new URL(req.url ?? "/", urls.oidcData)
    const token = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ""))?.[1]
    const until = token === undefined ? undefined : access.get(token)
    if (refuse || until === undefined || now() >= until) return plain("oidcData", req, res, 401)
    const bytes = options.files.get(u.pathname.replace(/^\/odata/, "/data"))
    if (bytes === undefined) return plain("oidcData", req, res, 404)
    record("oidcData", req, range(req, res, bytes))
  })
  urls.data = data.url
  urls.urs = urs.url
  urls.objects = objects.url
  urls.oidcData = oidcData.url
  const all: Array<Server> = [data.server, urs.server, objects.server, oidcData.server]
  return {
    ...urls,
    log,
    presignedSecrets,
    issued,
    refuseTokens: (v) => {
      refuse = v
    },
    close: async () => {
      await Promise.all(
        all.map(
          (s) =>
            new Promise<void>((resolve) => {
              s.closeAllConnections()
              s.close(() => resolve())
            })
        )
      )
    }
  }
}
