// Copy the pipeline's shipped recipes and the offline demo's sources into its build (dist/), so that
// the published package runs `eoforge build demo` on its own. Run by the build after tsc.
//
// In the repository the demo recipe names its catalogue as ../../../fixtures/demo/stac/catalog.json;
// the package keeps the same relative layout under dist/: dist/lib (code), dist/recipes, dist/demo.
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { root } from "./packages.ts"

const source = join(root, "packages/pipeline/recipes")
const dist = join(root, "packages/pipeline/dist")
const demoFixtures = join(root, "fixtures/demo")
/** How the repository's demo recipe names its catalogue, and how the packaged one does. */
const repoCatalog = "../../../fixtures/demo/"
const packagedCatalog = "../demo/"

rmSync(join(dist, "recipes"), { recursive: true, force: true })
rmSync(join(dist, "demo"), { recursive: true, force: true })
mkdirSync(join(dist, "recipes"), { recursive: true })
for (const name of readdirSync(source)) {
  const text = readFileSync(join(source, name), "utf8")
  if (name === "demo.yaml") {
    if (!text.includes(`catalog: ${repoCatalog}`)) {
      throw new Error(
        `packages/pipeline/recipes/demo.yaml no longer names its catalogue as ${repoCatalog}…; update tools/package/pipeline-assets.ts`
      )
    }
    writeFileSync(
      join(dist, "recipes", name),
      text.replaceAll(`catalog: ${repoCatalog}`, `catalog: ${packagedCatalog}`)
    )
  } else {
    writeFileSync(join(dist, "recipes", name), text)
  }
}
for (const part of ["README.md", "stac", "data"]) {
  cpSync(join(demoFixtures, part), join(dist, "demo", part), { recursive: true })
}
