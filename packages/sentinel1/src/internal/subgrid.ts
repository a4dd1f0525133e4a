// Range-Doppler positions of a patch grid from exact solves on a coarse lattice: every `step` pixels and at a
// few ellipsoidal heights spanning the chip's, bilinear across the lattice and Lagrange across the heights.
// What is interpolated is the zero-Doppler time and the slant range (smooth); line and pixel follow per
// pixel, since the slant→ground range record in force jumps from one azimuth time to the next.
// The interpolation error is measured against exact solves (cell centres at their own heights, and heights
// between the layers) and the lattice/layers refined until it is within the tolerance.
import type { PixelGrid } from "@eoforge/core"
import type * as Annotation from "../Annotation.ts"
import * as Geoid from "../Geoid.ts"
import * as Geolocation from "../Geolocation.ts"

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

/** Lagrange weights of `layers` heights at h, written into w. */
const weightsAt = (hs: Float64Array, h: number, w: Float64Array): void => {
  const n = hs.length
  for (let i = 0; i < n; i++) {
    let v = 1
    for (let j = 0; j < n; j++) if (j !== i) v *= (h - hs[j]) / (hs[i] - hs[j])
    w[i] = v
  }
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
  startStep = 32,
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
    let hMin = Infinity
    let hMax = -Infinity
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
          for (let col = c0; col <= c1; col++) {
            const i = row * width + col
            const fx = (col - c0) / (c1 - c0)
            const h = heights === undefined ? 0 : heights.values[i] + top + (bottom - top) * fx
            hs[i] = h
            if (h < hMin) hMin = h
            if (h > hMax) hMax = h
          }
        }
      }
    }
    if (hMax - hMin < 1e-3) layerCount = 1
    const layers = new Float64Array(layerCount)
    for (let l = 0; l < layerCount; l++)
      layers[l] =
        layerCount === 1 ? (hMin + hMax) / 2 : hMin + ((hMax - hMin) * l) / (layerCount - 1)
    // Exact solves at every lattice point and layer, each seeded with its neighbour's time.
    const nl = new Float64Array(nodes * layerCount)
    const np = new Float64Array(nodes * layerCount)
    // Relative to the chip's first solve so that the interpolation works on small numbers.
    let t0 = Number.NaN
    let r0 = Number.NaN
    for (let o = 0; o < nodes; o++)
      for (let l = 0; l < layerCount; l++) {
        const ip = exact(lat[o], lon[o], layers[l])
        if (Number.isNaN(ip.line)) return undefined
        if (Number.isNaN(t0)) {
          t0 = ip.t
          r0 = ip.slantRange
        }
        nl[o * layerCount + l] = ip.t - t0
        np[o * layerCount + l] = ip.slantRange - r0
      }
    const w = new Float64Array(layerCount)
    const at = (row: number, col: number, h: number, out: Float64Array): void => {
      const j = Math.min(lh - 2, Math.floor(row / step))
      const k = Math.min(lw - 2, Math.floor(col / step))
      const fy = (row - rows[j]) / (rows[j + 1] - rows[j])
      const fx = (col - cols[k]) / (cols[k + 1] - cols[k])
      if (layerCount === 1) w[0] = 1
      else weightsAt(layers, h, w)
      const a = (j * lw + k) * layerCount
      const b = a + layerCount
      const c = a + lw * layerCount
      const d = c + layerCount
      let li = 0
      let pi = 0
      for (let l = 0; l < layerCount; l++) {
        const wl = w[l]
        li +=
          wl *
          ((1 - fy) * ((1 - fx) * nl[a + l] + fx * nl[b + l]) +
            fy * ((1 - fx) * nl[c + l] + fx * nl[d + l]))
        pi +=
          wl *
          ((1 - fy) * ((1 - fx) * np[a + l] + fx * np[b + l]) +
            fy * ((1 - fx) * np[c + l] + fx * np[d + l]))
      }
      const t = t0 + li
      const r = r0 + pi
      out[0] = Geolocation.lineOf(model, t, r)
      out[1] = Geolocation.pixelOf(model, t, r)
    }
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
    fill(model, { rows, cols, layers, nl, np, t0, r0 }, width, hs, line, pixel)
    return { line, pixel, h: hs, step, layers: layerCount, checkedMaxPx: worst, solves }
  }
}

/** The lattice of exact solves: times and slant ranges (relative to t0, r0) per node and height layer. */
interface Lattice {
  readonly rows: Int32Array
  readonly cols: Int32Array
  readonly layers: Float64Array
  readonly nl: Float64Array
  readonly np: Float64Array
  readonly t0: number
  readonly r0: number
}

// The hot loop: per lattice cell and row, each layer's value is linear along the row; per pixel, the layer
// weights of its height, then line and pixel from (t, r) with the range record in force cached.
const fill = (
  model: Geolocation.Model,
  g: Lattice,
  width: number,
  hs: Float64Array,
  line: Float64Array,
  pixel: Float64Array
): void => {
  const { rows, cols, layers, nl, np, t0, r0 } = g
  const L = layers.length
  const lw = cols.length
  const an = model.annotation
  const dt = an.azimuthTimeInterval
  const c = Geolocation.speedOfLight
  const tauRef = model.bistaticReference
  const slant = an.projection === "Slant Range"
  const spacing = an.rangePixelSpacing
  // Lagrange denominators of the layers.
  const den = new Float64Array(L)
  for (let i = 0; i < L; i++) {
    let v = 1
    for (let j = 0; j < L; j++) if (j !== i) v *= layers[i] - layers[j]
    den[i] = v
  }
  const w = new Float64Array(L)
  const tl = new Float64Array(L)
  const ts = new Float64Array(L)
  const rl = new Float64Array(L)
  const rs = new Float64Array(L)
  // The range record in force over [recLo, recHi) of time.
  let rec: Annotation.RangeConversion | undefined
  let recLo = Infinity
  let recHi = -Infinity
  const records = an.rangeConversions
  for (let j = 0; j + 1 < rows.length; j++) {
    const ra = rows[j]
    const rb = rows[j + 1]
    // Each lattice row's cells own rows ra … rb − 1; the last lattice row also owns rb.
    const rowEnd = j + 2 === rows.length ? rb : rb - 1
    for (let row = ra; row <= rowEnd; row++) {
      const fy = (row - ra) / (rb - ra)
      for (let k = 0; k + 1 < lw; k++) {
        const ca = cols[k]
        const cb = cols[k + 1]
        const a = (j * lw + k) * L
        const b = a + L
        const cc = a + lw * L
        const d = cc + L
        const inv = 1 / (cb - ca)
        for (let l = 0; l < L; l++) {
          const left = nl[a + l] + fy * (nl[cc + l] - nl[a + l])
          const right = nl[b + l] + fy * (nl[d + l] - nl[b + l])
          tl[l] = left
          ts[l] = (right - left) * inv
          const leftR = np[a + l] + fy * (np[cc + l] - np[a + l])
          const rightR = np[b + l] + fy * (np[d + l] - np[b + l])
          rl[l] = leftR
          rs[l] = (rightR - leftR) * inv
        }
        const colEnd = k + 2 === lw ? cb : cb - 1
        for (let col = ca; col <= colEnd; col++) {
          const i = row * width + col
          const x = col - ca
          let t = t0
          let r = r0
          if (L === 1) {
            t += tl[0] + x * ts[0]
            r += rl[0] + x * rs[0]
          } else {
            const h = hs[i]
            for (let m = 0; m < L; m++) {
              let v = 1
              for (let q = 0; q < L; q++) if (q !== m) v *= h - layers[q]
              w[m] = v / den[m]
            }
            for (let m = 0; m < L; m++) {
              t += w[m] * (tl[m] + x * ts[m])
              r += w[m] * (rl[m] + x * rs[m])
            }
          }
          line[i] = (t - ((2 * r) / c - tauRef) / 2) / dt
          if (slant) {
            pixel[i] = ((2 * r) / c - an.slantRangeTime) / ((2 * spacing) / c)
            continue
          }
          if (!(t >= recLo && t < recHi)) {
            rec = Geolocation.conversionAt(model, t)
            const at = records.indexOf(rec)
            recLo = at > 0 ? (records[at - 1].t + rec.t) / 2 : -Infinity
            recHi = at + 1 < records.length ? (rec.t + records[at + 1].t) / 2 : Infinity
          }
          const cf = (rec as Annotation.RangeConversion).srgr
          const u = r - (rec as Annotation.RangeConversion).sr0
          let gr = 0
          for (let q = cf.length - 1; q >= 0; q--) gr = gr * u + cf[q]
          pixel[i] = gr / spacing
        }
      }
    }
  }
}
