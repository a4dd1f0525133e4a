// The recipe's `earth-engine` source: the Cloud project, where credentials come from (never the secret),
// and the project's limits. Products name an Earth Engine preset or their own asset and operations.
import { Schema } from "effect"
import { CredentialsRecipe } from "./Credentials.ts"
import { Asset, Operation } from "./Operations.ts"

/** Schema of an `earth-engine` source. */
export const EarthEngineSource = Schema.Struct({
  type: Schema.Literal("earth-engine"),
  /** Cloud project id (6–30 lower-case letters, digits, hyphens) or project number. */
  project: Schema.String.check(Schema.isPattern(/^([a-z][a-z0-9-]{4,28}[a-z0-9]|\d{1,20})$/)),
  /** A service-account key file (or the variable naming it), or a variable holding an access token. */
  credentials: CredentialsRecipe,
  /** API root (default https://earthengine.googleapis.com). */
  url: Schema.optionalKey(Schema.String),
  /** Requests in flight for the project (default 40). */
  concurrency: Schema.optionalKey(
    Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 1000 }))
  ),
  /** Request starts per second for the project (default 100). */
  requestsPerSecond: Schema.optionalKey(
    Schema.Finite.check(Schema.isBetween({ minimum: 0.01, maximum: 10_000 }))
  ),
  /** Image property holding scene cloud cover in percent (default CLOUDY_PIXEL_PERCENTAGE). */
  cloudProperty: Schema.optionalKey(Schema.NonEmptyString),
  /** Per product id: its own asset and operations (default: the preset's, or a collection's first image). */
  products: Schema.optionalKey(
    Schema.Record(
      Schema.String,
      Schema.Struct({
        asset: Schema.optionalKey(Asset),
        operations: Schema.optionalKey(Schema.Array(Operation))
      })
    )
  )
})
/** An `earth-engine` source. */
export type EarthEngineSource = typeof EarthEngineSource.Type
