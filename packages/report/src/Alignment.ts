// The alignment check: for each sample and each pair of products covering the same patch, the sub-pixel
// offset between them, by phase correlation of their edge images on the coarser product's grid.
import type { DType } from "@eoforge/core"
import type { Layout } from "@eoforge/zarr"
import type * as Collect from "./Collect.ts"
import * as PhaseCorrelation from "./PhaseCorrelation.ts"
import * as Quicklook from "./Quicklook.ts"

/** One measured offset. */
export interface Measurement {
  readonly sample: number
  readonly id: string
  /** "a/b": b's offset relative to a. */
  readonly pair: string
  /** Pixels of the coarser product, +x east, +y south. */
  readonly dx: number
  readonly dy: number
  readonly peak: number
  /** Pixel size of the grid the offset is measured on, metres. */
  readonly pixelM: number
}

/** Offsets above this many pixels are flagged. */
export const outlierPx = 0.5
/** Correlation peaks below this are "no common structure": listed, not flagged. */
export const minPeak = 0.3

/** Product pairs covering the same patch extent whose resolutions are integer multiples. */
export const pairs = (
  products: ReadonlyArray<Layout.ProductLayout>
): ReadonlyArray<readonly [Layout.ProductLayout, Layout.ProductLayout]> => {
  const out: Array<readonly [Layout.ProductLayout, Layout.ProductLayout]> = []
  for (let i = 0; i < products.length; i++) {
    for (let j = i + 1; j < products.length; j++) {
      const a = products[i]
      const b = products[j]
      const ea = a.width * a.spec.resolution
      const eb = b.width * b.spec.resolution
      const ratio =
        Math.max(a.spec.resolution, b.spec.resolution) /
        Math.min(a.spec.resolution, b.spec.resolution)
      if (Math.abs(ea - eb) > 1e-6 * ea || Math.abs(ratio - Math.round(ratio)) > 1e-9) continue
      if (a.width < 8 || b.width < 8 || a.height !== a.width || b.height !== b.width) continue
      out.push([a, b])
    }
  }
  return out
}

// One chip of a product as a float image: mean of its scene bands (nodata → NaN), or class values.
const image = (p: Layout.ProductLayout, data: DType.TypedArray): Float64Array => {
  const n = p.width * p.height
  const kind = Quicklook.kindOf(p.spec)
  const bands = kind.kind === "classes" || kind.kind === "ramp" ? [kind.band] : kind.bands
  const out = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    let s = 0
    for (const b of bands) {
      const v = Number(data[b * n + i])
      const nodata = p.spec.bands[b].nodata
      s += v === nodata || !Number.isFinite(v) ? NaN : v
    }
    out[i] = s / bands.length
  }
  return out
}

// Edge image of a product slot, averaged down by an integer factor onto the coarser grid.
const edgeImage = (p: Layout.ProductLayout, data: DType.TypedArray, factor: number) => {
  const img = image(p, data)
  const e =
    Quicklook.kindOf(p.spec).kind === "classes"
      ? PhaseCorrelation.classEdges(img, p.width, p.height)
      : PhaseCorrelation.edges(img, p.width, p.height)
  if (factor === 1) return e
  const w = p.width / factor
  const h = p.height / factor
  const out = new Float64Array(w * h)
  for (let y = 0; y < p.height; y++) {
    for (let x = 0; x < p.width; x++) {
      out[Math.floor(y / factor) * w + Math.floor(x / factor)] +=
        e[y * p.width + x] / (factor * factor)
    }
  }
  return out
}

/** Offsets of every pair of one sample (pairs where either product has no data are skipped). */
export const measureSample = (
  sample: Collect.SampleChips,
  productPairs: ReturnType<typeof pairs>
): ReadonlyArray<Measurement> => {
  const out: Array<Measurement> = []
  for (const [a, b] of productPairs) {
    const ca = sample.chips[a.spec.id] ?? []
    const cb = sample.chips[b.spec.id] ?? []
    // Each product's first slot holding data: the geometry is the same in every slot.
    const ta = ca.findIndex((c) => c !== undefined)
    const tb = cb.findIndex((c) => c !== undefined)
    if (ta < 0 || tb < 0) continue
    const pixelM = Math.max(a.spec.resolution, b.spec.resolution)
    const ea = edgeImage(a, ca[ta]!, pixelM / a.spec.resolution)
    const eb = edgeImage(b, cb[tb]!, pixelM / b.spec.resolution)
    const w = (a.width * a.spec.resolution) / pixelM
    const o = PhaseCorrelation.measure(ea, eb, w, w)
    out.push({
      sample: sample.index,
      id: sample.id,
      pair: `${a.spec.id}/${b.spec.id}`,
      ...o,
      pixelM
    })
  }
  return out
}

/** Summary of one pair's offsets. */
export interface PairSummary {
  readonly pair: string
  readonly measured: number
  /** Measurements with a correlation peak ≥ minPeak. */
  readonly reliable: number
  readonly medianPx: number
  readonly p95Px: number
  readonly maxPx: number
  readonly meanDx: number
  readonly meanDy: number
  readonly outliers: ReadonlyArray<Measurement>
}

const quantile = (sorted: ReadonlyArray<number>, q: number) =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]

/** Per pair: distribution of the reliable offsets' magnitudes and the outliers above 0.5 px. */
export const summarise = (ms: ReadonlyArray<Measurement>): ReadonlyArray<PairSummary> => {
  const byPair = new Map<string, Array<Measurement>>()
  for (const m of ms) byPair.set(m.pair, [...(byPair.get(m.pair) ?? []), m])
  return [...byPair].map(([pair, list]) => {
    const ok = list.filter((m) => m.peak >= minPeak)
    const mags = ok.map((m) => Math.hypot(m.dx, m.dy)).sort((x, y) => x - y)
    const mean = (f: (m: Measurement) => number) =>
      ok.length === 0 ? NaN : ok.reduce((s, m) => s + f(m), 0) / ok.length
    return {
      pair,
      measured: list.length,
      reliable: ok.length,
      medianPx: quantile(mags, 0.5),
      p95Px: quantile(mags, 0.95),
      maxPx: mags.length === 0 ? NaN : mags[mags.length - 1],
      meanDx: mean((m) => m.dx),
      meanDy: mean((m) => m.dy),
      outliers: ok.filter((m) => Math.hypot(m.dx, m.dy) > outlierPx)
    }
  })
}
