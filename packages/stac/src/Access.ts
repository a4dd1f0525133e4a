// What a catalogue's links and assets may reach: the core AccessPolicy made for one catalogue source.
// By default its own host (or folder) and the presets' data hosts; the recipe adds hosts and folders.
import { AccessPolicy, Redact } from "@eoforge/core"
import { dirname } from "node:path"
import { fileURLToPath } from "node:url"
import { dataHosts } from "./Presets.ts"
import { AccessError } from "./StacError.ts"

const isRemote = (url: string): boolean => /^(https?|s3):\/\//i.test(url)

const localPath = (url: string): string => (/^file:/i.test(url) ? fileURLToPath(url) : url)

/** Where an href found in the document at `url` (an http(s) URL or a local path) comes from. */
export const originOf = (url: string): AccessPolicy.Origin =>
  isRemote(url) ? { _tag: "Remote", url } : { _tag: "Local", path: localPath(url) }

/**
 * The policy for the catalogue at `url` (named by the recipe, so trusted): `base` plus the catalogue's own
 * host (reachable even when it is a loopback or private address: the recipe names it) or its folder, plus
 * the presets' data hosts.
 */
export const forCatalogue = (
  url: string,
  base: AccessPolicy.AccessPolicy = AccessPolicy.make()
): AccessPolicy.AccessPolicy => {
  const withData = AccessPolicy.withHosts(base, dataHosts)
  if (!isRemote(url)) return AccessPolicy.withLocalRoots(withData, [dirname(localPath(url))])
  const u = new URL(url)
  const host = u.hostname.toLowerCase().replace(/^\[|\]$/g, "")
  // The whole host, any port: a catalogue on 127.0.0.1 serving its assets from another local port works.
  return AccessPolicy.withPrivateHosts(AccessPolicy.withHosts(withData, [host]), [host])
}

/** The absolute URL or path `href` (found in the document at `document`) may be read as, or why not. */
export const check = (
  policy: AccessPolicy.AccessPolicy,
  href: string,
  document: string
): string | AccessError => {
  const d = AccessPolicy.resolve(policy, href, originOf(document))
  if (d._tag === "Refused")
    return new AccessError({
      href: Redact.forMessage(String(href).slice(0, 500)),
      origin: Redact.forMessage(document),
      reason: Redact.inText(d.reason)
    })
  return d.target._tag === "Url" ? d.target.url : d.target.path
}
