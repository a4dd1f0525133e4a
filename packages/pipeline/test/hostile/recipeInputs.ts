// Hostile recipes for the tests: the demo recipe with one edit, and the generators of inputs that once
// crashed, stalled or slipped through validation (alias bombs, many unknown keys, deep nesting).
import { assert } from "@effect/vitest"
import { Result } from "effect"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { Recipe } from "../../src/index.ts"

/** The shipped demo recipe's text. */
export const demoText = readFileSync(join(Recipe.shippedDirectory, "demo.yaml"), "utf8")

/** The demo recipe with `from` replaced by `to` (the test fails when `from` is absent). */
export const edited = (from: string | RegExp, to: string): string => {
  assert.match(demoText, typeof from === "string" ? new RegExp(escape(from)) : from)
  return demoText.replace(from, to)
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

/** The 1-based line of the first line of `text` containing `needle`. */
export const lineOf = (text: string, needle: string): number =>
  text.split("\n").findIndex((l) => l.includes(needle)) + 1

/** The RecipeError of text that must be refused. */
export const refused = (text: string, file = "recipe.yaml"): Recipe.RecipeError => {
  const result = Recipe.parse(text, file)
  if (Result.isSuccess(result)) assert.fail("the recipe should be refused")
  const error = (result as Result.Failure<Recipe.Recipe, Recipe.RecipeError>).failure
  assert.strictEqual(error._tag, "RecipeError")
  return error
}

/**
 * A "billion laughs" document: `levels` anchors, each a list of ten aliases of the one before,
 * expanding to 10^levels scalars while the text stays a few hundred bytes.
 */
export const aliasBomb = (levels: number): string => {
  const lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
  for (let i = 1; i <= levels; i++) {
    lines.push(`l${i}: &l${i} [${Array.from({ length: 10 }, () => `*l${i - 1}`).join(", ")}]`)
  }
  return lines.join("\n") + "\n"
}

/** The demo recipe followed by `n` top-level keys that do not exist. */
export const unknownKeys = (n: number): string =>
  demoText + Array.from({ length: n }, (_, i) => `u${i}: 1`).join("\n") + "\n"

/** A value nested `depth` flow sequences deep under `description`. */
export const deeplyNested = (depth: number): string =>
  edited(/^description: [^]*?(?=\nseed:)/m, `description: ${"[".repeat(depth)}${"]".repeat(depth)}`)
