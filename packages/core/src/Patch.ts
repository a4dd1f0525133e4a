// A patch: one location of a dataset, with its own pixel grid shared by every product.
// The id is derived from geometry alone so that the same patch has the same id in every run.
import { Schema } from "effect"
import { PixelGrid } from "./PixelGrid.ts"

/** Schema of a (lon, lat) position in degrees, WGS 84. */
export const LonLat = Schema.Tuple([Schema.Finite, Schema.Finite])
/** A (lon, lat) position in degrees, WGS 84; longitude first. */
export type LonLat = typeof LonLat.Type

/** Schema of a patch. */
export const Patch = Schema.Struct({
  /** Stable id, a function of the grid only (CRS, origin, resolution, size). */
  id: Schema.String,
  /** Longitude of the requested centre, degrees east, WGS 84. */
  lon: Schema.Finite,
  /** Latitude of the requested centre, degrees north, WGS 84. */
  lat: Schema.Finite,
  /** The patch grid at its finest resolution, in the UTM/UPS zone of the centre. */
  grid: PixelGrid,
  /** The four grid corners in (lon, lat) degrees: upper-left, upper-right, lower-right, lower-left. */
  footprint: Schema.Tuple([LonLat, LonLat, LonLat, LonLat])
})
/** A patch. */
export type Patch = typeof Patch.Type
