// @eoforge/earthengine: Earth Engine's computePixels as a source on EOForge's patch grid.
// One line per public module.
export * as Client from "./Client.ts"
export * as Credentials from "./Credentials.ts"
export * as EeError from "./EeError.ts"
export * as Kind from "./Kind.ts"
export * as Expression from "./Expression.ts"
export * as Npy from "./Npy.ts"
export * as Operations from "./Operations.ts"
export * as Presets from "./Presets.ts"
export * as RateLimit from "./RateLimit.ts"
export * as Requests from "./Requests.ts"
export * as Source from "./Source.ts"
export * as SourceRecipe from "./SourceRecipe.ts"
