// The computePixels requests of one chip: the patch grid exactly, split by bands and then by tiles so that
// each request stays under Earth Engine's limits (48 MiB uncompressed, 32,768 px per side, 1,024 bands).
import { Crs, DType, type PixelGrid } from "@eoforge/core"
import { Schema } from "effect"
import type { RestGrid } from "./Client.ts"

/** Per-request limits of computePixels. */
export interface Limits {
  /** Uncompressed bytes: width × height × Σ bytes per pixel of the requested bands. */
  readonly maxBytes: number
  /** Pixels per side. */
  readonly maxSide: number
  /** Bands per request. */
  readonly maxBands: number
}

/** The published limits: 48 MiB, 32,768 px per side, 1,024 bands. */
export const earthEngineLimits: Limits = {
  maxBytes: 48 * 1024 * 1024,
  maxSide: 32_768,
  maxBands: 1024
}

/** One request: a band group on a tile of the chip grid (rows and columns of the chip grid, end excluded). */
export interface Part {
  /** Indices of the chip's data bands, in order. */
  readonly bands: ReadonlyArray<number>
  readonly col0: number
  readonly row0: number
  readonly width: number
  readonly height: number
}

/** A chip no request split can bring under the limits. */
export class TooLargeError extends Schema.TaggedError<TooLargeError>()("TooLargeError", {
  message: Schema.String
}) {}

/**
 * Split a chip of `bands` bands of `dtype` (plus a uint8 validity band in every request) on a
 * `width` × `height` grid into requests under `limits`: as many bands per request as fit on the whole
 * tile, tiles of at most `maxSide` px, rows per tile reduced until one band fits.
 */
export const plan = (
  width: number,
  height: number,
  bands: number,
  dtype: DType.DType,
  limits: Limits = earthEngineLimits
): ReadonlyArray<Part> => {
  const bpp = DType.byteSize(dtype)
  const tileW = Math.min(width, limits.maxSide)
  const fullH = Math.min(height, limits.maxSide)
  // Bands that fit on a full tile (the validity band counts against both limits).
  const fit = Math.floor((limits.maxBytes / (tileW * fullH) - 1) / bpp)
  const perRequest = Math.max(1, Math.min(bands, limits.maxBands - 1, fit))
  const tileH = Math.min(fullH, Math.floor(limits.maxBytes / (tileW * (perRequest * bpp + 1))))
  if (tileH < 1 || limits.maxBands < 2)
    throw new TooLargeError({
      message: `one row of ${tileW} px of one ${dtype} band exceeds ${limits.maxBytes} bytes per request`
    })
  const parts: Array<Part> = []
  for (let b0 = 0; b0 < bands; b0 += perRequest) {
    const group = Array.from({ length: Math.min(perRequest, bands - b0) }, (_, k) => b0 + k)
    for (let row0 = 0; row0 < height; row0 += tileH) {
      for (let col0 = 0; col0 < width; col0 += tileW) {
        parts.push({
          bands: group,
          col0,
          row0,
          width: Math.min(tileW, width - col0),
          height: Math.min(tileH, height - row0)
        })
      }
    }
  }
  return parts
}

/** The REST grid of a part of `grid`: the same CRS and pixel size, the origin moved to the part's corner. */
export const restGrid = (grid: PixelGrid.PixelGrid, part?: Part): RestGrid => ({
  dimensions: { width: part?.width ?? grid.width, height: part?.height ?? grid.height },
  affineTransform: {
    scaleX: grid.resolution,
    shearX: 0,
    translateX: grid.x0 + (part?.col0 ?? 0) * grid.resolution,
    shearY: 0,
    scaleY: -grid.resolution,
    translateY: grid.y0 - (part?.row0 ?? 0) * grid.resolution
  },
  crsCode: Crs.format(grid.crs)
})

/** Copy a part's band (row-major `part.width` × `part.height`) into a band-major chip of `width` columns. */
export const place = (
  src: ArrayLike<number>,
  dst: DType.TypedArray,
  dstOffset: number,
  width: number,
  part: Part
): void => {
  for (let r = 0; r < part.height; r++) {
    const from = r * part.width
    const to = dstOffset + (part.row0 + r) * width + part.col0
    for (let c = 0; c < part.width; c++) dst[to + c] = src[from + c]
  }
}
