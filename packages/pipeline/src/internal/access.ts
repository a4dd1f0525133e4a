// The recipe's `access` key: which hosts, local folders and address ranges its catalogues may point at.
// Decoded by the recipe Schema; turned here into the core AccessPolicy each source's catalogue obeys.
import { Auth } from "@eoforge/access"
import { AccessPolicy } from "@eoforge/core"
import { Schema } from "effect"
import { configOf, credentialKeys, LoginRecipe, StoreRecipe } from "./credentials.ts"

// A host name or IP literal, optionally `*.` for subdomains; no scheme, port or path.
const HostPattern = Schema.String.check(
  Schema.isPattern(
    /^(\*\.)?[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$|^\[?[0-9A-Fa-f:.]+\]?$/,
    {
      message: "a host name such as data.example.com or *.example.com (no scheme, port or path)"
    }
  )
)

/** What the recipe's catalogues may reference besides their own host or folder and the presets' data hosts. */
export const AccessRecipe = Schema.Struct({
  /** More hosts asset and link hrefs of remote catalogues may name (`*.example.com` for subdomains). */
  hosts: Schema.optionalKey(Schema.Array(HostPattern)),
  /** More local folders (relative to the recipe) that local catalogues' hrefs may lie under. */
  localRoots: Schema.optionalKey(Schema.Array(Schema.NonEmptyString)),
  /** Allow loopback, private and link-local addresses for every allowed host (default false). */
  allowPrivateNetworks: Schema.optionalKey(Schema.Boolean),
  /** Buckets of s3:// hrefs that need keys, a region or an S3-compatible endpoint (see internal/credentials). */
  s3: Schema.optionalKey(Schema.Array(StoreRecipe)),
  /** HTTPS archives that need a login (Earthdata, CDSE, a token, a key header). */
  logins: Schema.optionalKey(Schema.Array(LoginRecipe))
})

/** The keys of `access` (and of its stores and logins), for did-you-mean hints. */
export const accessKeys: ReadonlyArray<string> = [
  ...Object.keys(AccessRecipe.fields),
  ...credentialKeys
]

/**
 * The base policy of a recipe: its `access` hosts and folders (resolved with `resolvePath`) and the recipe's
 * own folder; each source adds its catalogue's host or folder (stac `Access.forCatalogue`). The hosts its
 * stores and logins name (endpoints, archives, token endpoints) are allowed too, even on a private network:
 * the recipe names them itself.
 */
export const basePolicy = (
  access: typeof AccessRecipe.Type | undefined,
  recipeDirectory: string,
  resolvePath: (path: string) => string
): AccessPolicy.AccessPolicy => {
  const named = Auth.hostsOf(configOf(access, resolvePath))
  return AccessPolicy.withPrivateHosts(
    AccessPolicy.make({
      hosts: [...(access?.hosts ?? []), ...named],
      localRoots: [recipeDirectory, ...(access?.localRoots ?? []).map(resolvePath)],
      allowPrivateNetworks: access?.allowPrivateNetworks ?? false
    }),
    named
  )
}
