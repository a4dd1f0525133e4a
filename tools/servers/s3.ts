// A local S3-compatible server for tests (path-style, 127.0.0.1): GET/HEAD with ranges and ETags (304 on
// If-None-Match), anonymous public buckets, private and requester-pays buckets whose requests must carry a valid SigV4 signature (sigv4.ts).
import { createHash } from "node:crypto"
import { createServer, type IncomingHttpHeaders } from "node:http"
import type { AddressInfo } from "node:net"
import { parseAuthorization, verify } from "./sigv4.ts"

/** A bucket: its objects by key, who may read it, the region it lives in. */
export interface Bucket {
  readonly objects: ReadonlyMap<string, Uint8Array>
  /** Anyone may read without signing. */
  readonly public?: boolean
  /** Signed requests must carry (and sign) `x-amz-request-payer: requester`. */
  readonly requesterPays?: boolean
  /** Requests signed for another region are refused with `x-amz-bucket-region` (default us-east-1). */
  readonly region?: string
}

/** Keys the server accepts: access key id → secret (and the session token it requires, if any). */
export type Keys = Readonly<
  Record<string, { readonly secret: string; readonly sessionToken?: string }>
>

/** One request as the server saw it (for assertions about what was sent). */
export interface Logged {
  readonly method: string
  readonly path: string
  readonly headers: IncomingHttpHeaders
  readonly status: number
  readonly code?: string
}

/** A running server. */
export interface S3Server {
  /** `http://127.0.0.1:PORT`: the endpoint a store names. */
  readonly endpoint: string
  readonly log: Array<Logged>
  readonly close: () => Promise<void>
}

const xmlError = (code: string, message: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`

/** Start a server with `buckets` accepting `keys`. */
export const start = async (
  buckets: Readonly<Record<string, Bucket>>,
  keys: Keys,
  now: () => number = () => Date.now()
): Promise<S3Server> => {
  const log: Array<Logged> = []
  const server = createServer((req, res) => {
    const method = req.method ?? "GET"
    const raw = req.url ?? "/"
    const fail = (
      status: number,
      code: string,
      message: string,
      extra: Record<string, string> = {}
    ) => {
      log.push({ method, path: raw, headers: req.headers, status, code })
      res.writeHead(status, { "content-type": "application/xml", ...extra })
      res.end(method === "HEAD" ? undefined : xmlError(code, message))
    }
    const path = raw.split("?")[0]!
    const [, bucketName = "", ...rest] = path.split("/")
    const key = rest.map((s) => decodeURIComponent(s)).join("/")
    const bucket = buckets[bucketName]
    if (bucket === undefined) return fail(404, "NoSuchBucket", `no bucket ${bucketName}`)
    const signed = req.headers.authorization !== undefined
    if (signed) {
      const auth = parseAuthorization([req.headers.authorization].flat()[0])
      const region = bucket.region ?? "us-east-1"
      if (auth !== undefined && auth.region !== region)
        return fail(
          400,
          "AuthorizationHeaderMalformed",
          `the region '${auth.region}' is wrong; expecting '${region}'`,
          {
            "x-amz-bucket-region": region
          }
        )
      const problem = verify(method, raw, req.headers, (id) => keys[id]?.secret)
      if (problem !== undefined)
        return fail(
          403,
          problem === "SignatureDoesNotMatch" ? "SignatureDoesNotMatch" : "AccessDenied",
          problem
        )
      const amzDate = String(req.headers["x-amz-date"])
      const at = Date.parse(
        `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`
      )
      if (!(Math.abs(at - now()) < 15 * 60_000))
        return fail(403, "RequestTimeTooSkewed", "the request time is too far from the server's")
      const expectedToken = keys[auth!.accessKeyId]?.sessionToken
      if (
        expectedToken !== undefined &&
        (req.headers["x-amz-security-token"] !== expectedToken ||
          !auth!.signedHeaders.includes("x-amz-security-token"))
      )
        return fail(403, "InvalidToken", "the session token is missing, wrong or unsigned")
      if (
        bucket.requesterPays === true &&
        (req.headers["x-amz-request-payer"] !== "requester" ||
          !auth!.signedHeaders.includes("x-amz-request-payer"))
      )
        return fail(
          403,
          "AccessDenied",
          "requester-pays bucket: x-amz-request-payer missing or unsigned"
        )
    } else if (bucket.public !== true) {
      return fail(403, "AccessDenied", "anonymous requests are not allowed")
    }
    const object = bucket.objects.get(key)
    if (object === undefined) return fail(404, "NoSuchKey", `no key ${key}`)
    // S3's ETag of a single-part object is its MD5; If-None-Match on a current ETag answers 304.
    const etag = `"${createHash("md5").update(object).digest("hex")}"`
    if (req.headers["if-none-match"] === etag) {
      log.push({ method, path: raw, headers: req.headers, status: 304 })
      res.writeHead(304, { etag }).end()
      return
    }
    const range = /^bytes=(\d+)-(\d*)$/.exec(String(req.headers.range ?? ""))
    let status = 200
    let body = object
    const headers: Record<string, string> = {
      etag,
      "accept-ranges": "bytes",
      "content-type": "application/octet-stream"
    }
    if (range !== null) {
      const start = Number(range[1])
      const end = Math.min(
        range[2] === "" ? object.length - 1 : Number(range[2]),
        object.length - 1
      )
      if (start >= object.length) return fail(416, "InvalidRange", "range not satisfiable")
      status = 206
      body = object.subarray(start, end + 1)
      headers["content-range"] = `bytes ${start}-${end}/${object.length}`
    }
    headers["content-length"] = String(body.length)
    log.push({ method, path: raw, headers: req.headers, status })
    res.writeHead(status, headers)
    res.end(
      method === "HEAD" ? undefined : Buffer.from(body.buffer, body.byteOffset, body.byteLength)
    )
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    endpoint: `http://127.0.0.1:${port}`,
    log,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
