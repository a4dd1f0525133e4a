// Band and product descriptions: what each channel of a chip means.
// Written into store attributes, Croissant and the dataset card.
import { Schema } from "effect"
import { DType } from "./DType.ts"

/** Schema of a resampling rule, named as in GDAL. */
export const Resampling = Schema.Literals(["nearest", "bilinear", "cubic", "average", "mode"])
/** A resampling rule. */
export type Resampling = typeof Resampling.Type

/** Schema of one band. */
export const BandSpec = Schema.Struct({
  /** Short name, e.g. `B04` or `VV`. */
  name: Schema.NonEmptyString,
  /** Human description, e.g. `Red`. */
  description: Schema.optional(Schema.String),
  /** Centre wavelength in nanometres (optical bands). */
  wavelengthNm: Schema.optional(Schema.Finite),
  /** SAR polarisation, e.g. `VV`. */
  polarisation: Schema.optional(Schema.String),
  /** Unit of the stored values after scale/offset, e.g. `reflectance`, `dB`, `m`. */
  unit: Schema.optional(Schema.String),
  /** Native ground resolution in metres. */
  resolution: Schema.optional(Schema.Finite),
  /** Stored value meaning "no data". */
  nodata: Schema.optional(Schema.Finite),
  /** physical = stored × scale + offset. */
  scale: Schema.optional(Schema.Finite),
  /** physical = stored × scale + offset. */
  offset: Schema.optional(Schema.Finite),
  /** Resampling rule used onto the patch grid. */
  resampling: Schema.optional(Resampling),
  /** Class names by value, for categorical bands. */
  classes: Schema.optional(Schema.Record(Schema.String, Schema.String)),
  /** Legend colour by class value, `#rrggbb` (quicklooks and reports draw classes with them). */
  classColours: Schema.optional(Schema.Record(Schema.String, Schema.String))
})
/** One band. */
export type BandSpec = typeof BandSpec.Type

/** Schema of a product: a set of bands stored together on one grid per patch. */
/**
 * The radiometry a product stores: every chip is brought onto its bands' `scale`/`offset` (physical value =
 * stored × scale + offset) from the scale and offset its source item declares, and each chip's processing
 * baseline, source scale and offset are recorded beside it (arrays `baseline`, `scale`, `offset`).
 */
export const Radiometry = Schema.Struct({
  /** The stored convention in words, e.g. Sentinel-2 harmonised (baseline ≥ 04.00). */
  convention: Schema.String,
  /**
   * Source scale and offset for items that declare none, by processing baseline: the last entry whose
   * `fromBaseline` is ≤ the item's applies (Sentinel-2: offset 0 before 04.00, −0.1 from 04.00).
   */
  defaults: Schema.optional(
    Schema.Array(
      Schema.Struct({ fromBaseline: Schema.String, scale: Schema.Finite, offset: Schema.Finite })
    )
  )
})
/** The radiometry a product stores. */
export type Radiometry = typeof Radiometry.Type

/**
 * The per-pixel cloud mask a product applies: quality layers of its items read onto the chip's grid, the
 * flagged pixels dilated by `dilationM` and cleared from the chip's validity; each chip's masked fraction is
 * recorded beside it (arrays `patchCloud`, `maskSource`).
 */
export const CloudMask = Schema.Struct({
  /** The quality layers, by processing baseline range (the first whose range holds the item's applies). */
  layers: Schema.Array(
    Schema.Struct({
      /** classes: listed values masked; bits: listed bit positions; bands: listed 1-based bands non-zero. */
      kind: Schema.Literals(["classes", "bits", "bands"]),
      /** Asset key in the items. */
      asset: Schema.String,
      values: Schema.Array(Schema.Finite),
      /** Resampling onto the chip grid: nearest (chip pixels finer than the layer's) or mode. */
      resampling: Resampling,
      fromBaseline: Schema.optional(Schema.String),
      untilBaseline: Schema.optional(Schema.String)
    })
  ),
  /** Radius of the disk the flagged pixels are dilated by, metres (pixel-centre distance ≤ radius). */
  dilationM: Schema.Finite,
  /** Largest masked fraction of a chip; candidates over it are skipped in the slot rule's order. */
  maxPatchCloud: Schema.optional(Schema.Finite),
  /** When an item lacks the layer: use the scene's cloud cover unmasked, or record MissingAsset. */
  fallback: Schema.Literals(["scene-cover", "fail"])
})
/** A product's per-pixel cloud mask. */
export type CloudMask = typeof CloudMask.Type

/**
 * A visualisation transform a product stores instead of its physical values: each physical value v (after
 * radiometric harmonisation) becomes x = (v − lo) / (hi − lo) × 255, rounded (nearest: half up; floor) and
 * clipped to 0–255; NaN and pixels without data store `nodata`. The bands' scale/offset then map stored values
 * back to approximate physical ones (scale = (hi − lo) / 255, offset = lo).
 */
export const OutputTransform = Schema.Struct({
  dtype: Schema.Literal("uint8"),
  /** Physical values mapped onto 0 and 255, in the bands' physical unit. */
  range: Schema.Tuple([Schema.Finite, Schema.Finite]),
  rounding: Schema.Literals(["nearest", "floor"]),
  /** Stored value of NaN and of pixels without data. */
  nodata: Schema.Finite,
  /** The rule in words (for readers of the attributes and the card). */
  rule: Schema.String
})
/** A visualisation transform of a product. */
export type OutputTransform = typeof OutputTransform.Type

export const ProductSpec = Schema.Struct({
  /** Group name in the store, e.g. `s2l2a`. */
  id: Schema.NonEmptyString,
  /** Human title. */
  title: Schema.optional(Schema.String),
  /** Stored dtype. */
  dtype: DType,
  /** Pixel size on the patch grid in metres. */
  resolution: Schema.Finite.check(Schema.isGreaterThan(0)),
  /** Bands in stored order. */
  bands: Schema.Array(BandSpec),
  /** Source collection or file description. */
  source: Schema.optional(Schema.String),
  /** Licence of the source data (SPDX id or name). */
  license: Schema.optional(Schema.String),
  /** Attribution text required by the source licence. */
  attribution: Schema.optional(Schema.String),
  /** Per-item scale/offset harmonised onto the bands' own (see Radiometry); absent: values stored as read. */
  radiometry: Schema.optional(Radiometry),
  /** Per-pixel cloud mask from the items' quality layers (see CloudMask); absent: no mask. */
  cloudMask: Schema.optional(CloudMask),
  /** Stored as a visualisation of the physical values (statistics are of the stored values). */
  output: Schema.optional(OutputTransform)
})
/** A product. */
export type ProductSpec = typeof ProductSpec.Type
