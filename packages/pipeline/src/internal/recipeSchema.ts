// The recipe's schema pieces other than products: sampling, patch geometry, sources, slot sets, split and
// output store (Recipe.ts assembles and re-exports them).
import { Schema } from "effect"
import { Fraction, Positive, withDefault } from "./recipeDecoding.ts"
import { boundedInt, boundedNumber, limits, positiveAtMost, Year } from "./recipeLimits.ts"

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
