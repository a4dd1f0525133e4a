// GDAL's bilinear kernel with masks (warp.ts's `interpolate` over a window holding nodata pixels) for grids
// whose axes are parallel to the image's: the same per-pixel rules with positions, weights and centre pixels
// found once per column and row.
import type { DType } from "@eoforge/core"
import { colPlan, FULL, OUTSIDE, planAxis, rowPlan } from "./axisPlan.ts"
import type { Axes } from "./coordinates.ts"
import { bilinearSample, round, type Rect, type Store, type Window } from "./warp.ts"

type TypedArray = DType.TypedArray

/**
 * `interpolate("bilinear", …)` of a window with nodata pixels over `rect`, bit for bit: a target pixel whose
 * centre source pixel is nodata in any band gets nothing; inside the window's interior, all four neighbours
 * valid, the weights are renormalised by their sum (GWKBilinearResample4Sample); otherwise
 * `bilinearSample` with nodata.
 */
export const bilinearAxesNodata = (
  w: Window,
  positions: Axes,
  nodata: number,
  store: Store,
  out: ReadonlyArray<TypedArray>,
  mask: Uint8Array,
  rect: Rect
): void => {
  planAxis(colPlan, positions.cols, rect.x0, rect.w, w.wx, w.ww, true)
  planAxis(rowPlan, positions.rows, rect.y0, rect.h, w.wy, w.wh, true)
  // One call per row: V8 optimises the row function as a whole (compiling this loop on its own, entered
  // through a short inner loop, it would fall back to slower code at every exit of that inner loop).
  const single = w.bands.length === 1 && !Number.isNaN(nodata)
  for (let j = 0; j < rect.h; j++) {
    if (rowPlan.state[j] === OUTSIDE) continue
    if (single) nodataRowOneBand(w, positions, nodata, store, out[0], mask, rect, j)
    else nodataRow(w, positions, nodata, store, out, mask, rect, j)
  }
}

/** `nodataRow` for a window of one band and a nodata value that is not NaN (one file per band, as Sentinel-2). */
const nodataRowOneBand = (
  w: Window,
  positions: Axes,
  nd: number,
  store: Store,
  o: TypedArray,
  mask: Uint8Array,
  rect: Rect,
  j: number
): void => {
  const s = w.bands[0]
  const ww = w.ww
  const { state, centre, a, b, index } = colPlan
  const rs = rowPlan.state[j]
  const k0 = (rect.y0 + j) * rect.stride + rect.x0
  const centreRow = rowPlan.centre[j] * ww
  const ry = rowPlan.a[j]
  const ry1 = rowPlan.b[j]
  const rowOff = rowPlan.index[j] * ww
  const integer = store.integer
  const lo = store.min
  const hi = store.max
  for (let c = 0; c < rect.w; c++) {
    const cs = state[c]
    if (cs === OUTSIDE || s[centreRow + centre[c]] === nd) continue
    const k = k0 + c
    if (cs === FULL && rs === FULL) {
      const off = rowOff + index[c]
      const v00 = s[off]
      const v10 = s[off + 1]
      const v01 = s[off + ww]
      const v11 = s[off + ww + 1]
      if (v00 !== nd && v10 !== nd && v01 !== nd && v11 !== nd) {
        const rx = a[c]
        const rx1 = b[c]
        const m00 = rx * ry
        const m10 = rx1 * ry
        const m01 = rx * ry1
        const m11 = rx1 * ry1
        const div = m00 + m10 + m01 + m11
        const acc = v00 * m00 + v10 * m10 + v01 * m01 + v11 * m11
        const v = div === 1 ? acc : acc / div
        o[k] = !integer ? v : v < lo ? lo : v > hi ? hi : Math.floor(v + 0.5)
        mask[k] = 1
        continue
      }
    }
    const v = bilinearSample(
      s,
      w,
      positionX(positions, rect, w, c),
      positionY(positions, rect, w, j),
      nd
    )
    if (v === undefined) mask[k] = 0
    else {
      o[k] = round(v, store)
      mask[k] = 1
    }
  }
}

/** One target row of `bilinearAxesNodata`. */
const nodataRow = (
  w: Window,
  positions: Axes,
  nodata: number,
  store: Store,
  out: ReadonlyArray<TypedArray>,
  mask: Uint8Array,
  rect: Rect,
  j: number
): void => {
  const ww = w.ww
  const nb = w.bands.length
  const nd = nodata
  const ndIsNaN = Number.isNaN(nd)
  const cols = colPlan
  const rs = rowPlan.state[j]
  const k0 = (rect.y0 + j) * rect.stride + rect.x0
  const centreRow = rowPlan.centre[j] * ww
  const ry = rowPlan.a[j]
  const ry1 = rowPlan.b[j]
  const rowOff = rowPlan.index[j] * ww
  for (let c = 0; c < rect.w; c++) {
    const cs = cols.state[c]
    if (cs === OUTSIDE) continue
    const centre = centreRow + cols.centre[c]
    let centreValid = true
    for (let b = 0; b < nb; b++) {
      const v = w.bands[b][centre]
      if (v === nd || (ndIsNaN && v !== v)) centreValid = false
    }
    if (!centreValid) continue
    const k = k0 + c
    let ok = 1
    if (cs === FULL && rs === FULL) {
      const rx = cols.a[c]
      const rx1 = cols.b[c]
      const m00 = rx * ry
      const m10 = rx1 * ry
      const m01 = rx * ry1
      const m11 = rx1 * ry1
      const div = m00 + m10 + m01 + m11
      const off = rowOff + cols.index[c]
      for (let b = 0; b < nb; b++) {
        const s = w.bands[b]
        const v00 = s[off]
        const v10 = s[off + 1]
        const v01 = s[off + ww]
        const v11 = s[off + ww + 1]
        if (ndIsNaN || v00 === nd || v10 === nd || v01 === nd || v11 === nd) {
          const sx = positionX(positions, rect, w, c)
          const v = bilinearSample(s, w, sx, positionY(positions, rect, w, j), nodata)
          if (v === undefined) ok = 0
          else out[b][k] = round(v, store)
          continue
        }
        const acc = v00 * m00 + v10 * m10 + v01 * m01 + v11 * m11
        out[b][k] = round(div === 1 ? acc : acc / div, store)
      }
    } else {
      const sx = positionX(positions, rect, w, c)
      const sy = positionY(positions, rect, w, j)
      for (let b = 0; b < nb; b++) {
        const v = bilinearSample(w.bands[b], w, sx, sy, nodata)
        if (v === undefined) ok = 0
        else out[b][k] = round(v, store)
      }
    }
    mask[k] = ok
  }
}

/** Window-relative source x of column c of `rect`. */
const positionX = (positions: Axes, rect: Rect, w: Window, c: number): number =>
  positions.cols[rect.x0 + c] - w.wx

/** Window-relative source y of row j of `rect`. */
const positionY = (positions: Axes, rect: Rect, w: Window, j: number): number =>
  positions.rows[rect.y0 + j] - w.wy
