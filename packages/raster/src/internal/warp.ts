// Resampling kernels that reproduce GDAL's warp kernel (gdalwarpkernel.cpp, GDAL 3.6) pixel for pixel:
// validity of a target pixel, nearest / bilinear / cubic (widened when downsampling) with their edge and nodata
// fallbacks, average and mode.
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

/** GDAL's anGWKFilterRadius for the convolution kernels. */
export const filterRadius = (kind: "bilinear" | "cubic"): number => (kind === "bilinear" ? 1 : 2)

/** GWKBilinear: the triangle filter. */
const bilinearWeight = (x: number): number => {
  const a = Math.abs(x)
  return a <= 1 ? 1 - a : 0
}

/** GWKCubic: Keys (a = −0.5), as GDAL evaluates it. */
const cubicWeight = (x: number): number => {
  const a = Math.abs(x)
  if (a <= 1) return x * x * (1.5 * a - 2.5) + 1
  if (a <= 2) return x * x * (-0.5 * a + 2.5) - 4 * a + 2
  return 0
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

/** Kernel radius in source pixels (GDALWarpKernel's nXRadius / nYRadius). */
const kernelRadius = (radius: number, scale: number): number =>
  scale < 1 ? Math.ceil(radius / scale) : radius

/**
 * The band-independent part of GWKResampleNoMasks_SSE2_T at one source position: the kernel's column and row
 * ranges, the filter weights and the normalisation. Computed once per target pixel, shared by every band.
 */
interface NoMasksPlan {
  iMin: number
  iMax: number
  jMin: number
  jMax: number
  origin: number
  /** hSum · vSum: the product of the horizontal and vertical weight sums. */
  norm: number
  /** Horizontal weights of columns iMin..iMax. */
  readonly hw: Float64Array
  /** Vertical weights of rows jMin..jMax. */
  readonly vw: Float64Array
}

const noMasksPlan = (rx: number, ry: number): NoMasksPlan => ({
  iMin: 0,
  iMax: 0,
  jMin: 0,
  jMax: 0,
  origin: 0,
  norm: 1,
  hw: new Float64Array(2 * rx + 4),
  vw: new Float64Array(2 * ry + 4)
})

/**
 * Fills `p` for source position (sx, sy) of a ww × wh window: separable weights of the filter at the scaled
 * distance, summed in the order of GDAL's SSE2 lanes. False where GDAL falls back to bilinear (position or
 * kernel beyond the window).
 */
const planNoMasks = (
  p: NoMasksPlan,
  ww: number,
  wh: number,
  sx: number,
  sy: number,
  filter: (x: number) => number,
  rx: number,
  ry: number,
  scaleX: number,
  scaleY: number
): boolean => {
  const iSrcX = Math.floor(sx - 0.5)
  const iSrcY = Math.floor(sy - 0.5)
  if (iSrcX >= ww || iSrcY >= wh || rx > ww || ry > wh) return false
  const dx = sx - 0.5 - iSrcX
  const dy = sy - 0.5 - iSrcY
  const xs = Math.min(scaleX, 1)
  const ys = Math.min(scaleY, 1)
  const hw = p.hw
  const vw = p.vw
  let hSum = 0
  let vSum = 0
  let iMin = 1 - rx
  if (iSrcX + iMin < 0) iMin = -iSrcX
  let iMax = rx
  if (iSrcX + iMax >= ww - 1) iMax = ww - 1 - iSrcX
  let i = iMin
  let c = 0
  for (; i + 2 < iMax; i += 4, c += 4) {
    const a0 = (i - dx) * xs
    const a1 = a0 + xs
    const a2 = a1 + xs
    const a3 = a2 + xs
    hw[c] = filter(a0)
    hw[c + 1] = filter(a1)
    hw[c + 2] = filter(a2)
    hw[c + 3] = filter(a3)
    hSum += hw[c] + hw[c + 1] + hw[c + 2] + hw[c + 3]
  }
  for (; i <= iMax; i++, c++) {
    const wt = filter((i - dx) * xs)
    hw[c] = wt
    hSum += wt
  }
  let jMin = 1 - ry
  if (iSrcY + jMin < 0) jMin = -iSrcY
  let jMax = ry
  if (iSrcY + jMax >= wh - 1) jMax = wh - 1 - iSrcY
  let j = jMin
  let t = 0
  for (; j + 2 < jMax; j += 4, t += 4) {
    const b0 = (j - dy) * ys
    const b1 = b0 + ys
    const b2 = b1 + ys
    const b3 = b2 + ys
    vw[t] = filter(b0)
    vw[t + 1] = filter(b1)
    vw[t + 2] = filter(b2)
    vw[t + 3] = filter(b3)
    vSum += vw[t] + vw[t + 1] + vw[t + 2] + vw[t + 3]
  }
  for (; j <= jMax; j++, t++) {
    const f = filter((j - dy) * ys)
    vw[t] = f
    vSum += f
  }
  p.iMin = iMin
  p.iMax = iMax
  p.jMin = jMin
  p.jMax = jMax
  p.origin = iSrcY * ww + iSrcX
  p.norm = hSum * vSum
  return true
}

/**
 * One row of a four-row block: four lanes accumulate columns i, i+1, i+2, i+3 (a last pair added to the low
 * lanes), summed as (l0 + l2) + (l1 + l3) before the last odd column.
 */
const laneRow = (
  src: TypedArray,
  row: number,
  iMin: number,
  iMax: number,
  hw: Float64Array
): number => {
  let l0 = 0
  let l1 = 0
  let l2 = 0
  let l3 = 0
  let ii = iMin
  let cc = 0
  for (; ii + 2 < iMax; ii += 4, cc += 4) {
    l0 += src[row + ii] * hw[cc]
    l1 += src[row + ii + 1] * hw[cc + 1]
    l2 += src[row + ii + 2] * hw[cc + 2]
    l3 += src[row + ii + 3] * hw[cc + 3]
  }
  if (ii < iMax) {
    l0 += src[row + ii] * hw[cc]
    l1 += src[row + ii + 1] * hw[cc + 1]
    ii += 2
    cc += 2
  }
  let sum = l0 + l2 + (l1 + l3)
  if (ii === iMax) sum += src[row + ii] * hw[cc]
  return sum
}

/** One of the rows after the four-row blocks: the lanes summed first, then a last pair and odd column. */
const tailRow = (
  src: TypedArray,
  row: number,
  iMin: number,
  iMax: number,
  hw: Float64Array
): number => {
  let l0 = 0
  let l1 = 0
  let l2 = 0
  let l3 = 0
  let ii = iMin
  let cc = 0
  for (; ii + 2 < iMax; ii += 4, cc += 4) {
    l0 += src[row + ii] * hw[cc]
    l1 += src[row + ii + 1] * hw[cc + 1]
    l2 += src[row + ii + 2] * hw[cc + 2]
    l3 += src[row + ii + 3] * hw[cc + 3]
  }
  let sum = l0 + l2 + (l1 + l3)
  if (ii < iMax) {
    sum += src[row + ii] * hw[cc]
    sum += src[row + ii + 1] * hw[cc + 1]
    ii += 2
    cc += 2
  }
  if (ii === iMax) sum += src[row + ii] * hw[cc]
  return sum
}

/**
 * GWKResampleNoMasks_SSE2_T (GDAL 3.6, x86-64) of one band with the weights of `p` (see `planNoMasks`):
 * four rows at a time, then the remaining rows, normalised by the product of the weight sums.
 */
const applyNoMasks = (src: TypedArray, ww: number, p: NoMasksPlan): number => {
  const { iMin, iMax, jMax, origin, hw, vw } = p
  if (iMax - iMin === 3 && jMax - p.jMin === 3) {
    // The usual 4 × 4 kernel (bilinear below scale 1, cubic at 1 < 1/scale ≤ 2): one block of four lanes.
    const h0 = hw[0]
    const h1 = hw[1]
    const h2 = hw[2]
    const h3 = hw[3]
    let row = origin + p.jMin * ww + iMin
    let acc = 0
    for (let t = 0; t < 4; t++, row += ww) {
      const l0 = 0 + src[row] * h0
      const l1 = 0 + src[row + 1] * h1
      const l2 = 0 + src[row + 2] * h2
      const l3 = 0 + src[row + 3] * h3
      acc += vw[t] * (l0 + l2 + (l1 + l3))
    }
    return acc / p.norm
  }
  let acc = 0
  let j = p.jMin
  let t = 0
  for (; j + 2 < jMax; j += 4, t += 4) {
    const row = origin + j * ww
    const r0 = laneRow(src, row, iMin, iMax, hw)
    const r1 = laneRow(src, row + ww, iMin, iMax, hw)
    const r2 = laneRow(src, row + 2 * ww, iMin, iMax, hw)
    const r3 = laneRow(src, row + 3 * ww, iMin, iMax, hw)
    acc += vw[t] * r0
    acc += vw[t + 1] * r1
    acc += vw[t + 2] * r2
    acc += vw[t + 3] * r3
  }
  for (; j <= jMax; j++, t++) acc += vw[t] * tailRow(src, origin + j * ww, iMin, iMax, hw)
  return acc / p.norm
}

/**
 * GWKResample (GDAL 3.6's general path): rows weighted by the filter at the scaled distance, nodata
 * neighbours skipped and the weights of the valid ones renormalised; undefined when they weigh nothing.
 */
const resampleGeneral = (
  src: TypedArray,
  w: Window,
  sx: number,
  sy: number,
  filter: (x: number) => number,
  init: number,
  rx: number,
  ry: number,
  scaleX: number,
  scaleY: number,
  nodata: number | undefined
): number | undefined => {
  const ww = w.ww
  const wh = w.wh
  const iSrcX = Math.floor(sx - 0.5)
  const iSrcY = Math.floor(sy - 0.5)
  const dx = sx - 0.5 - iSrcX
  const dy = sy - 0.5 - iSrcY
  let j = init - ry
  let jMax = ry
  if (iSrcY + j < 0) j = -iSrcY
  if (iSrcY + jMax >= wh) jMax = wh - iSrcY - 1
  let iMin = init - rx
  let iMax = rx
  if (iSrcX + iMin < 0) iMin = -iSrcX
  if (iSrcX + iMax >= ww) iMax = ww - iSrcX - 1
  const xBelow = scaleX < 1
  const yBelow = scaleY < 1
  const masked = nodata !== undefined
  let acc = 0
  let accWeight = 0
  for (; j <= jMax; j++) {
    const row = (iSrcY + j) * ww + iSrcX
    const wy = yBelow ? filter((j - dy) * scaleY) : filter(j - dy)
    let local = 0
    let localWeight = 0
    for (let i = iMin; i <= iMax; i++) {
      const v = src[row + i]
      if (masked && isNodata(v, nodata)) continue
      const wx = xBelow ? filter((i - dx) * scaleX) : filter(i - dx)
      local += v * wx
      localWeight += wx
    }
    acc += local * wy
    accWeight += localWeight * wy
  }
  if (accWeight < 0.000001) return undefined
  return accWeight < 0.99999 || accWeight > 1.00001 ? acc / accWeight : acc
}

/** Dtypes whose maskless bilinear/cubic GDAL 3.6 runs through GWKResampleNoMasks_SSE2_T. */
const sseTypes = (band: TypedArray): boolean =>
  band instanceof Uint8Array ||
  band instanceof Int16Array ||
  band instanceof Uint16Array ||
  band instanceof Float32Array

/**
 * Bilinear or cubic interpolation at pixel centres (x, y) in image pixel space, over the destination pixels
 * of `rect` (all of xs when absent). With a kernel scale below 0.95 on either axis, GDAL's widened kernel.
 */
export const interpolate = (
  kind: "bilinear" | "cubic",
  w: Window,
  xs: Float64Array,
  ys: Float64Array,
  nodata: number | undefined,
  store: Store,
  out: ReadonlyArray<TypedArray>,
  mask: Uint8Array,
  scale: KernelScale = { x: 1, y: 1 },
  rect?: Rect
): void => {
  const nb = w.bands.length
  const ww = w.ww
  const wh = w.wh
  const bilinear = kind === "bilinear"
  const masks = nodata !== undefined && hasNodataPixel(w, nodata)
  const nd = nodata ?? 0
  const ndIsNaN = Number.isNaN(nd)
  const general = scale.x < 0.95 || scale.y < 0.95
  const filter = bilinear ? bilinearWeight : cubicWeight
  const radius = filterRadius(kind)
  const kx = kernelRadius(radius, scale.x)
  const ky = kernelRadius(radius, scale.y)
  const init = (radius + 1) % 2
  const noMasksSse = !masks && nb > 0 && sseTypes(w.bands[0])
  const plan = noMasksPlan(kx, ky)
  const r = rect ?? { x0: 0, y0: 0, w: xs.length, h: 1, stride: xs.length }
  for (let rj = r.y0; rj < r.y0 + r.h; rj++) {
    for (let ri = r.x0; ri < r.x0 + r.w; ri++) {
      const k = rj * r.stride + ri
      const x = xs[k]
      const y = ys[k]
      if (!inside(x, y, w)) continue
      const sx = x - w.wx
      const sy = y - w.wy
      if (masks) {
        // GDAL does not interpolate around a target pixel whose own source pixel is nodata (never the case
        // in a window without nodata pixels).
        const centre = Math.trunc(sy + 1e-10) * ww + Math.trunc(sx + 1e-10)
        let centreValid = true
        for (let b = 0; b < nb; b++) {
          const v = w.bands[b][centre]
          if (v === nd || (ndIsNaN && v !== v)) centreValid = false
        }
        if (!centreValid) continue
      }
      if (general) {
        let ok = 1
        if (noMasksSse) {
          if (planNoMasks(plan, ww, wh, sx, sy, filter, kx, ky, scale.x, scale.y)) {
            for (let b = 0; b < nb; b++)
              out[b][k] = round(applyNoMasks(w.bands[b], ww, plan), store)
          } else {
            for (let b = 0; b < nb; b++) {
              const v = bilinearSample(w.bands[b], w, sx, sy, undefined)
              if (v === undefined) ok = 0
              else out[b][k] = round(v, store)
            }
          }
          mask[k] = ok
          continue
        }
        for (let b = 0; b < nb; b++) {
          const v = resampleGeneral(
            w.bands[b],
            w,
            sx,
            sy,
            filter,
            init,
            kx,
            ky,
            scale.x,
            scale.y,
            masks ? nodata : undefined
          )
          if (v === undefined) ok = 0
          else out[b][k] = round(v, store)
        }
        mask[k] = ok
        continue
      }
      if (bilinear) {
        const ix = Math.floor(sx - 0.5)
        const iy = Math.floor(sy - 0.5)
        if (ix >= 0 && ix + 1 < ww && iy >= 0 && iy + 1 < wh) {
          const rx = 1.5 - (sx - ix)
          const ry = 1.5 - (sy - iy)
          const off = iy * ww + ix
          if (!masks) {
            // GWKBilinearResampleNoMasks4SampleT (GDAL drops the masks when the window has no nodata)
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
}

/** Where the source image lies for `footprint`: its size, and whether its columns wrap around 360°. */
export interface FootprintImage {
  /** Image width and height in pixels (the corners are in image pixel space). */
  readonly width: number
  readonly height: number
  /**
   * The window spans a global geographic image's whole width: a footprint wider than half of it is the
   * short way round the antimeridian (its columns are taken modulo the width), as GDAL 3.6 reads it.
   */
  readonly wrapsX: boolean
  /** GDAL's kernel scale of the warp (destination per source pixel), which sets the edge margin. */
  readonly scale: KernelScale
}

/**
 * Average or mode over the source pixels under each target pixel, whose footprint is the box spanned by
 * the source positions of its upper-left and lower-right corners (`cx`, `cy`: (width+1) × (height+1) corners).
 * As GDAL, a pixel with a corner beyond 2·max(1, ⌈1/scale⌉) pixels outside the image gets no value.
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
  mask: Uint8Array,
  image?: FootprintImage
): void => {
  const nb = w.bands.length
  const ww = w.ww
  const wh = w.wh
  const stride = width + 1
  const eps = 1e-10
  const values: Array<number> = []
  const counts: Array<number> = []
  const wraps = image?.wrapsX === true && w.wx === 0 && ww === image.width
  for (let j = 0; j < height; j++) {
    for (let i = 0; i < width; i++) {
      const a = j * stride + i
      const b2 = (j + 1) * stride + i + 1
      if (image !== undefined) {
        // GWKAverageOrModeThread skips pixels with a corner beyond its margin off the image.
        const mx = 2 * Math.max(1, Math.ceil(1 / image.scale.x))
        const my = 2 * Math.max(1, Math.ceil(1 / image.scale.y))
        const hiX = image.width + mx
        const hiY = image.height + my
        if (
          cx[a] < -mx ||
          cx[b2] < -mx ||
          cy[a] < -my ||
          cy[b2] < -my ||
          cx[a] > hiX ||
          cx[b2] > hiX ||
          cy[a] > hiY ||
          cy[b2] > hiY
        )
          continue
      }
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
      const across = wraps && xMax - xMin > ww / 2
      if (across) [xMin, xMax] = [xMax, xMin + ww]
      const x0 = Math.max(Math.floor(xMin + eps), 0)
      let x1 = Math.min(Math.ceil(xMax - eps), across ? 2 * ww : ww)
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
              const v = src[sy * ww + (sx < ww ? sx : sx - ww)]
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
              const v = src[sy * ww + (sx < ww ? sx : sx - ww)]
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
