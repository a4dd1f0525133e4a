// The declarative selection/compositing language of an Earth Engine product (no code strings): a source
// (collection or image) and a list of operations, compiled per patch × slot into an expression tree.
import { Crs, DType, PixelGrid } from "@eoforge/core"
import { Schema } from "effect"
import * as Expression from "./Expression.ts"

/** A metadata comparison. */
export const Comparison = Schema.Literals(["eq", "neq", "lt", "lte", "gt", "gte", "contains"])

/** One operation. Collection-stage operations come before the reduction, image-stage ones after it. */
export const Operation = Schema.Union([
  /** Keep images whose `system:time_start` lies in the slot's window (both ends inclusive). */
  Schema.Struct({ op: Schema.Literal("filterDate") }),
  /** Keep images intersecting the patch footprint (a rectangle in the patch CRS). */
  Schema.Struct({ op: Schema.Literal("filterBounds") }),
  /** Keep images whose metadata `property` compares to `value` (`contains`: a list property holds it). */
  Schema.Struct({
    op: Schema.Literal("filter"),
    property: Schema.NonEmptyString,
    cmp: Comparison,
    value: Schema.Union([Schema.String, Schema.Finite])
  }),
  /** Order images by a metadata property. */
  Schema.Struct({
    op: Schema.Literal("sort"),
    property: Schema.NonEmptyString,
    ascending: Schema.optionalKey(Schema.Boolean)
  }),
  /** Reduce the collection to one image: the first, per-pixel median or mean, or a mosaic (last on top). */
  Schema.Struct({ op: Schema.Literals(["first", "median", "mean", "mosaic"]) }),
  /** Keep (and optionally rename) bands. */
  Schema.Struct({
    op: Schema.Literal("select"),
    bands: Schema.Array(Schema.NonEmptyString),
    as: Schema.optionalKey(Schema.Array(Schema.NonEmptyString))
  }),
  /** Mask pixels whose `band` value is one of `classes` (e.g. SCL cloud classes). */
  Schema.Struct({
    op: Schema.Literal("cloudMask"),
    band: Schema.NonEmptyString,
    classes: Schema.Array(Schema.Int)
  }),
  /** Resample with bilinear or bicubic interpolation instead of Earth Engine's nearest neighbour. */
  Schema.Struct({ op: Schema.Literal("resample"), mode: Schema.Literals(["bilinear", "bicubic"]) })
])
/** One operation. */
export type Operation = typeof Operation.Type

/** Where pixels come from: an ImageCollection or a single Image asset id. */
export const Asset = Schema.Union([
  Schema.Struct({ collection: Schema.NonEmptyString }),
  Schema.Struct({ image: Schema.NonEmptyString })
])
/** Where pixels come from. */
export type Asset = typeof Asset.Type

/** A time window, epoch ms, both ends inclusive. */
export interface Window {
  readonly start: number
  readonly end: number
}

/** Name of the band carrying the validity of every pixel (1 valid, 0 masked) in each response. */
export const validBand = "eoforge_valid"

/** An operation list the compiler refuses (e.g. a reduction twice, filters after the reduction). */
export class OperationsError extends Schema.TaggedError<OperationsError>()("OperationsError", {
  message: Schema.String
}) {}

const { call, constant } = Expression

const filterCall: Record<typeof Comparison.Type, string> = {
  eq: "Filter.equals",
  neq: "Filter.notEquals",
  lt: "Filter.lessThan",
  lte: "Filter.lessThanOrEquals",
  gt: "Filter.greaterThan",
  gte: "Filter.greaterThanOrEquals",
  contains: "Filter.listContains"
}

const reducerCall = {
  median: "reduce.median",
  mean: "reduce.mean",
  mosaic: "ImageCollection.mosaic"
} as const

const castCall: Record<DType.DType, string> = {
  uint8: "Image.toUint8",
  int8: "Image.toInt8",
  uint16: "Image.toUint16",
  int16: "Image.toInt16",
  uint32: "Image.toUint32",
  int32: "Image.toInt32",
  float32: "Image.toFloat",
  float64: "Image.toDouble"
}

/** The Earth Engine algorithm that casts an image to `dtype`. */
export const castFor = (dtype: DType.DType): string => castCall[dtype]

/** The footprint rectangle of a grid as an Earth Engine polygon in the grid's CRS (planar edges). */
export const footprint = (grid: PixelGrid.PixelGrid): Expression.Node => {
  const b = PixelGrid.bbox(grid)
  return call("GeometryConstructors.Polygon", {
    coordinates: constant([
      [
        [b.minX, b.maxY],
        [b.minX, b.minY],
        [b.maxX, b.minY],
        [b.maxX, b.maxY],
        [b.minX, b.maxY]
      ]
    ]),
    crs: call("Projection", { crs: constant(Crs.format(grid.crs)) }),
    geodesic: constant(false)
  })
}

const mapped = (
  collection: Expression.Node,
  perImage: (image: Expression.Node) => Expression.Node
) =>
  call("Collection.map", {
    collection,
    baseAlgorithm: Expression.fn(["_MAPPING_VAR_0_0"], perImage(Expression.arg("_MAPPING_VAR_0_0")))
  })

const imageOp = (image: Expression.Node, op: Operation): Expression.Node => {
  switch (op.op) {
    case "select":
      return call("Image.select", {
        input: image,
        bandSelectors: constant(op.bands),
        ...(op.as === undefined ? {} : { newNames: constant(op.as) })
      })
    case "cloudMask":
      return call("Image.updateMask", {
        image,
        mask: call("Image.remap", {
          image: call("Image.select", { input: image, bandSelectors: constant([op.band]) }),
          from: constant(op.classes),
          to: constant(op.classes.map(() => 0)),
          defaultValue: constant(1)
        })
      })
    case "resample":
      return call("Image.resample", { image, mode: constant(op.mode) })
    default:
      throw new OperationsError({ message: `${op.op} applies to a collection, not to an image` })
  }
}

/** What a compiled slot asks for. */
export interface Compiled {
  /** The image whose pixels are requested: selected bands cast to the dtype, then the validity band. */
  readonly image: Expression.Node
  /** A dictionary `{ ids, times }` of the images the pixels come from (value:compute), or undefined for an Image asset. */
  readonly sources: Expression.Node | undefined
}

/**
 * Compile `operations` over `asset` for one slot and patch: collection operations in order until the
 * reduction (`first` when none is given), image operations after it, then `bands` selected in order and cast
 * to `dtype`, and the validity band added. `sources` lists the picked images' ids and times (and the values of
 * `cloudProperty` when given).
 */
export const compile = (
  asset: Asset,
  operations: ReadonlyArray<Operation>,
  bands: ReadonlyArray<string>,
  dtype: DType.DType,
  window: Window,
  grid: PixelGrid.PixelGrid,
  cloudProperty?: string
): Compiled => {
  let collection: Expression.Node | undefined =
    "collection" in asset
      ? call("ImageCollection.load", { id: constant(asset.collection) })
      : undefined
  let image: Expression.Node | undefined =
    "image" in asset ? call("Image.load", { id: constant(asset.image) }) : undefined
  let used: Expression.Node | undefined
  for (const op of operations) {
    if (collection !== undefined) {
      switch (op.op) {
        case "filterDate":
          collection = call("Collection.filter", {
            collection,
            filter: call("Filter.dateRangeContains", {
              // Earth Engine's DateRange excludes its end; slot windows include theirs.
              leftValue: call("DateRange", {
                start: constant(window.start),
                end: constant(window.end + 1)
              }),
              rightField: constant("system:time_start")
            })
          })
          continue
        case "filterBounds":
          collection = call("Collection.filter", {
            collection,
            filter: call("Filter.intersects", {
              leftField: constant(".all"),
              rightValue: footprint(grid)
            })
          })
          continue
        case "filter":
          collection = call("Collection.filter", {
            collection,
            filter: call(filterCall[op.cmp], {
              leftField: constant(op.property),
              rightValue: constant(op.value)
            })
          })
          continue
        case "sort":
          collection = call("Collection.limit", {
            collection,
            key: constant(op.property),
            ascending: constant(op.ascending ?? true)
          })
          continue
        case "first":
          used = call("Collection.limit", { collection, limit: constant(1) })
          image = call("Collection.first", { collection })
          collection = undefined
          continue
        case "median":
        case "mean":
        case "mosaic":
          used = collection
          image = call(reducerCall[op.op], { collection })
          collection = undefined
          continue
        default: {
          const c: Expression.Node = collection
          collection = mapped(c, (img) => imageOp(img, op))
          continue
        }
      }
    }
    if (
      op.op === "filterDate" ||
      op.op === "filterBounds" ||
      op.op === "filter" ||
      op.op === "sort"
    )
      throw new OperationsError({ message: `${op.op} must come before the reduction` })
    if (op.op === "first" || op.op === "median" || op.op === "mean" || op.op === "mosaic")
      throw new OperationsError({
        message: `${op.op} reduces a collection; there is only one image here`
      })
    image = imageOp(image!, op)
  }
  if (collection !== undefined) {
    used = call("Collection.limit", { collection, limit: constant(1) })
    image = call("Collection.first", { collection })
  }
  const selected = call(castFor(dtype), {
    value: call("Image.select", { input: image!, bandSelectors: constant(bands) })
  })
  const valid = call("Image.rename", {
    input: call("Image.toUint8", {
      value: call("Image.reduce", {
        image: call("Image.mask", { image: selected }),
        reducer: call("Reducer.min")
      })
    }),
    names: constant([validBand])
  })
  const sources =
    used === undefined
      ? undefined
      : Expression.dict({
          ids: call("AggregateFeatureCollection.array", {
            collection: used,
            property: constant("system:index")
          }),
          times: call("AggregateFeatureCollection.array", {
            collection: used,
            property: constant("system:time_start")
          }),
          ...(cloudProperty === undefined
            ? {}
            : {
                clouds: call("AggregateFeatureCollection.array", {
                  collection: used,
                  property: constant(cloudProperty)
                })
              })
        })
  return { image: call("Image.addBands", { dstImg: selected, srcImg: valid }), sources }
}
