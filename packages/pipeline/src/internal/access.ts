// The recipe's `access` key: which hosts, local folders and address ranges its catalogues may point at.
// Decoded by the recipe Schema; turned here into the core AccessPolicy each source's catalogue obeys.
import { AccessPolicy } from "@eoforge/core"
import { Schema } from "effect"

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
  allowPrivateNetworks: Schema.optionalKey(Schema.Boolean)
})

/** The keys of `access`, for did-you-mean hints. */
export const accessKeys: ReadonlyArray<string> = Object.keys(AccessRecipe.fields)

/**
 * The base policy of a recipe: its `access` hosts and folders (resolved with `resolvePath`) and the recipe's
 * own folder; each source adds its catalogue's host or folder (stac `Access.forCatalogue`).
 */
export const basePolicy = (
  access: typeof AccessRecipe.Type | undefined,
  recipeDirectory: string,
  resolvePath: (path: string) => string
): AccessPolicy.AccessPolicy =>
  AccessPolicy.make({
    hosts: access?.hosts ?? [],
    localRoots: [recipeDirectory, ...(access?.localRoots ?? []).map(resolvePath)],
    allowPrivateNetworks: access?.allowPrivateNetworks ?? false
  })
