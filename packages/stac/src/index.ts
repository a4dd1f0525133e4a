// @eoforge/stac: find acquisitions in STAC APIs and static catalogues.
// Search, time slots, product presets, selection and pairing rules, asset signing.
export * as Search from "./Search.ts"
export * as StacClient from "./StacClient.ts"
export * as StacError from "./StacError.ts"
export * as StacItem from "./StacItem.ts"
