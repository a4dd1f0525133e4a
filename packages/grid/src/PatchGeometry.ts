// Patch geometry: the snapped square pixel grid of a patch in the UTM/UPS zone of its centre.
// A patch id is a function of its grid alone, so the same request gives the same id in every run.
import { Crs, type Patch, type PixelGrid } from "@eoforge/core"
import { Schema } from "effect"
import * as Zone from "./Zone.ts"

export { InvalidLocationError } from "./Zone.ts"

/** What a patch is made from: centre, size, finest pixel size and snap unit, all lengths in metres. */
export interface PatchSpec {
  /** Longitude of the requested centre, degrees east, WGS 84. */
  readonly lon: number
  /** Latitude of the requested centre, degrees north, WGS 84. */
  readonly lat: number
  /** Side of the square patch in metres; a multiple of `snap` and of `resolution`. */
  readonly size: number
  /** Finest pixel size in metres. */
  readonly resolution: number
  /** Origin snap unit in metres (default: `resolution`); pass the coarsest product resolution so grids nest. */
  readonly snap?: number | undefined
}

/** A patch size that is not a positive whole multiple of its resolution and snap unit. */
export class InvalidPatchSizeError extends Schema.TaggedError<InvalidPatchSizeError>()(
  "InvalidPatchSizeError",
  { size: Schema.Number, resolution: Schema.Number, snap: Schema.Number }
) {
  override get message(): string {
    return `invalid patch size ${this.size} m at resolution ${this.resolution} m with snap ${this.snap} m: all must be positive finite metres and the size a whole multiple of both the resolution and the snap unit (e.g. 2640 m at 10 m with snap 60 m → use 2640 or 2700 m)`
  }
}

const isMultiple = (a: number, b: number): boolean => {
  const q = a / b
  return Math.abs(q - Math.round(q)) <= 1e-9 * Math.max(1, q) && Math.round(q) >= 1
}

/** Throws InvalidPatchSizeError unless size, resolution and snap are consistent. */
export const validateSize = (size: number, resolution: number, snap: number): void => {
  const positive = (v: number) => Number.isFinite(v) && v > 0
  if (
    !positive(size) ||
    !positive(resolution) ||
    !positive(snap) ||
    !isMultiple(size, resolution) ||
    !isMultiple(size, snap)
  ) {
    throw new InvalidPatchSizeError({ size, resolution, snap })
  }
}

/** The patch of a request: grid in zoneOf(lon, lat), upper-left corner on a multiple of snap, centre nearest the projected request. */
export const make = (spec: PatchSpec): Patch.Patch => {
  const { size, resolution } = spec
  const snap = spec.snap ?? resolution
  Zone.validate(spec.lon, spec.lat)
  validateSize(size, resolution, snap)
  const lon = Zone.normalizeLon(spec.lon)
  const { epsg } = Zone.zoneOf(lon, spec.lat)
  const [cx, cy] = Zone.forward(epsg, lon, spec.lat)
  const half = size / 2
  const x0 = Math.round((cx - half) / snap) * snap
  const y0 = Math.round((cy + half) / snap) * snap
  const n = Math.round(size / resolution)
  const grid: PixelGrid.PixelGrid = {
    crs: Crs.epsg(epsg),
    x0,
    y0,
    resolution,
    width: n,
    height: n
  }
  const x1 = x0 + size
  const y1 = y0 - size
  return {
    id: id(grid),
    lon,
    lat: spec.lat,
    grid,
    footprint: [
      Zone.inverse(epsg, x0, y0),
      Zone.inverse(epsg, x1, y0),
      Zone.inverse(epsg, x1, y1),
      Zone.inverse(epsg, x0, y1)
    ]
  }
}

const pad = (v: number, digits: number): string => {
  const negative = v < 0
  const abs = Math.abs(v)
  const whole = Math.floor(abs)
  const frac = abs - whole
  const text = String(whole).padStart(digits, "0") + (frac === 0 ? "" : String(frac).slice(1))
  return negative ? `m${text}` : text
}

/**
 * The stable id of a patch grid: `{epsg}-{x0}-{y0}-{resolution}-{width}`, e.g. `32633-0500000-04000000-10-264`.
 * x0 is zero-padded to 7 digits, y0 to 8 digits (metres of the upper-left corner; a leading `m` marks a negative
 * value, a decimal part follows only when non-zero), so ids sort by zone, then easting, then northing.
 */
export const id = (grid: PixelGrid.PixelGrid): string => {
  const code = Crs.epsgCode(grid.crs)
  if (code === undefined) {
    throw new RangeError(`patch grids are in an EPSG zone, got ${Crs.format(grid.crs)}`)
  }
  return `${code}-${pad(grid.x0, 7)}-${pad(grid.y0, 8)}-${grid.resolution}-${grid.width}`
}

/** The centre of a patch grid in its CRS, metres (x east, y north). */
export const centre = (grid: PixelGrid.PixelGrid): readonly [x: number, y: number] => [
  grid.x0 + (grid.width * grid.resolution) / 2,
  grid.y0 - (grid.height * grid.resolution) / 2
]
