// @eoforge/pipeline: recipes in, a complete dataset out — planning, extraction jobs per shard,
// resume, finalize (statistics, Croissant, card, index), dry runs, inspection and GeoTIFF export.
export * as Build from "./Build.ts"
export * as DryRun from "./DryRun.ts"
export * as ExportGeoTiff from "./ExportGeoTiff.ts"
export * as Extract from "./Extract.ts"
export * as Finalize from "./Finalize.ts"
export * as Inspect from "./Inspect.ts"
export * as Job from "./Job.ts"
export * as Plan from "./Plan.ts"
export * as Products from "./Products.ts"
export * as Recipe from "./Recipe.ts"
export * as Services from "./Services.ts"
export * as Version from "./Version.ts"
