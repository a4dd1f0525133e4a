// Typed failures of reading a Sentinel-1 product: each names the asset (file or URL) and the fix.
// `problem` maps one to one onto the reason recorded for a chip.
import { Schema } from "effect"

/** What is wrong with a product's assets. */
export const Problem = Schema.Literals([
  /** A required asset (annotation, calibration, noise, measurement) is absent from the item. */
  "AnnotationMissing",
  /** An XML asset is not well formed or lacks a required element. */
  "AnnotationMalformed",
  /** The asset is another kind of document (e.g. an RFI report where the product annotation belongs). */
  "AnnotationWrongKind",
  /** The annotation does not describe the measurement (size, polarisation, swath, times). */
  "AnnotationMismatch",
  /** The processor (IPF) version is one whose noise/calibration conventions EOForge does not know. */
  "UnknownIpfVersion",
  /** The orbit state vectors do not cover the times of the lines that are needed. */
  "OrbitNotCovering",
  /** The DEM does not cover the patch (missing heights). */
  "DemNotCovering",
  /** The patch falls outside the product's image. */
  "OutsideImage"
])
/** What is wrong with a product's assets. */
export type Problem = typeof Problem.Type

/** A Sentinel-1 product cannot be used: the message names the asset and what to do. */
export class S1Error extends Schema.TaggedError<S1Error>()("S1Error", {
  asset: Schema.String,
  problem: Problem,
  message: Schema.String,
  cause: Schema.optional(Schema.Defect())
}) {}
