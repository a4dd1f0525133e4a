// What a raster file holds: size, bands, dtype, CRS, georeferencing and band metadata.
// The geotransform is pixel-is-area as in GDAL (PixelIsPoint files are shifted by half a pixel).
import type { Header } from "./Format.ts"

/** An overview level: its size in pixels. */
export interface Overview {
  readonly width: number
  readonly height: number
}

/** Metadata of an opened raster: its header (see Format.Header) and what RasterSource adds. */
export interface RasterInfo extends Header {
  /** The path or URL it was opened from. */
  readonly uri: string
  /**
   * The datum shift to WGS 84 applied at the raster's centre (EPSG operation and accuracy, and the grid PROJ
   * would use if installed); undefined on WGS 84 or when none applies. Reads choose it at each chip's centre.
   */
  readonly datumShift: string | undefined
  /** Internal overviews, largest first. */
  readonly overviews: ReadonlyArray<Overview>
  /** File size in bytes. */
  readonly byteSize: number
}
