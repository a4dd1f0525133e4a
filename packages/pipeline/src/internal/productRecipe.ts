// The recipe's product pieces: a product, its bands, composite options and cloud mask (Recipe.ts assembles
// and re-exports them).
import { Schema } from "effect"
import { boundedInt, boundedNumber, limits, positiveAtMost } from "./recipeLimits.ts"
import { Fraction, Positive, withDefault } from "./recipeDecoding.ts"

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
