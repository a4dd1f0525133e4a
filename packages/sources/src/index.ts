// @eoforge/sources: how non-STAC sources and sensor readers plug into builds. One line per public module.
export * as SourceKind from "./SourceKind.ts"
