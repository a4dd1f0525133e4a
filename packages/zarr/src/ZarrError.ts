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

/**
 * A store whose metadata cannot be trusted: absurd sizes (`samples: 1e15`, `shardSamples: 0`), names that
 * are not safe path segments, unknown data types or codecs. Names the store and the offending key.
 */
export class InvalidStoreError extends Schema.TaggedError<InvalidStoreError>()(
  "InvalidStoreError",
  {
    location: Schema.String,
    key: Schema.String,
    message: Schema.String
  }
) {}

/** Who holds a store lock, as recorded in its lock file. */
export const LockHolder = Schema.Struct({
  pid: Schema.Number,
  host: Schema.String,
  token: Schema.String,
  started: Schema.String,
  command: Schema.String,
  recipeHash: Schema.String,
  partition: Schema.optional(Schema.Struct({ index: Schema.Number, count: Schema.Number }))
})

/** Another live process holds the store's lock (or a lock whose holder cannot be checked from here). */
export class StoreLockedError extends Schema.TaggedError<StoreLockedError>()("StoreLockedError", {
  store: Schema.String,
  lockFile: Schema.String,
  holder: Schema.optional(LockHolder),
  message: Schema.String
}) {}

/** Any failure of this package. */
export type ZarrError =
  | StoreError
  | NotAStoreError
  | LayoutError
  | ChipError
  | ShardIndexError
  | InvalidStoreError
  | StoreLockedError
