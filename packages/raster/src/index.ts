// @eoforge/raster: read GeoTIFF/COG onto a patch pixel grid, and write chips as GeoTIFF.
// One line per public module.
export * as Footprint from "./Footprint.ts"
export * as Format from "./Format.ts"
export * as GeoTiffWriter from "./GeoTiffWriter.ts"
export * as HeaderShelf from "./HeaderShelf.ts"
export * as Morphology from "./Morphology.ts"
export * as Mosaic from "./Mosaic.ts"
export * as RasterAccess from "./RasterAccess.ts"
export * as RasterError from "./RasterError.ts"
export * as RasterInfo from "./RasterInfo.ts"
export * as RasterSource from "./RasterSource.ts"
