// GDAL's widened bilinear and cubic kernels (gdalwarpkernel.cpp, GDAL 3.6), used when downsampling: the filters,
// the maskless SSE2 path (weights planned once per target pixel, summed in GDAL's lane order) and GWKResample.
import type { DType } from "@eoforge/core"
import { isNodata, type Window } from "./warpSample.ts"

type TypedArray = DType.TypedArray

/** GDAL's anGWKFilterRadius for the convolution kernels. */
export const filterRadius = (kind: "bilinear" | "cubic"): number => (kind === "bilinear" ? 1 : 2)

/** GWKBilinear: the triangle filter. */
export const bilinearWeight = (x: number): number => {
  const a = Math.abs(x)
  return a <= 1 ? 1 - a : 0
}

/** GWKCubic: Keys (a = −0.5), as GDAL evaluates it. */
export const cubicWeight = (x: number): number => {
  const a = Math.abs(x)
  if (a <= 1) return x * x * (1.5 * a - 2.5) + 1
  if (a <= 2) return x * x * (-0.5 * a + 2.5) - 4 * a + 2
  return 0
}

/** Kernel radius in source pixels (GDALWarpKernel's nXRadius / nYRadius). */
export const kernelRadius = (radius: number, scale: number): number =>
  scale < 1 ? Math.ceil(radius / scale) : radius

/**
 * The band-independent part of GWKResampleNoMasks_SSE2_T at one source position: the kernel's column and row
 * ranges, the filter weights and the normalisation. Computed once per target pixel, shared by every band.
 */
export interface NoMasksPlan {
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

export const noMasksPlan = (rx: number, ry: number): NoMasksPlan => ({
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
export const planNoMasks = (
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
export const applyNoMasks = (src: TypedArray, ww: number, p: NoMasksPlan): number => {
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
export const resampleGeneral = (
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
export const sseTypes = (band: TypedArray): boolean =>
  band instanceof Uint8Array ||
  band instanceof Int16Array ||
  band instanceof Uint16Array ||
  band instanceof Float32Array
