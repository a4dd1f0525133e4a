// The public surface of @eoforge/pipeline: changes to it are deliberate.
import { describe, expect, it } from "@effect/vitest"
import * as Pipeline from "../src/index.ts"

describe("@eoforge/pipeline exports", () => {
  it("exposes its modules with their members", () => {
    const surface = Object.fromEntries(
      Object.entries(Pipeline).map(([name, mod]) => [name, Object.keys(mod).sort()])
    )
    expect(surface).toMatchInlineSnapshot(`
      {
        "Build": [
          "InputError",
          "OutputError",
          "build",
          "createdAtOf",
          "documentCacheKey",
          "jobContext",
          "layoutOf",
          "openStore",
          "prepare",
          "resolveRecipe",
          "runShard",
          "signerOf",
          "sourceCacheKey",
          "transferSince",
        ],
        "CloudMask": [
          "apply",
          "layerFor",
          "resolve",
        ],
        "Composite": [
          "SpillTo",
          "chip",
          "clearSpill",
          "combiner",
          "tmpPrefix",
          "toDb",
          "toLinear",
          "withStoreSpill",
        ],
        "DryRun": [
          "format",
          "run",
        ],
        "ExportGeoTiff": [
          "ExportError",
          "run",
        ],
        "Extract": [
          "chip",
          "maxTries",
          "read",
        ],
        "Finalize": [
          "FinalizeError",
          "at",
          "buildRecordKey",
          "run",
        ],
        "HeaderCache": [
          "clear",
          "keyOf",
          "prefix",
          "shelfOf",
        ],
        "Inspect": [
          "at",
          "format",
          "summary",
        ],
        "Job": [
          "JobRecordError",
          "chainsOf",
          "isDone",
          "legacyStatsKey",
          "maxStatsBytes",
          "readRecord",
          "readStats",
          "recordKey",
          "run",
          "statsKey",
        ],
        "Opener": [
          "make",
        ],
        "Output": [
          "EPSILON",
          "apply",
          "make",
          "storedBand",
          "toStored",
        ],
        "PatchColumns": [
          "PatchColumns",
          "floatColumns",
          "rebuild",
        ],
        "Plan": [
          "PlanInputError",
          "make",
          "rejectedKey",
          "rejectedRecord",
          "snapOf",
          "toGeoJson",
        ],
        "PlanFile": [
          "PlanFileError",
          "decode",
          "encode",
          "encodeChunks",
          "fromColumns",
          "key",
          "open",
        ],
        "Products": [
          "ProductRecipeError",
          "catalogueOf",
          "presets",
          "resolve",
          "slotsOf",
          "sourcesForRecord",
          "withDocumentCache",
          "withSourceCache",
        ],
        "Queue": [
          "QueueError",
          "defaultQueueName",
          "enqueue",
          "finalizeJobId",
          "shardJobId",
          "wait",
          "work",
        ],
        "Radiometry": [
          "apply",
          "baselineNumber",
          "defaultFor",
          "isIdentity",
          "linear",
          "sourceOf",
        ],
        "Recipe": [
          "BandRecipe",
          "CloudMaskRecipe",
          "CompositeRecipe",
          "OutputRecipe",
          "PatchRecipe",
          "ProductRecipe",
          "Recipe",
          "RecipeError",
          "RecipeNotFoundError",
          "Sampling",
          "SlotsRecipe",
          "SourceRecipe",
          "SplitRecipe",
          "check",
          "isStacApi",
          "isStatic",
          "load",
          "parse",
          "resolveFile",
          "resolvePath",
          "shipped",
          "shippedDirectory",
          "slotSetOf",
        ],
        "SearchCache": [
          "addCounts",
          "clear",
          "clientFor",
          "diskOf",
          "prefix",
        ],
        "Services": [
          "layer",
          "layerPlanetaryComputer",
          "layerRaster",
        ],
        "ShardThreads": [
          "BuildThreadError",
          "drain",
          "lanes",
          "next",
          "queueOf",
          "start",
          "stop",
        ],
        "StoredPlan": [
          "open",
        ],
        "Version": [
          "version",
        ],
      }
    `)
  })
})
