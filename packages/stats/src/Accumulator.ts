// A mergeable per-band statistics accumulator: count, mean, M2, min, max and a fixed-bin histogram.
// Chips are summarised with exact integer sums (8/16-bit) or a corrected two-pass (floats), merged with Chan et al.
import type { Band, Chip, DType } from "@eoforge/core"
import * as Binning from "./Binning.ts"
import { intBlock, intExact, intLut, floatLinear, onesMask } from "./internal/kernels.ts"
import { occupiedSlots, slotOf } from "./internal/occupied.ts"
import { decodeJson, encodeJson, type AccumulatorJson } from "./internal/json.ts"
export { finalize, percentile } from "./internal/summary.ts"
import {
  BandCountMismatch,
  ChipShapeError,
  DTypeMismatch,
  InvalidBinning,
  InvalidStatsJson,
  LayoutMismatch
} from "./StatsError.ts"

/**
 * Statistics of every band of one product. Fields are typed arrays indexed by band; `add` updates them
 * in place, every other function leaves its inputs alone.
 */
export interface Accumulator {
  /** Band names, in stored order. */
  readonly names: ReadonlyArray<string>
  /** The pixel dtype of the chips added. */
  readonly dtype: DType.DType
  /** Per band stored value meaning "no data" (excluded), or undefined. */
  readonly nodata: ReadonlyArray<number | undefined>
  /** The histogram layout, shared by every band. */
  readonly binning: Binning.Binning
  /** Per band number of valid values. */
  readonly count: Float64Array
  /** Per band mean of valid values (0 when count is 0). */
  readonly mean: Float64Array
  /** Per band sum of squared deviations from the mean (M2). */
  readonly m2: Float64Array
  /** Per band minimum (+Infinity when count is 0). */
  readonly min: Float64Array
  /** Per band maximum (−Infinity when count is 0). */
  readonly max: Float64Array
  /** bands × Binning.slots(binning) counts, band-major. */
  readonly histogram: Float64Array
}

/** Options of `empty`. */
export interface Options {
  /** The dtype of the chips that will be added. */
  readonly dtype: DType.DType
  /** Band names (default "0", "1", …). */
  readonly names?: ReadonlyArray<string>
  /** Nodata value for every band, or per band. */
  readonly nodata?: number | ReadonlyArray<number | undefined>
  /** Histogram layout (default `Binning.forDType(dtype, range, bins)`). */
  readonly binning?: Binning.Binning
  /** [lo, hi) of the linear histogram for float / 32-bit data. */
  readonly range?: readonly [number, number]
  /** Number of linear histogram bins (default 65536). */
  readonly bins?: number
}

/** Finalised statistics of one band, shaped like the per-band rows of SSL4EO-S12 Tables XII/XIII. */
export interface BandSummary {
  /** Band name. */
  readonly band: string
  /** Number of valid values. */
  readonly count: number
  /** Mean of valid values (NaN when count is 0). */
  readonly mean: number
  /** Population standard deviation √(M2 / n), as numpy's `std()` and the papers' tables. */
  readonly populationStd: number
  /** Sample standard deviation √(M2 / (n − 1)), as torch's `std()`. */
  readonly sampleStd: number
  /** Smallest valid value. */
  readonly min: number
  /** Largest valid value. */
  readonly max: number
  /** 1st percentile (numpy's linear interpolation between order statistics). */
  readonly p1: number
  /** 2nd percentile. */
  readonly p2: number
  /** Median. */
  readonly p50: number
  /** 98th percentile. */
  readonly p98: number
  /** 99th percentile. */
  readonly p99: number
  /** Largest error of the percentiles above for values inside the binned range (0: exact). */
  readonly percentileErrorBound: number
}

const intDTypes: Partial<Record<DType.DType, true>> = {
  uint8: true,
  int8: true,
  uint16: true,
  int16: true
}

const checkBinning = (dtype: DType.DType, binning: Binning.Binning): Binning.Binning => {
  if (binning._tag === "Exact") {
    const lo = dtype === "uint8" ? 0 : dtype === "int8" ? -128 : dtype === "uint16" ? 0 : -32768
    const hi = dtype === "uint8" ? 255 : dtype === "int8" ? 127 : dtype === "uint16" ? 65535 : 32767
    if (!intDTypes[dtype] || binning.lo > lo || binning.lo + binning.bins - 1 < hi) {
      throw new InvalidBinning({
        detail: `exact bins ${JSON.stringify(binning)} do not cover every ${dtype} value; use Binning.forDType`
      })
    }
  }
  return binning
}

/** An accumulator for `bands` bands with nothing added yet. */
export const empty = (bands: number, options: Options): Accumulator => {
  const binning = checkBinning(
    options.dtype,
    options.binning ?? Binning.forDType(options.dtype, options.range, options.bins)
  )
  const nd = options.nodata
  const nodata = Array.from({ length: bands }, (_, b) =>
    typeof nd === "number" ? nd : nd === undefined ? undefined : nd[b]
  )
  if (options.names !== undefined && options.names.length !== bands) {
    throw new BandCountMismatch({ expected: bands, actual: options.names.length })
  }
  const names = options.names ?? Array.from({ length: bands }, (_, b) => String(b))
  return {
    names,
    dtype: options.dtype,
    nodata,
    binning,
    count: new Float64Array(bands),
    mean: new Float64Array(bands),
    m2: new Float64Array(bands),
    min: new Float64Array(bands).fill(Infinity),
    max: new Float64Array(bands).fill(-Infinity),
    histogram: new Float64Array(bands * Binning.slots(binning))
  }
}

/** An empty accumulator for a product: its bands, names, dtype and nodata values. */
export const fromProduct = (
  product: Band.ProductSpec,
  options?: Pick<Options, "binning" | "range" | "bins">
): Accumulator =>
  empty(product.bands.length, {
    ...options,
    dtype: product.dtype,
    names: product.bands.map((b) => b.name),
    nodata: product.bands.map((b) => b.nodata)
  })

/** Number of bands. */
export const bands = (acc: Accumulator): number => acc.names.length

/**
 * Merges into band `b` of `acc`, in place, the summary (count, mean, M2, min, max) of other values of that
 * band: Chan et al.'s pairwise update, the arithmetic `merge` applies per band (histograms apart).
 */
export const mergeBand = (
  acc: Accumulator,
  b: number,
  n: number,
  mean: number,
  m2: number,
  mn: number,
  mx: number
): void => {
  if (n === 0) return
  const na = acc.count[b]
  if (na === 0) {
    acc.count[b] = n
    acc.mean[b] = mean
    acc.m2[b] = m2
  } else {
    const total = na + n
    const delta = mean - acc.mean[b]
    acc.count[b] = total
    acc.mean[b] += (delta * n) / total
    acc.m2[b] += m2 + ((delta * delta * na) / total) * n
  }
  if (mn < acc.min[b]) acc.min[b] = mn
  if (mx > acc.max[b]) acc.max[b] = mx
}

const lutCache = new Map<string, Int32Array>()

const lutFor = (dtype: DType.DType, binning: Binning.Linear): Int32Array => {
  const key = `${dtype}:${binning.lo}:${binning.hi}:${binning.bins}`
  let lut = lutCache.get(key)
  if (lut === undefined) {
    const lo = dtype === "uint8" || dtype === "uint16" ? 0 : dtype === "int8" ? -128 : -32768
    const size = dtype === "uint8" || dtype === "int8" ? 256 : 65536
    lut = new Int32Array(size)
    for (let i = 0; i < size; i++) lut[i] = slotOf(binning, lo + i)
    lutCache.set(key, lut)
  }
  return lut
}

const out = new Float64Array(5)

/**
 * Adds the valid values of a band-major chip, updating `acc` in place and returning it. Values equal to
 * the band's nodata, NaN and values whose mask is 0 are skipped; `mask` (default `chip.mask`) is per
 * pixel (height × width) or per band-pixel (bands × height × width). Throws `BandCountMismatch`,
 * `DTypeMismatch` or `ChipShapeError`.
 */
export const add = (acc: Accumulator, chip: Chip.Chip, mask?: Uint8Array): Accumulator => {
  const nb = acc.names.length
  if (chip.bands !== nb) throw new BandCountMismatch({ expected: nb, actual: chip.bands })
  if (chip.dtype !== acc.dtype) throw new DTypeMismatch({ expected: acc.dtype, actual: chip.dtype })
  const n = chip.grid.width * chip.grid.height
  const data = chip.data
  if (data.length !== nb * n) {
    throw new ChipShapeError({ what: "data", expected: `${nb} × ${n}`, actual: data.length })
  }
  const m = mask ?? chip.mask
  if (m !== undefined && m.length !== n && m.length !== nb * n) {
    throw new ChipShapeError({
      what: "mask",
      expected: `${n} or ${nb} × ${n}`,
      actual: m.length
    })
  }
  const perPixel = m !== undefined && m.length === n
  const binning = acc.binning
  const slots = Binning.slots(binning)
  const isInt = intDTypes[acc.dtype] === true
  const lut = isInt && binning._tag === "Linear" ? lutFor(acc.dtype, binning) : undefined
  const lutLo = acc.dtype === "int8" ? -128 : acc.dtype === "int16" ? -32768 : 0
  for (let b = 0; b < nb; b++) {
    const nd = acc.nodata[b] ?? NaN
    const base = b * n
    const shift = perPixel ? base : 0
    const hBase = b * slots
    if (isInt) {
      for (let s = base; s < base + n; s += intBlock) {
        const e = Math.min(s + intBlock, base + n)
        if (lut === undefined) {
          intExact(data, s, e, m, shift, nd, acc.histogram, hBase - binning.lo, out)
        } else {
          const mk = m ?? onesMask(n)
          intLut(
            data,
            s,
            e,
            mk,
            m === undefined ? base : shift,
            nd,
            acc.histogram,
            hBase,
            lut,
            lutLo,
            out
          )
        }
        mergeBand(acc, b, out[0], out[1], out[2], out[3], out[4])
      }
    } else {
      const lin = binning as Binning.Linear
      const mk = m ?? onesMask(n)
      const sh = m === undefined ? base : shift
      floatLinear(
        data,
        base,
        base + n,
        mk,
        sh,
        nd,
        acc.histogram,
        hBase,
        lin.lo,
        lin.hi,
        lin.bins,
        out
      )
      mergeBand(acc, b, out[0], out[1], out[2], out[3], out[4])
    }
  }
  return acc
}

const sameLayout = (a: Accumulator, b: Accumulator): void => {
  if (a.names.length !== b.names.length) {
    throw new BandCountMismatch({ expected: a.names.length, actual: b.names.length })
  }
  if (a.dtype !== b.dtype) throw new DTypeMismatch({ expected: a.dtype, actual: b.dtype })
  if (!Binning.equals(a.binning, b.binning)) {
    throw new LayoutMismatch({
      detail: `histograms ${JSON.stringify(a.binning)} vs ${JSON.stringify(b.binning)}`
    })
  }
  for (let i = 0; i < a.nodata.length; i++) {
    if (!Object.is(a.nodata[i], b.nodata[i])) {
      throw new LayoutMismatch({ detail: `band ${i} nodata ${a.nodata[i]} vs ${b.nodata[i]}` })
    }
  }
}

/** An independent copy. */
export const clone = (acc: Accumulator): Accumulator => ({
  ...acc,
  count: acc.count.slice(),
  mean: acc.mean.slice(),
  m2: acc.m2.slice(),
  min: acc.min.slice(),
  max: acc.max.slice(),
  histogram: acc.histogram.slice()
})

/**
 * The statistics of the union of the values behind `a` and `b` (Chan et al.); neither input changes.
 * Throws `BandCountMismatch`, `DTypeMismatch` or `LayoutMismatch` when they were made differently.
 */
export const merge = (a: Accumulator, b: Accumulator): Accumulator => {
  sameLayout(a, b)
  const r = clone(a)
  addHistograms(r, b)
  for (let i = 0; i < r.names.length; i++) {
    mergeBand(r, i, b.count[i], b.mean[i], b.m2[i], b.min[i], b.max[i])
  }
  return r
}

/** Adds `b`'s histograms to `a`'s over the slots of `b`'s ranges (the others hold no counts). */
const addHistograms = (a: Accumulator, b: Accumulator): void => {
  const slots = Binning.slots(b.binning)
  const h = a.histogram
  const hb = b.histogram
  for (let band = 0; band < b.names.length; band++) {
    const base = band * slots
    const [first, last] = occupiedSlots(b.binning, slots, b.count[band], b.min[band], b.max[band])
    for (let i = base + first; i <= base + last; i++) h[i] += hb[i]
  }
}

/**
 * Adds the values behind `b` to `a` in place (the same arithmetic as `merge`, without copying `a`): for
 * merging many shards into one running total in bounded memory. Returns `a`.
 */
export const mergeInto = (a: Accumulator, b: Accumulator): Accumulator => {
  sameLayout(a, b)
  addHistograms(a, b)
  for (let i = 0; i < a.names.length; i++) {
    mergeBand(a, i, b.count[i], b.mean[i], b.m2[i], b.min[i], b.max[i])
  }
  return a
}

/** The JSON form of an accumulator (plain numbers; histograms as sparse [slot, count] pairs). */
export type Json = AccumulatorJson

/** A JSON-serialisable form; `fromJson(JSON.parse(JSON.stringify(toJson(acc))))` equals `acc` exactly. */
export const toJson = (acc: Accumulator): Json => encodeJson(acc)

/** The accumulator of a JSON form (e.g. partial statistics from another worker); throws `InvalidStatsJson`. */
export const fromJson = (json: unknown): Accumulator => {
  const d = decodeJson(json)
  const binning = checkBinning(d.dtype, d.binning)
  const nb = d.names.length
  const acc = empty(nb, { dtype: d.dtype, names: d.names, binning })
  const slots = Binning.slots(binning)
  for (let b = 0; b < nb; b++) {
    ;(acc.nodata as Array<number | undefined>)[b] = d.nodata[b] ?? undefined
    acc.count[b] = d.count[b]
    acc.mean[b] = d.mean[b]
    acc.m2[b] = d.m2[b]
    acc.min[b] = d.min[b] ?? Infinity
    acc.max[b] = d.max[b] ?? -Infinity
    const pairs = d.histogram[b]
    const [first, last] = occupiedSlots(binning, slots, acc.count[b], acc.min[b], acc.max[b])
    for (let i = 0; i + 1 < pairs.length; i += 2) {
      const slot = pairs[i]
      if (!Number.isInteger(slot) || slot < 0 || slot >= slots) {
        throw new InvalidStatsJson({
          detail: `band ${b} histogram slot ${slot} outside 0..${slots - 1}`
        })
      }
      // Counts only in the slots of the band's min..max (what readers of whole histograms rely on).
      if (pairs[i + 1] !== 0 && (slot < first || slot > last)) {
        throw new InvalidStatsJson({
          detail: `band ${b} histogram slot ${slot} holds values outside its min..max (slots ${first}..${last})`
        })
      }
      acc.histogram[b * slots + slot] = pairs[i + 1]
    }
  }
  return acc
}
