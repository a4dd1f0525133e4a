// Chip quicklooks by product kind: true colour (else false colour) for optical products, a VV/VH
// composite in dB for SAR, the class palette for categorical layers, a colour ramp for anything else.
import type { Band, DType } from "@eoforge/core"
import * as Canvas from "./Canvas.ts"

/** How a product is drawn. */
export type Kind =
  | {
      readonly kind: "optical"
      readonly bands: readonly [number, number, number]
      readonly name: string
    }
  | { readonly kind: "sar"; readonly bands: ReadonlyArray<number>; readonly linear: boolean }
  | {
      readonly kind: "classes"
      readonly band: number
      readonly palette: ReadonlyMap<number, Canvas.Rgb>
    }
  | { readonly kind: "ramp"; readonly band: number }

/** Per-band display range (stored values), e.g. the train split's 2nd and 98th percentiles. */
export type Ranges = ReadonlyArray<readonly [number, number] | undefined>

const qualitative: ReadonlyArray<Canvas.Rgb> = [
  [31, 119, 180],
  [44, 160, 44],
  [188, 189, 34],
  [214, 39, 40],
  [148, 103, 189],
  [255, 127, 14],
  [140, 86, 75],
  [227, 119, 194],
  [127, 127, 127],
  [23, 190, 207]
]

const hex = (s: string): Canvas.Rgb | undefined => {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(s.trim())
  return m === null ? undefined : [parseInt(m[1], 16), parseInt(m[2], 16), parseInt(m[3], 16)]
}

// Observation counts of composites and quality layers are not colours of the scene.
const isAuxiliary = (b: Band.BandSpec) => /count|observ|nobs|quality|mask/i.test(b.name)

/** The class colours of a categorical band: its `classColours` when given, else a fixed palette. */
export const palette = (band: Band.BandSpec): ReadonlyMap<number, Canvas.Rgb> => {
  const out = new Map<number, Canvas.Rgb>()
  const values = Object.keys(band.classes ?? {})
    .map(Number)
    .filter(Number.isFinite)
    .sort((a, b) => a - b)
  const given = band.classColours
  values.forEach((v, i) => {
    out.set(
      v,
      (given?.[String(v)] === undefined ? undefined : hex(given[String(v)])) ??
        qualitative[i % qualitative.length]
    )
  })
  return out
}

/** How to draw a product, from its band descriptions. */
export const kindOf = (spec: Band.ProductSpec): Kind => {
  const bands = spec.bands
  const cls = bands.findIndex((b) => b.classes !== undefined)
  if (cls >= 0) return { kind: "classes", band: cls, palette: palette(bands[cls]) }
  const sar = bands
    .map((b, i) => [b, i] as const)
    .filter(
      ([b]) =>
        !isAuxiliary(b) &&
        (b.polarisation !== undefined || /^(VV|VH|HH|HV)$/i.test(b.name) || b.unit === "dB")
    )
  if (sar.length > 0) {
    return {
      kind: "sar",
      bands: sar.map(([, i]) => i).slice(0, 2),
      linear: sar.every(([b]) => b.unit !== "dB")
    }
  }
  const near = (nm: number) => {
    let best = -1
    let gap = 60
    bands.forEach((b, i) => {
      if (b.wavelengthNm !== undefined && !isAuxiliary(b) && Math.abs(b.wavelengthNm - nm) < gap) {
        gap = Math.abs(b.wavelengthNm - nm)
        best = i
      }
    })
    return best
  }
  const [r, g, b, nir] = [near(660), near(560), near(490), near(840)]
  if (r >= 0 && g >= 0 && b >= 0) return { kind: "optical", bands: [r, g, b], name: "true colour" }
  if (nir >= 0 && r >= 0 && g >= 0)
    return { kind: "optical", bands: [nir, r, g], name: "false colour (NIR, red, green)" }
  const main = bands.findIndex((b) => !isAuxiliary(b))
  return { kind: "ramp", band: main >= 0 ? main : 0 }
}

// A perceptually ordered ramp (viridis anchors), t in 0–1.
const viridis: ReadonlyArray<Canvas.Rgb> = [
  [68, 1, 84],
  [59, 82, 139],
  [33, 145, 140],
  [94, 201, 98],
  [253, 231, 37]
]
const ramp = (t: number): Canvas.Rgb => {
  const x = Math.max(0, Math.min(1, t)) * (viridis.length - 1)
  const i = Math.min(viridis.length - 2, Math.floor(x))
  const f = x - i
  const a = viridis[i]
  const b = viridis[i + 1]
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f]
}

/** The 2nd and 98th percentiles of the valid values of one band of a chip. */
export const chipRange = (
  values: ArrayLike<number>,
  nodata: number | undefined
): readonly [number, number] | undefined => {
  const v: Array<number> = []
  for (let i = 0; i < values.length; i++) {
    const x = values[i]
    if (Number.isFinite(x) && x !== nodata) v.push(x)
  }
  if (v.length === 0) return undefined
  v.sort((a, b) => a - b)
  return [v[Math.floor(0.02 * (v.length - 1))], v[Math.ceil(0.98 * (v.length - 1))]]
}

/** Missing-data colour in quicklooks. */
export const nodataColour: Canvas.Rgb = [230, 230, 230]

/** Draw one chip [band, y, x] of a product as an RGBA tile. */
export const render = (
  spec: Band.ProductSpec,
  kind: Kind,
  chip: DType.TypedArray,
  height: number,
  width: number,
  ranges: Ranges
): Canvas.Canvas => {
  const tile = Canvas.make(width, height, nodataColour)
  const n = width * height
  const band = (b: number) => chip.subarray(b * n, (b + 1) * n) as DType.TypedArray
  const scaled = (b: number, i: number): number => {
    const spec_ = spec.bands[b]
    const raw = Number(band(b)[i])
    if (!Number.isFinite(raw) || raw === spec_.nodata) return NaN
    return raw
  }
  const rangeOf = (b: number) => ranges[b] ?? chipRange(band(b), spec.bands[b].nodata) ?? [0, 1]
  const put = (i: number, rgb: Canvas.Rgb) => {
    tile.data[i * 4] = rgb[0]
    tile.data[i * 4 + 1] = rgb[1]
    tile.data[i * 4 + 2] = rgb[2]
  }
  if (kind.kind === "classes") {
    for (let i = 0; i < n; i++) {
      const v = scaled(kind.band, i)
      const c = kind.palette.get(v)
      if (c !== undefined) put(i, c)
    }
  } else if (kind.kind === "optical") {
    const rs = kind.bands.map(rangeOf)
    for (let i = 0; i < n; i++) {
      const v = kind.bands.map((b) => scaled(b, i))
      if (v.some(Number.isNaN)) continue
      put(
        i,
        [0, 1, 2].map(
          (k) => (255 * (v[k] - rs[k][0])) / Math.max(1e-12, rs[k][1] - rs[k][0])
        ) as unknown as Canvas.Rgb
      )
    }
  } else if (kind.kind === "sar") {
    // σ⁰ in dB: VV −25…0, VH −30…−5, blue VV − VH 0…15 dB (the usual Sentinel-1 composite).
    const db = (b: number, i: number) => {
      const v = scaled(b, i)
      return kind.linear ? 10 * Math.log10(v) : v
    }
    const stretch = (v: number, lo: number, hi: number) => (255 * (v - lo)) / (hi - lo)
    for (let i = 0; i < n; i++) {
      const vv = db(kind.bands[0], i)
      if (!Number.isFinite(vv)) continue
      if (kind.bands.length < 2) {
        const g = stretch(vv, -25, 0)
        put(i, [g, g, g])
        continue
      }
      const vh = db(kind.bands[1], i)
      if (!Number.isFinite(vh)) continue
      put(i, [stretch(vv, -25, 0), stretch(vh, -30, -5), stretch(vv - vh, 0, 15)])
    }
  } else {
    const [lo, hi] = rangeOf(kind.band)
    for (let i = 0; i < n; i++) {
      const v = scaled(kind.band, i)
      if (!Number.isNaN(v)) put(i, ramp((v - lo) / Math.max(1e-12, hi - lo)))
    }
  }
  return tile
}
