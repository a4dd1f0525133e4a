// Range-Doppler positions of a patch grid from exact solves on a coarse lattice: every `step` pixels and at a
// few ellipsoidal heights spanning the chip's, bilinear across the lattice and Lagrange across the heights.
// What is interpolated is the zero-Doppler time, the slant range and the ground range of one reference
// slant→ground record (all smooth; ground range is linear in ground position to far below a millimetre over a
// cell, slant range is not); line and pixel follow per pixel (ranges.ts), since the record in force jumps from
// one azimuth time to the next.
// The interpolation error is measured against exact solves (cell centres at their own heights, and heights
// between the layers) and the lattice/layers refined until it is within the tolerance.
import type { PixelGrid } from "@eoforge/core"
import * as Geoid from "../Geoid.ts"
import * as Geolocation from "../Geolocation.ts"
import * as Ranges from "./ranges.ts"

/** Heights of the target grid (row-major DEM values and their vertical datum). */
export interface GridHeights {
  readonly values: ArrayLike<number>
  readonly datum: Geoid.VerticalDatum
}

/** The interpolated positions and how they were obtained. */
export interface SubGrid {
  readonly line: Float64Array
  readonly pixel: Float64Array
  /** Ellipsoidal height per target pixel, metres. */
  readonly h: Float64Array
  /** Lattice spacing (target pixels) and height layers finally used. */
  readonly step: number
  readonly layers: number
  /** Worst difference (radar px, line or pixel) between interpolated and exact positions at the checks. */
  readonly checkedMaxPx: number
  /** Exact solves spent (lattice, layers and checks, all refinements included). */
  readonly solves: number
}

const latticeOf = (n: number, step: number): Int32Array => {
  const m = Math.ceil((n - 1) / step) + 1
  const out = new Int32Array(m)
  for (let i = 0; i < m; i++) out[i] = Math.min(i * step, n - 1)
  return out
}

/**
 * Positions of every pixel centre of `grid` from a lattice of exact solves; undefined when a lattice point
 * leaves the orbit or the grid is too small (the caller solves every pixel then). `heights` undefined: h = 0.
 */
export const solve = (
  model: Geolocation.Model,
  grid: PixelGrid.PixelGrid,
  toLonLat: (x: number, y: number) => readonly [number, number],
  heights: GridHeights | undefined,
  tolerancePx: number,
  startStep = 64,
  minStep = 4
): SubGrid | undefined => {
  const { width, height } = grid
  if (width < 2 || height < 2) return undefined
  const n = width * height
  const geoid = heights !== undefined && heights.datum === "egm96"
  const lonLat = (row: number, col: number) =>
    toLonLat(grid.x0 + (col + 0.5) * grid.resolution, grid.y0 - (row + 0.5) * grid.resolution)
  let solves = 0
  let guess = model.annotation.lastLineTime / 2
  const exact = (lat: number, lon: number, h: number): Geolocation.ImagePoint => {
    solves++
    const ip = Geolocation.inverse(model, lat, lon, h, guess)
    if (!Number.isNaN(ip.t)) guess = ip.t
    return ip
  }
  let step = Math.max(startStep, minStep)
  let layerCount = heights === undefined ? 1 : 3
  const hs = new Float64Array(n)
  for (;;) {
    const cols = latticeOf(width, step)
    const rows = latticeOf(height, step)
    const lw = cols.length
    const lh = rows.length
    const nodes = lw * lh
    const lat = new Float64Array(nodes)
    const lon = new Float64Array(nodes)
    const und = new Float64Array(nodes)
    for (let j = 0; j < lh; j++)
      for (let k = 0; k < lw; k++) {
        const [x, y] = lonLat(rows[j], cols[k])
        lon[j * lw + k] = x
        lat[j * lw + k] = y
        und[j * lw + k] = geoid ? Geoid.undulation(y, x) : 0
      }
    // Ellipsoidal heights per pixel (the EGM96 grid is itself bilinear over 15′: the lattice loses nothing).
    const range = new Float64Array([Infinity, -Infinity])
    for (let j = 0; j + 1 < lh; j++) {
      const r0 = rows[j]
      const r1 = rows[j + 1]
      for (let row = r0; row <= r1; row++) {
        const fy = (row - r0) / (r1 - r0)
        for (let k = 0; k + 1 < lw; k++) {
          const c0 = cols[k]
          const c1 = cols[k + 1]
          const o = j * lw + k
          const top = und[o] * (1 - fy) + und[o + lw] * fy
          const bottom = und[o + 1] * (1 - fy) + und[o + lw + 1] * fy
          heightsRow(heights?.values, hs, row * width, c0, c1, top, bottom, range)
        }
      }
    }
    const hMin = range[0]
    const hMax = range[1]
    if (hMax - hMin < 1e-3) layerCount = 1
    const layers = new Float64Array(layerCount)
    for (let l = 0; l < layerCount; l++)
      layers[l] =
        layerCount === 1 ? (hMin + hMax) / 2 : hMin + ((hMax - hMin) * l) / (layerCount - 1)
    // Exact solves at every lattice point and layer, each seeded with its neighbour's time.
    const nt = new Float64Array(nodes * layerCount)
    const nr = new Float64Array(nodes * layerCount)
    const ng = new Float64Array(nodes * layerCount)
    // Relative to the chip's first solve so that the interpolation works on small numbers.
    let origin: Ranges.Origin | undefined
    for (let o = 0; o < nodes; o++)
      for (let l = 0; l < layerCount; l++) {
        const ip = exact(lat[o], lon[o], layers[l])
        if (Number.isNaN(ip.line)) return undefined
        origin ??= Ranges.origin(model, ip.t, ip.slantRange)
        nt[o * layerCount + l] = ip.t - origin.t0
        nr[o * layerCount + l] = ip.slantRange - origin.r0
        ng[o * layerCount + l] = Ranges.referenceGround(origin, ip.slantRange) - origin.g0
      }
    if (origin === undefined) return undefined
    const lattice: Ranges.Lattice = { rows, cols, layers, nt, nr, ng, origin }
    const ranges = Ranges.cursor(model, origin)
    const at = (row: number, col: number, h: number, out: Float64Array): void =>
      Ranges.at(lattice, ranges, step, row, col, h, out)
    // Checks: heights midway between layers at the lattice's corners and centre (where the Lagrange error
    // peaks), then every cell's centre pixel at its own height (where the bilinear error peaks).
    const got = new Float64Array(2)
    let heightErr = 0
    if (layerCount > 1) {
      const probes = [0, lw - 1, nodes - lw, nodes - 1, (lh >> 1) * lw + (lw >> 1)]
      for (const o of probes)
        for (let l = 0; l + 1 < layerCount; l++)
          for (const f of [0.25, 0.5, 0.75]) {
            const h = layers[l] + f * (layers[l + 1] - layers[l])
            const ip = exact(lat[o], lon[o], h)
            at(rows[Math.floor(o / lw)], cols[o % lw], h, got)
            heightErr = Math.max(heightErr, Math.abs(got[0] - ip.line), Math.abs(got[1] - ip.pixel))
          }
    }
    if (heightErr > tolerancePx && layerCount < 17) {
      layerCount = 2 * layerCount - 1
      continue
    }
    let cellErr = 0
    for (let j = 0; j + 1 < lh; j++)
      for (let k = 0; k + 1 < lw; k++) {
        const row = (rows[j] + rows[j + 1]) >> 1
        const col = (cols[k] + cols[k + 1]) >> 1
        const [x, y] = lonLat(row, col)
        const i = row * width + col
        const h =
          heights === undefined
            ? 0
            : Geoid.toEllipsoidal(heights.datum, y, x, Number(heights.values[i]))
        const ip = exact(y, x, h)
        if (Number.isNaN(ip.line)) return undefined
        at(row, col, hs[i], got)
        cellErr = Math.max(cellErr, Math.abs(got[0] - ip.line), Math.abs(got[1] - ip.pixel))
      }
    const worst = Math.max(cellErr, heightErr)
    if (worst > tolerancePx) {
      if (heightErr > tolerancePx || step <= minStep) return undefined
      step = Math.max(minStep, step >> 1)
      continue
    }
    const line = new Float64Array(n)
    const pixel = new Float64Array(n)
    Ranges.fill(lattice, ranges, width, hs, line, pixel)
    return { line, pixel, h: hs, step, layers: layerCount, checkedMaxPx: worst, solves }
  }
}

// Ellipsoidal heights of pixels c0 … c1 of one row (DEM + geoid linear along the row), their range kept in
// `range`; a function of its own so that V8 optimises it (see Radiometry's calibrateRow).
const heightsRow = (
  values: ArrayLike<number> | undefined,
  hs: Float64Array,
  offset: number,
  c0: number,
  c1: number,
  top: number,
  bottom: number,
  range: Float64Array
): void => {
  let lo = range[0]
  let hi = range[1]
  for (let col = c0; col <= c1; col++) {
    const i = offset + col
    const h = values === undefined ? 0 : values[i] + top + ((bottom - top) * (col - c0)) / (c1 - c0)
    hs[i] = h
    if (h < lo) lo = h
    if (h > hi) hi = h
  }
  range[0] = lo
  range[1] = hi
}
