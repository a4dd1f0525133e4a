// Rules of a recipe that span several keys (the Schema checks each key alone): samplers that need a
// count or a file, proportions, product resolutions, sources, slot sets and pairing.
import type { Recipe } from "../Recipe.ts"

const isMultiple = (a: number, b: number): boolean => {
  const q = a / b
  return Math.abs(q - Math.round(q)) <= 1e-9 * Math.max(1, q) && Math.round(q) >= 1
}

/** The slot set a product uses: its own, else the recipe's first. */
export const slotSetOf = (
  recipe: Recipe,
  product: Recipe["products"][number]
): string | undefined => product.slots ?? Object.keys(recipe.slots)[0]

/** Rules between keys that the Schema alone cannot state; each problem names the key path. */
export const check = (
  recipe: Recipe
): ReadonlyArray<{ readonly path: ReadonlyArray<PropertyKey>; readonly message: string }> => {
  const problems: Array<{ path: ReadonlyArray<PropertyKey>; message: string }> = []
  const add = (path: ReadonlyArray<PropertyKey>, message: string) =>
    problems.push({ path, message })
  const s = recipe.sampling
  if (["cities", "sphere", "aoi"].includes(s.sampler) && s.count === undefined) {
    add(
      ["sampling"],
      `sampler ${s.sampler} draws without end: give sampling.count (patches wanted)`
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
  if (!isMultiple(size, resolution)) {
    add(["patch", "size"], `${size} m is not a whole number of ${resolution} m pixels`)
  }
  recipe.products.forEach((p, i) => {
    if (recipe.sources[p.source] === undefined) {
      add(
        ["products", i, "source"],
        `source "${p.source}" is not defined under sources (defined: ${Object.keys(recipe.sources).join(", ") || "none"})`
      )
    }
    const slots = slotSetOf(recipe, p)
    if (slots === undefined || recipe.slots[slots] === undefined) {
      add(
        ["products", i, "slots"],
        `slots "${slots ?? ""}" is not defined under slots (defined: ${Object.keys(recipe.slots).join(", ") || "none"})`
      )
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
  const ids = recipe.products.map((p) => p.id)
  ids.forEach((id, i) => {
    if (ids.indexOf(id) !== i) add(["products", i, "id"], `product id "${id}" is used twice`)
  })
  return problems
}
