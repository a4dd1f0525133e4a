// @eoforge/raster: read GeoTIFF/COG onto a patch pixel grid, and write chips as GeoTIFF.
// One line per public module.
export * as GeoTiffWriter from "./GeoTiffWriter.ts"
