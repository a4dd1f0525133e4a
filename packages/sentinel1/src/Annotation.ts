// The product annotation of a Sentinel-1 GRD (S1-RS-MDA-52-7441 §6.2, "product" schema): image size and
// timing, orbit state vectors, slant↔ground range polynomials and the geolocation grid.
import { Effect } from "effect"
import { parseMicros } from "./internal/time.ts"
import * as Xml from "./internal/xml.ts"
import { S1Error } from "./S1Error.ts"

/** An orbit state vector in the Earth-fixed frame (metres, metres per second). */
export interface StateVector {
  /** Seconds after the annotation's epoch (its first line time). */
  readonly t: number
  readonly x: number
  readonly y: number
  readonly z: number
  readonly vx: number
  readonly vy: number
  readonly vz: number
}

/** One slant↔ground range conversion record (coordinateConversion). */
export interface RangeConversion {
  /** Seconds after the epoch. */
  readonly t: number
  /** Slant range origin of srgrCoefficients, metres. */
  readonly sr0: number
  /** Ground range (m) = Σ srgr[i] (slantRange − sr0)^i. */
  readonly srgr: Float64Array
  /** Ground range origin of grsrCoefficients, metres. */
  readonly gr0: number
  /** Slant range (m) = Σ grsr[i] (groundRange − gr0)^i. */
  readonly grsr: Float64Array
}

/** One geolocation grid point, as ESA computed it. */
export interface GridPoint {
  /** Zero-Doppler azimuth time, seconds after the epoch. */
  readonly t: number
  /** Two-way slant range time, seconds. */
  readonly slantRangeTime: number
  readonly line: number
  readonly pixel: number
  /** Degrees. */
  readonly latitude: number
  /** Degrees. */
  readonly longitude: number
  /** Metres above the WGS84 ellipsoid. */
  readonly height: number
  /** Degrees. */
  readonly incidenceAngle: number
}

/** A parsed product annotation. All times are seconds after `epochMicros`. */
export interface ProductAnnotation {
  /** The asset it was read from (for messages). */
  readonly asset: string
  readonly mission: string
  readonly productType: string
  readonly polarisation: string
  readonly mode: string
  readonly swath: string
  /** "Ascending" or "Descending". */
  readonly pass: string
  /** "Ground Range" (GRD) or "Slant Range" (SLC). */
  readonly projection: string
  /** Hz. */
  readonly radarFrequency: number
  /** Microseconds since 1970 of the first line (the epoch of every `t`). */
  readonly epochMicros: number
  /** Seconds after the epoch of the last line. */
  readonly lastLineTime: number
  /** Seconds between lines. */
  readonly azimuthTimeInterval: number
  /** Two-way slant range time of the first pixel, seconds. */
  readonly slantRangeTime: number
  /** Metres. */
  readonly rangePixelSpacing: number
  /** Metres. */
  readonly azimuthPixelSpacing: number
  readonly lines: number
  readonly samples: number
  /** Ellipsoid semi-major and semi-minor axes, metres. */
  readonly ellipsoid: { readonly a: number; readonly b: number }
  readonly orbit: ReadonlyArray<StateVector>
  readonly rangeConversions: ReadonlyArray<RangeConversion>
  readonly grid: ReadonlyArray<GridPoint>
}

const relative = (epoch: number, path: string, node: Xml.Element, at: string): number => {
  const us = parseMicros(Xml.textAt(node, at))
  if (!Number.isFinite(us)) throw new Xml.XmlShapeError(`${path}/${at}`, "not a UTC time")
  return (us - epoch) / 1e6
}

const parseProduct = (root: Xml.Element, asset: string): ProductAnnotation => {
  const header = Xml.child(root, "adsHeader")
  const info = Xml.child(root, "imageAnnotation/imageInformation")
  const general = Xml.child(root, "generalAnnotation/productInformation")
  const epochMicros = parseMicros(Xml.textAt(info, "productFirstLineUtcTime"))
  if (!Number.isFinite(epochMicros)) {
    throw new Xml.XmlShapeError("imageInformation/productFirstLineUtcTime", "not a UTC time")
  }
  const orbit = Xml.children(Xml.child(root, "generalAnnotation/orbitList"), "orbit").map((o) => ({
    t: relative(epochMicros, "orbit", o, "time"),
    x: Xml.numberAt(o, "position/x"),
    y: Xml.numberAt(o, "position/y"),
    z: Xml.numberAt(o, "position/z"),
    vx: Xml.numberAt(o, "velocity/x"),
    vy: Xml.numberAt(o, "velocity/y"),
    vz: Xml.numberAt(o, "velocity/z")
  }))
  const conversionList = Xml.maybeChild(root, "coordinateConversion")
  const rangeConversions = (
    conversionList === undefined
      ? []
      : Xml.children(Xml.child(conversionList, "coordinateConversionList"), "coordinateConversion")
  ).map((c) => ({
    t: relative(epochMicros, "coordinateConversion", c, "azimuthTime"),
    sr0: Xml.numberAt(c, "sr0"),
    srgr: Xml.numbersAt(c, "srgrCoefficients"),
    gr0: Xml.numberAt(c, "gr0"),
    grsr: Xml.numbersAt(c, "grsrCoefficients")
  }))
  const grid = Xml.children(
    Xml.child(root, "geolocationGrid/geolocationGridPointList"),
    "geolocationGridPoint"
  ).map((g) => ({
    t: relative(epochMicros, "geolocationGridPoint", g, "azimuthTime"),
    slantRangeTime: Xml.numberAt(g, "slantRangeTime"),
    line: Xml.intAt(g, "line"),
    pixel: Xml.intAt(g, "pixel"),
    latitude: Xml.numberAt(g, "latitude"),
    longitude: Xml.numberAt(g, "longitude"),
    height: Xml.numberAt(g, "height"),
    incidenceAngle: Xml.numberAt(g, "incidenceAngle")
  }))
  const processing = Xml.child(root, "imageAnnotation/processingInformation")
  const lines = Xml.intAt(info, "numberOfLines")
  const samples = Xml.intAt(info, "numberOfSamples")
  if (lines <= 0 || samples <= 0) throw new Xml.XmlShapeError("imageInformation", "empty image")
  if (orbit.length < 2)
    throw new Xml.XmlShapeError("generalAnnotation/orbitList", "fewer than 2 state vectors")
  return {
    asset,
    mission: Xml.textAt(header, "missionId"),
    productType: Xml.textAt(header, "productType"),
    polarisation: Xml.textAt(header, "polarisation"),
    mode: Xml.textAt(header, "mode"),
    swath: Xml.textAt(header, "swath"),
    pass: Xml.textAt(general, "pass"),
    projection: Xml.textAt(general, "projection"),
    radarFrequency: Xml.numberAt(general, "radarFrequency"),
    epochMicros,
    lastLineTime: relative(epochMicros, "imageInformation", info, "productLastLineUtcTime"),
    azimuthTimeInterval: Xml.numberAt(info, "azimuthTimeInterval"),
    slantRangeTime: Xml.numberAt(info, "slantRangeTime"),
    rangePixelSpacing: Xml.numberAt(info, "rangePixelSpacing"),
    azimuthPixelSpacing: Xml.numberAt(info, "azimuthPixelSpacing"),
    lines,
    samples,
    ellipsoid: {
      a: Xml.numberAt(processing, "ellipsoidSemiMajorAxis"),
      b: Xml.numberAt(processing, "ellipsoidSemiMinorAxis")
    },
    orbit: orbit.sort((p, q) => p.t - q.t),
    rangeConversions: rangeConversions.sort((p, q) => p.t - q.t),
    grid
  }
}

/** Maps a parse failure of `asset` (expected root element `kind`) to a typed error. */
export const failure = (asset: string, kind: string, e: unknown): S1Error =>
  e instanceof S1Error
    ? e
    : new S1Error({
        asset,
        problem: "AnnotationMalformed",
        message: `${asset}: the ${kind} annotation is malformed (${e instanceof Error ? e.message : String(e)}); use the product's original XML`,
        cause: e
      })

/** Checks the root element, naming what the document is when it is another kind. */
export const expectRoot = (root: Xml.Element, asset: string, kind: string): void => {
  if (root.tagName !== kind) {
    throw new S1Error({
      asset,
      problem: "AnnotationWrongKind",
      message: `${asset}: expected a <${kind}> annotation, found <${root.tagName}>; the item's asset points at another document (point it at the product's annotation/${kind === "product" ? "" : "calibration/"}… XML)`
    })
  }
}

/** Parses a product annotation document (`asset` names it in errors). */
export const parse = (text: string, asset: string): Effect.Effect<ProductAnnotation, S1Error> =>
  Effect.try({
    try: () => {
      const root = Xml.parseRoot(text)
      expectRoot(root, asset, "product")
      return parseProduct(root, asset)
    },
    catch: (e) => failure(asset, "product", e)
  })

/** Seconds after the epoch of a (fractional) line. */
export const lineTime = (a: ProductAnnotation, line: number): number => line * a.azimuthTimeInterval

/** The (fractional) line of a time in seconds after the epoch. */
export const timeLine = (a: ProductAnnotation, t: number): number => t / a.azimuthTimeInterval
