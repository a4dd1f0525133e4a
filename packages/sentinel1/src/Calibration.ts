// Calibration annotation (S1-RS-MDA-52-7441 §6.3, "calibration" schema): σ⁰, β⁰, γ⁰ and DN look-up vectors
// on a sparse (line, pixel) grid, interpolated bilinearly over the image (§6.3, S1-TN-MDA-52-7448 §2).
import { Effect } from "effect"
import { expectRoot, failure } from "./Annotation.ts"
import { parseMicros } from "./internal/time.ts"
import * as Xml from "./internal/xml.ts"
import type { S1Error } from "./S1Error.ts"

/** One calibration vector: the LUT values at `pixel` positions along one line. */
export interface CalibrationVector {
  /** Microseconds since 1970. */
  readonly timeMicros: number
  readonly line: number
  readonly pixel: Float64Array
  readonly sigmaNought: Float64Array
  readonly betaNought: Float64Array
  readonly gamma: Float64Array
  readonly dn: Float64Array
}

/** A parsed calibration annotation. */
export interface Calibration {
  readonly asset: string
  readonly polarisation: string
  readonly swath: string
  readonly absoluteCalibrationConstant: number
  /** Sorted by line. */
  readonly vectors: ReadonlyArray<CalibrationVector>
}

/** Which LUT calibrates to which quantity. */
export type Target = "sigma0" | "beta0" | "gamma0"

/** The LUT of a calibration vector for a target quantity. */
export const lutOf = (v: CalibrationVector, target: Target): Float64Array =>
  target === "sigma0" ? v.sigmaNought : target === "beta0" ? v.betaNought : v.gamma

/** Parses a calibration annotation document. */
export const parse = (text: string, asset: string): Effect.Effect<Calibration, S1Error> =>
  Effect.try({
    try: () => {
      const root = Xml.parseRoot(text)
      expectRoot(root, asset, "calibration")
      const header = Xml.child(root, "adsHeader")
      const vectors = Xml.children(
        Xml.child(root, "calibrationVectorList"),
        "calibrationVector"
      ).map((v) => {
        const pixel = Xml.numbersAt(v, "pixel")
        const out = {
          timeMicros: parseMicros(Xml.textAt(v, "azimuthTime")),
          line: Xml.intAt(v, "line"),
          pixel,
          sigmaNought: Xml.numbersAt(v, "sigmaNought"),
          betaNought: Xml.numbersAt(v, "betaNought"),
          gamma: Xml.numbersAt(v, "gamma"),
          dn: Xml.numbersAt(v, "dn")
        }
        for (const k of ["sigmaNought", "betaNought", "gamma", "dn"] as const) {
          if (out[k].length !== pixel.length) {
            throw new Xml.XmlShapeError(
              `calibrationVector/${k}`,
              `${out[k].length} values for ${pixel.length} pixels`
            )
          }
        }
        return out
      })
      if (vectors.length === 0) throw new Xml.XmlShapeError("calibrationVectorList", "no vectors")
      return {
        asset,
        polarisation: Xml.textAt(header, "polarisation"),
        swath: Xml.textAt(header, "swath"),
        absoluteCalibrationConstant: Xml.numberAt(
          root,
          "calibrationInformation/absoluteCalibrationConstant"
        ),
        vectors: vectors.sort((a, b) => a.line - b.line)
      }
    },
    catch: (e) => failure(asset, "calibration", e)
  })
