// An independent AWS Signature Version 4 verifier (written from AWS's specification, not from the signer
// EOForge uses): rebuilds the canonical request of an incoming request and recomputes its signature.
import { createHash, createHmac, timingSafeEqual } from "node:crypto"
import type { IncomingHttpHeaders } from "node:http"

const sha256 = (data: string | Uint8Array): string =>
  createHash("sha256").update(data).digest("hex")
const hmac = (key: string | Buffer, data: string): Buffer =>
  createHmac("sha256", key).update(data, "utf8").digest()

// RFC 3986 unreserved characters stay, everything else is %XX (upper case), as SigV4 requires.
const encode = (s: string): string =>
  Array.from(new TextEncoder().encode(s))
    .map((b) => {
      const c = String.fromCharCode(b)
      return /[A-Za-z0-9\-._~]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, "0")}`
    })
    .join("")

/** What a signed request claims: key id, scope, signed header names and the signature. */
export interface Authorization {
  readonly accessKeyId: string
  readonly date: string
  readonly region: string
  readonly service: string
  readonly signedHeaders: ReadonlyArray<string>
  readonly signature: string
}

/** The parts of an `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…` header, or undefined. */
export const parseAuthorization = (value: string | undefined): Authorization | undefined => {
  const m =
    /^AWS4-HMAC-SHA256\s+Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/.exec(
      value ?? ""
    )
  if (m === null) return undefined
  return {
    accessKeyId: m[1]!,
    date: m[2]!,
    region: m[3]!,
    service: m[4]!,
    signedHeaders: m[5]!.split(";"),
    signature: m[6]!
  }
}

/** The canonical request of `method` `rawPath` (path and query as sent) with `headers` (S3 rules: no path normalisation). */
export const canonicalRequest = (
  method: string,
  rawPath: string,
  headers: IncomingHttpHeaders,
  signedHeaders: ReadonlyArray<string>,
  payloadHash: string
): string => {
  const q = rawPath.indexOf("?")
  const path = q < 0 ? rawPath : rawPath.slice(0, q)
  const query = q < 0 ? "" : rawPath.slice(q + 1)
  const uri = path
    .split("/")
    .map((s) => encode(decodeURIComponent(s)))
    .join("/")
  const params =
    query === ""
      ? []
      : query.split("&").map((p) => {
          const eq = p.indexOf("=")
          const k = decodeURIComponent((eq < 0 ? p : p.slice(0, eq)).replace(/\+/g, " "))
          const v = eq < 0 ? "" : decodeURIComponent(p.slice(eq + 1).replace(/\+/g, " "))
          return [encode(k), encode(v)] as const
        })
  params.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : 1))
  const canonicalHeaders = signedHeaders
    .map((h) => {
      const v = headers[h]
      const value = (Array.isArray(v) ? v.join(",") : (v ?? "")).trim().replace(/\s+/g, " ")
      return `${h}:${value}\n`
    })
    .join("")
  return [
    method,
    uri,
    params.map(([k, v]) => `${k}=${v}`).join("&"),
    canonicalHeaders,
    signedHeaders.join(";"),
    payloadHash
  ].join("\n")
}

/** The signature of `canonical` at `amzDate` (`YYYYMMDDTHHMMSSZ`) in the scope of `auth` with `secret`. */
export const signature = (
  canonical: string,
  amzDate: string,
  auth: Pick<Authorization, "date" | "region" | "service">,
  secret: string
): string => {
  const scope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`
  const toSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256(canonical)].join("\n")
  const kDate = hmac(`AWS4${secret}`, auth.date)
  const kRegion = hmac(kDate, auth.region)
  const kService = hmac(kRegion, auth.service)
  const kSigning = hmac(kService, "aws4_request")
  return createHmac("sha256", kSigning).update(toSign, "utf8").digest("hex")
}

/** Why a request's signature is not valid for `secret`, or undefined when it is. */
export const verify = (
  method: string,
  rawPath: string,
  headers: IncomingHttpHeaders,
  secret: (accessKeyId: string) => string | undefined,
  body: Uint8Array = new Uint8Array(0)
): string | undefined => {
  const auth = parseAuthorization([headers.authorization].flat()[0])
  if (auth === undefined) return "no AWS4-HMAC-SHA256 Authorization header"
  const key = secret(auth.accessKeyId)
  if (key === undefined) return `unknown access key ${auth.accessKeyId}`
  if (!auth.signedHeaders.includes("host")) return "host is not signed"
  const amzDate = [headers["x-amz-date"]].flat()[0]
  if (amzDate === undefined || !amzDate.startsWith(auth.date))
    return "x-amz-date missing or not the scope's date"
  const payload = [headers["x-amz-content-sha256"]].flat()[0] ?? sha256(body)
  if (payload !== "UNSIGNED-PAYLOAD" && payload !== sha256(body)) return "payload hash mismatch"
  const expected = signature(
    canonicalRequest(method, rawPath, headers, auth.signedHeaders, payload),
    amzDate,
    auth,
    key
  )
  const a = Buffer.from(expected, "hex")
  const b = Buffer.from(auth.signature, "hex")
  return a.length === b.length && timingSafeEqual(a, b) ? undefined : "SignatureDoesNotMatch"
}
