// @eoforge/access: reads that obey the access policy of @eoforge/core (local files and HTTP requests).
// The one implementation the raster and STAC packages share; no other package opens a catalogue's hrefs.
export * as Guarded from "./Guarded.ts"
