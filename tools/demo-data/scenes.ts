// The demo's rasters for generate.ts: the real Olinda scene read back, its Landsat 7 bands, and the documented
// synthetic seasonal scenes (seeded clouds) and land cover derived from it, as chips on its grid.
import type { Band, Chip } from "@eoforge/core"
import { fromFile } from "geotiff"
import { mulberry32 } from "./random.ts"

/** SIRGAS 2000 / UTM 25S, the grid of every demo raster. */
export const EPSG = 31985

export interface Raster {
  readonly width: number
  readonly height: number
  readonly x0: number
  readonly y0: number
  readonly resolution: number
  readonly bands: ReadonlyArray<ArrayLike<number>>
}

export const readTiff = async (path: string): Promise<Raster> => {
  const image = await (await fromFile(path)).getImage()
  const rasters = (await image.readRasters({ interleave: false })) as unknown as ArrayLike<
    ArrayLike<number>
  >
  const [x0, y0] = image.getOrigin()
  return {
    width: image.getWidth(),
    height: image.getHeight(),
    x0,
    y0,
    resolution: image.getResolution()[0],
    bands: Array.from({ length: image.getSamplesPerPixel() }, (_, b) => rasters[b])
  }
}

export const LS7_BANDS: ReadonlyArray<Band.BandSpec & { common: string; fwhm: number }> = [
  { name: "B1", description: "Blue", wavelengthNm: 485, common: "blue", fwhm: 70 },
  { name: "B2", description: "Green", wavelengthNm: 560, common: "green", fwhm: 80 },
  { name: "B3", description: "Red", wavelengthNm: 660, common: "red", fwhm: 60 },
  { name: "B4", description: "Near infrared", wavelengthNm: 835, common: "nir", fwhm: 130 },
  {
    name: "B5",
    description: "Shortwave infrared 1",
    wavelengthNm: 1650,
    common: "swir16",
    fwhm: 200
  },
  {
    name: "B7",
    description: "Shortwave infrared 2",
    wavelengthNm: 2220,
    common: "swir22",
    fwhm: 260
  }
].map((b) => ({ ...b, unit: "DN", nodata: 0 }))

export const CLASSES = [
  { value: 1, name: "water", description: "MNDWI > 0.1" },
  { value: 2, name: "dense_vegetation", description: "NDVI > 0.3" },
  { value: 3, name: "sparse_vegetation", description: "0.1 < NDVI ≤ 0.3" },
  { value: 4, name: "built_up_or_bare", description: "everything else" }
]

/**
 * A synthetic season: per-band gain and offset (greener NIR in the rainy season, brighter red and SWIR in the
 * dry season), a haze ramp from west to east, and seeded clouds covering `cloud` of the scene.
 */
export interface Season {
  readonly date: string
  readonly gain: ReadonlyArray<number>
  readonly offset: ReadonlyArray<number>
  readonly haze: number
  readonly cloud: number
  readonly seed: number
}

export const SEASONS: ReadonlyArray<Season> = [
  {
    date: "2002-03-20",
    gain: [1.0, 1.0, 0.97, 1.08, 0.98, 0.96],
    offset: [2, 1, 0, 0, 0, 0],
    haze: 4,
    cloud: 0.031,
    seed: 1
  },
  {
    date: "2002-06-05",
    gain: [1.02, 1.02, 0.95, 1.15, 0.95, 0.92],
    offset: [6, 4, 2, 0, 0, 0],
    haze: 10,
    cloud: 0.47,
    seed: 2
  },
  {
    date: "2002-06-21",
    gain: [1.02, 1.02, 0.95, 1.15, 0.95, 0.92],
    offset: [5, 3, 1, 0, 0, 0],
    haze: 8,
    cloud: 0.068,
    seed: 3
  },
  {
    date: "2002-09-22",
    gain: [0.98, 1.0, 1.04, 0.97, 1.06, 1.08],
    offset: [0, 0, 0, -2, 0, 0],
    haze: 2,
    cloud: 0.0,
    seed: 4
  },
  {
    date: "2002-12-21",
    gain: [0.97, 0.99, 1.08, 0.92, 1.1, 1.12],
    offset: [-1, 0, 1, -3, 2, 2],
    haze: 1,
    cloud: 0.019,
    seed: 5
  }
]

// A smooth field of random Gaussian blobs; its top `fraction` quantile is the cloud mask, so the cover is exact.
const clouds = (seed: number, w: number, h: number, fraction: number): Float32Array => {
  const random = mulberry32(0xc10d + seed)
  const field = new Float32Array(w * h)
  for (let k = 0; k < 40; k++) {
    const cx = random() * w
    const cy = random() * h
    const s = 8 + random() * 40
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const d2 = ((x - cx) ** 2 + (y - cy) ** 2) / (2 * s * s)
        if (d2 < 9) field[y * w + x] += Math.exp(-d2)
      }
    }
  }
  const opacity = new Float32Array(w * h)
  const count = Math.round(fraction * w * h)
  if (count === 0) return opacity
  const sorted = Float32Array.from(field).sort()
  const threshold = sorted[w * h - count]
  const top = sorted[w * h - 1]
  for (let i = 0; i < field.length; i++) {
    // ≥ threshold is cloud; opacity rises from 0.35 at the edge to 1 in the core.
    if (field[i] >= threshold)
      opacity[i] = 0.35 + (0.65 * (field[i] - threshold)) / (top - threshold)
  }
  return opacity
}

const CLOUD_DN = [235, 230, 228, 220, 190, 160]

export const seasonal = (ls7: Raster, s: Season): { chip: Chip.Chip; cloudCover: number } => {
  const { width: w, height: h } = ls7
  const n = w * h
  const opacity = clouds(s.seed, w, h, s.cloud)
  const data = new Uint8Array(6 * n)
  for (let b = 0; b < 6; b++) {
    const src = ls7.bands[b]
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const i = y * w + x
        const haze = b < 3 ? (s.haze * x) / w : 0
        const clear = src[i] * s.gain[b] + s.offset[b] + haze
        const a = opacity[i]
        const v = Math.round(clear * (1 - a) + CLOUD_DN[b] * a)
        // 0 is nodata: keep data values in 1..255.
        data[b * n + i] = Math.min(255, Math.max(1, v))
      }
    }
  }
  let cloudy = 0
  for (let i = 0; i < n; i++) if (opacity[i] > 0) cloudy++
  return { chip: chipOf(ls7, "uint8", 6, data), cloudCover: cloudy / n }
}

export const landcover = (ls7: Raster): Chip.Chip => {
  const n = ls7.width * ls7.height
  const [, b2, b3, b4, b5] = ls7.bands
  const data = new Uint8Array(n)
  for (let i = 0; i < n; i++) {
    const ndvi = (b4[i] - b3[i]) / (b4[i] + b3[i])
    const mndwi = (b2[i] - b5[i]) / (b2[i] + b5[i])
    data[i] = mndwi > 0.1 ? 1 : ndvi > 0.3 ? 2 : ndvi > 0.1 ? 3 : 4
  }
  return chipOf(ls7, "uint8", 1, data)
}

export const chipOf = (
  r: Raster,
  dtype: "uint8" | "float32",
  bands: number,
  data: Uint8Array | Float32Array
) => ({
  grid: {
    crs: { _tag: "Epsg" as const, code: EPSG },
    x0: r.x0,
    y0: r.y0,
    resolution: r.resolution,
    width: r.width,
    height: r.height
  },
  dtype,
  bands,
  data
})
