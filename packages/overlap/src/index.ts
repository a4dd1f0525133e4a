// @eoforge/overlap: exact footprint overlap in metres, greedy overlap filtering (streaming and bulk) and
// nearest-neighbour queries between patch centres. Pure and synchronous apart from the Stream pipes.
export * as Nearest from "./Nearest.ts"
export * as Overlap from "./Overlap.ts"
export * as OverlapFilter from "./OverlapFilter.ts"
export * as SeamFill from "./SeamFill.ts"
