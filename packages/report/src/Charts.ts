// Chart figures: availability per product × slot as stacked bars by reason code, per-band histograms,
// and the histogram accumulation they are drawn from.
import { Reason } from "@eoforge/core"
import * as Canvas from "./Canvas.ts"

/** Colour of each reason code in the availability figure (Ok green, Pending grey, failures warm). */
export const reasonColours: Readonly<Record<number, Canvas.Rgb>> = {
  0: [44, 160, 44],
  1: [200, 200, 200],
  2: [255, 187, 120],
  3: [174, 199, 232],
  4: [197, 176, 213],
  5: [214, 39, 40],
  6: [255, 152, 150],
  7: [140, 86, 75],
  8: [127, 127, 127],
  9: [227, 119, 194]
}

/** Counts by reason code for one product slot. */
export type ReasonCounts = ReadonlyArray<number>

/** Count reason codes of slot t (sample-major reason array of `times` slots). */
export const countReasons = (reason: Uint8Array, times: number, t: number): ReasonCounts => {
  // Sized by the largest code, not the count: codes need not be contiguous.
  const out = new Array<number>(Math.max(...Reason.all.map(([, c]) => c)) + 1).fill(0)
  for (let i = t; i < reason.length; i += times) {
    const code = reason[i]
    if (code < out.length) out[code]++
  }
  return out
}

/** One horizontal bar per row, split by reason code in proportion to its count. */
export const availability = (
  rows: ReadonlyArray<ReasonCounts>,
  width = 640,
  rowHeight = 18
): Canvas.Canvas => {
  const c = Canvas.make(width, Math.max(1, rows.length * rowHeight))
  rows.forEach((counts, r) => {
    const total = counts.reduce((a, b) => a + b, 0)
    let x = 0
    counts.forEach((n, code) => {
      if (n === 0 || total === 0) return
      const w = (n / total) * width
      Canvas.fillRect(c, x, r * rowHeight + 2, w, rowHeight - 4, reasonColours[code] ?? [0, 0, 0])
      x += w
    })
  })
  return c
}

/** A histogram of one band: fixed bins between lo and hi; out-of-range values clamp to the ends. */
export interface Histogram {
  readonly lo: number
  readonly hi: number
  readonly counts: Float64Array
}

/** Accumulate finite values other than nodata into a histogram of `bins` bins. */
export const histogram = (
  values: ReadonlyArray<ArrayLike<number>>,
  nodata: number | undefined,
  bins = 64
): Histogram | undefined => {
  let lo = Infinity
  let hi = -Infinity
  for (const v of values) {
    for (let i = 0; i < v.length; i++) {
      const x = v[i]
      if (!Number.isFinite(x) || x === nodata) continue
      if (x < lo) lo = x
      if (x > hi) hi = x
    }
  }
  if (!(lo <= hi)) return undefined
  if (hi === lo) hi = lo + 1
  const counts = new Float64Array(bins)
  for (const v of values) {
    for (let i = 0; i < v.length; i++) {
      const x = v[i]
      if (!Number.isFinite(x) || x === nodata) continue
      counts[Math.min(bins - 1, Math.floor(((x - lo) / (hi - lo)) * bins))]++
    }
  }
  return { lo, hi, counts }
}

/** Bars of a histogram (square-root heights, so small counts stay visible). */
export const histogramFigure = (
  h: Histogram,
  width = 256,
  height = 96,
  colour: Canvas.Rgb = [59, 82, 139]
): Canvas.Canvas => {
  const c = Canvas.make(width, height)
  const max = Math.sqrt(Math.max(...h.counts))
  const w = width / h.counts.length
  h.counts.forEach((n, i) => {
    const bar = max === 0 ? 0 : (Math.sqrt(n) / max) * (height - 4)
    Canvas.fillRect(c, i * w, height - bar, Math.max(1, w - 1), bar, colour)
  })
  Canvas.line(c, 0, height - 1, width, height - 1, [120, 120, 120])
  return c
}
