// @eoforge/asf: ASF Search for ARIA Sentinel-1 GUNW interferograms as an EOForge source kind. One line per
// public module.
export * as AsfSearch from "./AsfSearch.ts"
export * as DatePairs from "./DatePairs.ts"
export * as Gunw from "./Gunw.ts"
export * as GunwName from "./GunwName.ts"
export * as Presets from "./Presets.ts"
