// The per-pixel rules of GDAL's warp kernel (gdalwarpkernel.cpp, GDAL 3.6): the window and store types, whether
// a target pixel's centre is inside the window, nodata tests, nearest and the 2 × 2 / 4 × 4 samplers.
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

/** A kernel's value in the target dtype: clamped and rounded half up for integers, as GDAL stores it. */
export const round = (v: number, s: Store): number => {
  if (!s.integer) return v
  if (v < s.min) return s.min
  if (v > s.max) return s.max
  return Math.floor(v + 0.5)
}

/** Whether GDAL counts a pixel centre at image position (x, y) as inside the window (GWKCheckAndComputeSrcOffsets). */
export const inside = (x: number, y: number, w: Window): boolean => {
  const rx = x - w.wx
  const ry = y - w.wy
  if (!(rx >= 0 && ry >= 0)) return false
  if (rx + 1e-10 > w.ww || ry + 1e-10 > w.wh) return false
  return Math.trunc(rx + 1e-10) !== w.ww && Math.trunc(ry + 1e-10) !== w.wh
}

/** Whether `v` is the nodata value (NaN matches NaN); never when there is none. */
export const isNodata = (v: number, nodata: number | undefined): boolean =>
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
 * Masks out (mask 0) the pixels of the rectangle [c0, c1) × [r0, r1) of `width`-wide bands where any band
 * holds `nodata` (NaN matches NaN), and writes `nodata` itself there, as GDAL's nearest does.
 */
export const maskNodata = (
  out: ReadonlyArray<TypedArray>,
  mask: Uint8Array,
  nodata: number,
  width: number,
  c0: number,
  r0: number,
  c1: number,
  r1: number
): void => {
  const isNaN = Number.isNaN(nodata)
  for (let b = 0; b < out.length; b++) {
    const o = out[b]
    for (let j = r0; j < r1; j++) {
      const end = j * width + c1
      for (let p = j * width + c0; p < end; p++) {
        const v = o[p]
        if (v === nodata || (isNaN && v !== v)) {
          mask[p] = 0
          o[p] = nodata
        }
      }
    }
  }
}

/** GDAL's GWKBilinearResample4Sample: valid neighbours only, weights renormalised; undefined if none. */
export const bilinearSample = (
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

/** Keys' cubic (a = −0.5) through v0..v3 at t ∈ [0, 1) past v1, in GDAL's evaluation order. */
export const cubic = (t: number, v0: number, v1: number, v2: number, v3: number): number =>
  v1 + 0.5 * t * (v2 - v0 + t * (2 * v0 - 5 * v1 + 4 * v2 - v3 + t * (3 * (v1 - v2) + v3 - v0)))

/** GDAL's GWKCubicResample4Sample: Keys (a = −0.5); bilinear within 2 px of the window edge or near nodata. */
export const cubicSample = (
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

/**
 * GDAL's kernel scale per axis: destination pixels per source pixel of the warp window (GDALWarpKernel's
 * dfXScale/dfYScale), above 1 when upsampling. Below 0.95 on either axis bilinear and cubic widen their kernel.
 */
export interface KernelScale {
  readonly x: number
  readonly y: number
}

/** Destination pixels (x0 ≤ i < x0 + w, y0 ≤ j < y0 + h) of a grid `stride` pixels wide. */
export interface Rect {
  readonly x0: number
  readonly y0: number
  readonly w: number
  readonly h: number
  readonly stride: number
}

/** Whether any pixel of any band of the window is nodata (GDAL drops its masks when none is). */
export const hasNodataPixel = (w: Window, nodata: number | undefined): boolean => {
  if (nodata === undefined) return false
  const nan = Number.isNaN(nodata)
  for (const band of w.bands) {
    if (nan) {
      for (let i = 0; i < band.length; i++) if (band[i] !== band[i]) return true
    } else if (band.indexOf(nodata) >= 0) return true
  }
  return false
}
