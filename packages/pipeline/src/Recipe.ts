// Recipes: the declarative description of a dataset build, read from YAML or JSON.
// Decoding is strict (unknown keys are errors) and every error points at the file, line and key.
import { Effect, Result, Schema, SchemaIssue } from "effect"
import { dirname, isAbsolute, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { AccessRecipe, accessKeys } from "./internal/access.ts"
import { nameProblems } from "./internal/recipeNames.ts"
import {
  boundedInt,
  boundedNumber,
  limits,
  positiveAtMost,
  Seed,
  Year
} from "./internal/recipeLimits.ts"
import { check } from "./internal/recipeRules.ts"
import * as RecipeText from "./internal/recipeText.ts"
import { keyPath, nodeAt, suggest } from "./internal/yamlKeys.ts"

const withDefault = <S extends Schema.Top>(value: S["Encoded"]) =>
  Schema.withDecodingDefaultKey<S>(Effect.succeed(value))

const Positive = Schema.Finite.check(Schema.isGreaterThan(0))
const Fraction = Schema.Finite.check(Schema.isBetween({ minimum: 0, maximum: 1 }))

/** How candidate locations are drawn. */
export const Sampling = Schema.Struct({
  /** cities: Gaussian around populous cities (SSL4EO-S12); sphere: uniform on Earth; aoi: uniform inside an AOI; tiles: every tile of an AOI; locations: a CSV/GeoJSON list. */
  sampler: Schema.Literals(["cities", "sphere", "aoi", "tiles", "locations"]),
  /** Patches wanted after overlap filtering (all tiles/locations when absent). */
  count: Schema.optionalKey(boundedInt(1, limits.count, "count (patches wanted)")),
  /** Stop drawing after this many candidates (default 20 × count). */
  maxCandidates: Schema.optionalKey(
    boundedInt(1, limits.maxCandidates, "maxCandidates (candidates drawn)")
  ),
  /** GeoJSON file (relative to the recipe) of the area of interest, for aoi and tiles. */
  aoi: Schema.optionalKey(Schema.String),
  /** CSV or GeoJSON file of locations, for the locations sampler. */
  locations: Schema.optionalKey(Schema.String),
  /** Tiles sampler: where two zones' lattices meet, none keeps what the overlap filter keeps (holes at seams); least-overlap adds the least overlapping tiles that close every hole. */
  seam: Schema.optionalKey(Schema.Literals(["none", "least-overlap"])),
  /** Tiles sampler: centre keeps tiles whose centre is in the AOI (default); cover keeps every tile sharing ground with it, so the tiles cover the whole AOI. */
  edge: Schema.optionalKey(Schema.Literals(["centre", "cover"])),
  /** Cities sampler: how many of the most populous cities. */
  topN: boundedInt(1, limits.topN, "topN (cities)").pipe(withDefault(10000)),
  /** Cities sampler: standard deviation of the ground offset, km. */
  sigmaKm: positiveAtMost(limits.distanceKm, "sigmaKm").pipe(withDefault(50)),
  /** Cities sampler: choose the city uniformly (SSL4EO-S12) or weighted by population. */
  weighting: Schema.Literals(["uniform", "population"]).pipe(withDefault("uniform"))
})

/** Patch geometry. */
export const PatchRecipe = Schema.Struct({
  /** Side of the square patch in metres. */
  size: positiveAtMost(limits.patchSizeM, "the patch size (m)"),
  /** Finest pixel size in metres; the patch grid's resolution. */
  resolution: Positive,
  /** Snap unit of the grid origin in metres (default: the coarsest product resolution). */
  snap: Schema.optionalKey(positiveAtMost(limits.patchSizeM, "snap (m)"))
})

/** One band of a product: a name, where it comes from and what it means. */
export const BandRecipe = Schema.Struct({
  name: Schema.NonEmptyString,
  /** Asset key in the STAC item (default: the band name). */
  asset: Schema.optionalKey(Schema.String),
  /** 1-based band index inside the asset (default 1). */
  index: Schema.optionalKey(boundedInt(1, 65_535, "index (band of the asset)")),
  description: Schema.optionalKey(Schema.String),
  wavelengthNm: Schema.optionalKey(Schema.Finite),
  polarisation: Schema.optionalKey(Schema.String),
  unit: Schema.optionalKey(Schema.String),
  nodata: Schema.optionalKey(Schema.Finite),
  scale: Schema.optionalKey(Schema.Finite),
  offset: Schema.optionalKey(Schema.Finite),
  resampling: Schema.optionalKey(
    Schema.Literals(["nearest", "bilinear", "cubic", "average", "mode"])
  ),
  classes: Schema.optionalKey(Schema.Record(Schema.String, Schema.String)),
  classColours: Schema.optionalKey(Schema.Record(Schema.String, Schema.String))
})

/** How a product's composite slots are computed. */
export const CompositeRecipe = Schema.Struct({
  /** Composite dB values as they are (default, as Earth Engine's S1_GRD) or in linear power (10^(dB/10)), stored back in dB. */
  scale: Schema.Literals(["dB", "linear"]).pipe(withDefault("dB")),
  /** Store a `count` array beside `data`: acquisitions valid at each pixel (uint16 [sample, time, y, x]). */
  validCount: Schema.Boolean.pipe(withDefault(false))
})

/**
 * A product's per-pixel cloud mask from its items' quality layers (Sentinel-2 L2A SCL, L1C QA60 or
 * MSK_CLASSI by processing baseline): listed classes, bits or bands masked, dilated by `dilationM` metres and
 * cleared from each chip's validity. `cloudMask: {}` takes the preset's defaults.
 */
export const CloudMaskRecipe = Schema.Struct({
  /** Class values masked in a class layer (default: the preset's, SCL 3, 8, 9, 10). */
  classes: Schema.optionalKey(Schema.Array(boundedInt(0, 65_535, "classes (class value)"))),
  /** Bit positions (0 = least significant) masked in a bitmask layer (default: QA60 bits 10, 11). */
  bits: Schema.optionalKey(Schema.Array(boundedInt(0, 31, "bits (bit position)"))),
  /** 1-based bands of a 0/1 band stack masked where non-zero (default: MSK_CLASSI 1, 2). */
  bands: Schema.optionalKey(Schema.Array(boundedInt(1, 64, "bands (1-based band)"))),
  /** Asset key of the layer of each kind (`classes`, `bits`, `bands`), replacing the preset's. */
  assets: Schema.optionalKey(
    Schema.Struct({
      classes: Schema.optionalKey(Schema.NonEmptyString),
      bits: Schema.optionalKey(Schema.NonEmptyString),
      bands: Schema.optionalKey(Schema.NonEmptyString)
    })
  ),
  /** Resampling of the layer onto the chip grid (default nearest onto finer grids, mode onto coarser). */
  resampling: Schema.optionalKey(Schema.Literals(["nearest", "mode"])),
  /** Dilation radius in metres: pixels whose centre is within it of a masked pixel's are masked. */
  dilationM: boundedNumber(0, 10_000, "dilationM (m)").pipe(withDefault(0)),
  /** Largest masked fraction of a chip: candidates over it are skipped in the slot rule's order. */
  maxPatchCloud: Schema.optionalKey(Fraction),
  /** An item without the layer: `fail` (MissingAsset) or `scene-cover` (unmasked, scene cloud cover recorded). */
  fallback: Schema.Literals(["scene-cover", "fail"]).pipe(withDefault("fail"))
})

/** One product: a group of bands stored together. */
export const ProductRecipe = Schema.Struct({
  /** Group name in the store, e.g. s2l2a. */
  id: Schema.String.check(Schema.isPattern(/^[a-z][a-z0-9_]*$/)),
  title: Schema.optionalKey(Schema.String),
  /** A preset name (sentinel-2-l2a, sentinel-2-l1c, sentinel-1-grd, cop-dem-glo-30, esa-worldcover). */
  preset: Schema.optionalKey(Schema.String),
  /** The source (key of `sources`) to search. */
  source: Schema.String,
  /** Collection id in the source. */
  collection: Schema.optionalKey(Schema.String),
  dtype: Schema.optionalKey(
    Schema.Literals(["uint8", "int8", "uint16", "int16", "uint32", "int32", "float32", "float64"])
  ),
  /** Pixel size in metres on the patch grid; an integer multiple of the patch resolution. */
  resolution: Schema.optionalKey(Positive),
  /** Resampling of its bands that do not set their own (default: the preset's, else bilinear). */
  resampling: Schema.optionalKey(
    Schema.Literals(["nearest", "bilinear", "cubic", "average", "mode"])
  ),
  /** Bands (required for custom products; a subset of the preset's otherwise). */
  bands: Schema.optionalKey(Schema.Array(BandRecipe)),
  /** Time slots of this product (default: the recipe's time slots). */
  slots: Schema.optionalKey(Schema.String),
  /** Largest scene cloud cover accepted, percent. */
  maxCloud: Schema.optionalKey(Schema.Finite.check(Schema.isBetween({ minimum: 0, maximum: 100 }))),
  /** Pair each slot's acquisition with an earlier product's: the same Sentinel-2 datatake (L1C with L2A), or within maxDays (S1 near S2). */
  pair: Schema.optionalKey(
    Schema.Struct({
      /** Id of the earlier product to pair with (same slots). */
      with: Schema.String,
      rule: Schema.Literals(["same-datatake", "within-days"]),
      /** For within-days: the largest |Δt| in days. */
      maxDays: Schema.optionalKey(positiveAtMost(limits.pairDays, "maxDays"))
    })
  ),
  /** Options of the preset's item reader (sentinel-1-grd: dem, demDatum, target, denoise), checked at load. */
  readerOptions: Schema.optionalKey(
    Schema.Record(Schema.String, Schema.Union([Schema.String, Schema.Finite, Schema.Boolean]))
  ),
  /** Largest fraction of nodata pixels before a chip is recorded as NotCovered. */
  maxNodata: Fraction.pipe(withDefault(1)),
  /** Only acquisitions of this orbit direction (`sat:orbit_state`), e.g. Sentinel-1 ascending and descending as two products. */
  orbitDirection: Schema.optionalKey(Schema.Literals(["ascending", "descending"])),
  /** Options of composite slots (rules median, mean, min, max, first-valid). */
  composite: Schema.optionalKey(CompositeRecipe),
  /** Per-pixel cloud mask from the items' quality layers (absent: no mask, scene cloud cover only). */
  cloudMask: Schema.optionalKey(CloudMaskRecipe),
  /** Store a uint8 visualisation of the physical values: range [lo, hi] → 0–255 (see Output). */
  output: Schema.optionalKey(
    Schema.Struct({
      dtype: Schema.Literal("uint8"),
      range: Schema.Tuple([Schema.Finite, Schema.Finite]),
      rounding: Schema.optionalKey(Schema.Literals(["nearest", "floor"])),
      nodata: Schema.optionalKey(boundedInt(0, 255, "output.nodata"))
    })
  ),
  license: Schema.optionalKey(Schema.String),
  attribution: Schema.optionalKey(Schema.String)
})

/** Where acquisitions are found. */
export const SourceRecipe = Schema.Union([
  Schema.Struct({
    type: Schema.Literal("static"),
    catalog: Schema.String,
    /** Read assets' `alternate` of this name or scheme when they have one (e.g. https). */
    alternate: Schema.optionalKey(Schema.NonEmptyString)
  }),
  Schema.Struct({
    type: Schema.Literal("stac-api"),
    url: Schema.String,
    signing: Schema.Literals(["none", "planetary-computer"]).pipe(withDefault("none")),
    alternate: Schema.optionalKey(Schema.NonEmptyString)
  }),
  /** A source of a registered kind (`@eoforge/sources`, e.g. earth-engine): the kind validates the rest. */
  Schema.StructWithRest(
    Schema.Struct({
      // Branded so that `type === "static"` still narrows to the built-in sources.
      type: Schema.String.check(Schema.isPattern(/^(?!static$|stac-api$)[a-z][a-z0-9-]*$/)).pipe(
        Schema.brand("SourceKindType")
      )
    }),
    [Schema.Record(Schema.String, Schema.Unknown)]
  )
])

/** A source of the recipe. */
export type SourceRecipe = typeof SourceRecipe.Type
/** A static catalogue source. */
export type StaticSource = Extract<SourceRecipe, { readonly type: "static" }>
/** A STAC API source. */
export type StacApiSource = Extract<SourceRecipe, { readonly type: "stac-api" }>
/** Whether a source is a static catalogue (other kinds' `type` strings do not narrow by comparison). */
export const isStatic = (s: SourceRecipe): s is StaticSource => s.type === "static"
/** Whether a source is a STAC API. */
export const isStacApi = (s: SourceRecipe): s is StacApiSource => s.type === "stac-api"

/** A named set of time slots. */
export const SlotsRecipe = Schema.Struct({
  /** seasons: four windows around Mar 20, Jun 21, Sep 22, Dec 21 (SSL4EO-S12); months; calendar seasons; single window; any: the whole catalogue as one slot. */
  kind: Schema.Literals(["seasons", "months", "calendar-seasons", "window", "any"]),
  year: Schema.optionalKey(Year),
  fallbackYear: Schema.optionalKey(Year),
  /** Half width of each season window in days. */
  halfWindowDays: boundedInt(0, limits.halfWindowDays, "halfWindowDays").pipe(withDefault(15)),
  /** For kind window: ISO start and end (inclusive). */
  start: Schema.optionalKey(Schema.String),
  end: Schema.optionalKey(Schema.String),
  /** One scene: least-cloudy, closest (to the reference date) or most-recent; a per-pixel composite of every scene: median, mean, min, max or first-valid. */
  rule: Schema.Literals([
    "least-cloudy",
    "closest",
    "most-recent",
    "median",
    "mean",
    "min",
    "max",
    "first-valid"
  ]).pipe(withDefault("least-cloudy"))
})

/** Train/val/test assignment. */
export const SplitRecipe = Schema.Struct({
  method: Schema.Literals(["banding", "blocks", "random"]).pipe(withDefault("banding")),
  /** Target proportions train/val/test, summing to 1. */
  proportions: Schema.Tuple([Fraction, Fraction, Fraction]).pipe(withDefault([0.6, 0.2, 0.2])),
  /** Banding: band width in km. */
  bandKm: Schema.optionalKey(positiveAtMost(limits.distanceKm, "bandKm")),
  /** Banding: true bearing of the band normal, degrees. */
  bearingDeg: Schema.Finite.pipe(withDefault(0)),
  /** Blocks: reference grid cell size in km. */
  blockKm: positiveAtMost(limits.distanceKm, "blockKm").pipe(withDefault(100)),
  /** Guard zone in km (default: one patch width). */
  guardKm: Schema.optionalKey(boundedNumber(0, limits.distanceKm, "guardKm")),
  /** Extract guard-zone samples too (useful unlabelled data; they belong to no split and no statistics). */
  extractGuard: Schema.Boolean.pipe(withDefault(true))
})

/** The output store. */
export const OutputRecipe = Schema.Struct({
  /** Store path, relative to the working directory. */
  store: Schema.NonEmptyString,
  /** Samples per shard (default: aims at 32–256 MiB per shard file). */
  shardSamples: Schema.optionalKey(boundedInt(1, limits.shardSamples, "shardSamples")),
  codec: Schema.Literals(["zstd", "gzip"]).pipe(withDefault("zstd")),
  sharded: Schema.Boolean.pipe(withDefault(true))
})

/** Schema of a recipe. */
export const Recipe = Schema.Struct({
  name: Schema.String.check(Schema.isPattern(/^[A-Za-z0-9._-]+$/)),
  description: Schema.optionalKey(Schema.String),
  version: Schema.String.pipe(withDefault("1.0.0")),
  license: Schema.String.pipe(withDefault("CC-BY-4.0")),
  /** The dataset's landing page (Croissant `url`, card); required to finalize with `--publish`. */
  url: Schema.optionalKey(Schema.String),
  /** Who made the dataset. */
  creators: Schema.optionalKey(
    Schema.Array(
      Schema.Struct({
        name: Schema.NonEmptyString,
        type: Schema.Literals(["Person", "Organization"]).pipe(withDefault("Person"))
      })
    )
  ),
  /** How to cite the dataset (BibTeX or text). */
  citeAs: Schema.optionalKey(Schema.String),
  keywords: Schema.optionalKey(Schema.Array(Schema.String)),
  /** Drives every random choice: same recipe and seed, same bytes. */
  seed: Seed.pipe(withDefault(0)),
  sampling: Sampling,
  patch: PatchRecipe,
  overlap: Schema.Struct({ maxOverlap: Fraction.pipe(withDefault(0.25)) }).pipe(
    withDefault({ maxOverlap: 0.25 })
  ),
  sources: Schema.Record(Schema.String, SourceRecipe),
  slots: Schema.Record(Schema.String, SlotsRecipe),
  products: Schema.Array(ProductRecipe).check(Schema.isMinLength(1)),
  split: SplitRecipe.pipe(withDefault({})),
  output: OutputRecipe,
  /** Chips read at once. */
  concurrency: boundedInt(1, limits.concurrency, "concurrency").pipe(withDefault(4)),
  /** What catalogues may point at (hosts, local folders, private networks); see the README. */
  access: Schema.optionalKey(AccessRecipe)
})
/** A decoded recipe, defaults filled in. */
export type Recipe = typeof Recipe.Type

/** A recipe that failed to parse or validate; each problem names its line and key. */
export class RecipeError extends Schema.TaggedError<RecipeError>()("RecipeError", {
  file: Schema.String,
  problems: Schema.Array(
    Schema.Struct({
      line: Schema.optional(Schema.Number),
      key: Schema.String,
      message: Schema.String
    })
  )
}) {
  override get message(): string {
    return [
      `recipe ${this.file} is not valid:`,
      ...this.problems.map(
        (p) => `  ${this.file}${p.line === undefined ? "" : `:${p.line}`} ${p.key}: ${p.message}`
      )
    ].join("\n")
  }
}

/** Known keys of the recipe at each nesting, for "did you mean" hints. */
const knownKeys: ReadonlyArray<string> = [
  ...Object.keys(Recipe.fields),
  ...Object.keys(Sampling.fields),
  ...Object.keys(PatchRecipe.fields),
  ...Object.keys(BandRecipe.fields),
  ...Object.keys(ProductRecipe.fields),
  ...Object.keys(SlotsRecipe.fields),
  ...Object.keys(SplitRecipe.fields),
  ...Object.keys(OutputRecipe.fields),
  ...Object.keys(CloudMaskRecipe.fields),
  ...Object.keys(CompositeRecipe.fields),
  ...accessKeys,
  "maxOverlap",
  "name",
  "pair",
  "with",
  "rule",
  "maxDays",
  "extractGuard",
  "type",
  "catalog",
  "url",
  "signing",
  "alternate"
]

const hint = (key: PropertyKey | undefined): string => suggest(key, knownKeys)

const decode = Schema.decodeUnknownResult(Recipe, { onExcessProperty: "error", errors: "all" })
const formatter = SchemaIssue.makeFormatterStandardSchemaV1()

/**
 * Parse and validate recipe text (YAML, of which JSON is a subset).
 * `file` names the recipe in errors; at most 50 problems are listed, the rest counted.
 */
export const parse = (text: string, file: string): Result.Result<Recipe, RecipeError> => {
  const fail = (problems: ReadonlyArray<RecipeText.Problem>) =>
    Result.fail(new RecipeError({ file, problems: RecipeText.capped(problems, (p) => p) }))
  const parsed = RecipeText.read(text)
  if (!("doc" in parsed)) return fail(parsed)
  const { doc, lineCounter } = parsed
  const lineOf = (path: ReadonlyArray<PropertyKey>) => {
    const offset = nodeAt(doc.contents, path)?.range?.[0]
    return offset === undefined ? {} : { line: lineCounter.linePos(offset).line }
  }
  const decoded = decode(parsed.value)
  if (Result.isSuccess(decoded)) {
    const problems = [...check(decoded.success), ...nameProblems(decoded.success)]
    if (problems.length === 0) return Result.succeed(decoded.success)
    return Result.fail(
      new RecipeError({
        file,
        problems: RecipeText.capped(problems, (p) => ({
          ...lineOf(p.path),
          key: keyPath(p.path),
          message: p.message
        }))
      })
    )
  }
  const issues = formatter(decoded.failure.issue).issues
  return Result.fail(
    new RecipeError({
      file,
      problems: RecipeText.capped(issues, (issue) => {
        const path = (issue.path ?? []).map((p) =>
          typeof p === "object" && p !== null ? (p as { key: PropertyKey }).key : p
        )
        const unexpected = /excess|unexpected/i.test(issue.message)
        return {
          ...lineOf(path),
          key: keyPath(path),
          message: unexpected ? `unknown key${hint(path[path.length - 1])}` : issue.message
        }
      })
    })
  )
}

/** Rules between keys that the Schema alone cannot state; each problem names the key path. */
export { check, slotSetOf } from "./internal/recipeRules.ts"

/** Directory of the shipped recipes (`demo`, `ssl4eo-s12`, `ssl4eo-s12-ee`, `m3leo`). */
export const shippedDirectory = fileURLToPath(new URL("../recipes/", import.meta.url))

/** The names of the shipped recipes. */
export const shipped: ReadonlyArray<string> = ["demo", "ssl4eo-s12", "ssl4eo-s12-ee", "m3leo"]

/** A recipe file that cannot be read. */
export class RecipeNotFoundError extends Schema.TaggedError<RecipeNotFoundError>()(
  "RecipeNotFoundError",
  { file: Schema.String, cause: Schema.Defect() }
) {
  override get message(): string {
    return `cannot read recipe ${this.file}: give a path to a YAML/JSON recipe or one of the shipped names (${shipped.join(", ")})`
  }
}

/** A loaded recipe with the file it came from; relative paths inside it resolve against `directory`. */
export interface Loaded {
  readonly recipe: Recipe
  readonly file: string
  readonly directory: string
}

/** The file of a recipe given by shipped name or path. */
export const resolveFile = (nameOrPath: string): string =>
  shipped.includes(nameOrPath) ? join(shippedDirectory, `${nameOrPath}.yaml`) : resolve(nameOrPath)

/** Read and validate a recipe by shipped name or path. */
export const load = Effect.fn("Recipe.load")(function* (nameOrPath: string) {
  const file = resolveFile(nameOrPath)
  const text = yield* Effect.tryPromise({
    try: () => RecipeText.readFile(file),
    catch: (cause) => new RecipeNotFoundError({ file, cause })
  })
  if (typeof text !== "string") return yield* new RecipeError({ file, problems: [text] })
  const recipe = yield* Effect.fromResult(parse(text, file))
  return { recipe, file, directory: dirname(file) } satisfies Loaded
})

/** Resolve a path written in a recipe against the recipe's directory. */
export const resolvePath = (loaded: Loaded, path: string): string =>
  isAbsolute(path) ? path : join(loaded.directory, path)
