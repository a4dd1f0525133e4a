// @eoforge/collection: a folder or list of rasters as an EOForge source kind. One line per public module.
export * as CollectionIndex from "./CollectionIndex.ts"
export * as DatePattern from "./DatePattern.ts"
export * as FileCollection from "./FileCollection.ts"
export * as Listing from "./Listing.ts"
