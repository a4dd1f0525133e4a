// Overview levels of a chip: each level a 2 × 2 reduction of the one above (average, nearest or mode), where
// nodata and NaN pixels never contribute unless all four are.
import { DType } from "@eoforge/core"
import type { OverviewResampling } from "../GeoTiffWriter.ts"

/** One level's bands, band-major. */
export interface Level {
  readonly width: number
  readonly height: number
  readonly data: DType.TypedArray
}

/** Whether two values are the same nodata value (NaN equals NaN). */
export const sameNodata = (a: number, b: number): boolean =>
  a === b || (Number.isNaN(a) && Number.isNaN(b))

// One 2 × 2 reduction of every band; invalid (nodata) pixels never contribute unless all four are.
export const reduce = (
  level: Level,
  bands: number,
  dtype: DType.DType,
  how: OverviewResampling,
  nodata: number | undefined
): Level => {
  const { width: w, height: h, data } = level
  const ow = Math.ceil(w / 2)
  const oh = Math.ceil(h / 2)
  const out = DType.alloc(dtype, bands * ow * oh)
  const float = DType.isFloat(dtype)
  const values = [0, 0, 0, 0]
  for (let b = 0; b < bands; b++) {
    const src = b * w * h
    const dst = b * ow * oh
    for (let y = 0; y < oh; y++) {
      for (let x = 0; x < ow; x++) {
        let count = 0
        for (let dy = 0; dy < 2; dy++) {
          const sy = 2 * y + dy
          if (sy >= h) continue
          for (let dx = 0; dx < 2; dx++) {
            const sx = 2 * x + dx
            if (sx >= w) continue
            const v = data[src + sy * w + sx]
            if (nodata !== undefined && sameNodata(v, nodata)) continue
            if (float && Number.isNaN(v)) continue
            values[count++] = v
          }
        }
        let v: number
        if (count === 0) v = nodata ?? data[src + 2 * y * w + 2 * x]
        else if (how === "nearest") v = values[0]
        else if (how === "mode") v = modeOf(values, count)
        else {
          let sum = 0
          for (let i = 0; i < count; i++) sum += values[i]
          v = float ? sum / count : Math.round(sum / count)
        }
        out[dst + y * ow + x] = v
      }
    }
  }
  return { width: ow, height: oh, data: out }
}

// Most frequent of the first `count` values; ties go to the smallest value so the result is stable.
const modeOf = (values: Array<number>, count: number): number => {
  let best = values[0]
  let bestCount = 0
  for (let i = 0; i < count; i++) {
    let c = 0
    for (let j = 0; j < count; j++) if (values[j] === values[i]) c++
    if (c > bestCount || (c === bestCount && values[i] < best)) {
      best = values[i]
      bestCount = c
    }
  }
  return best
}
