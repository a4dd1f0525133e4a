// @eoforge/access: reads that obey the access policy of @eoforge/core (local files and HTTP requests), with
// the credentials of object stores (s3://, SigV4) and HTTPS logins. The one implementation raster and STAC share.
export * as Auth from "./Auth.ts"
export * as Credentials from "./Credentials.ts"
export * as Guarded from "./Guarded.ts"
export * as Login from "./Login.ts"
export * as ObjectStore from "./ObjectStore.ts"
export * as Pacing from "./Pacing.ts"
