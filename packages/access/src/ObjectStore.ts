// s3:// reads: which endpoint, region and addressing style serve a bucket, and whether requests are anonymous
// or signed with AWS Signature V4 (npm aws4) — AWS public and requester-pays buckets, S3-compatible stores.
import aws4 from "aws4"
import { Redacted } from "effect"
import * as Credentials from "./Credentials.ts"
import { AccessDenied, type Prepared } from "./Guarded.ts"
import * as S3Url from "./internal/s3Url.ts"

/** How to read one bucket (or every bucket, `*`). A recipe names profiles and endpoints, never keys. */
export interface Store {
  /** Bucket name, or `*` for buckets no other entry names. */
  readonly bucket: string
  /** `https://host[:port]` of an S3-compatible service (CDSE: `https://eodata.dataspace.copernicus.eu`); AWS when absent. */
  readonly endpoint?: string | undefined
  /** Region signed for (AWS: the bucket's; S3-compatible services often accept `default` or `us-east-1`). */
  readonly region?: string | undefined
  /** Path-style addressing (`endpoint/bucket/key`); default true for custom endpoints, false for AWS. */
  readonly pathStyle?: boolean | undefined
  /** The requester pays for transfers: requests are signed and carry `x-amz-request-payer: requester`. */
  readonly requesterPays?: boolean | undefined
  /** Profile of the shared AWS config/credentials files holding the keys (default: environment, AWS_PROFILE). */
  readonly profile?: string | undefined
  /** Read without signing even if keys exist (public buckets). Default: anonymous unless requester-pays, a profile or an endpoint is given. */
  readonly anonymous?: boolean | undefined
}

/** Whether requests to `store` are signed. */
export const isSigned = (store: Store): boolean =>
  store.anonymous !== true &&
  (store.requesterPays === true || store.profile !== undefined || store.endpoint !== undefined)

/** The entry for `bucket`: the one naming it, else `*`, else anonymous AWS. */
export const storeFor = (stores: ReadonlyArray<Store>, bucket: string): Store =>
  stores.find((s) => s.bucket === bucket) ??
  stores.find((s) => s.bucket === "*") ?? { bucket, anonymous: true }

/** Hosts (with port when given) the recipe's endpoints name, for the access policy. */
export const endpointHosts = (stores: ReadonlyArray<Store>): ReadonlyArray<string> =>
  stores.flatMap((s) => (s.endpoint === undefined ? [] : [new URL(s.endpoint).hostname]))

/** Reads s3 URLs under a list of stores; learns each bucket's region from S3's redirects. */
export interface Signer {
  /** The HTTPS request of one s3 URL: URL and headers (signed when the store is). */
  readonly prepare: (
    url: string,
    method: string,
    headers: Readonly<Record<string, string>>
  ) => Promise<Prepared>
  /** Records the region S3 names in `x-amz-bucket-region`; true when the request should be sent again. */
  readonly learnRegion: (url: string, region: string | undefined) => boolean
  /** The permanent error of a 401/403 for an s3 URL: names the bucket and what to set. */
  readonly denied: (url: string, status: number) => AccessDenied
}

/** A signer for `stores`, reading keys from `env` and the shared files. */
export const make = (stores: ReadonlyArray<Store>, env: Credentials.Environment): Signer => {
  const regions = new Map<string, string>()
  const keys = new Map<string, Promise<Credentials.AwsKeys>>()
  const keysFor = (store: Store, bucket: string) => {
    const id = store.profile ?? ""
    let k = keys.get(id)
    if (k === undefined) {
      k = Credentials.aws(env, store.profile, `s3 bucket ${bucket}`)
      keys.set(id, k)
      // A failure is not cached: the user may fix the file while a long build runs.
      k.catch(() => keys.delete(id))
    }
    return k
  }
  const locate = (url: string) => {
    const location = S3Url.parse(url)
    if (location === undefined)
      throw new AccessDenied(`${url} is not an s3://bucket/key URL`, "check the href")
    return { location, store: storeFor(stores, location.bucket) }
  }
  return {
    prepare: async (url, method, headers) => {
      const { location, store } = locate(url)
      const signed = isSigned(store)
      const credentials = signed ? await keysFor(store, location.bucket) : undefined
      const region =
        regions.get(location.bucket) ??
        store.region ??
        credentials?.region ??
        env.AWS_REGION ??
        env.AWS_DEFAULT_REGION ??
        "us-east-1"
      const http = S3Url.toHttp(location, {
        endpoint: store.endpoint,
        region,
        pathStyle: store.pathStyle
      })
      const extra: Record<string, string> =
        store.requesterPays === true ? { "x-amz-request-payer": "requester" } : {}
      if (credentials === undefined) return { url: http, headers: extra }
      const u = new URL(http)
      const request = {
        host: u.host,
        path: `${u.pathname}${u.search}`,
        method,
        service: "s3",
        region,
        headers: { ...headers, ...extra, Host: u.host }
      }
      aws4.sign(request, {
        accessKeyId: credentials.accessKeyId,
        secretAccessKey: Redacted.value(credentials.secretAccessKey),
        ...(credentials.sessionToken === undefined
          ? {}
          : { sessionToken: Redacted.value(credentials.sessionToken) })
      })
      const signedHeaders = request.headers as Record<string, string>
      const { Host: _host, ...rest } = signedHeaders
      return {
        url: http,
        headers: Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, String(v)]))
      }
    },
    learnRegion: (url, region) => {
      const location = S3Url.parse(url)
      if (location === undefined || region === undefined || region === "") return false
      if (regions.get(location.bucket) === region) return false
      regions.set(location.bucket, region)
      return true
    },
    denied: (url, status) => {
      const { location, store } = locate(url)
      const b = location.bucket
      if (!isSigned(store))
        return new AccessDenied(
          `${url}: bucket ${b} answered ${status} to an anonymous request`,
          `if ${b} is requester-pays, add { bucket: ${b}, requesterPays: true } under access.s3 in the recipe and set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (or a profile); if it is private, name a profile that may read it`,
          status
        )
      const who = store.profile === undefined ? "the environment" : `profile ${store.profile}`
      const payer =
        store.requesterPays === true
          ? ""
          : `; if ${b} is requester-pays, set requesterPays: true for it under access.s3`
      return new AccessDenied(
        `${url}: bucket ${b} refused the keys of ${who} (${status})`,
        `check that these keys are valid and may read ${b}${store.endpoint === undefined ? "" : ` at ${store.endpoint}`}${payer}`,
        status
      )
    }
  }
}
