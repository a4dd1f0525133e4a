// GDAL's bilinear and cubic kernels (warp.ts) for grids whose axes are parallel to the image's: source
// columns, rows and weights are found once per target column and row instead of once per pixel.
import type { DType } from "@eoforge/core"
import type { Axes } from "./coordinates.ts"
import {
  bilinearSample,
  cubic,
  cubicSample,
  hasNodataPixel,
  interpolate,
  round,
  type KernelScale,
  type Rect,
  type Store,
  type Window
} from "./warp.ts"

type TypedArray = DType.TypedArray

// Per column or row: outside the window (skipped, as GDAL's GWKCheckAndComputeSrcOffsets), inside with the
// whole 2 × 2 (bilinear) or 4 × 4 (cubic) neighbourhood in the window, or inside near its edge.
const OUTSIDE = 0
const FULL = 1
const EDGE = 2

/** `inside` of warp.ts along one axis: it is the conjunction of the same test on x and on y. */
const insideAxis = (r: number, size: number): boolean =>
  r >= 0 && !(r + 1e-10 > size) && Math.trunc(r + 1e-10) !== size

/**
 * Per position of one axis (window-relative `s`): its state, first source index and the two weights
 * bilinear uses (r, 1 − r), or the cubic's first index and fraction (in `a`; `b` unused).
 */
const axisPlan = (
  positions: Float64Array,
  from: number,
  count: number,
  origin: number,
  size: number,
  bilinear: boolean
) => {
  const state = new Uint8Array(count)
  const index = new Int32Array(count)
  const a = new Float64Array(count)
  const b = new Float64Array(count)
  for (let c = 0; c < count; c++) {
    const s = positions[from + c] - origin
    if (!insideAxis(s, size)) continue
    if (bilinear) {
      const i = Math.floor(s - 0.5)
      const r = 1.5 - (s - i)
      state[c] = i >= 0 && i + 1 < size ? FULL : EDGE
      index[c] = i
      a[c] = r
      b[c] = 1 - r
    } else {
      const i = Math.trunc(s - 0.5)
      state[c] = i - 1 < 0 || i + 2 >= size ? EDGE : FULL
      index[c] = i
      a[c] = s - 0.5 - i
    }
  }
  return { state, index, a, b }
}

/**
 * `interpolate` (warp.ts) over `rect` for positions given per column and row, with identical results: the
 * maskless bilinear and cubic kernels run separably; windows with nodata pixels or widened kernels (scale
 * below 0.95) go point by point through `interpolate` itself.
 */
export const interpolateAxes = (
  kind: "bilinear" | "cubic",
  w: Window,
  positions: Axes,
  nodata: number | undefined,
  store: Store,
  out: ReadonlyArray<TypedArray>,
  mask: Uint8Array,
  scale: KernelScale,
  rect: Rect
): void => {
  if (scale.x < 0.95 || scale.y < 0.95 || (nodata !== undefined && hasNodataPixel(w, nodata))) {
    const { x, y } = positions.points()
    interpolate(kind, w, x, y, nodata, store, out, mask, scale, rect)
    return
  }
  const bilinear = kind === "bilinear"
  const ww = w.ww
  const cols = axisPlan(positions.cols, rect.x0, rect.w, w.wx, ww, bilinear)
  const rows = axisPlan(positions.rows, rect.y0, rect.h, w.wy, w.wh, bilinear)
  for (let b = 0; b < w.bands.length; b++) {
    const src = w.bands[b]
    const o = out[b]
    for (let j = 0; j < rect.h; j++) {
      if (rows.state[j] !== FULL) continue
      const k0 = (rect.y0 + j) * rect.stride + rect.x0
      const rowOff = rows.index[j] * ww
      if (bilinear) bilinearRow(src, o, k0, rowOff, ww, rows.a[j], rows.b[j], cols, rect.w, store)
      else cubicRow(src, o, k0, rowOff, ww, rows.a[j], cols, rect.w, store)
    }
  }
  for (let j = 0; j < rect.h; j++) {
    const rs = rows.state[j]
    if (rs === OUTSIDE) continue
    const k0 = (rect.y0 + j) * rect.stride + rect.x0
    for (let c = 0; c < rect.w; c++) {
      const cs = cols.state[c]
      if (cs === OUTSIDE) continue
      if (cs === FULL && rs === FULL) {
        mask[k0 + c] = 1
        continue
      }
      // Near the window's edge: warp.ts's per-pixel fallback, band by band.
      const sx = positions.cols[rect.x0 + c] - w.wx
      const sy = positions.rows[rect.y0 + j] - w.wy
      let ok = 1
      for (let b = 0; b < w.bands.length; b++) {
        const v = bilinear
          ? bilinearSample(w.bands[b], w, sx, sy, nodata)
          : cubicSample(w.bands[b], w, sx, sy, nodata)
        if (v === undefined) ok = 0
        else out[b][k0 + c] = round(v, store)
      }
      mask[k0 + c] = ok
    }
  }
}

/** GWKBilinearResampleNoMasks4SampleT along one target row (same expression as warp.ts). */
const bilinearRow = (
  s: TypedArray,
  o: TypedArray,
  k0: number,
  rowOff: number,
  ww: number,
  ry: number,
  ry1: number,
  cols: ReturnType<typeof axisPlan>,
  n: number,
  store: Store
): void => {
  const { state, index, a, b } = cols
  const integer = store.integer
  const lo = store.min
  const hi = store.max
  if (integer && ry1 === 0) {
    // A row on the source's pixel centres (ry = 1): the second row adds a finite value × 0, and a column with
    // weight 1 another zero, so an integer value is copied unchanged (±0 does not survive an integer store).
    for (let c = 0; c < n; c++) {
      if (state[c] !== FULL) continue
      const off = rowOff + index[c]
      const rx1 = b[c]
      if (rx1 === 0) {
        o[k0 + c] = s[off]
        continue
      }
      const v = (s[off] * a[c] + s[off + 1] * rx1) * ry
      o[k0 + c] = v < lo ? lo : v > hi ? hi : Math.floor(v + 0.5)
    }
    return
  }
  for (let c = 0; c < n; c++) {
    if (state[c] !== FULL) continue
    const off = rowOff + index[c]
    const rx = a[c]
    const rx1 = b[c]
    const v =
      (s[off] * rx + s[off + 1] * rx1) * ry + (s[off + ww] * rx + s[off + ww + 1] * rx1) * ry1
    o[k0 + c] = !integer ? v : v < lo ? lo : v > hi ? hi : Math.floor(v + 0.5)
  }
}

/** GWKCubicResample4Sample away from the window's edge along one target row (same evaluation as warp.ts). */
const cubicRow = (
  s: TypedArray,
  o: TypedArray,
  k0: number,
  rowOff: number,
  ww: number,
  dy: number,
  cols: ReturnType<typeof axisPlan>,
  n: number,
  store: Store
): void => {
  const { state, index, a } = cols
  const integer = store.integer
  const lo = store.min
  const hi = store.max
  for (let c = 0; c < n; c++) {
    if (state[c] !== FULL) continue
    const dx = a[c]
    const base = rowOff + index[c]
    const r0 = cubic(dx, s[base - ww - 1], s[base - ww], s[base - ww + 1], s[base - ww + 2])
    const r1 = cubic(dx, s[base - 1], s[base], s[base + 1], s[base + 2])
    const r2 = cubic(dx, s[base + ww - 1], s[base + ww], s[base + ww + 1], s[base + ww + 2])
    const o3 = base + 2 * ww
    const r3 = cubic(dx, s[o3 - 1], s[o3], s[o3 + 1], s[o3 + 2])
    const v = cubic(dy, r0, r1, r2, r3)
    o[k0 + c] = !integer ? v : v < lo ? lo : v > hi ? hi : Math.floor(v + 0.5)
  }
}
