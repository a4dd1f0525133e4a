// @eoforge/archive: tiled global archives as an EOForge source kind. One line per public module.
export * as Presets from "./Presets.ts"
export * as TiledArchive from "./TiledArchive.ts"
export * as Tiling from "./Tiling.ts"
