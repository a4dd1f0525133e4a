// The `eoforge` command: build, sample, inspect, export-geotiff, finalize and report, with --help on each.
// Results go to stdout (text or --json); progress and errors go to stderr; exit codes are documented.
import { Build, DryRun, ExportGeoTiff, Finalize, Inspect, Plan, Version } from "@eoforge/pipeline"
import { Console, Effect, Option } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { writeFile } from "node:fs/promises"
import * as Progress from "./Progress.ts"
import * as QueueCommands from "./QueueCommands.ts"
import * as ReportCommand from "./ReportCommand.ts"
import { ExitCode, withExitCode } from "./ExitCode.ts"

const recipeArg = Argument.String("recipe").pipe(
  Argument.withDescription(
    "A shipped recipe (demo, ssl4eo-s12, m3leo) or the path of a YAML/JSON recipe"
  ),
  Argument.withDefault("demo")
)
const json = Flag.Boolean("json").pipe(
  Flag.withDescription("Print the result as JSON on stdout"),
  Flag.withDefault(false)
)
const logFormat = Flag.Literals("log-format", ["auto", "pretty", "json"]).pipe(
  Flag.withDescription(
    "Progress on stderr: a live bar (pretty), JSON lines (json), or pretty on a terminal and json otherwise (auto)"
  ),
  Flag.withDefault("auto")
)
const out = Flag.String("out").pipe(
  Flag.withAlias("o"),
  Flag.withDescription("Output store directory (default: the recipe's output.store)"),
  Flag.optional
)

// Reading commands given a path that holds no store: an input error with the way out, not the
// store's internal advice.
const readable =
  (path: string) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>) =>
    effect.pipe(
      Effect.catchIf(
        (e): e is E => (e as { _tag?: string })?._tag === "NotAStoreError",
        () =>
          Effect.fail(
            withExitCode(
              ExitCode.Input,
              `${path} is not an EOForge store (no zarr.json with EOForge metadata at its root): check the path, or build a store with eoforge build`
            )
          )
      )
    )

const print = (asJson: boolean, value: unknown, text: string) =>
  Console.log(asJson ? JSON.stringify(value, null, 2) : text)

const build = Command.make(
  "build",
  {
    recipe: recipeArg,
    out,
    json,
    logFormat,
    dryRun: Flag.Boolean("dry-run").pipe(
      Flag.withDescription(
        "Print the plan (patches, requests, bytes, estimated time from a short probe) and write nothing"
      ),
      Flag.withDefault(false)
    ),
    shard: Flag.String("shard").pipe(
      Flag.withDescription(
        "Build only partition i of N (i/N, 0-based), e.g. for array jobs; run `eoforge finalize` after the last"
      ),
      Flag.optional
    ),
    concurrency: Flag.Int("concurrency").pipe(
      Flag.withDescription("Chips read at once (default: the recipe's concurrency)"),
      Flag.optional
    ),
    threads: Flag.Int("threads").pipe(
      Flag.withDescription(
        "Threads building shards at once, each reading --concurrency chips (default 1; up to the number of cores helps when decoding and resampling, not the network, limit a build). The store's bytes do not depend on it"
      ),
      Flag.withDefault(1)
    ),
    retryFailed: Flag.Boolean("retry-failed").pipe(
      Flag.withDescription(
        "Also rebuild finished shards whose slots failed for a transient reason (SourceError, ReadFailed)"
      ),
      Flag.withDefault(false)
    ),
    headerCache: Flag.Boolean("header-cache").pipe(
      Flag.withDescription(
        "With --shard or --threads: share the headers of the files read with the store's other processes and threads through its .eoforge/headers/ (each entry checked against the file's ETag or Last-Modified and size); --no-header-cache reads every header from the network. A one-thread build keeps headers in memory either way"
      ),
      Flag.withDefault(true)
    )
  },
  Effect.fn(function* (input) {
    const concurrency = Option.getOrUndefined(input.concurrency)
    const outPath = Option.getOrUndefined(input.out)
    if (input.dryRun) {
      const report = yield* DryRun.run({ recipe: input.recipe, out: outPath, concurrency })
      return yield* print(input.json, report, DryRun.format(report))
    }
    let shard: { index: number; count: number } | undefined
    if (Option.isSome(input.shard)) {
      const m = /^(\d+)\/(\d+)$/.exec(input.shard.value)
      if (m === null || Number(m[1]) >= Number(m[2])) {
        return yield* Effect.fail(
          withExitCode(
            ExitCode.Usage,
            `--shard ${input.shard.value} is not i/N with 0 ≤ i < N (e.g. --shard 0/4)`
          )
        )
      }
      shard = { index: Number(m[1]), count: Number(m[2]) }
    }
    if (!(input.threads >= 1 && input.threads <= 256)) {
      return yield* Effect.fail(
        withExitCode(
          ExitCode.Usage,
          `--threads ${input.threads} is not between 1 and 256 (e.g. --threads 2)`
        )
      )
    }
    const progress = Progress.make(input.logFormat)
    const result = yield* Build.build({
      recipe: input.recipe,
      out: outPath,
      shard,
      concurrency,
      threads: input.threads,
      retryFailed: input.retryFailed,
      headerCache: input.headerCache,
      onEvent: progress.onEvent
    })
    const s = result.summary
    const text =
      s === undefined
        ? `built partition ${shard?.index}/${shard?.count} of ${result.store}; run eoforge finalize ${result.store} once every partition is built`
        : [
            `built ${result.store}: ${s.samples} samples (train ${s.splits.train}, val ${s.splits.val}, test ${s.splits.test}, guard ${s.splits.guard})`,
            ...Object.entries(s.availability).map(
              ([p, reasons]) =>
                `  ${p.padEnd(12)} ${Object.entries(reasons)
                  .map(([r, n]) => `${r} ${n}`)
                  .join(", ")}`
            ),
            `  ${s.failures} slots without data (reasons in ${result.store}/.eoforge/jobs/*.json); wrote ${s.files.join(", ")}`,
            ...s.warnings.map((w) => `  warning: ${w}`)
          ].join("\n")
    return yield* print(
      input.json,
      { store: result.store, summary: s ?? null, transfer: result.transfer },
      text
    )
  })
).pipe(
  Command.withDescription(
    "Build a dataset from a recipe: sample patches, filter overlaps, split, extract every product × time slot onto each patch grid, write a sharded Zarr v3 store, then statistics, Croissant and a dataset card. A killed build resumes where it stopped when run again."
  ),
  Command.withExamples([
    { command: "eoforge build", description: "Build the offline demo into out/demo.zarr" },
    {
      command: "eoforge build my-recipe.yaml --dry-run",
      description: "Show the plan and a time estimate"
    },
    {
      command: "eoforge build ssl4eo-s12 --threads 2",
      description: "Build shards on two threads (two cores decoding and resampling)"
    },
    {
      command: "eoforge build ssl4eo-s12 --shard 3/16 --log-format json",
      description: "Build one of 16 partitions"
    }
  ])
)

const sample = Command.make(
  "sample",
  {
    recipe: recipeArg,
    json,
    geojson: Flag.String("geojson").pipe(
      Flag.withDescription(
        "Write the accepted patches (footprint, id, split) as GeoJSON to this file"
      ),
      Flag.optional
    )
  },
  Effect.fn(function* (input) {
    const prepared = yield* Build.prepare(input.recipe)
    const plan = prepared.plan
    if (Option.isSome(input.geojson)) {
      const path = input.geojson.value
      yield* Effect.tryPromise({
        try: () => writeFile(path, JSON.stringify(Plan.toGeoJson(plan)) + "\n"),
        catch: (cause) =>
          withExitCode(ExitCode.Output, `cannot write ${path}: ${(cause as Error).message}`)
      })
    }
    const summary = {
      recipe: prepared.loaded.file,
      ...plan.sampling,
      splits: plan.splitCounts,
      snap: plan.snap,
      patches: plan.patches.slice(0, 5).map((p) => ({ id: p.id, lon: p.lon, lat: p.lat }))
    }
    return yield* print(
      input.json,
      summary,
      [
        `${plan.sampling.accepted} patches accepted of ${plan.sampling.candidates} candidates (${plan.sampling.rejected} ${plan.sampling.seam === undefined ? "rejected for overlap" : "rejected: overlap, or not needed by the seam rule"})`,
        plan.sampling.seam === undefined
          ? ""
          : `seam rule: ${plan.sampling.seam.tiles} tiles added where zones meet (${plan.sampling.seam.fromRejected} of them rejected for overlap before), overlap max ${(plan.sampling.seam.maxOverlap * 100).toFixed(1)} %, mean ${(plan.sampling.seam.meanOverlap * 100).toFixed(1)} %`,
        `splits: train ${plan.splitCounts.train}, val ${plan.splitCounts.val}, test ${plan.splitCounts.test}, guard ${plan.splitCounts.guard}`,
        ...plan.patches
          .slice(0, 5)
          .map((p) => `  ${p.id}  ${p.lon.toFixed(5)}, ${p.lat.toFixed(5)}`),
        plan.patches.length > 5
          ? `  … (${plan.patches.length - 5} more; --geojson FILE writes all)`
          : ""
      ]
        .filter((l) => l !== "")
        .join("\n")
    )
  })
).pipe(
  Command.withDescription(
    "Sample and filter the patches of a recipe and assign splits, without extracting anything"
  ),
  Command.withExamples([
    {
      command: "eoforge sample ssl4eo-s12 --geojson patches.geojson",
      description: "All SSL4EO-S12 patches as GeoJSON"
    }
  ])
)

const storeArg = Argument.String("store").pipe(
  Argument.withDescription("A store directory built by eoforge")
)

const inspect = Command.make(
  "inspect",
  { store: storeArg, json },
  Effect.fn(function* (input) {
    const s = yield* Inspect.at(input.store).pipe(readable(input.store))
    return yield* print(input.json, s, Inspect.format(s))
  })
).pipe(
  Command.withDescription(
    "Summarise a store: products and shapes, splits, availability by reason code, train normalisation"
  ),
  Command.withExamples([
    { command: "eoforge inspect out/demo.zarr", description: "What the demo contains" }
  ])
)

const exportGeoTiff = Command.make(
  "export-geotiff",
  {
    store: storeArg,
    out: Flag.String("out").pipe(Flag.withAlias("o"), Flag.withDescription("Output directory")),
    product: Flag.String("product").pipe(
      Flag.withDescription("Only this product (repeatable)"),
      Flag.optional
    ),
    limit: Flag.Int("limit").pipe(Flag.withDescription("Only the first N samples"), Flag.optional),
    layout: Flag.Literals("layout", ["eoforge", "ssl4eo-s12"]).pipe(
      Flag.withDescription(
        "eoforge: <product>/<sample id>/<slot>/; ssl4eo-s12: the published SSL4EO-S12 tree torchgeo loads (s1|s2c|s2a/<7-digit index>/<scene id>/)"
      ),
      Flag.withDefault("eoforge")
    ),
    json
  },
  Effect.fn(function* (input) {
    const files = yield* ExportGeoTiff.run({
      store: input.store,
      out: input.out,
      products: Option.isSome(input.product) ? [input.product.value] : undefined,
      limit: Option.getOrUndefined(input.limit),
      layout: input.layout
    }).pipe(readable(input.store))
    return yield* print(
      input.json,
      { files, out: input.out },
      `wrote ${files} files under ${input.out}`
    )
  })
).pipe(
  Command.withDescription(
    "Export chips as single-band GeoTIFFs: <out>/<product>/<sample id>/<slot>/<band>.tif with a metadata.json per slot, or with --layout ssl4eo-s12 the published SSL4EO-S12 tree"
  ),
  Command.withExamples([
    {
      command: "eoforge export-geotiff out/demo.zarr --out out/demo-tif --limit 4",
      description: "The first 4 samples"
    }
  ])
)

const finalize = Command.make(
  "finalize",
  {
    store: storeArg,
    publish: Flag.Boolean("publish").pipe(
      Flag.withDescription(
        "The metadata is for publication: fail unless the recipe gives the dataset's url (Croissant url, card)"
      ),
      Flag.withDefault(false)
    ),
    json
  },
  Effect.fn(function* (input) {
    const s = yield* Finalize.at(input.store, { publish: input.publish }).pipe(
      readable(input.store)
    )
    const text = [
      `finalized ${input.store}: wrote ${s.files.join(", ")}`,
      ...s.warnings.map((w) => `  warning: ${w}`)
    ].join("\n")
    return yield* print(input.json, s, text)
  })
).pipe(
  Command.withDescription(
    "Merge statistics of every shard and write the index, Croissant metadata and dataset card (after --shard builds)"
  ),
  Command.withExamples([
    {
      command: "eoforge finalize out/ssl4eo-s12.zarr",
      description: "After every `eoforge build … --shard i/N` partition has finished"
    }
  ])
)

/** The root command. */
export const command = Command.make("eoforge").pipe(
  Command.withDescription(
    `EOForge ${Version.version}: build ML-ready Earth-observation datasets. Exit codes: 0 success, 1 unexpected failure, 2 usage or recipe error, 3 input or source error, 4 output error.`
  ),
  Command.withSubcommands([
    build,
    sample,
    inspect,
    exportGeoTiff,
    finalize,
    ReportCommand.report,
    QueueCommands.enqueue,
    QueueCommands.worker
  ])
)
