// The source windows and kernel scales of gdalwarp's warp operation (GDAL 3.6 gdalwarpoperation.cpp:
// ComputeSourceWindow, CollectChunkListInternal; gdalwarpkernel.cpp: PerformWarp's dfXScale/dfYScale).
import type { GeoTransform } from "@eoforge/core"
import type { PointTransform } from "./coordinates.ts"
import type { KernelScale } from "./warp.ts"

/** One chunk of a warp: destination pixels, the source image window read for them and the kernel scale. */
export interface Chunk {
  readonly x0: number
  readonly y0: number
  readonly w: number
  readonly h: number
  /** Source window [x0, y0, x1, y1) in image pixels; empty when the chunk sees no source. */
  readonly window: readonly [number, number, number, number]
  readonly scale: KernelScale
  /** Clamped over unclamped source window area (GDAL's dfSrcFillRatio). */
  readonly fill: number
}

const roundIfCloseEnough = (v: number): number => {
  const r = Math.round(v)
  return Math.abs(r - v) < 1e-6 ? r : v
}

/** GDAL's snapping of a downsampling scale to 1/n when 1/scale is within 0.05 of an integer. */
const snap = (scale: number): number => {
  if (!(scale < 1)) return scale
  const reciprocal = 1 / scale
  const n = Math.trunc(reciprocal + 0.5)
  return Math.abs(reciprocal - n) < 0.05 ? 1 / n : scale
}

/**
 * ComputeSourceWindow for destination pixels (dx, dy, dw, dh) of a grid with geotransform `dstGt`, over an
 * image of iw × ih pixels with inverse geotransform `inv`: 21 points along each edge, padded by the filter
 * radius (widened when the window scale is below 0.95). Undefined when an edge point fails to transform
 * (GDAL then samples a grid; callers fall back to their own window).
 */
const sourceWindow = (
  dx: number,
  dy: number,
  dw: number,
  dh: number,
  dstGt: GeoTransform.GeoTransform,
  inv: GeoTransform.GeoTransform,
  transform: PointTransform | undefined,
  iw: number,
  ih: number,
  radius: number
): Chunk | undefined => {
  const steps = 21
  const step = 1 / (steps - 1)
  const px: Array<number> = []
  const py: Array<number> = []
  for (let ratio = 0; ratio <= 1 + step * 0.5; ratio += step) {
    px.push(ratio * dw + dx, ratio * dw + dx, dx, dw + dx)
    py.push(dy, dy + dh, ratio * dh + dy, ratio * dh + dy)
  }
  const xs = new Float64Array(px.length)
  const ys = new Float64Array(py.length)
  for (let k = 0; k < xs.length; k++) {
    xs[k] = dstGt[0] + px[k] * dstGt[1] + py[k] * dstGt[2]
    ys[k] = dstGt[3] + px[k] * dstGt[4] + py[k] * dstGt[5]
  }
  if (transform !== undefined) transform(xs, ys)
  let minX = Infinity
  let minY = Infinity
  let maxX = -Infinity
  let maxY = -Infinity
  for (let k = 0; k < xs.length; k++) {
    const gx = xs[k]
    const gy = ys[k]
    const x = inv[0] + gx * inv[1] + gy * inv[2]
    const y = inv[3] + gx * inv[4] + gy * inv[5]
    if (!Number.isFinite(x) || !Number.isFinite(y)) return undefined
    minX = Math.min(minX, x)
    minY = Math.min(minY, y)
    maxX = Math.max(maxX, x)
    maxY = Math.max(maxY, y)
  }
  const empty = { x0: dx, y0: dy, w: dw, h: dh, scale: { x: 1, y: 1 }, fill: 0 }
  if (minX > iw || maxX < 0 || minY > ih || maxY < 0) return { ...empty, window: [0, 0, 0, 0] }
  minX = roundIfCloseEnough(minX)
  minY = roundIfCloseEnough(minY)
  maxX = roundIfCloseEnough(maxX)
  maxY = roundIfCloseEnough(maxY)
  const wsx = Math.max(1e-3, dw / (maxX - minX))
  const wsy = Math.max(1e-3, dh / (maxY - minY))
  const rx = wsx < 0.95 ? Math.ceil(radius / wsx) : radius
  const ry = wsy < 0.95 ? Math.ceil(radius / wsy) : radius
  const minXc = Math.trunc(Math.max(0, minX))
  const minYc = Math.trunc(Math.max(0, minY))
  const maxXc = Math.trunc(Math.min(Math.ceil(maxX), iw))
  const maxYc = Math.trunc(Math.min(Math.ceil(maxY), ih))
  const rawX = Math.max(0, Math.min(iw - minXc, maxX - minX))
  const rawY = Math.max(0, Math.min(ih - minYc, maxY - minY))
  let offX: number, sizeX: number, offY: number, sizeY: number
  if (maxXc - minXc > 0.9 * iw) {
    offX = 0
    sizeX = iw
  } else {
    offX = Math.max(0, Math.min(minXc - rx, iw))
    sizeX = Math.max(0, Math.min(iw - offX, maxXc - offX + rx))
  }
  if (maxYc - minYc > 0.9 * ih) {
    offY = 0
    sizeY = ih
  } else {
    offY = Math.max(0, Math.min(minYc - ry, ih))
    sizeY = Math.max(0, Math.min(ih - offY, maxYc - offY + ry))
  }
  const extraX = sizeX - rawX
  const extraY = sizeY - rawY
  const fill = (sizeX * sizeY) / Math.max(1, (maxX - minX + 2 * rx) * (maxY - minY + 2 * ry))
  // PerformWarp: destination pixels per source pixel of the window, 1 when the window is not larger.
  let sx = dw / (sizeX - extraX)
  let sy = dh / (sizeY - extraY)
  if (sizeX >= dw && sizeX <= dw + extraX) sx = 1
  if (sizeY >= dh && sizeY <= dh + extraY) sy = 1
  sx = snap(sx)
  sy = snap(sy)
  // A window spanning a geographic raster's whole width for a narrow chunk (its two sides across the
  // antimeridian): GDAL replaces the x scale by the local one measured at sample points.
  if (sy / sx > 100) sx = sampledXScale(dw, dh, dstGt, inv, transform) ?? sx
  return {
    x0: dx,
    y0: dy,
    w: dw,
    h: dh,
    window: [offX, offY, offX + sizeX, offY + sizeY],
    scale: { x: sx, y: sy },
    fill
  }
}

/**
 * GDALWarpKernel::PerformWarp's x scale "from grid sampling": at up to 10 × 10 destination points (pixel
 * corners of the chunk-sized extent from the destination origin, as GDAL samples them) the source distance
 * to the next point in x and in y; the mean of 1 / the larger one, leaving out scales below a tenth of the
 * largest (points straddling the discontinuity). Undefined when no point transforms.
 */
const sampledXScale = (
  dw: number,
  dh: number,
  dstGt: GeoTransform.GeoTransform,
  inv: GeoTransform.GeoTransform,
  transform: PointTransform | undefined
): number | undefined => {
  const nx = Math.min(10, dw)
  const ny = Math.min(10, dh)
  const xs = new Float64Array(3 * nx * ny)
  const ys = new Float64Array(3 * nx * ny)
  let k = 0
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      const x = nx === 1 ? 0 : (i * dw) / (nx - 1)
      const y = ny === 1 ? 0 : (j * dh) / (ny - 1)
      const pts = [
        [x, y],
        [i === nx - 1 ? x - 1 : x + 1, y],
        [x, j === ny - 1 ? y - 1 : y + 1]
      ]
      for (const [px, py] of pts) {
        xs[k] = dstGt[0] + px * dstGt[1] + py * dstGt[2]
        ys[k] = dstGt[3] + px * dstGt[4] + py * dstGt[5]
        k++
      }
    }
  }
  if (transform !== undefined) transform(xs, ys)
  const col = (m: number) => inv[0] + xs[m] * inv[1] + ys[m] * inv[2]
  const scales: Array<number> = []
  for (let m = 0; m < xs.length; m += 3) {
    const c0 = col(m)
    const c1 = col(m + 1)
    const c2 = col(m + 2)
    if (!Number.isFinite(c0) || !Number.isFinite(c1) || !Number.isFinite(c2)) continue
    if (!Number.isFinite(ys[m]) || !Number.isFinite(ys[m + 1]) || !Number.isFinite(ys[m + 2]))
      continue
    scales.push(1 / Math.max(Math.abs(c1 - c0), Math.abs(c2 - c0)))
  }
  if (scales.length === 0) return undefined
  scales.sort((a, b) => a - b)
  const largest = scales[scales.length - 1]
  let sum = 0
  let count = 0
  for (const s of scales) {
    if (s > largest / 10) {
      sum += s
      count++
    }
  }
  return count > 0 ? sum / count : undefined
}

/**
 * The chunks gdalwarp warps a width × height destination in: halved (across the width when it is larger,
 * else across the height) while more than half of a chunk's padded source window lies off the image and the chunk is
 * over 100 pixels on a side. Undefined when an edge point fails to transform.
 */
export const warpChunks = (
  width: number,
  height: number,
  dstGt: GeoTransform.GeoTransform,
  inv: GeoTransform.GeoTransform,
  transform: PointTransform | undefined,
  iw: number,
  ih: number,
  radius: number
): ReadonlyArray<Chunk> | undefined => {
  const chunks: Array<Chunk> = []
  const collect = (dx: number, dy: number, dw: number, dh: number): boolean => {
    const c = sourceWindow(dx, dy, dw, dh, dstGt, inv, transform, iw, ih, radius)
    if (c === undefined) return false
    if (c.fill > 0 && c.fill < 0.5 && (dw > 100 || dh > 100)) {
      if (dw > dh) {
        const half = Math.trunc(dw / 2)
        return collect(dx, dy, half, dh) && collect(dx + half, dy, dw - half, dh)
      }
      const half = Math.trunc(dh / 2)
      return collect(dx, dy, dw, half) && collect(dx, dy + half, dw, dh - half)
    }
    chunks.push(c)
    return true
  }
  return collect(0, 0, width, height) ? chunks : undefined
}
