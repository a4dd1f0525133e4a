// s3:// URLs: bucket and key, and the HTTPS address an S3 endpoint serves them at (virtual-hosted or path
// style). Shared by the guarded request (anonymous reads) and the object-store signer.

/** Bucket and key of an `s3://bucket/key` URL (the key without its leading slash, percent-decoded). */
export interface S3Location {
  readonly bucket: string
  readonly key: string
}

/** Bucket and key of `url`, or undefined when it is not an s3 URL with a bucket. */
export const parse = (url: string): S3Location | undefined => {
  if (!/^s3:\/\//i.test(url)) return undefined
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return undefined
  }
  if (u.hostname === "") return undefined
  return { bucket: u.hostname, key: decodeURIComponent(u.pathname.replace(/^\//, "")) }
}

// Keys keep their slashes; every other character outside RFC 3986's unreserved set is escaped (as S3 does).
const encodeKey = (key: string): string =>
  key
    .split("/")
    .map((s) =>
      encodeURIComponent(s).replace(
        /[!'()*]/g,
        (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`
      )
    )
    .join("/")

/** Buckets whose names cannot be a DNS label under the endpoint (dots break TLS wildcards) use path style. */
const needsPathStyle = (bucket: string): boolean =>
  bucket.includes(".") || !/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(bucket)

/** Where a bucket is served: the endpoint (default AWS in `region`) and the addressing style. */
export interface Endpoint {
  /** `https://host[:port]` of an S3-compatible service; absent for AWS. */
  readonly endpoint?: string | undefined
  /** AWS region (default us-east-1). */
  readonly region?: string | undefined
  /** `https://endpoint/bucket/key` instead of `https://bucket.endpoint/key`. */
  readonly pathStyle?: boolean | undefined
}

/** The HTTPS URL of `location` at `endpoint`. */
export const toHttp = (location: S3Location, endpoint: Endpoint): string => {
  const key = encodeKey(location.key)
  if (endpoint.endpoint !== undefined) {
    const base = new URL(endpoint.endpoint)
    const root = base.pathname.replace(/\/+$/, "")
    if (endpoint.pathStyle !== false || needsPathStyle(location.bucket))
      return `${base.protocol}//${base.host}${root}/${location.bucket}/${key}`
    return `${base.protocol}//${location.bucket}.${base.host}${root}/${key}`
  }
  const region = endpoint.region ?? "us-east-1"
  const host = region === "us-east-1" ? "s3.amazonaws.com" : `s3.${region}.amazonaws.com`
  if (endpoint.pathStyle === true || needsPathStyle(location.bucket))
    return `https://${host}/${location.bucket}/${key}`
  return `https://${location.bucket}.${host}/${key}`
}
