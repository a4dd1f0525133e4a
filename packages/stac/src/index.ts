// @eoforge/stac: find acquisitions in STAC APIs and static catalogues.
// Search, time slots, product presets, selection and pairing rules, asset signing.
export * as Access from "./Access.ts"
export * as AssetSigner from "./AssetSigner.ts"
export * as Find from "./Find.ts"
export * as Presets from "./Presets.ts"
export * as Product from "./Product.ts"
export * as Search from "./Search.ts"
export * as Selection from "./Selection.ts"
export * as Ssl4eo from "./Ssl4eo.ts"
export * as StacClient from "./StacClient.ts"
export * as StacError from "./StacError.ts"
export * as StacItem from "./StacItem.ts"
export * as TimeSlots from "./TimeSlots.ts"
