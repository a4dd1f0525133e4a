// GDAL's average and mode resampling (gdalwarpkernel.cpp GWKAverageOrMode, GDAL 3.6): every source pixel under a
// target pixel's footprint, with GDAL's edge margin and antimeridian wrap.
import type { DType } from "@eoforge/core"
import { isNodata, round, type KernelScale, type Store, type Window } from "./warpSample.ts"

type TypedArray = DType.TypedArray

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
