// GDAL's bilinear and cubic kernels (warp.ts) for grids whose axes are parallel to the image's: source
// columns, rows and weights are found once per target column and row instead of once per pixel.
import type { DType } from "@eoforge/core"
import { colPlan, EDGE, FULL, OUTSIDE, planAxis, rowPlan } from "./axisPlan.ts"
import type { Axes } from "./coordinates.ts"
import { bilinearAxesNodata } from "./warpAxesNodata.ts"
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

// Scratch reused by every call (the kernels are synchronous).
let spans = new Int32Array(16)
let lineA = new Float64Array(0)
let lineB = new Float64Array(0)
let edgeCols = new Int32Array(0)
let insideCols = new Int32Array(0)

/** The runs [from, to) of FULL positions among the first `count` of `state`, as pairs in `spans`; their number. */
const fullSpans = (state: Uint8Array, count: number): number => {
  let n = 0
  let c = 0
  while (c < count) {
    if (state[c] !== FULL) {
      c++
      continue
    }
    const from = c
    while (c < count && state[c] === FULL) c++
    if (2 * n + 2 > spans.length) {
      const grown = new Int32Array(2 * spans.length)
      grown.set(spans)
      spans = grown
    }
    spans[2 * n] = from
    spans[2 * n + 1] = c
    n++
  }
  return n
}

/**
 * `interpolate` (warp.ts) over `rect` for positions given per column and row, with identical results: the
 * maskless bilinear and cubic kernels run separably, bilinear over windows with nodata pixels per pixel with
 * per-axis weights (warpAxesNodata.ts); cubic with nodata pixels and widened kernels (scale below 0.95) go
 * point by point through `interpolate` itself.
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
  const bilinear = kind === "bilinear"
  const masked = nodata !== undefined && hasNodataPixel(w, nodata)
  if (scale.x < 0.95 || scale.y < 0.95 || (masked && !bilinear)) {
    const { x, y } = positions.points()
    interpolate(kind, w, x, y, nodata, store, out, mask, scale, rect)
    return
  }
  if (masked) {
    bilinearAxesNodata(w, positions, nodata, store, out, mask, rect)
    return
  }
  const ww = w.ww
  planAxis(colPlan, positions.cols, rect.x0, rect.w, w.wx, ww, bilinear)
  planAxis(rowPlan, positions.rows, rect.y0, rect.h, w.wy, w.wh, bilinear)
  const nSpans = fullSpans(colPlan.state, rect.w)
  for (let b = 0; b < w.bands.length; b++) {
    if (bilinear) bilinearBand(w.bands[b], out[b], ww, rect, nSpans, store)
    else cubicBand(w.bands[b], out[b], ww, rect, nSpans, store)
  }
  // Columns near the window's edge (for FULL rows) and all columns inside it (for rows near its edge).
  const state = colPlan.state
  if (edgeCols.length < rect.w) {
    edgeCols = new Int32Array(Math.max(rect.w, 2 * edgeCols.length))
    insideCols = new Int32Array(edgeCols.length)
  }
  let nEdge = 0
  let nInside = 0
  for (let c = 0; c < rect.w; c++) {
    if (state[c] === OUTSIDE) continue
    insideCols[nInside++] = c
    if (state[c] === EDGE) edgeCols[nEdge++] = c
  }
  const rows = rowPlan
  for (let j = 0; j < rect.h; j++) {
    const rs = rows.state[j]
    if (rs === OUTSIDE) continue
    const k0 = (rect.y0 + j) * rect.stride + rect.x0
    if (rs === FULL) {
      for (let t = 0; t < nSpans; t++) mask.fill(1, k0 + spans[2 * t], k0 + spans[2 * t + 1])
    }
    const picks = rs === FULL ? edgeCols : insideCols
    const count = rs === FULL ? nEdge : nInside
    for (let p = 0; p < count; p++) {
      const c = picks[p]
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

/**
 * GWKBilinearResampleNoMasks4SampleT (same expression as warp.ts) over the FULL rows and columns of one band:
 * `(s00·rx + s01·rx1)·ry + (s10·rx + s11·rx1)·ry1`. The horizontal sums depend on the source row and the
 * target column only, so each source row's is computed once into a line and reused by every target row
 * between it and the next (the same doubles, hence the same results).
 */
const bilinearBand = (
  s: TypedArray,
  o: TypedArray,
  ww: number,
  rect: Rect,
  nSpans: number,
  store: Store
): void => {
  const rows = rowPlan
  const n = rect.w
  if (lineA.length < n) {
    lineA = new Float64Array(n)
    lineB = new Float64Array(n)
  }
  let la = lineA
  let lb = lineB
  // Source rows the lines hold (−1: none).
  let ra = -1
  let rb = -1
  const integer = store.integer
  const copyRows = integer && s.constructor === o.constructor && onCentres(n, nSpans)
  for (let j = 0; j < rect.h; j++) {
    if (rows.state[j] !== FULL) continue
    const i = rows.index[j]
    const ry = rows.a[j]
    const ry1 = rows.b[j]
    const k0 = (rect.y0 + j) * rect.stride + rect.x0
    if (integer && ry1 === 0) {
      // A row on the source's pixel centres (ry = 1): the second row adds a finite value × 0, so an integer
      // store gets the first row's sum (copied unchanged on columns whose weights are 1 and 0 too).
      if (copyRows) {
        for (let t = 0; t < nSpans; t++) {
          const c0 = spans[2 * t]
          const off = i * ww + colPlan.index[c0]
          const len = spans[2 * t + 1] - c0
          const copy = s.subarray(off, off + len) as Uint16Array
          ;(o as Uint16Array).set(copy, k0 + c0)
        }
        continue
      }
      if (ra !== i) {
        if (rb === i) {
          const t = la
          la = lb
          lb = t
          rb = ra
        } else horizontal(s, i * ww, la, nSpans)
        ra = i
      }
      storeRow(o, k0, la, la, 1, 0, nSpans, store, true)
      continue
    }
    if (ra !== i) {
      if (rb === i) {
        const t = la
        la = lb
        lb = t
        rb = ra
      } else horizontal(s, i * ww, la, nSpans)
      ra = i
    }
    if (rb !== i + 1) {
      horizontal(s, (i + 1) * ww, lb, nSpans)
      rb = i + 1
    }
    storeRow(o, k0, la, lb, ry, ry1, nSpans, store, false)
  }
  lineA = la
  lineB = lb
}

/** Whether every FULL column sits on a source pixel centre (weights 1 and 0) and columns follow source columns. */
const onCentres = (n: number, nSpans: number): boolean => {
  const { index, b } = colPlan
  for (let t = 0; t < nSpans; t++) {
    for (let c = spans[2 * t]; c < spans[2 * t + 1]; c++) {
      if (b[c] !== 0) return false
      if (c > spans[2 * t] && index[c] !== index[c - 1] + 1) return false
    }
  }
  return n > 0
}

/** The horizontal sums `s[off]·rx + s[off + 1]·rx1` of one source row over the FULL columns. */
const horizontal = (s: TypedArray, rowOff: number, line: Float64Array, nSpans: number): void => {
  if (s instanceof Uint16Array) horizontalU16(s, rowOff, line, nSpans)
  else horizontalAny(s, rowOff, line, nSpans)
}

// The same loop per source type, so that V8 keeps each element access monomorphic.
const horizontalU16 = (s: Uint16Array, rowOff: number, line: Float64Array, nSpans: number) => {
  const { index, a, b } = colPlan
  for (let t = 0; t < nSpans; t++) {
    const end = spans[2 * t + 1]
    for (let c = spans[2 * t]; c < end; c++) {
      const off = rowOff + index[c]
      line[c] = s[off] * a[c] + s[off + 1] * b[c]
    }
  }
}

const horizontalAny = (s: TypedArray, rowOff: number, line: Float64Array, nSpans: number) => {
  const { index, a, b } = colPlan
  for (let t = 0; t < nSpans; t++) {
    const end = spans[2 * t + 1]
    for (let c = spans[2 * t]; c < end; c++) {
      const off = rowOff + index[c]
      line[c] = s[off] * a[c] + s[off + 1] * b[c]
    }
  }
}

/**
 * One target row from two horizontal lines: `la·ry + lb·ry1`, or `la` alone (`first`: an integer row on the
 * source's centres), rounded half up and clamped for integer stores as `round` (warp.ts).
 */
const storeRow = (
  o: TypedArray,
  k0: number,
  la: Float64Array,
  lb: Float64Array,
  ry: number,
  ry1: number,
  nSpans: number,
  store: Store,
  first: boolean
): void => {
  if (o instanceof Uint16Array && store.integer && store.min === 0 && store.max === 65535) {
    storeU16(o, k0, la, lb, ry, ry1, nSpans, first)
    return
  }
  const integer = store.integer
  const lo = store.min
  const hi = store.max
  for (let t = 0; t < nSpans; t++) {
    const end = spans[2 * t + 1]
    for (let c = spans[2 * t]; c < end; c++) {
      const v = first ? la[c] : la[c] * ry + lb[c] * ry1
      o[k0 + c] = !integer ? v : v < lo ? lo : v > hi ? hi : Math.floor(v + 0.5)
    }
  }
}

const storeU16 = (
  o: Uint16Array,
  k0: number,
  la: Float64Array,
  lb: Float64Array,
  ry: number,
  ry1: number,
  nSpans: number,
  first: boolean
): void => {
  for (let t = 0; t < nSpans; t++) {
    const end = spans[2 * t + 1]
    const from = spans[2 * t]
    if (first) {
      for (let c = from; c < end; c++) {
        const v = la[c]
        o[k0 + c] = v < 0 ? 0 : v > 65535 ? 65535 : Math.floor(v + 0.5)
      }
    } else {
      for (let c = from; c < end; c++) {
        const v = la[c] * ry + lb[c] * ry1
        o[k0 + c] = v < 0 ? 0 : v > 65535 ? 65535 : Math.floor(v + 0.5)
      }
    }
  }
}

/** GWKCubicResample4Sample away from the window's edge over the FULL rows and columns of one band. */
const cubicBand = (
  s: TypedArray,
  o: TypedArray,
  ww: number,
  rect: Rect,
  nSpans: number,
  store: Store
): void => {
  const rows = rowPlan
  for (let j = 0; j < rect.h; j++) {
    if (rows.state[j] !== FULL) continue
    const k0 = (rect.y0 + j) * rect.stride + rect.x0
    cubicRow(s, o, k0, rows.index[j] * ww, ww, rows.a[j], nSpans, store)
  }
}

/** GWKCubicResample4Sample along one target row (same evaluation as warp.ts). */
const cubicRow = (
  s: TypedArray,
  o: TypedArray,
  k0: number,
  rowOff: number,
  ww: number,
  dy: number,
  nSpans: number,
  store: Store
): void => {
  const { index, a } = colPlan
  const integer = store.integer
  const lo = store.min
  const hi = store.max
  for (let t = 0; t < nSpans; t++) {
    const end = spans[2 * t + 1]
    for (let c = spans[2 * t]; c < end; c++) {
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
}
