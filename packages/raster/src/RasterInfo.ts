// What a raster file holds: size, bands, dtype, CRS, georeferencing and band metadata.
// The geotransform is pixel-is-area as in GDAL (PixelIsPoint files are shifted by half a pixel).
import type { Crs, DType, GeoTransform } from "@eoforge/core"

/** An overview level: its size in pixels. */
export interface Overview {
  readonly width: number
  readonly height: number
}

/** Metadata of an opened raster. */
export interface RasterInfo {
  /** The path or URL it was opened from. */
  readonly uri: string
  /** Columns of the full-resolution image. */
  readonly width: number
  /** Rows of the full-resolution image. */
  readonly height: number
  /** Number of bands. */
  readonly bands: number
  /** Pixel type of every band. */
  readonly dtype: DType.DType
  /** The CRS: an EPSG/ESRI code, a proj4 string built from user-defined GeoKeys, or a WKT (ESRI citation, PAM). */
  readonly crs: Crs.Crs
  /** GDAL-order geotransform, pixel-is-area, in CRS units. */
  readonly geoTransform: GeoTransform.GeoTransform
  /** The stored value meaning "no data" (GDAL_NODATA), if any. */
  readonly nodata: number | undefined
  /** Per-band scale: physical = stored × scale + offset (1 when absent). */
  readonly scale: ReadonlyArray<number>
  /** Per-band offset (0 when absent). */
  readonly offset: ReadonlyArray<number>
  /** Per-band descriptions from GDAL_METADATA, undefined when absent. */
  readonly descriptions: ReadonlyArray<string | undefined>
  /** Per band, class names by value from the PAM sidecar's raster attribute table (undefined: none). */
  readonly classes: ReadonlyArray<Readonly<Record<string, string>> | undefined>
  /**
   * The datum shift to WGS 84 applied at the raster's centre (EPSG operation and accuracy, and the grid PROJ
   * would use if installed); undefined on WGS 84 or when none applies. Reads choose it at each chip's centre.
   */
  readonly datumShift: string | undefined
  /** Internal overviews, largest first. */
  readonly overviews: ReadonlyArray<Overview>
  /** Tile (or strip) size in pixels. */
  readonly blockWidth: number
  /** Tile (or strip) height in pixels. */
  readonly blockHeight: number
  /** File size in bytes. */
  readonly byteSize: number
}
