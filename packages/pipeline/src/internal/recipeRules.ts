// Rules of a recipe that span several keys (the Schema checks each key alone): samplers that need a
// count or a file, proportions, patch and product grids, presets, sources, slot sets and pairing.
import { AccessPolicy } from "@eoforge/core"
import type { Recipe } from "../Recipe.ts"
import { kindOf, kinds } from "./sourceKinds.ts"
import { presetNames, presetOf } from "./presetNames.ts"
import { limits } from "./recipeLimits.ts"
import { compositeProblems } from "./compositeRules.ts"
import { readerOptionsOf } from "./readerOptions.ts"
import { slotProblems } from "./slotRules.ts"

// Records decoded from YAML are plain objects: a name such as `constructor` or `toString` must not
// find what Object.prototype holds.
const has = (record: object, key: string): boolean => Object.hasOwn(record, key)

const isMultiple = (a: number, b: number): boolean => {
  const q = a / b
  return Math.abs(q - Math.round(q)) <= 1e-9 * Math.max(1, q) && Math.round(q) >= 1
}

/** The slot set a product uses: its own, else the recipe's first. */
export const slotSetOf = (
  recipe: Recipe,
  product: Recipe["products"][number]
): string | undefined => product.slots ?? Object.keys(recipe.slots)[0]

/** What a recipe defines under `sources` or `slots`, for messages. */
const defined = (record: object): string => Object.keys(record).slice(0, 20).join(", ") || "none"

/** Rules between keys that the Schema alone cannot state; each problem names the key path. */
export const check = (
  recipe: Recipe
): ReadonlyArray<{ readonly path: ReadonlyArray<PropertyKey>; readonly message: string }> => {
  const problems: Array<{ path: ReadonlyArray<PropertyKey>; message: string }> = []
  const add = (path: ReadonlyArray<PropertyKey>, message: string) =>
    problems.push({ path, message })
  // Sources of other kinds are validated by their kind now, so a recipe that passes also resolves.
  for (const [key, source] of Object.entries(recipe.sources)) {
    if (source.type === "static" || source.type === "stac-api") continue
    const kind = kindOf(source.type)
    if (kind === undefined) {
      add(
        ["sources", key, "type"],
        `source type ${source.type} is not known (static, stac-api, ${kinds.map((k) => k.type).join(", ")})`
      )
      continue
    }
    try {
      kind.prepare(source, { key, resolvePath: (p) => p, access: AccessPolicy.make() })
    } catch (error) {
      add(["sources", key], error instanceof Error ? error.message : String(error))
    }
  }
  const s = recipe.sampling
  if (["cities", "sphere", "aoi"].includes(s.sampler) && s.count === undefined) {
    add(
      ["sampling"],
      `sampler ${s.sampler} draws without end: give sampling.count (patches wanted)`
    )
  }
  if (s.edge !== undefined && s.sampler !== "tiles") {
    add(["sampling", "edge"], `edge chooses the tiles of an AOI's border: it needs sampler: tiles`)
  }
  if (s.seam === "least-overlap" && s.sampler !== "tiles") {
    add(
      ["sampling", "seam"],
      `seam: least-overlap closes holes between tiles: it needs sampler: tiles`
    )
  }
  if ((s.sampler === "aoi" || s.sampler === "tiles") && s.aoi === undefined) {
    add(["sampling"], `sampler ${s.sampler} needs sampling.aoi (a GeoJSON file)`)
  }
  if (s.sampler === "locations" && s.locations === undefined) {
    add(["sampling"], "sampler locations needs sampling.locations (a CSV or GeoJSON file)")
  }
  if (s.topN < 1) add(["sampling", "topN"], `topN must be at least 1, got ${s.topN}`)
  const sum = recipe.split.proportions.reduce((a, b) => a + b, 0)
  if (Math.abs(sum - 1) > 1e-9) {
    add(
      ["split", "proportions"],
      `train, val and test proportions must sum to 1, got ${recipe.split.proportions.join(" + ")} = ${sum}`
    )
  }
  const { size, resolution } = recipe.patch
  if (size / resolution > limits.patchPixels) {
    add(
      ["patch", "resolution"],
      `a ${size} m patch of ${resolution} m pixels is ${Math.round(size / resolution)} pixels wide; at most ${limits.patchPixels} are allowed`
    )
  } else if (!isMultiple(size, resolution)) {
    add(["patch", "size"], `${size} m is not a whole number of ${resolution} m pixels`)
  }
  for (const [name, slots] of Object.entries(recipe.slots)) {
    for (const p of slotProblems(slots)) add(["slots", name, ...p.path], p.message)
  }
  recipe.products.forEach((p, i) => {
    if (!has(recipe.sources, p.source)) {
      add(
        ["products", i, "source"],
        `source "${p.source}" is not defined under sources (defined: ${defined(recipe.sources)})`
      )
    }
    const slots = slotSetOf(recipe, p)
    if (slots === undefined || !has(recipe.slots, slots)) {
      add(
        ["products", i, "slots"],
        `slots "${slots ?? ""}" is not defined under slots (defined: ${defined(recipe.slots)})`
      )
    }
    productProblems(p, (path, message) => add(["products", i, ...path], message))
    for (const c of compositeProblems(recipe, p)) add(["products", i, ...c.path], c.message)
    const base = p.preset === undefined ? undefined : presetOf(p.preset)
    if (p.preset === undefined || base !== undefined) {
      const options = readerOptionsOf(recipe, p, base, (path) => path)
      if (typeof options === "string") add(["products", i, "readerOptions"], options)
    }
    if (p.resolution !== undefined) {
      if (!isMultiple(size, p.resolution) || !isMultiple(p.resolution, resolution)) {
        add(
          ["products", i, "resolution"],
          `${p.resolution} m must be a whole multiple of the patch resolution (${resolution} m) and divide the patch size (${size} m)`
        )
      }
      if (recipe.patch.snap !== undefined && !isMultiple(recipe.patch.snap, p.resolution)) {
        add(
          ["products", i, "resolution"],
          `${p.resolution} m must divide patch.snap (${recipe.patch.snap} m) so that its pixels nest`
        )
      }
    }
    if (p.pair !== undefined) {
      const target = recipe.products.findIndex((q) => q.id === p.pair!.with)
      if (target < 0 || target >= i) {
        add(
          ["products", i, "pair", "with"],
          `"${p.pair.with}" must name a product listed before ${p.id}`
        )
      } else if (slotSetOf(recipe, recipe.products[target]) !== slots) {
        add(
          ["products", i, "pair", "with"],
          `${p.id} uses slots "${slots}" but ${p.pair.with} uses "${slotSetOf(recipe, recipe.products[target])}"; paired products must share their slots`
        )
      }
      if (p.pair.rule === "within-days" && p.pair.maxDays === undefined) {
        add(["products", i, "pair"], "rule within-days needs maxDays")
      }
    }
  })
  // One pass (a recipe may list thousands of products): each later use of an id is a problem.
  const seen = new Set<string>()
  recipe.products.forEach((p, i) => {
    if (seen.has(p.id)) add(["products", i, "id"], `product id "${p.id}" is used twice`)
    seen.add(p.id)
  })
  return problems
}

// What a product needs from its preset or, without one, from the recipe.
const productProblems = (
  p: Recipe["products"][number],
  add: (path: ReadonlyArray<PropertyKey>, message: string) => void
): void => {
  const preset = p.preset === undefined ? undefined : presetOf(p.preset)
  if (p.output !== undefined) {
    const [lo, hi] = p.output.range
    if (!(hi > lo))
      add(["output", "range"], `output.range [${lo}, ${hi}] must rise: [lo, hi] with hi > lo`)
    // With an output transform, `dtype` is the dtype values are read in (a custom product's); the store
    // holds output.dtype.
  }
  if (p.preset !== undefined && preset === undefined) {
    add(["preset"], `unknown preset "${p.preset}"; presets are ${presetNames.join(", ")}`)
    return
  }
  if (preset === undefined) {
    if (p.bands === undefined)
      add([], "a product without a preset needs bands: [{ name, asset, index }]")
    if (p.collection === undefined)
      add([], "a product without a preset needs collection: <STAC collection id>")
    if (p.dtype === undefined) add([], "a product without a preset needs dtype")
    return
  }
  const names = new Set(preset.spec.bands.map((b) => b.name))
  ;(p.bands ?? []).forEach((b, j) => {
    if (!names.has(b.name)) {
      add(
        ["bands", j, "name"],
        `band ${b.name} is not in preset ${p.preset} (bands: ${[...names].join(", ")})`
      )
    }
  })
}
