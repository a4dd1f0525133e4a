// Typed failures of Earth Engine access: credentials, transport, and the service's permanent answers
// (unknown asset or band, request too large, permission, quota), each with its fix and its reason code.
import { Reason } from "@eoforge/core"
import { Schema } from "effect"

/** Credentials missing, unreadable, refused by the token endpoint, or expired. */
export class CredentialsError extends Schema.TaggedError<CredentialsError>()("CredentialsError", {
  problem: Schema.Literals(["NoCredentials", "BadKeyFile", "TokenRefused", "Expired"]),
  /** What was used: the key file path or the environment variable's name (never the secret). */
  source: Schema.String,
  detail: Schema.String,
  /** What to do about it. */
  fix: Schema.String,
  cause: Schema.optional(Schema.Defect())
}) {
  override get message(): string {
    return `Earth Engine credentials (${this.source}): ${this.detail}; ${this.fix}`
  }
}

/** A request that failed after retries (network, timeout, 429 or 5xx). */
export class EeHttpError extends Schema.TaggedError<EeHttpError>()("EeHttpError", {
  url: Schema.String,
  status: Schema.optional(Schema.Int),
  detail: Schema.String,
  /** The wait the server asked for with `Retry-After`, ms. */
  retryAfterMs: Schema.optional(Schema.Number),
  cause: Schema.optional(Schema.Defect())
}) {
  override get message(): string {
    return `POST ${this.url} failed: ${this.detail}`
  }
}

/** The permanent answers Earth Engine gives to a request. */
export const Problem = Schema.Literals([
  "UnknownAsset",
  "UnknownBand",
  "TooLarge",
  "PermissionDenied",
  "QuotaExhausted",
  "BadRequest",
  "Refused"
])
/** A permanent answer. */
export type Problem = typeof Problem.Type

/** Earth Engine refused a request for a reason no retry changes. */
export class EeRequestError extends Schema.TaggedError<EeRequestError>()("EeRequestError", {
  problem: Problem,
  /** The endpoint (project and method), never a token. */
  url: Schema.String,
  status: Schema.Int,
  /** The service's message. */
  detail: Schema.String,
  /** What to do about it. */
  fix: Schema.String
}) {
  override get message(): string {
    return `${this.url}: ${this.problem}: ${this.detail}; ${this.fix}`
  }
}

/** The reason code a slot records for a permanent answer (configuration errors fail the build instead). */
export const reasonOf = (problem: Problem): Reason.Reason | undefined => {
  switch (problem) {
    case "PermissionDenied":
      return Reason.Reason.AccessDenied
    case "QuotaExhausted":
      return Reason.Reason.QuotaExceeded
    default:
      return undefined
  }
}

const fixes: Record<Problem, string> = {
  UnknownAsset:
    "check the collection or image id in the Earth Engine data catalogue (ids are case-sensitive, e.g. COPERNICUS/S2_SR_HARMONIZED)",
  UnknownBand: "check the band names of the asset in the Earth Engine data catalogue",
  TooLarge:
    "lower the product resolution or the patch size; EOForge splits requests by bands and rows, so this means one row of one band is over the limit",
  PermissionDenied:
    "grant the service account the Earth Engine Resource Viewer role on the project, register the project for Earth Engine, and make sure it can read the asset",
  QuotaExhausted:
    "wait for the project's quota to refill or ask for more; lower requestsPerSecond / concurrency of the source",
  BadRequest: "the request was malformed; report it with the expression recorded in the job file",
  Refused:
    "the access policy refuses this host; name it under access: in the recipe if it is trusted"
}

/** Classify an Earth Engine error response (status and `error.message`) as a permanent problem. */
export const classify = (status: number, message: string): Problem => {
  if (status === 403) return "PermissionDenied"
  if (status === 429) return "QuotaExhausted"
  if (status === 404 || /asset '.*' not found|not found|does not exist/i.test(message))
    return "UnknownAsset"
  if (/did not match any bands|band .* not found|no band named/i.test(message)) return "UnknownBand"
  if (/request size|must be less than or equal to|too large|exceeds the limit/i.test(message))
    return "TooLarge"
  return "BadRequest"
}

/** A request the access policy refuses (never sent, never retried). */
export const refused = (url: string, reason: string): EeRequestError =>
  new EeRequestError({ problem: "Refused", url, status: 0, detail: reason, fix: fixes.Refused })

/** The permanent error of a response. */
export const fromResponse = (url: string, status: number, message: string): EeRequestError => {
  const problem = classify(status, message)
  return new EeRequestError({ problem, url, status, detail: message, fix: fixes[problem] })
}
