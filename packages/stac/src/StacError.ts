// Typed failures of catalogue access: transport, non-STAC servers, unknown collections, unusable items.
// Every message names the URL, collection, item or asset at fault; URLs are redacted of credentials.
import { Schema } from "effect"

/** An HTTP or file request failed (after retries when the failure was transient). */
export class StacHttpError extends Schema.TaggedError<StacHttpError>()("StacHttpError", {
  /** HTTP method, or `READ` for a file. */
  method: Schema.String,
  /** The requested URL or path, with credentials redacted. */
  url: Schema.String,
  /** HTTP status when a response arrived. */
  status: Schema.optional(Schema.Int),
  /** What went wrong. */
  detail: Schema.String,
  /** The wait the server asked for with `Retry-After`, ms (uncapped). */
  retryAfterMs: Schema.optional(Schema.Number),
  /** Credentials are missing or refused: retrying cannot help (the detail says what to set). */
  permanent: Schema.optional(Schema.Boolean),
  cause: Schema.optional(Schema.Defect())
}) {
  override get message(): string {
    return `${this.method} ${this.url} failed: ${this.detail}`
  }
}

/**
 * A catalogue href (link, next page or asset) that the access policy refuses: a scheme, host, address or
 * local path the recipe does not allow, or a file that is not a regular file. It is never read.
 */
export class AccessError extends Schema.TaggedError<AccessError>()("AccessError", {
  /** The href as found (redacted), or the URL/path it resolved to. */
  href: Schema.String,
  /** Where it was found: the catalogue document's URL or path (redacted). */
  origin: Schema.String,
  /** Why it is refused. */
  reason: Schema.String
}) {
  override get message(): string {
    return `${this.href} (found in ${this.origin}) is refused by the access policy: ${this.reason}; allow it under access: in the recipe if it is trusted`
  }
}

/** A URL that should be a STAC API landing page or catalogue is not one. */
export class NotStacError extends Schema.TaggedError<NotStacError>()("NotStacError", {
  url: Schema.String,
  detail: Schema.String,
  cause: Schema.optional(Schema.Defect())
}) {
  override get message(): string {
    return `${this.url} is not a STAC API or catalogue: ${this.detail}; check the endpoint URL (an API root such as https://earth-search.aws.element84.com/v1, or a catalog.json)`
  }
}

/** The requested collection does not exist in the source. */
export class UnknownCollectionError extends Schema.TaggedError<UnknownCollectionError>()(
  "UnknownCollectionError",
  { collection: Schema.String, source: Schema.String }
) {
  override get message(): string {
    return `collection "${this.collection}" does not exist at ${this.source}; check the product preset or the recipe's collection name`
  }
}

/** An item or asset cannot be used: not a STAC item, no projection, no transform, missing or non-GeoTIFF asset. */
export class ItemError extends Schema.TaggedError<ItemError>()("ItemError", {
  /** The item id (or the URL it came from when it has no id). */
  item: Schema.String,
  /** The asset key, when the problem is with one asset. */
  asset: Schema.optional(Schema.String),
  /** Machine-readable problem. */
  problem: Schema.Literals([
    "InvalidItem",
    "NoProjection",
    "NoTransform",
    "MissingAsset",
    "NotGeoTiff"
  ]),
  /** Human explanation with the fix. */
  detail: Schema.String
}) {
  override get message(): string {
    const where =
      this.asset === undefined
        ? `item "${this.item}"`
        : `asset "${this.asset}" of item "${this.item}"`
    return `${where}: ${this.problem}: ${this.detail}`
  }
}

/** Signing asset URLs failed (token endpoint unreachable or malformed answer). */
export class SignError extends Schema.TaggedError<SignError>()("SignError", {
  collection: Schema.String,
  /** The token endpoint, redacted. */
  url: Schema.String,
  detail: Schema.String,
  cause: Schema.optional(Schema.Defect())
}) {
  override get message(): string {
    return `signing assets of collection "${this.collection}" via ${this.url} failed: ${this.detail}`
  }
}

/** Any failure of a catalogue search. */
export type SearchError =
  StacHttpError | NotStacError | UnknownCollectionError | ItemError | AccessError
