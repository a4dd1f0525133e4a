// The nx entry points: createNodes (v2 signature; also exported as createNodesV2) turns every recipe
// file matching the configured glob into a project rooted at the recipe's folder.
import { readFileSync } from "node:fs"
import { dirname, join, matchesGlob } from "node:path"
import { Recipe } from "@eoforge/pipeline"
import { Result } from "effect"
import type {
  CreateNodesContext,
  CreateNodesResult,
  CreateNodesV2
} from "nx/src/project-graph/plugins"
import * as RecipeInputs from "./RecipeInputs.ts"
import * as RecipeTargets from "./RecipeTargets.ts"

/** Every YAML file is offered; `options.recipes` decides which are recipes. */
const pattern = "**/*.{yaml,yml}"

const projectsOf = (
  files: ReadonlyArray<string>,
  options: RecipeTargets.Options | undefined,
  context: CreateNodesContext
): Array<readonly [string, CreateNodesResult]> => {
  const glob = options?.recipes ?? RecipeTargets.defaultRecipes
  const recipes = files.filter((f) => matchesGlob(f, glob))
  const byFolder = new Map<string, Array<string>>()
  for (const f of recipes) byFolder.set(dirname(f), [...(byFolder.get(dirname(f)) ?? []), f])
  const out: Array<readonly [string, CreateNodesResult]> = []
  for (const file of recipes) {
    const siblings = byFolder.get(dirname(file))!
    if (siblings.length > 1) {
      throw new RecipeTargets.RecipeTargetsError({
        file,
        problem: `one recipe per folder (the folder is the nx project): ${siblings.join(", ")}`
      })
    }
    const absolute = join(context.workspaceRoot, file)
    const parsed = Recipe.parse(readFileSync(absolute, "utf8"), absolute)
    if (Result.isFailure(parsed)) throw parsed.failure
    const recipe = parsed.success
    const project = RecipeTargets.make(
      context.workspaceRoot,
      file,
      recipe,
      RecipeInputs.of(recipe, absolute),
      options
    )
    out.push([
      file,
      {
        projects: {
          [dirname(file)]: {
            name: project.name,
            tags: [...project.tags],
            targets: project.targets as NonNullable<
              NonNullable<CreateNodesResult["projects"]>[string]["targets"]
            >
          }
        }
      }
    ])
  }
  return out
}

/** The plugin: recipe files → projects with EOForge targets. */
export const createNodes: CreateNodesV2<RecipeTargets.Options> = [
  pattern,
  (files, options, context) => projectsOf(files, options, context)
]

/** The same, under the name nx 20–22 look for. */
export const createNodesV2: CreateNodesV2<RecipeTargets.Options> = createNodes
