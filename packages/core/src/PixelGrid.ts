// The pixel grid of a chip: a north-up raster of square pixels in one CRS.
// Pixel-is-area; (x0, y0) is the upper-left corner of the upper-left pixel; rows go south.
import { Schema } from "effect"
import * as BBox from "./BBox.ts"
import { Crs } from "./Crs.ts"
import * as GeoTransform from "./GeoTransform.ts"

/** Schema of a pixel grid. */
export const PixelGrid = Schema.Struct({
  /** The CRS of x0, y0 and resolution (a projected CRS in metres for patch grids). */
  crs: Crs,
  /** Easting of the upper-left corner, CRS units (metres for patch grids). */
  x0: Schema.Finite,
  /** Northing of the upper-left corner, CRS units. */
  y0: Schema.Finite,
  /** Pixel size, CRS units (metres for patch grids); pixels are square. */
  resolution: Schema.Finite.check(Schema.isGreaterThan(0)),
  /** Columns. */
  width: Schema.Int.check(Schema.isGreaterThan(0)),
  /** Rows. */
  height: Schema.Int.check(Schema.isGreaterThan(0))
})
/** A north-up pixel grid. */
export type PixelGrid = typeof PixelGrid.Type

/** A grid from its parts. */
export const make = (
  crs: Crs,
  x0: number,
  y0: number,
  resolution: number,
  width: number,
  height: number
): PixelGrid => ({ crs, x0, y0, resolution, width, height })

/** The GDAL-order geotransform of the grid. */
export const geoTransform = (g: PixelGrid): GeoTransform.GeoTransform =>
  GeoTransform.northUp(g.x0, g.y0, g.resolution)

/** The outer bounds of the grid in its CRS (pixel edges, not centres). */
export const bbox = (g: PixelGrid): BBox.BBox =>
  BBox.make(g.x0, g.y0 - g.height * g.resolution, g.x0 + g.width * g.resolution, g.y0)

/** CRS coordinates (x, y) of the centre of pixel (col, row). */
export const pixelCentre = (g: PixelGrid, col: number, row: number): readonly [number, number] => [
  g.x0 + (col + 0.5) * g.resolution,
  g.y0 - (row + 0.5) * g.resolution
]

/**
 * The same footprint at another resolution. The footprint must be a whole number of new pixels,
 * which holds for patch grids snapped to the coarsest product resolution.
 */
export const withResolution = (g: PixelGrid, resolution: number): PixelGrid => {
  const width = (g.width * g.resolution) / resolution
  const height = (g.height * g.resolution) / resolution
  const w = Math.round(width)
  const h = Math.round(height)
  if (Math.abs(width - w) > 1e-9 || Math.abs(height - h) > 1e-9 || w <= 0 || h <= 0) {
    throw new RangeError(
      `grid of ${g.width * g.resolution} × ${g.height * g.resolution} CRS units is not a whole number of ${resolution}-unit pixels`
    )
  }
  return { ...g, resolution, width: w, height: h }
}
