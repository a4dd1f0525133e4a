// Range-Doppler terrain correction onto a patch's pixel grid: for every target pixel centre, its ellipsoidal
// height (DEM + geoid), the zero-Doppler time on the orbit, slant → ground range, and the radar image position;
// then bilinear sampling of calibrated linear power, and a layover/shadow mask from the local slope.
import type { PixelGrid } from "@eoforge/core"
import * as Geolocation from "./Geolocation.ts"
import * as Geoid from "./Geoid.ts"
import * as Orbit from "./Orbit.ts"
import type { Window } from "./Radiometry.ts"
import * as SubGrid from "./internal/subgrid.ts"

/** Heights of the target grid: a DEM resampled onto the same grid (row-major, NaN where missing). */
export interface Heights {
  readonly values: ArrayLike<number>
  readonly datum: Geoid.VerticalDatum
}

/** The radar positions of every target pixel centre. */
export interface Positions {
  readonly width: number
  readonly height: number
  /** Fractional radar line and pixel per target pixel (row-major); NaN outside the orbit. */
  readonly line: Float64Array
  readonly pixel: Float64Array
  /** Ellipsoidal height used per target pixel, metres. */
  readonly h: Float64Array
  /** The radar window (whole pixels, one pixel of margin) covering every position; undefined when none lie in the image. */
  readonly window: Window | undefined
  /** Target pixels whose zero-Doppler time left the orbit's span. */
  readonly outsideOrbit: number
  /** How the positions were interpolated from exact solves; absent when every pixel was solved. */
  readonly interpolation?: Interpolation
}

/** A lattice of exact solves every `step` target pixels at `layers` heights, checked within `checkedMaxPx`. */
export interface Interpolation {
  readonly step: number
  readonly layers: number
  /** Worst difference from exact solves at the checks (radar px). */
  readonly checkedMaxPx: number
  /** Exact solves spent. */
  readonly solves: number
}

/** Mask values: 0 clear, 1 layover, 2 shadow, 3 outside the radar image. */
export const MaskValue = { Clear: 0, Layover: 1, Shadow: 2, Outside: 3 } as const

/** Worst interpolation error allowed by `positions` (radar px), checked against exact solves. */
export const tolerancePx = 0.002

/**
 * The radar position of every pixel centre of `grid`. `toLonLat` maps grid CRS coordinates to degrees;
 * `heights` undefined means ellipsoid-only geocoding (h = 0 on the WGS84 ellipsoid). Exact Range-Doppler
 * solves on a lattice every `step` pixels at a few heights spanning the chip's, interpolated in between; the
 * lattice and heights are refined until exact solves at every cell centre (at its own height) and between
 * the heights agree within `tolerancePx`, else every pixel is solved (`positionsExact`).
 */
export const positions = (
  model: Geolocation.Model,
  grid: PixelGrid.PixelGrid,
  toLonLat: (x: number, y: number) => readonly [number, number],
  heights: Heights | undefined
): Positions => {
  const s = SubGrid.solve(model, grid, toLonLat, heights, tolerancePx)
  if (s === undefined) return positionsExact(model, grid, toLonLat, heights)
  return finish(model, grid, s.line, s.pixel, s.h, {
    step: s.step,
    layers: s.layers,
    checkedMaxPx: s.checkedMaxPx,
    solves: s.solves
  })
}

const finish = (
  model: Geolocation.Model,
  grid: PixelGrid.PixelGrid,
  line: Float64Array,
  pixel: Float64Array,
  h: Float64Array,
  interpolation: Interpolation | undefined
): Positions => {
  let outsideOrbit = 0
  let l0 = Infinity,
    l1 = -Infinity,
    p0 = Infinity,
    p1 = -Infinity
  for (let i = 0; i < line.length; i++) {
    const l = line[i]
    const p = pixel[i]
    if (Number.isNaN(l)) {
      outsideOrbit++
      continue
    }
    if (l < l0) l0 = l
    if (l > l1) l1 = l
    if (p < p0) p0 = p
    if (p > p1) p1 = p
  }
  const a = model.annotation
  const wl0 = Math.max(0, Math.floor(l0) - 1)
  const wl1 = Math.min(a.lines - 1, Math.ceil(l1) + 1)
  const wp0 = Math.max(0, Math.floor(p0) - 1)
  const wp1 = Math.min(a.samples - 1, Math.ceil(p1) + 1)
  const window =
    Number.isFinite(l0) && wl1 >= wl0 && wp1 >= wp0
      ? { line0: wl0, pixel0: wp0, height: wl1 - wl0 + 1, width: wp1 - wp0 + 1 }
      : undefined
  return {
    width: grid.width,
    height: grid.height,
    line,
    pixel,
    h,
    window,
    outsideOrbit,
    ...(interpolation === undefined ? {} : { interpolation })
  }
}

/**
 * The radar position of every pixel centre of `grid` by one exact solve per pixel (longitude, latitude and
 * geoid at each pixel centre; Newton seeded with the neighbour's time): the reference `positions` is checked
 * against, and its fallback.
 */
export const positionsExact = (
  model: Geolocation.Model,
  grid: PixelGrid.PixelGrid,
  toLonLat: (x: number, y: number) => readonly [number, number],
  heights: Heights | undefined
): Positions => {
  const { width, height } = grid
  const n = width * height
  const line = new Float64Array(n)
  const pixel = new Float64Array(n)
  const hs = new Float64Array(n)
  let guess = model.annotation.lastLineTime / 2
  for (let row = 0; row < height; row++) {
    for (let col = 0; col < width; col++) {
      const i = row * width + col
      const [lon, lat] = toLonLat(
        grid.x0 + (col + 0.5) * grid.resolution,
        grid.y0 - (row + 0.5) * grid.resolution
      )
      const h =
        heights === undefined
          ? 0
          : Geoid.toEllipsoidal(heights.datum, lat, lon, Number(heights.values[i]))
      hs[i] = h
      const ip = Geolocation.inverse(model, lat, lon, h, guess)
      line[i] = ip.line
      pixel[i] = ip.pixel
      if (!Number.isNaN(ip.t)) guess = ip.t
    }
  }
  return finish(model, grid, line, pixel, hs, undefined)
}

/**
 * Bilinear sampling of a calibrated linear-power window at every position; NaN where a position lies
 * outside the window or touches a no-data pixel.
 */
export const sample = (p: Positions, window: Window, values: ArrayLike<number>): Float32Array => {
  const out = new Float32Array(p.width * p.height)
  const { line0, pixel0, width: ww, height: wh } = window
  for (let i = 0; i < out.length; i++) {
    const l = p.line[i] - line0
    const q = p.pixel[i] - pixel0
    if (!(l >= 0 && q >= 0 && l <= wh - 1 && q <= ww - 1)) {
      out[i] = Number.NaN
      continue
    }
    const y = Math.min(Math.floor(l), wh - 2 < 0 ? 0 : wh - 2)
    const x = Math.min(Math.floor(q), ww - 2 < 0 ? 0 : ww - 2)
    const fy = l - y
    const fx = q - x
    const o = y * ww + x
    const a = values[o]
    const b = ww > 1 ? values[o + 1] : a
    const c = wh > 1 ? values[o + ww] : a
    const d = ww > 1 && wh > 1 ? values[o + ww + 1] : a
    out[i] = (1 - fy) * ((1 - fx) * a + fx * b) + fy * ((1 - fx) * c + fx * d)
  }
  return out
}

/**
 * Layover/shadow mask from the local terrain slope along the look direction (a per-pixel test, not ray
 * tracing): layover where the slope facing the sensor is steeper than the incidence angle, shadow where the
 * slope facing away is steeper than its complement. Slopes are taken from `p.h` by central differences.
 */
export const mask = (
  model: Geolocation.Model,
  grid: PixelGrid.PixelGrid,
  toLonLat: (x: number, y: number) => readonly [number, number],
  p: Positions
): Uint8Array => {
  const { width, height } = grid
  const out = new Uint8Array(width * height)
  // Look geometry at the chip centre: the horizontal direction toward the sensor in grid axes, and the
  // ellipsoid incidence angle. A 2.6 km chip changes either by well under a degree.
  const cx = grid.x0 + (width / 2) * grid.resolution
  const cy = grid.y0 - (height / 2) * grid.resolution
  const [lon, lat] = toLonLat(cx, cy)
  const [lonN, latN] = toLonLat(cx, cy + 100)
  const [lonE, latE] = toLonLat(cx + 100, cy)
  const t0 = Geolocation.toEcef(model, lat, lon, 0)
  const tN = Geolocation.toEcef(model, latN, lonN, 0)
  const tE = Geolocation.toEcef(model, latE, lonE, 0)
  const ip = Geolocation.inverse(model, lat, lon, 0)
  for (let i = 0; i < out.length; i++) if (Number.isNaN(p.line[i])) out[i] = MaskValue.Outside
  if (Number.isNaN(ip.t)) return out
  const s = Orbit.at(model.orbit, ip.t)
  const look = [s.px - t0[0], s.py - t0[1], s.pz - t0[2]]
  const lookN = Math.hypot(look[0], look[1], look[2])
  const gx = [(tE[0] - t0[0]) / 100, (tE[1] - t0[1]) / 100, (tE[2] - t0[2]) / 100]
  const gy = [(tN[0] - t0[0]) / 100, (tN[1] - t0[1]) / 100, (tN[2] - t0[2]) / 100]
  const up = [t0[0], t0[1], t0[2] / (1 - model.e2)]
  const upN = Math.hypot(up[0], up[1], up[2])
  const cosInc = (look[0] * up[0] + look[1] * up[1] + look[2] * up[2]) / (lookN * upN)
  const incidence = Math.acos(cosInc)
  // Horizontal look direction in grid axes.
  let dx = look[0] * gx[0] + look[1] * gx[1] + look[2] * gx[2]
  let dy = look[0] * gy[0] + look[1] * gy[1] + look[2] * gy[2]
  const dn = Math.hypot(dx, dy)
  dx /= dn
  dy /= dn
  const r = grid.resolution
  const tanLayover = Math.tan(incidence)
  const tanShadow = Math.tan(Math.PI / 2 - incidence)
  const slope = { dx, dy, tanLayover, tanShadow, r }
  for (let row = 0; row < height; row++) maskRow(p.h, width, height, row, slope, out)
  return out
}

// One row of the layover/shadow test, in a function of its own so that V8 optimises it.
const maskRow = (
  h: Float64Array,
  width: number,
  height: number,
  row: number,
  g: {
    readonly dx: number
    readonly dy: number
    readonly tanLayover: number
    readonly tanShadow: number
    readonly r: number
  },
  out: Uint8Array
): void => {
  const { dx, dy, tanLayover, tanShadow, r } = g
  for (let col = 0; col < width; col++) {
    const i = row * width + col
    if (out[i] !== MaskValue.Clear) continue
    const xl = h[row * width + Math.max(col - 1, 0)]
    const xr = h[row * width + Math.min(col + 1, width - 1)]
    const yu = h[Math.max(row - 1, 0) * width + col]
    const yd = h[Math.min(row + 1, height - 1) * width + col]
    const sx = (xr - xl) / (r * (Math.min(col + 1, width - 1) - Math.max(col - 1, 0)) || 1)
    // Rows go south: +y (north) is toward row − 1.
    const sy = (yu - yd) / (r * (Math.min(row + 1, height - 1) - Math.max(row - 1, 0)) || 1)
    // The slope's angle toward the sensor against the incidence, compared as tangents (atan is monotonic).
    const facing = sx * dx + sy * dy // > 0: terrain rises toward the sensor
    if (facing > tanLayover) out[i] = MaskValue.Layover
    else if (-facing > tanShadow) out[i] = MaskValue.Shadow
  }
}
