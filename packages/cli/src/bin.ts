#!/usr/bin/env node
// Entry point of the `eoforge` command.
// Runs the CLI with Node services; errors print one clear message and set the documented exit code.
import { NodeRuntime, NodeServices } from "@effect/platform-node"
import { Services, Version } from "@eoforge/pipeline"
import { Cause, Effect } from "effect"
import { Command } from "effect/cli"
import { command } from "./Cli.ts"
import * as ExitCode from "./ExitCode.ts"

const program = Command.run(command, { version: Version.version }).pipe(
  Effect.provide(Services.layer),
  Effect.provide(NodeServices.layer),
  Effect.catchCause((cause) =>
    Effect.sync(() => {
      const error = Cause.squash(cause)
      const code = ExitCode.of(error)
      const tag = (error as { _tag?: string })?._tag
      // Command-line parse errors were already rendered with the help text.
      if (
        code !== ExitCode.ExitCode.Usage ||
        tag === "RecipeError" ||
        tag === "RecipeNotFoundError" ||
        tag === "CliFailure"
      ) {
        const message = error instanceof Error ? error.message : String(error)
        const known = ExitCode.isKnown(error)
        const debug = process.env.EOFORGE_DEBUG === "1"
        // Typed errors are one line for the user; an unexpected failure says how to see its stack.
        process.stderr.write(
          `eoforge: ${message}${known || debug ? "" : " (unexpected failure; run with EOFORGE_DEBUG=1 for the stack trace)"}\n`
        )
        if (debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`)
      }
      process.exitCode = code
    })
  )
)

// SIGINT/SIGTERM interrupt the build (runMain); a second signal, or a stop still running after
// EOFORGE_STOP_GRACE_MS (default 10 s; not for `worker`, which lets running jobs finish), exits at once.
// Every write is atomic, so a rerun resumes either way.
const onFirstSignal = (signal: NodeJS.Signals) => {
  const code = signal === "SIGINT" ? 130 : 143
  process.once(signal, () => process.exit(code))
  if (process.argv[2] !== "worker")
    setTimeout(
      () => process.exit(code),
      Number(process.env.EOFORGE_STOP_GRACE_MS ?? 10_000)
    ).unref()
}
process.once("SIGINT", onFirstSignal)
process.once("SIGTERM", onFirstSignal)

NodeRuntime.runMain(program, { disableErrorReporting: true })
