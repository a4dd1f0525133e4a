// @eoforge/croissant: Croissant 1.1 JSON-LD (with GeoCroissant terms) and a dataset card for a built store.
// Pure: it takes a Schema-validated description (files already hashed by the caller) and returns text.
export * as Card from "./Card.ts"
export * as Croissant from "./Croissant.ts"
export * as CroissantError from "./CroissantError.ts"
export * as Description from "./Description.ts"
export * as Document from "./Document.ts"
export * as Rules from "./Rules.ts"
