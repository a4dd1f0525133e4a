// @eoforge/cli: the `eoforge` command (effect/cli) — build, sample, inspect, export-geotiff, finalize.
export * as Cli from "./Cli.ts"
export * as ExitCode from "./ExitCode.ts"
export * as Progress from "./Progress.ts"
