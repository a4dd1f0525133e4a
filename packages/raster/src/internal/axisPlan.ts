// Where each target column or row of a grid parallel to the image falls in a source window: its state, the
// kernel's first source index and weights, found once per column and row instead of once per pixel.

// Per column or row: outside the window (skipped, as GDAL's GWKCheckAndComputeSrcOffsets), inside with the
// whole 2 × 2 (bilinear) or 4 × 4 (cubic) neighbourhood in the window, or inside near its edge.
/** Outside the window. */
export const OUTSIDE = 0
/** Inside, the kernel's neighbourhood in the window. */
export const FULL = 1
/** Inside, near the window's edge. */
export const EDGE = 2

/** `inside` of warp.ts along one axis: it is the conjunction of the same test on x and on y. */
const insideAxis = (r: number, size: number): boolean =>
  r >= 0 && !(r + 1e-10 > size) && Math.trunc(r + 1e-10) !== size

/** Per position of one axis: state, first source index, weights (see `planAxis`), nearest source index. */
export interface AxisPlan {
  state: Uint8Array
  index: Int32Array
  a: Float64Array
  b: Float64Array
  /** The source pixel containing the position, trunc(s + 1e-10) (warp.ts's centre pixel). */
  centre: Int32Array
}

const emptyPlan = (): AxisPlan => ({
  state: new Uint8Array(0),
  index: new Int32Array(0),
  a: new Float64Array(0),
  b: new Float64Array(0),
  centre: new Int32Array(0)
})

// The plans of the columns and rows of the current call, reused by every call (the kernels are synchronous):
// allocating small typed arrays per band costs more than filling them in a process holding many buffers.
/** The columns' plan of the current call. */
export const colPlan = emptyPlan()
/** The rows' plan of the current call. */
export const rowPlan = emptyPlan()

/**
 * Fills `p` per position of one axis (window-relative `s`): its state, first source index and the two
 * weights bilinear uses (r, 1 − r), or the cubic's first index and fraction (in `a`; `b` unused).
 */
export const planAxis = (
  p: AxisPlan,
  positions: Float64Array,
  from: number,
  count: number,
  origin: number,
  size: number,
  bilinear: boolean
): void => {
  if (p.state.length < count) {
    const n = Math.max(count, 2 * p.state.length)
    p.state = new Uint8Array(n)
    p.index = new Int32Array(n)
    p.a = new Float64Array(n)
    p.b = new Float64Array(n)
    p.centre = new Int32Array(n)
  }
  const { state, index, a, b, centre } = p
  for (let c = 0; c < count; c++) {
    const s = positions[from + c] - origin
    if (!insideAxis(s, size)) {
      state[c] = OUTSIDE
      continue
    }
    centre[c] = Math.trunc(s + 1e-10)
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
}
