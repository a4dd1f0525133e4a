// Typed failures of the store: back-end I/O, bad layout, bad chips, corrupt shards, paths that are not stores.
// Each carries the array, sample or key it concerns and says how to fix it.
import { Schema } from "effect"

/** A store back-end failed on one key (read, write, delete, list or rename). */
export class StoreError extends Schema.TaggedError<StoreError>()("StoreError", {
  key: Schema.String,
  operation: Schema.String,
  message: Schema.String,
  cause: Schema.optional(Schema.Defect())
}) {}

/** The location opened is not an EOForge Zarr v3 store (no or bad root `zarr.json`). */
export class NotAStoreError extends Schema.TaggedError<NotAStoreError>()("NotAStoreError", {
  location: Schema.String,
  message: Schema.String,
  cause: Schema.optional(Schema.Defect())
}) {}

/** A layout that cannot be written (bad sizes, duplicate product ids, unknown product). */
export class LayoutError extends Schema.TaggedError<LayoutError>()("LayoutError", {
  message: Schema.String
}) {}

/** A chip that does not fit its array: wrong dtype, shape, sample or time index. */
export class ChipError extends Schema.TaggedError<ChipError>()("ChipError", {
  array: Schema.String,
  sample: Schema.Number,
  time: Schema.Number,
  message: Schema.String
}) {}

/** A shard file whose index is corrupt (bad crc32c, offsets outside the file, wrong size). */
export class ShardIndexError extends Schema.TaggedError<ShardIndexError>()("ShardIndexError", {
  array: Schema.String,
  key: Schema.String,
  sample: Schema.optional(Schema.Number),
  message: Schema.String
}) {}

/** Any failure of this package. */
export type ZarrError = StoreError | NotAStoreError | LayoutError | ChipError | ShardIndexError
