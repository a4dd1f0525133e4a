// Fuzzing recipe reading: mutated shipped recipes (values, keys, text) and YAML-like noise. Every input
// must end as a valid recipe or a RecipeError within the deadline; a recipe that passes must resolve.
// EOFORGE_FUZZ_RUNS sets the number of inputs (300 by default, bounded for CI).
import { assert, describe, it } from "@effect/vitest"
import { Result } from "effect"
import fc from "fast-check"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { parse, stringify } from "yaml"
import { Products, Recipe } from "../../src/index.ts"
import { aliasBomb } from "./recipeInputs.ts"

const runs = Number(process.env.EOFORGE_FUZZ_RUNS ?? 300)
/** Longest a single input may take to be read, ms (the shared test machine is slow; typical is < 50). */
const deadlineMs = 5000

const shippedTexts = Recipe.shipped.map((name) =>
  readFileSync(join(Recipe.shippedDirectory, `${name}.yaml`), "utf8")
)

// Values that broke or slipped through recipe reading before, plus ordinary ones.
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    1e12,
    1e9,
    -1,
    0,
    0.5,
    1e308,
    -1e308,
    Number.MAX_SAFE_INTEGER + 2,
    "constructor",
    "__proto__",
    "toString",
    "hasOwnProperty",
    "valueOf",
    "",
    " ",
    "../../etc/passwd",
    "2021-02-30",
    "2021-13-01",
    "1",
    "9999-12-31",
    "sentinel-9",
    "sentinel-2-l2a",
    ".nan",
    ".inf",
    null,
    true,
    [],
    {},
    { constructor: 1 },
    { __proto__: null, x: 1 }
  ),
  fc.integer(),
  fc.double(),
  fc.string({ maxLength: 40 }),
  fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 8 })), { maxLength: 5 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.integer(), { maxKeys: 4 })
)

type Path = ReadonlyArray<string | number>

// Every path to a value inside a plain JSON value.
const pathsOf = (value: unknown, prefix: Path = []): Array<Path> => {
  const out: Array<Path> = [prefix]
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...pathsOf(v, [...prefix, i])))
  else if (typeof value === "object" && value !== null) {
    for (const [k, v] of Object.entries(value)) out.push(...pathsOf(v, [...prefix, k]))
  }
  return out
}

type Mutation =
  | { readonly op: "set"; readonly at: number; readonly value: unknown }
  | { readonly op: "delete"; readonly at: number }
  | { readonly op: "add"; readonly at: number; readonly key: string; readonly value: unknown }

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant("set" as const), at: fc.nat(), value: hostileValue }),
  fc.record({ op: fc.constant("delete" as const), at: fc.nat() }),
  fc.record({
    op: fc.constant("add" as const),
    at: fc.nat(),
    key: fc.oneof(
      fc.constantFrom("__proto__", "constructor", "toString", "count", "access", "name"),
      fc.string({ maxLength: 10 })
    ),
    value: hostileValue
  })
)

const apply = (root: any, m: Mutation): void => {
  const paths = pathsOf(root).filter((p) => p.length > 0)
  const path = paths[m.at % paths.length]
  let parent = root
  for (const k of path.slice(0, -1)) parent = parent[k]
  const last = path[path.length - 1]
  if (m.op === "set") parent[last] = m.value
  else if (m.op === "delete") {
    if (Array.isArray(parent)) parent.splice(Number(last), 1)
    else delete parent[last]
  } else {
    const target = parent[last]
    if (typeof target === "object" && target !== null && !Array.isArray(target)) {
      Object.defineProperty(target, m.key, {
        value: m.value,
        enumerable: true,
        writable: true,
        configurable: true
      })
    } else parent[last] = { [m.key]: m.value }
  }
}

/** A shipped recipe with 1–4 structural mutations, written as YAML or JSON. */
const structural = fc
  .record({
    recipe: fc.nat({ max: shippedTexts.length - 1 }),
    mutations: fc.array(mutation, { minLength: 1, maxLength: 4 }),
    json: fc.boolean()
  })
  .map(({ recipe, mutations, json }) => {
    const value = parse(shippedTexts[recipe])
    for (const m of mutations) apply(value, m)
    return json ? JSON.stringify(value) : stringify(value)
  })

const yamlAlphabet = [..."&*!|>-?:,[]{}'\"#%@`\n\t  abcxyz019.~\\"]

/** A shipped recipe with bytes inserted, deleted or a line repeated; sometimes an alias bomb inside. */
const textual = fc
  .record({
    recipe: fc.nat({ max: shippedTexts.length - 1 }),
    edits: fc.array(
      fc.record({
        at: fc.nat(),
        remove: fc.nat({ max: 20 }),
        insert: fc.oneof(
          fc.array(fc.constantFrom(...yamlAlphabet), { maxLength: 12 }).map((cs) => cs.join("")),
          fc.constantFrom(
            "\u0000",
            "\uFEFF",
            "\uD800",
            "&a [1,2]\n",
            "*a",
            "<<: *a\n",
            "!!binary x"
          ),
          fc.nat({ max: 8 }).map((n) => aliasBomb(n))
        )
      }),
      { minLength: 1, maxLength: 6 }
    )
  })
  .map(({ recipe, edits }) => {
    let text = shippedTexts[recipe]
    for (const e of edits) {
      const at = e.at % (text.length + 1)
      text = text.slice(0, at) + e.insert + text.slice(at + e.remove)
    }
    return text
  })

/** YAML-looking noise. */
const noise = fc
  .array(fc.constantFrom(...yamlAlphabet, "name", "products", "- ", "sampling", "&x", "*x"), {
    maxLength: 200
  })
  .map((cs) => cs.join(""))

/** Read one input: never a throw, never past the deadline, a RecipeError or a recipe that resolves. */
const readOne = (text: string): void => {
  const started = performance.now()
  const result = Recipe.parse(text, "fuzz.yaml")
  const ms = performance.now() - started
  assert.isBelow(ms, deadlineMs, `reading took ${ms} ms`)
  if (Result.isFailure(result)) {
    const error = result.failure
    assert.strictEqual(error._tag, "RecipeError")
    assert.isAbove(error.problems.length, 0)
    assert.isAtMost(error.problems.length, 51)
    for (const p of error.problems) {
      assert.isString(p.key)
      assert.isString(p.message)
      if (p.line !== undefined) assert.isTrue(Number.isInteger(p.line) && p.line >= 1)
    }
    assert.include(error.message, "fuzz.yaml")
    return
  }
  // Whatever passed validation is a recipe the build can resolve: no product problem left for later.
  Products.resolve(result.success, (p) => p)
}

describe("recipe fuzzing", () => {
  it(`${runs} mutated and random recipes end as a recipe or a RecipeError, each within ${deadlineMs} ms`, () => {
    const started = performance.now()
    const outcome = fc.check(
      fc.property(fc.oneof({ arbitrary: structural, weight: 3 }, textual, noise), readOne),
      { numRuns: runs, seed: Number(process.env.EOFORGE_FUZZ_SEED ?? 20261206) }
    )
    console.info(
      `recipe fuzz: ${outcome.numRuns} inputs in ${Math.round(performance.now() - started)} ms, ${outcome.failed ? "FAILED" : "no crash, no input over the deadline"}`
    )
    if (outcome.failed) {
      assert.fail(`${fc.defaultReportMessage(outcome)}\nerror: ${String(outcome.errorInstance)}`)
    }
  }, 600_000)
})
