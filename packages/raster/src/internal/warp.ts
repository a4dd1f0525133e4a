// Resampling kernels that reproduce GDAL's warp kernel (gdalwarpkernel.cpp, GDAL 3.6) pixel for pixel:
// validity of a target pixel, nearest / bilinear / cubic (widened when downsampling) with their edge and nodata
// fallbacks, average and mode. This module holds `interpolate` and re-exports the rest, which lives in
// warpSample.ts (per-pixel rules), warpWide.ts (widened kernels) and warpFootprint.ts (average, mode).
import type { DType } from "@eoforge/core"
import {
  applyNoMasks,
  bilinearWeight,
  cubicWeight,
  filterRadius,
  kernelRadius,
  noMasksPlan,
  planNoMasks,
  resampleGeneral,
  sseTypes
} from "./warpWide.ts"
import {
  bilinearSample,
  cubicSample,
  hasNodataPixel,
  inside,
  round,
  type KernelScale,
  type Rect,
  type Store,
  type Window
} from "./warpSample.ts"

export * from "./warpSample.ts"
export { filterRadius } from "./warpWide.ts"
export * from "./warpFootprint.ts"

type TypedArray = DType.TypedArray

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
