// Generators of the hostile inputs of the pipeline tests: copies of a built store edited by hand (sample
// ids, slot names, product ids, statistics, symlinks) and recipes derived from the small test recipe.
import { Codec, Layout } from "@eoforge/zarr"
import { cpSync, readFileSync, readdirSync, writeFileSync } from "node:fs"
import { dirname, join, relative } from "node:path"
import { fileURLToPath } from "node:url"

/** The small test recipe (6 patches, shards of 2). */
export const smallRecipe = fileURLToPath(new URL("../fixtures/small.yaml", import.meta.url))

/**
 * The small recipe with `edit` applied to its text, written to `dir/name`; its relative input paths are
 * made absolute so it may live anywhere.
 */
export const recipeVariant = (
  dir: string,
  name: string,
  edit: (text: string) => string = (t) => t
): string => {
  const base = dirname(smallRecipe)
  const text = readFileSync(smallRecipe, "utf8")
    .replace(
      "aoi: ../../recipes/olinda-aoi.geojson",
      `aoi: ${join(base, "../../recipes/olinda-aoi.geojson")}`
    )
    .replace(
      "catalog: ../../../../fixtures/demo/stac/catalog.json",
      `catalog: ${join(base, "../../../../fixtures/demo/stac/catalog.json")}`
    )
  const file = join(dir, name)
  writeFileSync(file, edit(text))
  return file
}

/** A copy of the store `from` at `to`. */
export const copyStore = (from: string, to: string): string => {
  cpSync(from, to, { recursive: true })
  return to
}

/** Replace the sample ids of shard `shard` (a vlen-utf8 chunk, zstd as EOForge writes it). */
export const writeSampleIds = (store: string, shard: number, ids: ReadonlyArray<string>): void =>
  writeFileSync(
    join(store, "samples", "id", "c", String(shard)),
    Codec.encode(Codec.defaultCompression, Layout.encodeStrings(ids))
  )

/** Edit a JSON file of a store in place. */
export const editJson = (file: string, edit: (doc: any) => void): void => {
  const doc = JSON.parse(readFileSync(file, "utf8"))
  edit(doc)
  writeFileSync(file, JSON.stringify(doc, null, 2) + "\n")
}

/** Every file below `dir`, relative, sorted (to show nothing was written there). */
export const filesUnder = (dir: string): ReadonlyArray<string> =>
  (readdirSync(dir, { recursive: true, withFileTypes: true }) as Array<import("node:fs").Dirent>)
    .filter((e) => !e.isDirectory())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort()
