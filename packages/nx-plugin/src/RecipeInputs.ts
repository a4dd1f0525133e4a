// The local files a recipe depends on: its AOI, its locations file and, for static catalogues, every
// catalogue, collection and item JSON reached from the root plus the local assets the items name.

import { existsSync, readFileSync } from "node:fs"
import { dirname, isAbsolute, join, resolve } from "node:path"
import type { Recipe } from "@eoforge/pipeline"

/** At most this many catalogue JSON files are read per recipe; beyond it the catalogue's folder is the input. */
export const maxCatalogFiles = 5_000

/** What a recipe reads from the local disk: absolute paths of files, and folders taken as a whole. */
export interface LocalInputs {
  readonly files: ReadonlyArray<string>
  readonly folders: ReadonlyArray<string>
}

const isRemote = (href: string): boolean => /^[a-z][a-z0-9+.-]*:\/\//i.test(href)

const hrefsOf = (json: any): { readonly links: Array<string>; readonly assets: Array<string> } => {
  const links: Array<string> = []
  for (const link of Array.isArray(json?.links) ? json.links : []) {
    if ((link?.rel === "child" || link?.rel === "item") && typeof link.href === "string") {
      links.push(link.href)
    }
  }
  const assets: Array<string> = []
  for (const asset of Object.values(json?.assets ?? {})) {
    const href = (asset as { href?: unknown })?.href
    if (typeof href === "string") assets.push(href)
  }
  return { links, assets }
}

/** Every local file of a static catalogue rooted at `catalog` (absolute), walking child and item links. */
export const ofCatalog = (catalog: string): LocalInputs => {
  const files = new Set<string>()
  const seen = new Set<string>()
  const queue = [catalog]
  while (queue.length > 0) {
    const file = queue.shift()!
    if (seen.has(file)) continue
    if (seen.size >= maxCatalogFiles) return { files: [...files], folders: [dirname(catalog)] }
    seen.add(file)
    files.add(file)
    let json: unknown
    try {
      json = JSON.parse(readFileSync(file, "utf8"))
    } catch {
      // Unreadable now: the build reports it with its own error; the file stays an input.
      continue
    }
    const { links, assets } = hrefsOf(json)
    for (const href of links) if (!isRemote(href)) queue.push(resolve(dirname(file), href))
    for (const href of assets) {
      if (isRemote(href)) continue
      const path = href.startsWith("file://")
        ? new URL(href).pathname
        : resolve(dirname(file), href)
      files.add(path)
    }
  }
  return { files: [...files].sort(), folders: [] }
}

/** The local files of `recipe` read from `recipeFile` (absolute): relative paths resolve against its folder. */
export const of = (recipe: Recipe.Recipe, recipeFile: string): LocalInputs => {
  const at = (p: string) => (isAbsolute(p) ? p : join(dirname(recipeFile), p))
  const files = new Set<string>([recipeFile])
  const folders = new Set<string>()
  if (recipe.sampling.aoi !== undefined) files.add(at(recipe.sampling.aoi))
  if (recipe.sampling.locations !== undefined) files.add(at(recipe.sampling.locations))
  for (const source of Object.values(recipe.sources)) {
    if (source.type !== "static" || !("catalog" in source) || typeof source.catalog !== "string")
      continue
    if (isRemote(source.catalog)) continue
    const catalog = at(source.catalog)
    if (!existsSync(catalog)) {
      files.add(catalog)
      continue
    }
    const found = ofCatalog(catalog)
    for (const f of found.files) files.add(f)
    for (const f of found.folders) folders.add(f)
  }
  return { files: [...files].sort(), folders: [...folders].sort() }
}
