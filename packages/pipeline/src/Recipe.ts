// Recipes: the declarative description of a dataset build, read from YAML or JSON.
// Decoding is strict (unknown keys are errors) and every error points at the file, line and key.
import { Effect, Result, Schema, SchemaIssue } from "effect"
import { dirname, isAbsolute, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { AccessRecipe, accessKeys } from "./internal/access.ts"
import {
  BandRecipe,
  CloudMaskRecipe,
  CompositeRecipe,
  ProductRecipe
} from "./internal/productRecipe.ts"
import { nameProblems } from "./internal/recipeNames.ts"
import { boundedInt, limits, Seed } from "./internal/recipeLimits.ts"
import { check } from "./internal/recipeRules.ts"
import * as RecipeText from "./internal/recipeText.ts"
import { Fraction, withDefault } from "./internal/recipeDecoding.ts"
import {
  OutputRecipe,
  PatchRecipe,
  Sampling,
  SlotsRecipe,
  SourceRecipe,
  SplitRecipe
} from "./internal/recipeSchema.ts"
import { keyPath, nodeAt, suggest } from "./internal/yamlKeys.ts"

export * from "./internal/recipeSchema.ts"
export * from "./internal/productRecipe.ts"

/** Schema of a recipe. */
export const Recipe = Schema.Struct({
  name: Schema.String.check(Schema.isPattern(/^[A-Za-z0-9._-]+$/)),
  description: Schema.optionalKey(Schema.String),
  version: Schema.String.pipe(withDefault("1.0.0")),
  license: Schema.String.pipe(withDefault("CC-BY-4.0")),
  /** The dataset's landing page (Croissant `url`, card); required to finalize with `--publish`. */
  url: Schema.optionalKey(Schema.String),
  /** Who made the dataset. */
  creators: Schema.optionalKey(
    Schema.Array(
      Schema.Struct({
        name: Schema.NonEmptyString,
        type: Schema.Literals(["Person", "Organization"]).pipe(withDefault("Person"))
      })
    )
  ),
  /** How to cite the dataset (BibTeX or text). */
  citeAs: Schema.optionalKey(Schema.String),
  keywords: Schema.optionalKey(Schema.Array(Schema.String)),
  /** Drives every random choice: same recipe and seed, same bytes. */
  seed: Seed.pipe(withDefault(0)),
  sampling: Sampling,
  patch: PatchRecipe,
  overlap: Schema.Struct({ maxOverlap: Fraction.pipe(withDefault(0.25)) }).pipe(
    withDefault({ maxOverlap: 0.25 })
  ),
  sources: Schema.Record(Schema.String, SourceRecipe),
  slots: Schema.Record(Schema.String, SlotsRecipe),
  products: Schema.Array(ProductRecipe).check(Schema.isMinLength(1)),
  split: SplitRecipe.pipe(withDefault({})),
  output: OutputRecipe,
  /** Chips read at once. */
  concurrency: boundedInt(1, limits.concurrency, "concurrency").pipe(withDefault(4)),
  /** What catalogues may point at (hosts, local folders, private networks); see the README. */
  access: Schema.optionalKey(AccessRecipe)
})
/** A decoded recipe, defaults filled in. */
export type Recipe = typeof Recipe.Type

/** A recipe that failed to parse or validate; each problem names its line and key. */
export class RecipeError extends Schema.TaggedError<RecipeError>()("RecipeError", {
  file: Schema.String,
  problems: Schema.Array(
    Schema.Struct({
      line: Schema.optional(Schema.Number),
      key: Schema.String,
      message: Schema.String
    })
  )
}) {
  override get message(): string {
    return [
      `recipe ${this.file} is not valid:`,
      ...this.problems.map(
        (p) => `  ${this.file}${p.line === undefined ? "" : `:${p.line}`} ${p.key}: ${p.message}`
      )
    ].join("\n")
  }
}

/** Known keys of the recipe at each nesting, for "did you mean" hints. */
const knownKeys: ReadonlyArray<string> = [
  ...Object.keys(Recipe.fields),
  ...Object.keys(Sampling.fields),
  ...Object.keys(PatchRecipe.fields),
  ...Object.keys(BandRecipe.fields),
  ...Object.keys(ProductRecipe.fields),
  ...Object.keys(SlotsRecipe.fields),
  ...Object.keys(SplitRecipe.fields),
  ...Object.keys(OutputRecipe.fields),
  ...Object.keys(CloudMaskRecipe.fields),
  ...Object.keys(CompositeRecipe.fields),
  ...accessKeys,
  "maxOverlap",
  "name",
  "pair",
  "with",
  "rule",
  "maxDays",
  "extractGuard",
  "type",
  "catalog",
  "url",
  "signing",
  "alternate"
]

const hint = (key: PropertyKey | undefined): string => suggest(key, knownKeys)

const decode = Schema.decodeUnknownResult(Recipe, { onExcessProperty: "error", errors: "all" })
const formatter = SchemaIssue.makeFormatterStandardSchemaV1()

/**
 * Parse and validate recipe text (YAML, of which JSON is a subset).
 * `file` names the recipe in errors; at most 50 problems are listed, the rest counted.
 */
export const parse = (text: string, file: string): Result.Result<Recipe, RecipeError> => {
  const fail = (problems: ReadonlyArray<RecipeText.Problem>) =>
    Result.fail(new RecipeError({ file, problems: RecipeText.capped(problems, (p) => p) }))
  const parsed = RecipeText.read(text)
  if (!("doc" in parsed)) return fail(parsed)
  const { doc, lineCounter } = parsed
  const lineOf = (path: ReadonlyArray<PropertyKey>) => {
    const offset = nodeAt(doc.contents, path)?.range?.[0]
    return offset === undefined ? {} : { line: lineCounter.linePos(offset).line }
  }
  const decoded = decode(parsed.value)
  if (Result.isSuccess(decoded)) {
    const problems = [...check(decoded.success), ...nameProblems(decoded.success)]
    if (problems.length === 0) return Result.succeed(decoded.success)
    return Result.fail(
      new RecipeError({
        file,
        problems: RecipeText.capped(problems, (p) => ({
          ...lineOf(p.path),
          key: keyPath(p.path),
          message: p.message
        }))
      })
    )
  }
  const issues = formatter(decoded.failure.issue).issues
  return Result.fail(
    new RecipeError({
      file,
      problems: RecipeText.capped(issues, (issue) => {
        const path = (issue.path ?? []).map((p) =>
          typeof p === "object" && p !== null ? (p as { key: PropertyKey }).key : p
        )
        const unexpected = /excess|unexpected/i.test(issue.message)
        return {
          ...lineOf(path),
          key: keyPath(path),
          message: unexpected ? `unknown key${hint(path[path.length - 1])}` : issue.message
        }
      })
    })
  )
}

/** Rules between keys that the Schema alone cannot state; each problem names the key path. */
export { check, slotSetOf } from "./internal/recipeRules.ts"

/** Directory of the shipped recipes (`demo`, `ssl4eo-s12`, `ssl4eo-s12-ee`, `m3leo`). */
export const shippedDirectory = fileURLToPath(new URL("../recipes/", import.meta.url))

/** The names of the shipped recipes. */
export const shipped: ReadonlyArray<string> = ["demo", "ssl4eo-s12", "ssl4eo-s12-ee", "m3leo"]

/** A recipe file that cannot be read. */
export class RecipeNotFoundError extends Schema.TaggedError<RecipeNotFoundError>()(
  "RecipeNotFoundError",
  { file: Schema.String, cause: Schema.Defect() }
) {
  override get message(): string {
    return `cannot read recipe ${this.file}: give a path to a YAML/JSON recipe or one of the shipped names (${shipped.join(", ")})`
  }
}

/** A loaded recipe with the file it came from; relative paths inside it resolve against `directory`. */
export interface Loaded {
  readonly recipe: Recipe
  readonly file: string
  readonly directory: string
}

/** The file of a recipe given by shipped name or path. */
export const resolveFile = (nameOrPath: string): string =>
  shipped.includes(nameOrPath) ? join(shippedDirectory, `${nameOrPath}.yaml`) : resolve(nameOrPath)

/** Read and validate a recipe by shipped name or path. */
export const load = Effect.fn("Recipe.load")(function* (nameOrPath: string) {
  const file = resolveFile(nameOrPath)
  const text = yield* Effect.tryPromise({
    try: () => RecipeText.readFile(file),
    catch: (cause) => new RecipeNotFoundError({ file, cause })
  })
  if (typeof text !== "string") return yield* new RecipeError({ file, problems: [text] })
  const recipe = yield* Effect.fromResult(parse(text, file))
  return { recipe, file, directory: dirname(file) } satisfies Loaded
})

/** Resolve a path written in a recipe against the recipe's directory. */
export const resolvePath = (loaded: Loaded, path: string): string =>
  isAbsolute(path) ? path : join(loaded.directory, path)
