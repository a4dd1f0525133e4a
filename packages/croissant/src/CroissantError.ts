// Typed errors of @eoforge/croissant: descriptions that cannot be published and documents that miss
// required Croissant fields. Each message names what is missing and how to fix it.
import { Schema } from "effect"

/** The description does not match the DatasetDescription Schema. */
export class InvalidDescription extends Schema.TaggedError<InvalidDescription>()(
  "InvalidDescription",
  { detail: Schema.String, cause: Schema.optional(Schema.Defect()) }
) {
  override get message(): string {
    return `dataset description is invalid: ${this.detail}`
  }
}

/** A product without usable band metadata. */
export class MissingBandMetadata extends Schema.TaggedError<MissingBandMetadata>()(
  "MissingBandMetadata",
  { product: Schema.String, detail: Schema.String }
) {
  override get message(): string {
    return `product "${this.product}" has no usable band metadata: ${this.detail}`
  }
}

/** Statistics are absent for some product/band/split (train statistics are required for every band). */
export class MissingStatistics extends Schema.TaggedError<MissingStatistics>()(
  "MissingStatistics",
  { missing: Schema.Array(Schema.String) }
) {
  override get message(): string {
    return `statistics missing for ${this.missing.join(", ")}; finalize the store (merge per-band statistics) before publishing`
  }
}

/** A file every store has (the root `zarr.json`) is not among the hashed files. */
export class MissingStoreFile extends Schema.TaggedError<MissingStoreFile>()("MissingStoreFile", {
  store: Schema.String,
  path: Schema.String
}) {
  override get message(): string {
    return `store "${this.store}" lists no "${this.path}" among its files; hash and pass every zarr.json and index file`
  }
}

/** Arrays referenced by the Croissant record sets have no shard glob. */
export class MissingShardFiles extends Schema.TaggedError<MissingShardFiles>()(
  "MissingShardFiles",
  { arrays: Schema.Array(Schema.String) }
) {
  override get message(): string {
    return `no shard files given for array(s) ${this.arrays.join(", ")}; pass a glob per array, e.g. "<array>/c/**"`
  }
}

/** A store file whose MIME type cannot be derived from its extension. */
export class UnknownEncodingFormat extends Schema.TaggedError<UnknownEncodingFormat>()(
  "UnknownEncodingFormat",
  { path: Schema.String }
) {
  override get message(): string {
    return `cannot tell the MIME type of store file "${this.path}" from its extension; set its encodingFormat`
  }
}

/** A Croissant document that misses required fields or breaks a rule of the specification. */
export class InvalidDocument extends Schema.TaggedError<InvalidDocument>()("InvalidDocument", {
  problems: Schema.Array(Schema.String)
}) {
  override get message(): string {
    return `Croissant document refused (${this.problems.length} problem(s)): ${this.problems.join("; ")}`
  }
}
