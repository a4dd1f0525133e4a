// Test fixtures for @eoforge/stats: seeded chips and exact reference statistics.
// References use BigInt integer sums or Shewchuk's exact float summation (Python's math.fsum).
import { Crs, DType, PixelGrid, type Chip } from "@eoforge/core"

/** A small seeded PRNG (mulberry32) returning floats in [0, 1). */
export const prng = (seed: number) => {
  let a = seed >>> 0
  return (): number => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A standard normal deviate from two uniforms (Box–Muller). */
export const gauss = (rand: () => number): number =>
  Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand())

/** A chip of `bands` × `size` × `size` values of `dtype` from `value(band, index)`. */
export const chip = (
  dtype: DType.DType,
  bands: number,
  size: number,
  value: (band: number, index: number) => number,
  mask?: Uint8Array
): Chip.Chip => {
  const n = size * size
  const data = DType.alloc(dtype, bands * n)
  for (let b = 0; b < bands; b++) for (let i = 0; i < n; i++) data[b * n + i] = value(b, i)
  return {
    grid: PixelGrid.make(Crs.epsg(32633), 500_000, 4_000_000, 10, size, size),
    dtype,
    bands,
    data,
    mask
  }
}

/** Shewchuk's exact summation of floats, rounded once at the end (as Python's math.fsum). */
export const fsum = (xs: Iterable<number>): number => {
  const partials: Array<number> = []
  for (let x of xs) {
    let i = 0
    for (let y of partials) {
      if (Math.abs(x) < Math.abs(y)) [x, y] = [y, x]
      const hi = x + y
      const lo = y - (hi - x)
      if (lo !== 0) partials[i++] = lo
      x = hi
    }
    partials.length = i
    partials.push(x)
  }
  return partials.reduce((s, p) => s + p, 0)
}

/** The valid values of band `b` of a chip (nodata, NaN and masked values removed). */
export const validValues = (c: Chip.Chip, b: number, nodata?: number): Array<number> => {
  const n = c.grid.width * c.grid.height
  const out: Array<number> = []
  for (let i = 0; i < n; i++) {
    const v = c.data[b * n + i]
    const m = c.mask === undefined ? 1 : c.mask.length === n ? c.mask[i] : c.mask[b * n + i]
    if (m === 1 && v === v && v !== nodata) out.push(v)
  }
  return out
}

/** numpy's default (linear) percentile of a list of values. */
export const numpyPercentile = (values: ReadonlyArray<number>, p: number): number => {
  const s = [...values].sort((x, y) => x - y)
  const h = ((s.length - 1) * p) / 100
  const k = Math.floor(h)
  const k1 = Math.min(k + 1, s.length - 1)
  return s[k] + (h - k) * (s[k1] - s[k])
}

/** Relative difference |a − b| / |b| (absolute when b is 0). */
export const rel = (a: number, b: number): number =>
  b === 0 ? Math.abs(a - b) : Math.abs(a - b) / Math.abs(b)
