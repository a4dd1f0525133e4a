// Typed failures of opening and reading rasters; each names the file or URL and what to do about it.
// Foreign exceptions (geotiff.js, proj4, fetch, fs) are kept as `cause`.
import { Schema } from "effect"

/**
 * What went wrong when opening a raster (`Refused`: the build's access policy forbids reading it; `Denied`:
 * credentials are missing or refused — the message says what to set).
 */
export const OpenProblem = Schema.Literals([
  "NotFound",
  "NotTiff",
  "Truncated",
  "NoGeoreferencing",
  "UnsupportedCodec",
  "UnsupportedCrs",
  "Unreachable",
  "Timeout",
  "Refused",
  "Denied",
  "Malformed",
  "TooLarge"
])
/** What went wrong when opening a raster. */
export type OpenProblem = typeof OpenProblem.Type

/** A raster could not be opened: the message names the source and the fix. */
export class RasterOpenError extends Schema.TaggedError<RasterOpenError>()("RasterOpenError", {
  uri: Schema.String,
  problem: OpenProblem,
  message: Schema.String,
  cause: Schema.optional(Schema.Defect())
}) {}

/** What went wrong when reading pixels. */
export const ReadProblem = Schema.Literals([
  "Transfer",
  "Timeout",
  "Decode",
  "Crs",
  "Request",
  "TooLarge",
  // The file changed since the header bytes its RasterInfo came from: open it again and read again.
  "Changed"
])
/** What went wrong when reading pixels. */
export type ReadProblem = typeof ReadProblem.Type

/** Pixels could not be read onto a grid: the message names the source and the fix. */
export class RasterReadError extends Schema.TaggedError<RasterReadError>()("RasterReadError", {
  uri: Schema.String,
  problem: ReadProblem,
  message: Schema.String,
  cause: Schema.optional(Schema.Defect())
}) {}
