// The patch index written at finalize: RFC 7946 geometry of a patch (counter-clockwise exterior, split at
// the antimeridian) and the CSV rows of the sample and chip index files that Croissant and the card load.
import { GeoJson } from "@eoforge/core"

/** A lon/lat position in degrees. */
export type Position = GeoJson.Position

/** An RFC 7946 Polygon or MultiPolygon. */
export type Geometry = GeoJson.Geometry

/** Twice the signed area of an open ring in the lon/lat plane: positive when counter-clockwise. */
export const signedArea = GeoJson.signedArea

/**
 * The RFC 7946 geometry of a patch from its corners (any order around the square): a Polygon with a
 * counter-clockwise exterior, or — when the corners straddle ±180° — a MultiPolygon of the two parts,
 * one ending at 180° and one starting at −180° (RFC 7946 §3.1.9); coordinates to 1e-9°.
 */
export const patchGeometry = (corners: ReadonlyArray<Position>): Geometry =>
  GeoJson.polygonOf(corners, { decimals: 9 })

/** A CSV field (RFC 4180): quoted when it holds a comma, quote or line break. */
export const csvField = (value: string | number | undefined): string => {
  if (value === undefined) return ""
  const s = typeof value === "number" ? (Number.isFinite(value) ? String(value) : "") : value
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

/** A float32 value in its shortest decimal form (0.031, not 0.03099999949336052). */
export const float32 = (x: number): number => (Number.isFinite(x) ? Number(x.toPrecision(7)) : x)

/** One CSV line with its terminating newline. */
export const csvLine = (values: ReadonlyArray<string | number | undefined>): string =>
  `${values.map(csvField).join(",")}\n`

/** Columns of `index/samples.csv`, before one `chips_<product>` column per product. */
export const sampleColumns = ["sample", "id", "split", "lon", "lat", "epsg", "x0", "y0"] as const

/** Columns of `index/<product>.csv`: one row per sample × time slot. */
export const chipColumns = [
  "sample",
  "id",
  "split",
  "time_index",
  "slot",
  "valid",
  "reason",
  "reason_code",
  "acquired",
  "item",
  "cloud_fraction",
  "nodata_fraction"
] as const

/** Columns of `index/<product>.csv` for a product with a cloud mask: the masked fraction and its source. */
export const cloudMaskColumns = ["patch_cloud", "mask_source"] as const

/** The folder of the index files, relative to the store root. */
export const folder = "index"
