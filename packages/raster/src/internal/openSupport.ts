// What opening a raster needs besides its format: the typed errors of a failed open or read (naming the
// source without the secrets of signed URLs, with the fix), the PAM sidecar GDAL would read, and the first
// bytes a format is recognised by.
import { Guarded } from "@eoforge/access"
import { Redact } from "@eoforge/core"
import { CrsProblem } from "./crs.ts"
import { HeaderProblem } from "./header.ts"
import { limitPhrase } from "./nativeDeflate.ts"
import { maxSidecarBytes, readPam, readPamUrl, type Pam } from "./pam.ts"
import { HttpFailure, SourceChanged, type ByteSource, type HttpOptions } from "./byteSource.ts"
import { RasterOpenError, RasterReadError } from "../RasterError.ts"

export const isUrl = (uri: string) => /^(https?|s3):\/\//i.test(uri)

// Errors name the source without the secrets of signed URLs (core Redact).
export const openFailure = (rawUri: string, error: unknown): RasterOpenError => {
  const uri = Redact.forMessage(rawUri)
  const make = (problem: RasterOpenError["problem"], what: string) =>
    new RasterOpenError({ uri, problem, message: `${uri}: ${Redact.inText(what)}`, cause: error })
  if (error instanceof Guarded.AccessRefused) return make("Refused", error.message)
  if (error instanceof Guarded.AccessDenied) return make("Denied", error.message)
  if (error instanceof HeaderProblem) return make(error.problem, error.message)
  if (error instanceof HttpFailure) {
    if (error.status === 401 || error.status === 403)
      return make(
        "Denied",
        `the server refused access (HTTP ${error.status}); if the archive needs a login, name it under access.logins in the recipe and set its token`
      )
    if (error.status === 404 || error.status === 410)
      return make("NotFound", `the server answered ${error.status}; check the URL`)
    if (error.timedOut)
      return make(
        "Timeout",
        `the server did not answer (${error.message}); check the host or raise http.timeoutMs`
      )
    return make(
      "Unreachable",
      `the request ${error.message}; check the URL and the network, then retry`
    )
  }
  const code = (error as { code?: unknown } | undefined)?.code
  if (code === "ENOENT") return make("NotFound", "no such file; check the path")
  const text = error instanceof Error ? error.message : String(error)
  if (/byte order|magic number|Invalid/i.test(text))
    return make(
      "NotTiff",
      `it is not a TIFF file (${text}); check that the path points to a GeoTIFF`
    )
  return make(
    "Truncated",
    `its header cannot be parsed (${text}); the file may be truncated, download it again`
  )
}

export const readFailure = (rawUri: string, error: unknown): RasterReadError => {
  const uri = Redact.forMessage(rawUri)
  const make = (problem: RasterReadError["problem"], what: string) =>
    new RasterReadError({ uri, problem, message: `${uri}: ${Redact.inText(what)}`, cause: error })
  if (error instanceof HttpFailure)
    return error.timedOut
      ? make("Timeout", `fetching tiles ${error.message}; retry later or raise http.timeoutMs`)
      : make("Transfer", `fetching tiles ${error.message}; retry later`)
  if (error instanceof CrsProblem) return make("Crs", error.message)
  if (error instanceof SourceChanged) return make("Changed", `${error.message}; read it again`)
  const text = error instanceof Error ? error.message : String(error)
  // Limit errors keep their phrase across the decoder threads, which pass messages only.
  if (text.includes(limitPhrase))
    return make(
      "TooLarge",
      `${text}; the file is corrupt or hostile, check it with gdalinfo -checksum`
    )
  return make(
    "Decode",
    `tiles could not be decoded (${text}); check the file with gdalinfo -checksum`
  )
}

/** The PAM sidecar of a local file, or of a URL when `http.sidecars` is on (GDAL looks beside both). */
export const sidecar = (
  location: string,
  http: HttpOptions,
  guard: Guarded.Guard
): Promise<Pam | undefined> => {
  if (!isUrl(location))
    return readPam(location.startsWith("file://") ? new URL(location).pathname : location)
  if (!http.sidecars) return Promise.resolve(undefined)
  return readPamUrl(location, async (url) => {
    const res = await Guarded.request(url, { signal: AbortSignal.timeout(http.timeoutMs) }, guard)
    if (res.status !== 200) res.discard()
    return {
      status: res.status,
      text: async () => new TextDecoder().decode(await res.bytes(maxSidecarBytes))
    }
  })
}

/** Bytes read to recognise a format. */
const headBytes = 64

export const readHead = async (bytes: ByteSource): Promise<Uint8Array> => {
  const length = bytes.fileSize === null ? headBytes : Math.min(headBytes, bytes.fileSize)
  if (length <= 0) return new Uint8Array(0)
  const [buffer] = await bytes.fetch([{ offset: 0, length }])
  return new Uint8Array(buffer, 0, Math.min(length, buffer.byteLength))
}
