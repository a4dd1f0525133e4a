// `eoforge report STORE`: the store's maps, availability, statistics, quicklooks and alignment check as
// a self-contained HTML page (`report/index.html` beside the store) with one PNG per figure.
import { Report } from "@eoforge/report"
import { Console, Effect, Option } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { ExitCode, withExitCode } from "./ExitCode.ts"

/** `eoforge report STORE [--out DIR] [--quicklooks N] [--alignment-samples N] [--json]`. */
export const report = Command.make(
  "report",
  {
    store: Argument.String("store").pipe(
      Argument.withDescription("A store directory built by eoforge (a partial build is fine)")
    ),
    out: Flag.String("out").pipe(
      Flag.withAlias("o"),
      Flag.withDescription("Output folder (default: report/ beside the store)"),
      Flag.optional
    ),
    quicklooks: Flag.Int("quicklooks").pipe(
      Flag.withDescription("Random samples per split shown as quicklooks (default 3)"),
      Flag.optional
    ),
    alignmentSamples: Flag.Int("alignment-samples").pipe(
      Flag.withDescription("Most samples whose products are aligned (default 2000)"),
      Flag.optional
    ),
    json: Flag.Boolean("json").pipe(
      Flag.withDescription("Print what was written and the alignment summary as JSON"),
      Flag.withDefault(false)
    )
  },
  Effect.fn(function* (input) {
    const r = yield* Report.write(input.store, {
      out: Option.getOrUndefined(input.out),
      quicklooks: Option.getOrUndefined(input.quicklooks),
      alignmentSamples: Option.getOrUndefined(input.alignmentSamples)
    }).pipe(
      Effect.catchTag("NotAStoreError", () =>
        Effect.fail(
          withExitCode(
            ExitCode.Input,
            `${input.store} is not an EOForge store (no zarr.json with EOForge metadata at its root): check the path, or build a store with eoforge build`
          )
        )
      )
    )
    const lines = [
      `wrote ${r.index} and ${r.files.length} figures (${r.built} of ${r.samples} samples hold data)`,
      ...r.alignment.map(
        (s) =>
          `  alignment ${s.pair}: ${s.reliable} of ${s.measured} measurable, median ${s.medianPx.toFixed(3)} px, 95 % ${s.p95Px.toFixed(3)} px, ${s.outliers.length} above 0.5 px`
      )
    ]
    const summary = {
      ...r,
      alignment: r.alignment.map((s) => ({ ...s, outliers: s.outliers.length }))
    }
    return yield* Console.log(input.json ? JSON.stringify(summary, null, 2) : lines.join("\n"))
  })
).pipe(
  Command.withDescription(
    "Write a static HTML report of a store: sample maps, availability, statistics, quicklooks and a sub-pixel alignment check between products, plus a PNG per figure"
  ),
  Command.withExamples([
    { command: "eoforge report out/demo.zarr", description: "Writes out/report/index.html" }
  ])
)
