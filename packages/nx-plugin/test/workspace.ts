// Test fixtures of the nx plugin: a workspace folder holding the offline demo's sources and small
// recipes derived from the demo recipe (fewer patches, two products, small shards).
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const repo = fileURLToPath(new URL("../../../", import.meta.url))

/** Copy the demo's catalogue, rasters and AOI to `<workspace>/sources/`. */
export const copySources = (workspace: string): void => {
  for (const part of ["stac", "data"]) {
    cpSync(join(repo, "fixtures/demo", part), join(workspace, "sources", part), { recursive: true })
  }
  cpSync(
    join(repo, "packages/pipeline/recipes/olinda-aoi.geojson"),
    join(workspace, "sources/olinda-aoi.geojson")
  )
}

/** A small recipe over the demo sources, as text: `count` patches, shards of 2, the ls7 and dem products. */
export const recipeText = (name: string, seed: number, count: number): string => {
  const demo = readFileSync(join(repo, "packages/pipeline/recipes/demo.yaml"), "utf8")
  const products = demo.slice(demo.indexOf("products:"), demo.indexOf("split:"))
  const keep = products
    .split(/\n(?=  - id: )/)
    .filter((p) => p.startsWith("products:") || /id: (ls7|dem)\n/.test(p))
    .join("\n")
  return [
    `name: ${name}`,
    `seed: ${seed}`,
    "sampling:",
    "  sampler: aoi",
    "  aoi: ../../sources/olinda-aoi.geojson",
    `  count: ${count}`,
    "  maxCandidates: 2000",
    "patch: { size: 960, resolution: 10, snap: 30 }",
    "sources:",
    "  demo: { type: static, catalog: ../../sources/stac/catalog.json }",
    "slots:",
    "  any: { kind: any }",
    keep.trimEnd(),
    demo.slice(demo.indexOf("split:"), demo.indexOf("output:")).trimEnd(),
    "output:",
    `  store: out/${name}.zarr`,
    "  shardSamples: 2",
    "concurrency: 2",
    ""
  ].join("\n")
}

/** Write `datasets/<name>/<name>.eoforge.yaml`; returns its path relative to the workspace. */
export const writeRecipe = (workspace: string, name: string, seed: number, count: number) => {
  const file = join("datasets", name, `${name}.eoforge.yaml`)
  mkdirSync(dirname(join(workspace, file)), { recursive: true })
  writeFileSync(join(workspace, file), recipeText(name, seed, count))
  return file
}
