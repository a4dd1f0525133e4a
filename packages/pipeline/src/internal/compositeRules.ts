// Rules of composite slots (median, mean, min, max, first-valid) across recipe keys: a composite takes every
// acquisition of a STAC search, so it cannot pair with one scene, and linear compositing needs dB floats.
import { Rule } from "@eoforge/composite"
import type { Recipe } from "../Recipe.ts"
import { presetOf } from "./presetNames.ts"

/** The problems of one product's composite settings, each with its key path inside the product. */
export const compositeProblems = (
  recipe: Recipe,
  p: Recipe["products"][number]
): ReadonlyArray<{ readonly path: ReadonlyArray<PropertyKey>; readonly message: string }> => {
  const problems: Array<{ path: ReadonlyArray<PropertyKey>; message: string }> = []
  const name = p.slots ?? Object.keys(recipe.slots)[0]
  const rule = name === undefined ? undefined : recipe.slots[name]?.rule
  if (rule === undefined || !Rule.isRule(rule)) {
    if (p.composite !== undefined)
      problems.push({
        path: ["composite"],
        message: `slots "${name ?? ""}" select one scene (rule ${rule ?? "least-cloudy"}); composite options need a slot rule of ${Rule.rules.join(", ")}`
      })
    return problems
  }
  const source = Object.hasOwn(recipe.sources, p.source) ? recipe.sources[p.source] : undefined
  if (source !== undefined && source.type !== "static" && source.type !== "stac-api")
    problems.push({
      path: ["slots"],
      message: `a ${rule} composite needs a STAC source (static or stac-api); source "${p.source}" is ${source.type}`
    })
  if (p.pair !== undefined)
    problems.push({
      path: ["pair"],
      message: `a ${rule} composite uses every acquisition of its window; it cannot pair with one scene of ${p.pair.with}`
    })
  const dtype = p.dtype ?? (p.preset === undefined ? undefined : presetOf(p.preset)?.spec.dtype)
  if (p.composite?.scale === "linear" && dtype !== "float32" && dtype !== "float64")
    problems.push({
      path: ["composite", "scale"],
      message: `linear compositing converts dB values, which need a float dtype (this product is ${dtype ?? "unknown"})`
    })
  return problems
}
