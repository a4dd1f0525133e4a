// The patch index written at finalize: RFC 7946 geometry of a patch (counter-clockwise exterior, split at
// the antimeridian) and the CSV rows of the sample and chip index files that Croissant and the card load.

/** A lon/lat position in degrees. */
export type Position = readonly [number, number]

/** An RFC 7946 Polygon or MultiPolygon. */
export type Geometry =
  | { readonly type: "Polygon"; readonly coordinates: ReadonlyArray<ReadonlyArray<Position>> }
  | {
      readonly type: "MultiPolygon"
      readonly coordinates: ReadonlyArray<ReadonlyArray<ReadonlyArray<Position>>>
    }

const round = (x: number): number => Math.round(x * 1e9) / 1e9

/** Twice the signed area of an open ring in the lon/lat plane: positive when counter-clockwise. */
export const signedArea = (ring: ReadonlyArray<Position>): number => {
  let a = 0
  for (let i = 0; i < ring.length; i++) {
    const [x1, y1] = ring[i]
    const [x2, y2] = ring[(i + 1) % ring.length]
    a += x1 * y2 - x2 * y1
  }
  return a
}

// Sutherland–Hodgman against one vertical line: keep the side where `inside(lon)` holds.
const clip = (
  ring: ReadonlyArray<Position>,
  at: number,
  inside: (lon: number) => boolean
): Array<Position> => {
  const out: Array<Position> = []
  for (let i = 0; i < ring.length; i++) {
    const p = ring[i]
    const q = ring[(i + 1) % ring.length]
    const pIn = inside(p[0])
    const qIn = inside(q[0])
    if (pIn) out.push(p)
    if (pIn !== qIn) {
      const t = (at - p[0]) / (q[0] - p[0])
      out.push([at, p[1] + t * (q[1] - p[1])])
    }
  }
  return out
}

const close = (ring: ReadonlyArray<Position>): ReadonlyArray<Position> => {
  const r = ring.map(([x, y]) => [round(x), round(y)] as const)
  return [...r, r[0]]
}

/**
 * The RFC 7946 geometry of a patch from its corners (any order around the square): a Polygon with a
 * counter-clockwise exterior, or — when the corners straddle ±180° — a MultiPolygon of the two parts,
 * one ending at 180° and one starting at −180° (RFC 7946 §3.1.9).
 */
export const patchGeometry = (corners: ReadonlyArray<Position>): Geometry => {
  const lons = corners.map((c) => c[0])
  const crosses = Math.max(...lons) - Math.min(...lons) > 180
  let ring: ReadonlyArray<Position> = crosses
    ? corners.map(([x, y]) => [x < 0 ? x + 360 : x, y] as const)
    : corners
  if (signedArea(ring) < 0) ring = [...ring].reverse()
  if (!crosses) return { type: "Polygon", coordinates: [close(ring)] }
  const west = clip(ring, 180, (x) => x <= 180)
  const east = clip(ring, 180, (x) => x >= 180).map(([x, y]) => [x - 360, y] as const)
  const parts = [west, east].filter((r) => r.length >= 3).map((r) => [close(r)])
  return parts.length === 1
    ? { type: "Polygon", coordinates: parts[0] }
    : { type: "MultiPolygon", coordinates: parts }
}

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
