// Resampling kernels that reproduce GDAL's warp kernel (gdalwarpkernel.cpp, GDAL 3.6) pixel for pixel:
// validity of a target pixel, nearest / bilinear / cubic with their edge and nodata fallbacks, average and mode.
import type { DType } from "@eoforge/core"

type TypedArray = DType.TypedArray

/** A decoded source window: band arrays of ww × wh values whose (0, 0) is image pixel (wx, wy). */
export interface Window {
  readonly bands: ReadonlyArray<TypedArray>
  readonly wx: number
  readonly wy: number
  readonly ww: number
  readonly wh: number
}

/** Output range and rounding of the target dtype. */
export interface Store {
  readonly integer: boolean
  readonly min: number
  readonly max: number
}

const round = (v: number, s: Store): number => {
  if (!s.integer) return v
  if (v < s.min) return s.min
  if (v > s.max) return s.max
  return Math.floor(v + 0.5)
}

/** Whether GDAL counts a pixel centre at image position (x, y) as inside the window (GWKCheckAndComputeSrcOffsets). */
const inside = (x: number, y: number, w: Window): boolean => {
  const rx = x - w.wx
  const ry = y - w.wy
  if (!(rx >= 0 && ry >= 0)) return false
  if (rx + 1e-10 > w.ww || ry + 1e-10 > w.wh) return false
  return Math.trunc(rx + 1e-10) !== w.ww && Math.trunc(ry + 1e-10) !== w.wh
}

const isNodata = (v: number, nodata: number | undefined): boolean =>
  nodata !== undefined && (v === nodata || (Number.isNaN(nodata) && Number.isNaN(v)))

/** Nearest neighbour at pixel centres (x, y) in image pixel space. */
export const nearest = (
  w: Window,
  xs: Float64Array,
  ys: Float64Array,
  nodata: number | undefined,
  out: ReadonlyArray<TypedArray>,
  mask: Uint8Array
): void => {
  const nb = w.bands.length
  for (let k = 0; k < xs.length; k++) {
    const x = xs[k]
    const y = ys[k]
    if (!inside(x, y, w)) continue
    const off = Math.trunc(y - w.wy + 1e-10) * w.ww + Math.trunc(x - w.wx + 1e-10)
    let ok = 1
    for (let b = 0; b < nb; b++) {
      const v = w.bands[b][off]
      if (isNodata(v, nodata)) ok = 0
      else out[b][k] = v
    }
    mask[k] = ok
  }
}

/**
 * Nearest neighbour when target pixel (i, j) is source pixel (i + ox, j + oy) of the image (same CRS, same
 * resolution, integer offset): row copies, with the same validity and nodata rule as `nearest`.
 */
export const nearestAligned = (
  w: Window,
  ox: number,
  oy: number,
  width: number,
  height: number,
  nodata: number | undefined,
  out: ReadonlyArray<TypedArray>,
  mask: Uint8Array
): void => {
  const nb = w.bands.length
  const c0 = Math.max(0, w.wx - ox)
  const c1 = Math.min(width, w.wx + w.ww - ox)
  const r0 = Math.max(0, w.wy - oy)
  const r1 = Math.min(height, w.wy + w.wh - oy)
  if (!(c1 > c0 && r1 > r0)) return
  const hasNodata = nodata !== undefined
  const nd = nodata ?? 0
  const ndIsNaN = Number.isNaN(nd)
  for (let j = r0; j < r1; j++) {
    const src = (j + oy - w.wy) * w.ww + (c0 + ox - w.wx)
    const dst = j * width + c0
    const n = c1 - c0
    mask.fill(1, dst, dst + n)
    for (let b = 0; b < nb; b++) {
      const band = w.bands[b]
      const o = out[b]
      if (!hasNodata) {
        o.set(band.subarray(src, src + n), dst)
        continue
      }
      for (let i = 0; i < n; i++) {
        const v = band[src + i]
        if (v === nd || (ndIsNaN && v !== v)) mask[dst + i] = 0
        else o[dst + i] = v
      }
    }
  }
}

/** GDAL's GWKBilinearResample4Sample: valid neighbours only, weights renormalised; undefined if none. */
const bilinearSample = (
  src: TypedArray,
  w: Window,
  sx: number,
  sy: number,
  nodata: number | undefined
): number | undefined => {
  const ww = w.ww
  const wh = w.wh
  const ix = Math.floor(sx - 0.5)
  const iy = Math.floor(sy - 0.5)
  const rx = 1.5 - (sx - ix)
  const ry = 1.5 - (sy - iy)
  const off = iy * ww + ix
  if (nodata === undefined && ix >= 0 && ix + 1 < ww && iy >= 0 && iy + 1 < wh) {
    return (
      (src[off] * rx + src[off + 1] * (1 - rx)) * ry +
      (src[off + ww] * rx + src[off + ww + 1] * (1 - rx)) * (1 - ry)
    )
  }
  let acc = 0
  let div = 0
  const take = (cx: number, cy: number, weight: number) => {
    if (cx < 0 || cx >= ww || cy < 0 || cy >= wh) return
    const v = src[cy * ww + cx]
    if (isNodata(v, nodata)) return
    div += weight
    acc += v * weight
  }
  take(ix, iy, rx * ry)
  take(ix + 1, iy, (1 - rx) * ry)
  take(ix, iy + 1, rx * (1 - ry))
  take(ix + 1, iy + 1, (1 - rx) * (1 - ry))
  if (div === 1) return acc
  if (div < 0.00001) return undefined
  return acc / div
}

const cubic = (t: number, v0: number, v1: number, v2: number, v3: number): number =>
  v1 + 0.5 * t * (v2 - v0 + t * (2 * v0 - 5 * v1 + 4 * v2 - v3 + t * (3 * (v1 - v2) + v3 - v0)))

/** GDAL's GWKCubicResample4Sample: Keys (a = −0.5); bilinear within 2 px of the window edge or near nodata. */
const cubicSample = (
  src: TypedArray,
  w: Window,
  sx: number,
  sy: number,
  nodata: number | undefined
): number | undefined => {
  const ww = w.ww
  const ix = Math.trunc(sx - 0.5)
  const iy = Math.trunc(sy - 0.5)
  const dx = sx - 0.5 - ix
  const dy = sy - 0.5 - iy
  if (ix - 1 < 0 || ix + 2 >= ww || iy - 1 < 0 || iy + 2 >= w.wh)
    return bilinearSample(src, w, sx, sy, nodata)
  const base = iy * ww + ix
  const rows = [0, 0, 0, 0]
  for (let i = -1; i < 3; i++) {
    const o = base + i * ww
    const v0 = src[o - 1]
    const v1 = src[o]
    const v2 = src[o + 1]
    const v3 = src[o + 2]
    if (
      nodata !== undefined &&
      (isNodata(v0, nodata) || isNodata(v1, nodata) || isNodata(v2, nodata) || isNodata(v3, nodata))
    )
      return bilinearSample(src, w, sx, sy, nodata)
    rows[i + 1] = cubic(dx, v0, v1, v2, v3)
  }
  return cubic(dy, rows[0], rows[1], rows[2], rows[3])
}

/** Bilinear or cubic interpolation at pixel centres (x, y) in image pixel space. */
export const interpolate = (
  kind: "bilinear" | "cubic",
  w: Window,
  xs: Float64Array,
  ys: Float64Array,
  nodata: number | undefined,
  store: Store,
  out: ReadonlyArray<TypedArray>,
  mask: Uint8Array
): void => {
  const nb = w.bands.length
  const ww = w.ww
  const wh = w.wh
  const bilinear = kind === "bilinear"
  const hasNodata = nodata !== undefined
  const nd = nodata ?? 0
  const ndIsNaN = Number.isNaN(nd)
  for (let k = 0; k < xs.length; k++) {
    const x = xs[k]
    const y = ys[k]
    if (!inside(x, y, w)) continue
    const sx = x - w.wx
    const sy = y - w.wy
    if (hasNodata) {
      // GDAL does not interpolate around a target pixel whose own source pixel is nodata.
      const centre = Math.trunc(sy + 1e-10) * ww + Math.trunc(sx + 1e-10)
      let centreValid = true
      for (let b = 0; b < nb; b++) {
        const v = w.bands[b][centre]
        if (v === nd || (ndIsNaN && v !== v)) centreValid = false
      }
      if (!centreValid) continue
    }
    if (bilinear) {
      const ix = Math.floor(sx - 0.5)
      const iy = Math.floor(sy - 0.5)
      if (ix >= 0 && ix + 1 < ww && iy >= 0 && iy + 1 < wh) {
        const rx = 1.5 - (sx - ix)
        const ry = 1.5 - (sy - iy)
        const off = iy * ww + ix
        if (!hasNodata) {
          // GWKBilinearResampleNoMasks4SampleT
          for (let b = 0; b < nb; b++) {
            const s = w.bands[b]
            const v =
              (s[off] * rx + s[off + 1] * (1 - rx)) * ry +
              (s[off + ww] * rx + s[off + ww + 1] * (1 - rx)) * (1 - ry)
            out[b][k] = round(v, store)
          }
          mask[k] = 1
          continue
        }
        // GWKBilinearResample4Sample with all four neighbours valid; otherwise the general path below.
        const m00 = rx * ry
        const m10 = (1 - rx) * ry
        const m01 = rx * (1 - ry)
        const m11 = (1 - rx) * (1 - ry)
        const div = m00 + m10 + m01 + m11
        let ok = 1
        for (let b = 0; b < nb; b++) {
          const s = w.bands[b]
          const v00 = s[off]
          const v10 = s[off + 1]
          const v01 = s[off + ww]
          const v11 = s[off + ww + 1]
          if (ndIsNaN || v00 === nd || v10 === nd || v01 === nd || v11 === nd) {
            const v = bilinearSample(s, w, sx, sy, nodata)
            if (v === undefined) ok = 0
            else out[b][k] = round(v, store)
            continue
          }
          const acc = v00 * m00 + v10 * m10 + v01 * m01 + v11 * m11
          out[b][k] = round(div === 1 ? acc : acc / div, store)
        }
        mask[k] = ok
        continue
      }
    }
    let ok = 1
    for (let b = 0; b < nb; b++) {
      const v = bilinear
        ? bilinearSample(w.bands[b], w, sx, sy, nodata)
        : cubicSample(w.bands[b], w, sx, sy, nodata)
      if (v === undefined) ok = 0
      else out[b][k] = round(v, store)
    }
    mask[k] = ok
  }
}

/**
 * Average or mode over the source pixels under each target pixel, whose footprint is the box spanned by
 * the source positions of its upper-left and lower-right corners (`cx`, `cy`: (width+1) × (height+1) corners).
 */
export const footprint = (
  kind: "average" | "mode",
  w: Window,
  cx: Float64Array,
  cy: Float64Array,
  width: number,
  height: number,
  nodata: number | undefined,
  store: Store,
  out: ReadonlyArray<TypedArray>,
  mask: Uint8Array
): void => {
  const nb = w.bands.length
  const ww = w.ww
  const wh = w.wh
  const stride = width + 1
  const eps = 1e-10
  const values: Array<number> = []
  const counts: Array<number> = []
  for (let j = 0; j < height; j++) {
    for (let i = 0; i < width; i++) {
      const a = j * stride + i
      const b2 = (j + 1) * stride + i + 1
      let xMin = cx[a] - w.wx
      let xMax = cx[b2] - w.wx
      let yMin = cy[a] - w.wy
      let yMax = cy[b2] - w.wy
      if (!(
        Number.isFinite(xMin) &&
        Number.isFinite(xMax) &&
        Number.isFinite(yMin) &&
        Number.isFinite(yMax)
      ))
        continue
      if (xMin > xMax) [xMin, xMax] = [xMax, xMin]
      if (yMin > yMax) [yMin, yMax] = [yMax, yMin]
      const x0 = Math.max(Math.floor(xMin + eps), 0)
      let x1 = Math.min(Math.ceil(xMax - eps), ww)
      const y0 = Math.max(Math.floor(yMin + eps), 0)
      let y1 = Math.min(Math.ceil(yMax - eps), wh)
      if (x0 === x1 && x1 < ww) x1++
      if (y0 === y1 && y1 < wh) y1++
      const k = j * width + i
      let ok = 1
      for (let b = 0; b < nb; b++) {
        const src = w.bands[b]
        if (kind === "average") {
          let total = 0
          let weights = 0
          for (let sy = y0; sy < y1; sy++) {
            const wy =
              sy === y0
                ? y0 + 1 === y1
                  ? 1
                  : 1 - (yMin - y0)
                : sy + 1 === y1
                  ? 1 - (y1 - yMax)
                  : 1
            for (let sx = x0; sx < x1; sx++) {
              const v = src[sy * ww + sx]
              if (isNodata(v, nodata)) continue
              const wgt =
                sx === x0
                  ? x0 + 1 === x1
                    ? wy
                    : wy * (1 - (xMin - x0))
                  : sx + 1 === x1
                    ? wy * (1 - (x1 - xMax))
                    : wy
              total += v * wgt
              weights += wgt
            }
          }
          if (weights > 0) out[b][k] = round(total / weights, store)
          else ok = 0
        } else {
          values.length = 0
          counts.length = 0
          let best = -1
          for (let sy = y0; sy < y1; sy++) {
            for (let sx = x0; sx < x1; sx++) {
              const v = src[sy * ww + sx]
              if (isNodata(v, nodata)) continue
              let idx = values.indexOf(v)
              if (idx < 0) {
                idx = values.length
                values.push(v)
                counts.push(0)
              }
              counts[idx]++
              if (best < 0 || counts[idx] > counts[best]) best = idx
            }
          }
          if (best >= 0) out[b][k] = values[best]
          else ok = 0
        }
      }
      if (x0 < x1 && y0 < y1) mask[k] = ok
    }
  }
}
