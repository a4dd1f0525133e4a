// Forward simulation of a GRD over a known scene, for tests, fixtures and benchmarks: the DN every radar pixel
// would hold given a σ⁰ map and a DEM, with calibration and noise LUTs of a realistic shape.
import * as Annotation from "./Annotation.ts"
import type * as Calibration from "./Calibration.ts"
import * as Geoid from "./Geoid.ts"
import * as Geolocation from "./Geolocation.ts"
import type * as Noise from "./Noise.ts"
import * as Radiometry from "./Radiometry.ts"

/** A scene: the true σ⁰ (dB) and the terrain height above the EGM96 geoid (m) at every point (degrees). */
export interface Scene {
  readonly sigma0Db: (lat: number, lon: number) => number
  readonly height: (lat: number, lon: number) => number
}

const range = (from: number, to: number, step: number): Float64Array => {
  const n = Math.floor((to - from) / step) + 1
  return Float64Array.from({ length: n }, (_, i) => from + i * step)
}

/** Calibration vectors every 500 lines and 40 pixels: σ⁰ LUT rising across range like a real one
 * (about twice real GRD values, so that integer DNs resolve −21 dB to ±0.05 dB). */
export const calibrationFor = (
  a: Annotation.ProductAnnotation,
  asset = "calibration.xml"
): Calibration.Calibration => {
  const pixel = range(0, a.samples - 1 + 40, 40)
  const vectors = Array.from(range(-500, a.lines + 500, 500), (line) => ({
    timeMicros: a.epochMicros + Math.round(Annotation.lineTime(a, line) * 1e6),
    line,
    pixel,
    sigmaNought: pixel.map((p) => 1100 + 0.008 * p + 0.002 * line),
    betaNought: pixel.map(() => 950),
    gamma: pixel.map((p) => 1020 + 0.007 * p + 0.002 * line),
    dn: pixel.map(() => 950)
  }))
  return {
    asset,
    polarisation: a.polarisation,
    swath: a.swath,
    absoluteCalibrationConstant: 1,
    vectors
  }
}

/** IPF ≥ 2.9 style noise: range vectors every 1000 lines, one azimuth block over the whole image. */
export const noiseFor = (a: Annotation.ProductAnnotation, asset = "noise.xml"): Noise.Noise => {
  const pixel = range(0, a.samples - 1 + 40, 40)
  return {
    asset,
    polarisation: a.polarisation,
    schema: "range+azimuth",
    range: Array.from(range(0, a.lines + 1000, 1000), (line) => ({
      line,
      pixel,
      lut: pixel.map((p) => 60 + 40 * Math.cos(p / 1500) ** 2 + 0.001 * line)
    })),
    azimuth: [
      {
        swath: a.swath,
        firstAzimuthLine: 0,
        firstRangeSample: 0,
        lastAzimuthLine: a.lines - 1,
        lastRangeSample: a.samples - 1,
        line: range(0, a.lines + 100, 100),
        lut: range(0, a.lines + 100, 100).map((l) => 1 + 0.1 * Math.sin(l / 900))
      }
    ]
  }
}

/**
 * The ground point (lat°, lon°, ellipsoidal h) imaged at (line, pixel) over the scene's terrain: forward
 * geocoding at a height, then the height of the point found, until it settles (no layover assumed).
 */
export const groundPoint = (
  m: Geolocation.Model,
  scene: Scene,
  line: number,
  pixel: number
): readonly [number, number, number] => {
  let h = 0
  let g: [number, number, number] = [0, 0, 0]
  for (let i = 0; i < 30; i++) {
    g = Geolocation.forward(m, line, pixel, h)
    const next = Geoid.toEllipsoidal("egm96", g[0], g[1], scene.height(g[0], g[1]))
    if (Math.abs(next - h) < 1e-4) break
    h = h + 0.7 * (next - h)
  }
  return g
}

/** The DN (rounded to uint16) of every pixel of a radar window: √(σ⁰·A² + η). */
export const dnWindow = (
  m: Geolocation.Model,
  calibration: Calibration.Calibration,
  noise: Noise.Noise,
  scene: Scene,
  w: Radiometry.Window
): Uint16Array => {
  const a = Radiometry.calibrationLut(calibration, "sigma0", w)
  const eta = Radiometry.noisePower(noise, w)
  const out = new Uint16Array(w.width * w.height)
  for (let y = 0; y < w.height; y++) {
    for (let x = 0; x < w.width; x++) {
      const i = y * w.width + x
      const [lat, lon] = groundPoint(m, scene, w.line0 + y, w.pixel0 + x)
      const s = 10 ** (scene.sigma0Db(lat, lon) / 10)
      out[i] = Math.max(1, Math.min(65535, Math.round(Math.sqrt(s * a[i] * a[i] + eta[i]))))
    }
  }
  return out
}
