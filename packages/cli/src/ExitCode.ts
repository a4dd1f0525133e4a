// Exit codes of the `eoforge` command and the mapping from typed errors to them.
// 0 success, 1 unexpected failure, 2 usage or recipe error, 3 input or source error, 4 output error.
import { Schema } from "effect"

/** Exit codes by meaning. */
export const ExitCode = { Ok: 0, Failure: 1, Usage: 2, Input: 3, Output: 4 } as const
/** An exit code. */
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode]

/** A failure the CLI reports with a chosen exit code. */
export class CliFailure extends Schema.TaggedError<CliFailure>()("CliFailure", {
  code: Schema.Number,
  message: Schema.String
}) {}

/** A failure with an exit code and a message for the user. */
export const withExitCode = (code: ExitCode, message: string): CliFailure =>
  new CliFailure({ code, message })

const byTag: Readonly<Record<string, ExitCode>> = {
  CliFailure: ExitCode.Failure,
  RecipeError: ExitCode.Usage,
  RecipeNotFoundError: ExitCode.Usage,
  InputError: ExitCode.Input,
  ProductRecipeError: ExitCode.Input,
  PlanInputError: ExitCode.Input,
  NotStacError: ExitCode.Input,
  UnknownCollectionError: ExitCode.Input,
  ItemError: ExitCode.Input,
  QueueError: ExitCode.Input,
  // A store read as input that is damaged or hostile: its metadata, shard indexes, records, statistics
  // or names cannot be trusted.
  InvalidStoreError: ExitCode.Input,
  ShardIndexError: ExitCode.Input,
  ChipError: ExitCode.Input,
  JobRecordError: ExitCode.Input,
  UnknownGroup: ExitCode.Input,
  InvalidStatsJson: ExitCode.Input,
  LayoutMismatch: ExitCode.Input,
  BandCountMismatch: ExitCode.Input,
  DTypeMismatch: ExitCode.Input,
  ChipShapeError: ExitCode.Input,
  UnsafeNameError: ExitCode.Input,
  OutputError: ExitCode.Output,
  StoreError: ExitCode.Output,
  StoreLockedError: ExitCode.Output,
  NotAStoreError: ExitCode.Output,
  ExportError: ExitCode.Output,
  FinalizeError: ExitCode.Output,
  LayoutError: ExitCode.Output,
  ReportReadError: ExitCode.Input,
  ReportWriteError: ExitCode.Output
}

/** Whether an error is one the CLI knows (a typed error or a command-line problem): no stack trace. */
export const isKnown = (error: unknown): boolean => {
  if (error instanceof CliFailure) return true
  const tag = (error as { _tag?: unknown } | null)?._tag
  return typeof tag === "string" && (tag in byTag || of(error) !== ExitCode.Failure)
}

/** The exit code of an error (by its `_tag`). */
export const of = (error: unknown): ExitCode => {
  if (error instanceof CliFailure) return error.code as ExitCode
  const tag = (error as { _tag?: unknown } | null)?._tag
  if (typeof tag === "string") {
    if (tag in byTag) return byTag[tag]
    // A build thread's error: the code of the error the thread met (its tag).
    if (tag === "BuildThreadError") return of({ _tag: (error as { tag?: unknown }).tag })
    // Parse errors of the command line itself.
    if (
      /^(MissingOption|MissingArgument|InvalidValue|UnrecognizedOption|DuplicateOption|UnknownSubcommand|ShowHelp|MultipleErrors)/.test(
        tag
      )
    )
      return ExitCode.Usage
  }
  return ExitCode.Failure
}
