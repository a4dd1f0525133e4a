// Failures of report generation that are not the store's own read errors: undecodable arrays, output
// that cannot be written.
import { Schema } from "effect"

/** A store array or record the report needs cannot be decoded. */
export class ReportReadError extends Schema.TaggedError<ReportReadError>()("ReportReadError", {
  store: Schema.String,
  key: Schema.String,
  message: Schema.String,
  cause: Schema.optional(Schema.Defect())
}) {}

/** The report folder or one of its files cannot be written. */
export class ReportWriteError extends Schema.TaggedError<ReportWriteError>()("ReportWriteError", {
  path: Schema.String,
  message: Schema.String,
  cause: Schema.optional(Schema.Defect())
}) {}
