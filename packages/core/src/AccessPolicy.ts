// The one rule for what a catalogue may point EOForge at: schemes, hosts, address ranges, local folders.
// Pure decisions; the I/O packages apply them (and check resolved addresses and file types) before any read.

/** What a recipe allows its catalogues to reference. */
export interface AccessPolicy {
  /** Host names that hrefs from remote catalogues may name (exact, or `*.example.com` for subdomains). */
  readonly hosts: ReadonlyArray<string>
  /** Absolute local directories that local catalogues' hrefs (and the recipe's own paths) may lie under. */
  readonly localRoots: ReadonlyArray<string>
  /** Loopback, private, link-local and other non-public addresses allowed for every allowed host. */
  readonly allowPrivateNetworks: boolean
  /**
   * Non-public hosts reachable without `allowPrivateNetworks` because the recipe names them itself (its
   * catalogue URL): `host` or `host:port` (IPv6 without brackets). Must also be in `hosts` to be reached.
   */
  readonly privateHosts?: ReadonlyArray<string>
}

/** Where an href was found: in a remote catalogue (by URL), a local catalogue (by path), or the recipe. */
export type Origin =
  | { readonly _tag: "Remote"; readonly url: string }
  | { readonly _tag: "Local"; readonly path: string }
  | { readonly _tag: "Recipe" }

/** An href the policy lets through: an absolute http(s)/s3 URL or an absolute normalised local path. */
export type Target =
  | { readonly _tag: "Url"; readonly url: string; readonly host: string }
  | { readonly _tag: "File"; readonly path: string }

/** The policy's answer: a target to read, or why not. */
export type Decision =
  | { readonly _tag: "Allowed"; readonly target: Target }
  | { readonly _tag: "Refused"; readonly reason: string }

/** A policy with the given hosts and local roots; private networks refused unless `allowPrivateNetworks`. */
export const make = (options: Partial<AccessPolicy> = {}): AccessPolicy => ({
  hosts: (options.hosts ?? []).map((h) => h.toLowerCase()),
  localRoots: (options.localRoots ?? []).map(normalisePath),
  allowPrivateNetworks: options.allowPrivateNetworks ?? false,
  privateHosts: (options.privateHosts ?? []).map((h) => h.toLowerCase())
})

/** `policy` with more non-public hosts (`host` or `host:port`) that the recipe names itself. */
export const withPrivateHosts = (
  policy: AccessPolicy,
  hosts: ReadonlyArray<string>
): AccessPolicy => ({
  ...policy,
  privateHosts: [...new Set([...(policy.privateHosts ?? []), ...hosts.map((h) => h.toLowerCase())])]
})

/**
 * Whether `host` (and `port`, "" for the scheme's default) may be a non-public address under `policy`:
 * private networks allowed, or the host named by the recipe itself.
 */
export const privateAllowed = (policy: AccessPolicy, host: string, port: string): boolean => {
  if (policy.allowPrivateNetworks) return true
  const h = host.toLowerCase().replace(/^\[|\]$/g, "")
  const named = policy.privateHosts ?? []
  return named.includes(h) || (port !== "" && named.includes(`${h}:${port}`))
}

/** `policy` with more allowed hosts (e.g. the catalogue's own host, a preset's data hosts). */
export const withHosts = (policy: AccessPolicy, hosts: ReadonlyArray<string>): AccessPolicy => ({
  ...policy,
  hosts: [...new Set([...policy.hosts, ...hosts.map((h) => h.toLowerCase())])]
})

/** `policy` with more allowed local roots (absolute paths). */
export const withLocalRoots = (
  policy: AccessPolicy,
  roots: ReadonlyArray<string>
): AccessPolicy => ({
  ...policy,
  localRoots: [...new Set([...policy.localRoots, ...roots.map(normalisePath)])]
})

const allowed = (target: Target): Decision => ({ _tag: "Allowed", target })
const refused = (reason: string): Decision => ({ _tag: "Refused", reason })

/** `path` made absolute-looking and free of `.`, `..` and repeated slashes (POSIX rules, no I/O). */
export const normalisePath = (path: string): string => {
  const out: Array<string> = []
  for (const s of path.split("/")) {
    if (s === "" || s === ".") continue
    if (s === "..") out.pop()
    else out.push(s)
  }
  return `/${out.join("/")}`
}

/** True when absolute `path` lies under the absolute directory `root` (or is it). */
export const isUnder = (path: string, root: string): boolean => {
  const p = normalisePath(path)
  const r = normalisePath(root)
  return r === "/" || p === r || p.startsWith(`${r}/`)
}

// Pseudo-filesystems and device trees that are never data, whatever the roots say.
const forbiddenRoots = ["/proc", "/sys", "/dev", "/run"]

/** Whether a local path may be read under `policy` (before resolving symlinks: callers check the real path too). */
export const checkPath = (policy: AccessPolicy, path: string): Decision => {
  if (!path.startsWith("/")) return refused(`local path ${JSON.stringify(path)} is not absolute`)
  if (path.includes("\0")) return refused("local path contains a NUL byte")
  const p = normalisePath(path)
  if (forbiddenRoots.some((r) => isUnder(p, r))) return refused(`${p} is a system path, never data`)
  if (!policy.localRoots.some((r) => isUnder(p, r)))
    return refused(
      `${p} is outside the local folders the recipe allows (${policy.localRoots.join(", ") || "none"})`
    )
  return allowed({ _tag: "File", path: p })
}

const hostAllowed = (policy: AccessPolicy, host: string): boolean =>
  policy.hosts.some((h) =>
    h.startsWith("*.") ? host.endsWith(h.slice(1)) && host.length > h.length - 1 : host === h
  )

/** The host of `url` as the WHATWG parser normalises it (IPv4 in dotted form, IPv6 without brackets). */
const hostOf = (u: URL): string => u.hostname.toLowerCase().replace(/^\[|\]$/g, "")

/** Whether a URL may be read under `policy`: scheme, host list and (for IP literals) address class. */
export const checkUrl = (policy: AccessPolicy, url: string): Decision => {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return refused(`${JSON.stringify(url.slice(0, 200))} is not a URL`)
  }
  if (u.protocol === "s3:") {
    if (u.hostname === "") return refused("s3 URL without a bucket")
    return allowed({ _tag: "Url", url: u.href, host: hostOf(u) })
  }
  if (u.protocol !== "http:" && u.protocol !== "https:")
    return refused(`scheme ${u.protocol} is not allowed (http, https and s3 are)`)
  if (u.username !== "" || u.password !== "")
    return refused("URLs with credentials in them are not followed")
  const host = hostOf(u)
  if (!hostAllowed(policy, host))
    return refused(
      `host ${host} is not among the hosts the recipe allows (${policy.hosts.join(", ")})`
    )
  if (isNonPublicHost(host) && !privateAllowed(policy, host, u.port))
    return refused(`host ${host} is a loopback, private or link-local address`)
  return allowed({ _tag: "Url", url: u.href, host })
}

/**
 * Resolve an href found at `origin` and decide. Remote catalogues may reference only http(s)/s3 URLs on
 * allowed hosts; `file:` URLs and local paths only from local catalogues (or the recipe) under allowed roots.
 */
export const resolve = (policy: AccessPolicy, href: string, origin: Origin): Decision => {
  if (typeof href !== "string" || href.length === 0) return refused("empty href")
  if (href.length > 8192) return refused("href longer than 8192 characters")
  const isUrl = /^[a-z][a-z0-9+.-]*:/i.test(href) && !/^[a-z]:[\\/]/i.test(href)
  switch (origin._tag) {
    case "Remote": {
      let abs: URL
      try {
        abs = new URL(href, origin.url)
      } catch {
        return refused(`href ${JSON.stringify(href.slice(0, 200))} is not a URL`)
      }
      if (abs.protocol === "file:")
        return refused("a remote catalogue may not reference local files (file: URL)")
      return checkUrl(policy, abs.href)
    }
    case "Local":
    case "Recipe": {
      if (isUrl) {
        if (/^file:/i.test(href)) {
          let p: string
          try {
            p = decodeURIComponent(new URL(href).pathname)
          } catch {
            return refused(`href ${JSON.stringify(href.slice(0, 200))} is not a file URL`)
          }
          return checkPath(policy, p)
        }
        return checkUrl(policy, href)
      }
      const base =
        origin._tag === "Local" ? origin.path.slice(0, origin.path.lastIndexOf("/") + 1) : "/"
      if (origin._tag === "Recipe" && !href.startsWith("/"))
        return refused(
          `recipe path ${JSON.stringify(href)} must be resolved to an absolute path first`
        )
      return checkPath(policy, href.startsWith("/") ? href : `${base}${href}`)
    }
  }
}

const ipv4 = (host: string): ReadonlyArray<number> | undefined => {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host)
  if (m === null) return undefined
  const parts = m.slice(1).map(Number)
  return parts.every((p) => p <= 255) ? parts : undefined
}

const isNonPublicV4 = ([a, b]: ReadonlyArray<number>): boolean =>
  a === 0 ||
  a === 10 ||
  a === 127 ||
  (a === 100 && b! >= 64 && b! <= 127) ||
  (a === 169 && b === 254) ||
  (a === 172 && b! >= 16 && b! <= 31) ||
  (a === 192 && b === 168) ||
  (a === 192 && b === 0) ||
  (a === 198 && (b === 18 || b === 19)) ||
  a! >= 224

/**
 * True for loopback, private (RFC 1918, ULA), carrier-grade NAT, link-local (incl. cloud metadata
 * 169.254.169.254), unspecified, multicast and reserved addresses, and for `localhost` names.
 */
export const isNonPublicHost = (host: string): boolean => {
  const h = host
    .toLowerCase()
    .replace(/^\[|\]$/g, "")
    .replace(/\.$/, "")
  if (h === "localhost" || h.endsWith(".localhost") || h === "metadata.google.internal") return true
  const v4 = ipv4(h)
  if (v4 !== undefined) return isNonPublicV4(v4)
  if (!h.includes(":")) return false
  if (h === "::" || h === "::1") return true
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h)
  if (mapped !== null) return isNonPublicV4(ipv4(mapped[1]!) ?? [0])
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(h)
  if (hex !== null) {
    const hi = parseInt(hex[1]!, 16)
    return isNonPublicV4([hi >> 8, hi & 255])
  }
  const first = parseInt(h.split(":")[0] || "0", 16)
  return (
    (first & 0xfe00) === 0xfc00 || // unique local fc00::/7
    (first & 0xffc0) === 0xfe80 || // link-local fe80::/10
    (first & 0xff00) === 0xff00 || // multicast
    first === 0x64 // NAT64 64:ff9b::/96 may reach private IPv4
  )
}
