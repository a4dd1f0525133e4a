// Raster formats behind RasterSource. A format recognises its files by their first bytes (or the URI), and opens
// one into a header and a pyramid of levels that read pixel windows; RasterSource resamples every format onto
// patch grids with the same GDAL rules (overview choice, exact reprojection, kernels, nodata), so a new format
// only decodes. A format whose pixels are not on an affine grid (radar geometry, swaths) reads chips itself.
// Sub-datasets (a NetCDF variable, a zip member) are named in the URI's fragment: `…/file.nc#var=/grp/name`.
import type { Chip, Crs, DType, GeoTransform, PixelGrid } from "@eoforge/core"
import type { Pool } from "geotiff"
import type { ByteSource } from "./internal/byteSource.ts"
import type { Pam } from "./internal/pam.ts"
import type { TileCache } from "./internal/tileCache.ts"
import type { Destination, ReadBudget } from "./internal/tiles.ts"
import type { RasterLimits } from "./internal/tiffCheck.ts"
import type { ReadOptions } from "./RasterSource.ts"

export type { ByteSource, Slice } from "./internal/byteSource.ts"
export type { Decoded, TileCache } from "./internal/tileCache.ts"
export type { Destination, ReadBudget } from "./internal/tiles.ts"
export type { Pam } from "./internal/pam.ts"
export { HeaderProblem as Problem } from "./internal/header.ts"

/** What a format reads from a file's header (RasterInfo without what RasterSource adds). */
export interface Header {
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
  /** Tile (or strip) size in pixels. */
  readonly blockWidth: number
  /** Tile (or strip) height in pixels. */
  readonly blockHeight: number
  /** The file's own instant (TIFF DateTime; NetCDF ACDD `time_coverage_start`), ISO 8601 UTC, when stated. */
  readonly dateTime?: string
  /** Opened with `#georeferencing=ignore` and without georeferencing: window reads only. */
  readonly pixelsOnly?: boolean
}

/** A pixel window [x0, y0, x1) × [y0, y1) of a level. */
export type Window = readonly [number, number, number, number]

/** One resolution of the raster: the full image first, then overviews (or JPEG 2000 resolution levels). */
export interface Level {
  readonly width: number
  readonly height: number
  /**
   * The band arrays (row-major, window-sized) of the 0-based `bands`; with `destination`, values are written
   * there instead (see Destination) and the arrays returned may be empty.
   */
  readonly read: (
    window: Window,
    bands: ReadonlyArray<number>,
    destination?: Destination
  ) => Promise<ReadonlyArray<DType.TypedArray>>
}

/** An opened file. */
export interface Opened {
  readonly header: Header
  /** Full resolution first, then smaller levels, largest first. */
  readonly levels: ReadonlyArray<Level>
  /** Reads a chip itself instead of RasterSource's resampling (non-affine geometry). */
  readonly readChip?: (grid: PixelGrid.PixelGrid, options: ReadOptions) => Promise<Chip.Chip>
  /** Releases what the format holds beyond the byte source (which RasterSource closes). */
  readonly close?: () => Promise<void>
}

/** What a format's `open` gets. */
export interface OpenContext {
  /** The URI as given, fragment included. */
  readonly uri: string
  /** The file's bytes (ranges over HTTP, positioned reads locally); counted in `transfer`. */
  readonly bytes: ByteSource
  /** The first bytes of the file (up to 64). */
  readonly head: Uint8Array
  readonly limits: RasterLimits
  readonly budget: ReadBudget
  /** The layer's decoded-tile cache (shared by all formats) and this source's owner id in it. */
  readonly cache: TileCache
  readonly owner: number
  /** geotiff.js's decoder worker pool (undefined: decode on the calling thread). */
  readonly pool: Pool | undefined
  /** The GDAL PAM sidecar (`.aux.xml`) beside the file, when there is one. */
  readonly pam: Pam | undefined
  /** Opens bytes nested in this file (a zip member) with whichever format recognises them. */
  readonly openNested: (uri: string, bytes: ByteSource) => Promise<Opened>
}

/** A raster format. */
export interface Format {
  /** Short name used in messages (`GeoTIFF`, `JPEG 2000`). */
  readonly name: string
  /** True when the file is this format (magic bytes first; the URI only where a format has none). */
  readonly sniff: (head: Uint8Array, uri: string) => boolean
  readonly open: (context: OpenContext) => Promise<Opened>
}

/** The URI without its fragment (what is fetched), and the fragment's `key=value` pairs. */
export const splitUri = (
  uri: string
): { readonly location: string; readonly fragment: ReadonlyMap<string, string> } => {
  const hash = uri.indexOf("#")
  // A bare local path may contain '#': only `#key=…` starts a fragment there.
  if (hash < 0 || !/^#[A-Za-z][A-Za-z0-9_-]*=/.test(uri.slice(hash))) {
    return { location: uri, fragment: new Map() }
  }
  const fragment = new Map<string, string>()
  for (const part of uri.slice(hash + 1).split("&")) {
    const eq = part.indexOf("=")
    if (eq > 0) fragment.set(part.slice(0, eq), decodeURIComponent(part.slice(eq + 1)))
  }
  return { location: uri.slice(0, hash), fragment }
}
