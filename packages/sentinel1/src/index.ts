// @eoforge/sentinel1: Sentinel-1 GRD annotation, geolocation, radiometric calibration with thermal noise
// removal and Range-Doppler terrain correction onto a patch's pixel grid.
export * as Annotation from "./Annotation.ts"
export * as Calibration from "./Calibration.ts"
export * as Geoid from "./Geoid.ts"
export * as Geolocation from "./Geolocation.ts"
export * as GrdChip from "./GrdChip.ts"
export * as Manifest from "./Manifest.ts"
export * as Noise from "./Noise.ts"
export * as Orbit from "./Orbit.ts"
export * as Radiometry from "./Radiometry.ts"
export * as S1Error from "./S1Error.ts"
export * as Simulate from "./Simulate.ts"
export * as TerrainCorrection from "./TerrainCorrection.ts"
