// What raster reads may reach: the access policy of the build, provided per read as a context reference.
// Without one, any host or path is read, but still only regular files (no FIFOs, devices or /proc).
import type { AccessPolicy } from "@eoforge/core"
import { Context, Effect } from "effect"
import type { Guarded } from "@eoforge/access"

/** The policy (and, for tests, the host name resolver) that `RasterSource.open` obeys. */
export interface Access {
  /** Hosts, local roots and private-network rule; undefined allows every host and path. */
  readonly policy: AccessPolicy.AccessPolicy | undefined
  /** Resolves host names to addresses (default: the system resolver). */
  readonly resolve?: Guarded.Resolver | undefined
  /** Credentials of object stores (s3://) and logins; s3 URLs are read anonymously without. */
  readonly auth?: Guarded.Authorizer | undefined
}

/** The access rule of raster reads in the current fiber (default: no policy). */
export const RasterAccess = Context.Reference<Access>("@eoforge/raster/RasterAccess", {
  defaultValue: () => ({ policy: undefined })
})

/** Run `effect` with raster reads restricted to `policy` (and credentialed by `auth`). */
export const withPolicy =
  (policy: AccessPolicy.AccessPolicy, resolve?: Guarded.Resolver, auth?: Guarded.Authorizer) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.provideService(effect, RasterAccess, { policy, resolve, auth })
