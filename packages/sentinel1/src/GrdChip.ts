// One GRD polarisation onto a patch grid: checks that the annotation, calibration, noise and measurement
// belong together, finds the radar window, reads its DNs, calibrates and samples them, and records how.
import type { PixelGrid } from "@eoforge/core"
import { Effect } from "effect"
import type * as Annotation from "./Annotation.ts"
import type * as Calibration from "./Calibration.ts"
import * as Geolocation from "./Geolocation.ts"
import type * as Noise from "./Noise.ts"
import * as Orbit from "./Orbit.ts"
import * as Radiometry from "./Radiometry.ts"
import { S1Error } from "./S1Error.ts"
import * as TerrainCorrection from "./TerrainCorrection.ts"

/** The parsed metadata of one polarisation of a GRD, and its measurement's size. */
export interface Polarisation {
  readonly annotation: Annotation.ProductAnnotation
  readonly calibration: Calibration.Calibration
  /** Absent: no noise removal possible (recorded in the provenance). */
  readonly noise: Noise.Noise | undefined
  /** The measurement asset (for messages) and its size in pixels. */
  readonly measurement: { readonly asset: string; readonly width: number; readonly height: number }
}

/** Reads the DNs of a radar window (row-major) from the measurement. */
export type ReadDn<E> = (window: Radiometry.Window) => Effect.Effect<ArrayLike<number>, E>

/** Heights for terrain correction, with the DEM asset named for messages. */
export interface Dem extends TerrainCorrection.Heights {
  readonly asset: string
}

/** How a chip was made (for the chip's provenance record). */
export interface Provenance {
  /** "dem+egm96", "dem (ellipsoidal)" or "ellipsoid-only (no DEM: slopes are misplaced)". */
  readonly heights: string
  readonly target: Calibration.Target
  readonly denoised: boolean
  readonly units: "dB" | "linear"
  readonly radarWindow: Radiometry.Window
  /** Target pixels in layover, shadow. */
  readonly layover: number
  readonly shadow: number
}

/** A calibrated, terrain-corrected chip of one polarisation. */
export interface Result {
  readonly values: Float32Array
  readonly mask: Uint8Array
  readonly provenance: Provenance
}

const fail = (asset: string, problem: S1Error["problem"], message: string) =>
  Effect.fail(new S1Error({ asset, problem, message }))

/** Checks that the assets of a polarisation describe the same image (AnnotationMismatch otherwise). */
export const check = (p: Polarisation): Effect.Effect<Geolocation.Model, S1Error> => {
  const a = p.annotation
  if (a.samples !== p.measurement.width || a.lines !== p.measurement.height) {
    return fail(
      p.measurement.asset,
      "AnnotationMismatch",
      `${p.measurement.asset} is ${p.measurement.width} × ${p.measurement.height} px but its annotation ${a.asset} describes ${a.samples} × ${a.lines}; the item pairs assets of different products`
    )
  }
  for (const other of [p.calibration, p.noise]) {
    if (other !== undefined && other.polarisation !== a.polarisation) {
      return fail(
        other.asset,
        "AnnotationMismatch",
        `${other.asset} is for polarisation ${other.polarisation} but ${a.asset} is ${a.polarisation}`
      )
    }
  }
  const model = Geolocation.make(a)
  if (!Orbit.covers(model.orbit, 0) || !Orbit.covers(model.orbit, a.lastLineTime)) {
    return fail(
      a.asset,
      "OrbitNotCovering",
      `${a.asset}: its orbit state vectors (${model.orbit.start.toFixed(1)} … ${model.orbit.end.toFixed(1)} s) do not cover its lines (0 … ${a.lastLineTime.toFixed(1)} s after the first); use an annotation with the full orbit list`
    )
  }
  return Effect.succeed(model)
}

// Pixel loops live outside the generator bodies (V8 optimises plain functions' loops far better).
const firstMissing = (values: ArrayLike<number>, n: number): number => {
  for (let i = 0; i < n; i++) if (!Number.isFinite(values[i])) return i
  return -1
}

const toDb = (values: Float32Array, minDb: number): void => {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]
    if (!Number.isNaN(v)) values[i] = v > 0 ? Math.max(10 * Math.log10(v), minDb) : minDb
  }
}

const count = (mask: Uint8Array, value: number): number => {
  let n = 0
  for (let i = 0; i < mask.length; i++) if (mask[i] === value) n++
  return n
}

// The layover/shadow mask depends on the geometry only: polarisations sharing positions share it.
const masks = new WeakMap<TerrainCorrection.Positions, Uint8Array>()

interface Located {
  readonly model: Geolocation.Model
  readonly pos: TerrainCorrection.Positions
  readonly window: Radiometry.Window
}

// The positions of `grid` in the radar image of `p` (computed, or `shared`), checked against the orbit and
// the image.
const locate = (
  p: Polarisation,
  grid: PixelGrid.PixelGrid,
  toLonLat: (x: number, y: number) => readonly [number, number],
  dem: Dem | undefined,
  shared: TerrainCorrection.Positions | undefined
): Effect.Effect<Located, S1Error> =>
  Effect.gen(function* () {
    const model = yield* check(p)
    if (dem !== undefined && shared === undefined) {
      const i = firstMissing(dem.values, grid.width * grid.height)
      if (i >= 0) {
        return yield* fail(
          dem.asset,
          "DemNotCovering",
          `${dem.asset} has no height at pixel ${i % grid.width}, ${Math.floor(i / grid.width)} of the patch; use a DEM covering the whole patch`
        )
      }
    }
    const pos = shared ?? TerrainCorrection.positions(model, grid, toLonLat, dem)
    if (pos.outsideOrbit > 0) {
      return yield* fail(
        p.annotation.asset,
        "OrbitNotCovering",
        `${p.annotation.asset}: ${pos.outsideOrbit} patch pixels have zero-Doppler times outside its orbit state vectors; the patch is outside this product`
      )
    }
    const window = pos.window
    if (window === undefined) {
      return yield* fail(
        p.measurement.asset,
        "OutsideImage",
        `${p.measurement.asset}: the patch lies outside the radar image`
      )
    }
    return { model, pos, window }
  })

/** The chip of one polarisation on `grid` (see the module header). */
export const make = <E>(
  p: Polarisation,
  grid: PixelGrid.PixelGrid,
  toLonLat: (x: number, y: number) => readonly [number, number],
  dem: Dem | undefined,
  readDn: ReadDn<E>,
  options: Radiometry.Options = {},
  /** Positions computed for another polarisation of the same product and grid (they share geometry). */
  shared?: TerrainCorrection.Positions
): Effect.Effect<Result & { readonly positions: TerrainCorrection.Positions }, S1Error | E> =>
  Effect.gen(function* () {
    const located = yield* locate(p, grid, toLonLat, dem, shared)
    const dn = yield* readDn(located.window)
    return finish(p, grid, toLonLat, dem, located, dn, options)
  })

/** One polarisation of `makeAll`: its metadata, how its DNs are read, its radiometric options. */
export interface Band<E> {
  readonly polarisation: Polarisation
  readonly readDn: ReadDn<E>
  readonly options?: Radiometry.Options | undefined
}

/** The key of a product's geometry: polarisations with equal keys share their positions on a grid. */
export const geometryKey = (a: Annotation.ProductAnnotation): string =>
  [
    a.epochMicros,
    a.azimuthTimeInterval,
    a.slantRangeTime,
    a.lines,
    a.samples,
    a.rangePixelSpacing,
    a.orbit.length,
    a.grid.length
  ].join(" ")

/**
 * The chips of several polarisations on `grid`, in order, each as `make` gives it: positions are computed
 * once per geometry (`geometryKey`) and every polarisation checked before any DN is read; then the DN windows
 * of all of them are read at once (their requests in flight together) and each is calibrated as it arrives.
 */
export const makeAll = <E>(
  bands: ReadonlyArray<Band<E>>,
  grid: PixelGrid.PixelGrid,
  toLonLat: (x: number, y: number) => readonly [number, number],
  dem: Dem | undefined
): Effect.Effect<
  ReadonlyArray<Result & { readonly positions: TerrainCorrection.Positions }>,
  S1Error | E
> =>
  Effect.gen(function* () {
    const byGeometry = new Map<string, TerrainCorrection.Positions>()
    const located: Array<Located> = []
    for (const band of bands) {
      const key = geometryKey(band.polarisation.annotation)
      const at = yield* locate(band.polarisation, grid, toLonLat, dem, byGeometry.get(key))
      byGeometry.set(key, at.pos)
      located.push(at)
    }
    return yield* Effect.forEach(
      bands,
      (band, i) =>
        band
          .readDn(located[i].window)
          .pipe(
            Effect.map((dn) =>
              finish(band.polarisation, grid, toLonLat, dem, located[i], dn, band.options ?? {})
            )
          ),
      { concurrency: "unbounded" }
    )
  })

let scratch = new Float32Array(0)

// Calibrates the DNs of the radar window and samples them at the positions (synchronous).
const finish = (
  p: Polarisation,
  grid: PixelGrid.PixelGrid,
  toLonLat: (x: number, y: number) => readonly [number, number],
  dem: Dem | undefined,
  located: Located,
  dn: ArrayLike<number>,
  options: Radiometry.Options
): Result & { readonly positions: TerrainCorrection.Positions } => {
  const { model, pos, window } = located
  // The calibrated window is only sampled: one buffer serves every chip (finish never yields meanwhile).
  if (scratch.length < window.width * window.height)
    scratch = new Float32Array(window.width * window.height)
  const linear = Radiometry.calibrate(
    dn,
    window,
    p.calibration,
    p.noise,
    { ...options, db: false },
    scratch
  )
  const sampled = TerrainCorrection.sample(pos, window, linear)
  const db = options.db ?? true
  if (db) toDb(sampled, options.minDb ?? -50)
  let mask = masks.get(pos)
  if (mask === undefined) {
    mask = TerrainCorrection.mask(model, grid, toLonLat, pos)
    masks.set(pos, mask)
  }
  const layover = count(mask, TerrainCorrection.MaskValue.Layover)
  const shadow = count(mask, TerrainCorrection.MaskValue.Shadow)
  return {
    positions: pos,
    values: sampled,
    mask,
    provenance: {
      heights:
        dem === undefined
          ? "ellipsoid-only (no DEM: slopes are misplaced)"
          : dem.datum === "egm96"
            ? "dem+egm96"
            : "dem (ellipsoidal)",
      target: options.target ?? "sigma0",
      denoised: (options.denoise ?? true) && p.noise !== undefined,
      units: db ? "dB" : "linear",
      radarWindow: window,
      layover,
      shadow
    }
  }
}
