// @eoforge/core: value types and Schemas shared by every EOForge package.
// Pure data and small pure functions; no I/O.
export * as Band from "./Band.ts"
export * as BBox from "./BBox.ts"
export * as Chip from "./Chip.ts"
export * as Crs from "./Crs.ts"
export * as DType from "./DType.ts"
export * as GeoTransform from "./GeoTransform.ts"
export * as Patch from "./Patch.ts"
export * as PixelGrid from "./PixelGrid.ts"
export * as Reason from "./Reason.ts"
export * as Split from "./Split.ts"
