// Affine pixel ↔ CRS transforms in GDAL's order.
// x = c0 + col·c1 + row·c2, y = c3 + col·c4 + row·c5, with (col, row) at pixel corners (pixel-is-area).
import { Schema } from "effect"

/** Schema of a GDAL-order geotransform [x0, dx/dcol, dx/drow, y0, dy/dcol, dy/drow]. */
export const GeoTransform = Schema.Tuple([
  Schema.Finite,
  Schema.Finite,
  Schema.Finite,
  Schema.Finite,
  Schema.Finite,
  Schema.Finite
])
/** A GDAL-order geotransform; (col, row) = (0, 0) is the upper-left corner of the upper-left pixel. */
export type GeoTransform = typeof GeoTransform.Type

/** A north-up transform from the upper-left corner and a square pixel size. */
export const northUp = (x0: number, y0: number, resolution: number): GeoTransform => [
  x0,
  resolution,
  0,
  y0,
  0,
  -resolution
]

/** CRS coordinates of a pixel position (col, row may be fractional; .5 is a pixel centre). */
export const apply = (gt: GeoTransform, col: number, row: number): readonly [number, number] => [
  gt[0] + col * gt[1] + row * gt[2],
  gt[3] + col * gt[4] + row * gt[5]
]

/** The inverse transform (CRS → pixel), or undefined when the transform is singular. */
export const invert = (gt: GeoTransform): GeoTransform | undefined => {
  const det = gt[1] * gt[5] - gt[2] * gt[4]
  if (det === 0 || !Number.isFinite(det)) return undefined
  const a = gt[5] / det
  const b = -gt[2] / det
  const d = -gt[4] / det
  const e = gt[1] / det
  return [-gt[0] * a - gt[3] * b, a, b, -gt[0] * d - gt[3] * e, d, e]
}
