// Folder listings for file names a template cannot know (MODIS names carry a production timestamp:
// `MOD44B.A2020065.h18v03.061.2021062054542.hdf`): an HTTP directory index page, as LP DAAC's data pool and
// Apache/nginx autoindex serve, or a local folder. The template's file name is a glob (`*`, `?`).
import { readdir } from "node:fs/promises"
import { Guarded } from "@eoforge/access"
import { AccessPolicy } from "@eoforge/core"

/** A folder's file names, `absent` (no such folder: 404/410, ENOENT), or why it could not be listed. */
export type Listing = ReadonlyArray<string> | "absent" | { readonly error: string }

// An index page is HTML; a page past this size is not a directory index.
const maxListingBytes = 16 * 1024 * 1024

/** The file names an HTML index page links to in its own folder (`href="name"` or `href="./name"`). */
export const namesOfIndex = (html: string): ReadonlyArray<string> => {
  const names = new Set<string>()
  for (const [, href] of html.matchAll(/href\s*=\s*["']([^"'#?]+)["']/gi)) {
    let name = href!.startsWith("./") ? href!.slice(2) : href!
    // Absolute links to the same folder name the file by their last segment.
    if (/^(https?:)?\//i.test(name)) name = name.slice(name.lastIndexOf("/") + 1)
    if (name === "" || name.includes("/")) continue
    try {
      names.add(decodeURIComponent(name))
    } catch {
      continue
    }
  }
  return [...names]
}

/** Lists a folder URL (ending in `/`) or local folder path under the guard. */
export const listingOf = async (folder: string, guard: Guarded.Guard): Promise<Listing> => {
  try {
    if (!/^(https?|s3):\/\//i.test(folder)) {
      if (guard.policy !== undefined) {
        const d = AccessPolicy.checkPath(guard.policy, folder)
        if (d._tag === "Refused") return { error: d.reason }
      }
      return (await readdir(folder, { withFileTypes: true }))
        .filter((e) => e.isFile())
        .map((e) => e.name)
    }
    const res = await Guarded.request(folder, {}, guard)
    if (res.status === 404 || res.status === 410) {
      res.discard()
      return "absent"
    }
    if (res.status < 200 || res.status >= 300) {
      res.discard()
      return { error: `HTTP ${res.status} listing the folder` }
    }
    return namesOfIndex(new TextDecoder().decode(await res.bytes(maxListingBytes)))
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "absent"
    return { error: error instanceof Error ? error.message : String(error) }
  }
}

/** The greatest name matching a glob (`*` any run of characters but `/`, `?` one), or undefined. */
export const matchListing = (names: ReadonlyArray<string>, glob: string): string | undefined => {
  const pattern = new RegExp(
    `^${glob
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, "[^/]*")
      .replace(/\?/g, "[^/]")}$`
  )
  let best: string | undefined
  for (const n of names) if (pattern.test(n) && (best === undefined || n > best)) best = n
  return best
}
