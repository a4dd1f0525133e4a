// The errors of a build's inputs and output (Build.InputError, Build.OutputError) and the message of a
// foreign exception, shared by Build and the store's opening.
import { Schema } from "effect"

/** The recipe refers to input that cannot be used (AOI, locations file, sampler, product). */
export class InputError extends Schema.TaggedError<InputError>()("InputError", {
  message: Schema.String,
  cause: Schema.optional(Schema.Defect())
}) {}

/** The output path cannot take this build. */
export class OutputError extends Schema.TaggedError<OutputError>()("OutputError", {
  path: Schema.String,
  message: Schema.String,
  cause: Schema.optional(Schema.Defect())
}) {}

/** The message of a caught value (an Error's, or its text). */
export const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e))
