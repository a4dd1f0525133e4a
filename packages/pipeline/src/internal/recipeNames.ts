// The names of a recipe that become paths (product ids, band names, slot set ids): each must be one safe
// path segment (@eoforge/core SafeName), checked when the recipe is read; each problem names its key.
import { SafeName } from "@eoforge/core"
import type { Recipe } from "../Recipe.ts"

/** Problems of the recipe's path-forming names, with the key path of each. */
export const nameProblems = (
  recipe: Recipe
): ReadonlyArray<{ readonly path: ReadonlyArray<PropertyKey>; readonly message: string }> => {
  const problems: Array<{ path: ReadonlyArray<PropertyKey>; message: string }> = []
  const check = (path: ReadonlyArray<PropertyKey>, what: string, value: unknown) => {
    const problem = SafeName.problem(value)
    if (problem !== undefined)
      problems.push({
        path,
        message: `${what} ${JSON.stringify(String(value).slice(0, 80))} ${problem}; it becomes a folder or file name`
      })
  }
  for (const id of Object.keys(recipe.slots)) check(["slots", id], "slot set id", id)
  recipe.products.forEach((p, i) => {
    check(["products", i, "id"], "product id", p.id)
    p.bands?.forEach((b, j) => check(["products", i, "bands", j, "name"], "band name", b.name))
  })
  return problems
}
