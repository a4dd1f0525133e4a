// The nx project of one recipe: targets sample, build, build-shard-<i> + finalize (shard fan-out),
// export-geotiff and report, with inputs (recipe, its local files, EOForge version) and outputs (the store) for the cache.
import { basename, dirname, isAbsolute, join, normalize, relative } from "node:path"
import type { Recipe } from "@eoforge/pipeline"
import { Schema } from "effect"
import type { LocalInputs } from "./RecipeInputs.ts"

/** Options of the plugin in nx.json (`plugins: [{ plugin: "@eoforge/nx", options }]`). */
export interface Options {
  /** Which files are recipes, relative to the workspace root (default `**\/*.eoforge.{yaml,yml}`). */
  readonly recipes?: string
  /** Partitions of the shard fan-out (`build-shard-0…N-1` then `finalize`); a number, or per recipe name. */
  readonly shards?: number | Readonly<Record<string, number>>
  /** The command run for each target (default `eoforge`, from node_modules/.bin). */
  readonly command?: string
  /** Target names, to avoid clashes with targets a project already has. */
  readonly targetNames?: Partial<Readonly<Record<TargetName, string>>>
}

/** The targets every recipe gets. */
export type TargetName = "sample" | "build" | "finalize" | "exportGeoTiff" | "report"

/** Default glob of recipe files. */
export const defaultRecipes = "**/*.eoforge.{yaml,yml}"

/** Default shard fan-out. */
export const defaultShards = 2

/** The external packages whose versions enter every hash (the EOForge version). */
export const versionPackages: ReadonlyArray<string> = ["@eoforge/cli", "@eoforge/pipeline"]

/** An nx target configuration (the subset this plugin writes). */
export interface Target {
  readonly command?: string
  readonly executor?: string
  readonly options?: Readonly<Record<string, unknown>>
  readonly cache?: boolean
  readonly inputs?: ReadonlyArray<string | Readonly<Record<string, unknown>>>
  readonly outputs?: ReadonlyArray<string>
  readonly dependsOn?: ReadonlyArray<string>
  readonly parallelism?: boolean
  readonly metadata?: Readonly<Record<string, unknown>>
}

/** A project for nx: its name and targets (the root is the recipe's folder). */
export interface Project {
  readonly name: string
  readonly targets: Readonly<Record<string, Target>>
  readonly tags: ReadonlyArray<string>
}

/** A recipe that cannot become a project (a path leaving the workspace, an invalid shard count). */
export class RecipeTargetsError extends Schema.TaggedError<RecipeTargetsError>()(
  "RecipeTargetsError",
  { file: Schema.String, problem: Schema.String }
) {
  override get message(): string {
    return `${this.file}: ${this.problem}`
  }
}

const posix = (p: string) => p.split("\\").join("/")

/** The number of partitions for `name` under `options`. */
export const shardsOf = (options: Options | undefined, name: string, file: string): number => {
  const s = options?.shards
  const n = typeof s === "number" ? s : (s?.[name] ?? defaultShards)
  if (!Number.isInteger(n) || n < 1 || n > 1024) {
    throw new RecipeTargetsError({
      file,
      problem: `shards for ${name} must be an integer from 1 to 1024, got ${n}`
    })
  }
  return n
}

/**
 * The project of the recipe at `file` (relative to `workspaceRoot`). Commands run in the recipe's
 * folder, so its relative paths mean what they mean to `eoforge`; the store is the recipe's output.store.
 */
export const make = (
  workspaceRoot: string,
  file: string,
  recipe: Recipe.Recipe,
  inputs: LocalInputs,
  options: Options | undefined
): Project => {
  const root = posix(dirname(file))
  const recipeName = basename(file)
  const fromRoot = (absolute: string): string | undefined => {
    const rel = posix(relative(workspaceRoot, absolute))
    return rel.startsWith("../") || isAbsolute(rel) ? undefined : rel
  }
  const storeAbsolute = join(workspaceRoot, root, recipe.output.store)
  const store = fromRoot(storeAbsolute)
  if (store === undefined || store === "" || store === ".") {
    throw new RecipeTargetsError({
      file,
      problem: `output.store ${recipe.output.store} leaves the workspace; nx can only cache outputs inside it`
    })
  }
  const storeArg = posix(relative(join(workspaceRoot, root), storeAbsolute))
  const outside = [...inputs.files, ...inputs.folders].filter((p) => fromRoot(p) === undefined)
  const named = [
    ...inputs.files.map(fromRoot).filter((p) => p !== undefined),
    ...inputs.folders
      .map(fromRoot)
      .filter((p) => p !== undefined)
      .map((p) => `${p}/**/*`)
  ].map((p) => `{workspaceRoot}/${p}`)
  const hashed = [
    ...named,
    { externalDependencies: [...versionPackages] },
    { env: "SOURCE_DATE_EPOCH" }
  ]
  const command = options?.command ?? "eoforge"
  const names = {
    sample: "sample",
    build: "build",
    finalize: "finalize",
    exportGeoTiff: "export-geotiff",
    report: "report",
    ...options?.targetNames
  }
  const shards = shardsOf(options, recipe.name, file)
  const run = (args: string) => ({ command: `${command} ${args}`, options: { cwd: root } })
  const geojson = normalize(`${storeArg.replace(/\.zarr\/?$/, "")}.patches.geojson`)
  const geotiff = normalize(`${storeArg.replace(/\.zarr\/?$/, "")}-geotiff`)
  const report = normalize(`${storeArg.replace(/\.zarr\/?$/, "")}-report`)
  const targets: Record<string, Target> = {
    [names.sample]: {
      ...run(`sample ${recipeName} --geojson ${geojson}`),
      cache: true,
      inputs: hashed,
      outputs: [`{projectRoot}/${geojson}`],
      metadata: { description: `Sample and split the patches of ${recipeName} (GeoJSON)` }
    },
    [names.build]: {
      ...run(`build ${recipeName} --out ${storeArg}`),
      cache: true,
      inputs: hashed,
      outputs: [`{workspaceRoot}/${store}`],
      metadata: { description: `Build ${store} from ${recipeName} in one process` }
    },
    [names.finalize]: {
      ...run(`finalize ${storeArg}`),
      cache: true,
      inputs: hashed,
      outputs: [`{workspaceRoot}/${store}`],
      dependsOn: Array.from({ length: shards }, (_, i) => `${names.build}-shard-${i}`),
      metadata: {
        description: `Build ${store} as ${shards} partitions in parallel (build --shard i/${shards}), then merge them`
      }
    },
    [names.exportGeoTiff]: {
      ...run(`export-geotiff ${storeArg} --out ${geotiff}`),
      cache: true,
      inputs: hashed,
      outputs: [`{projectRoot}/${geotiff}`],
      dependsOn: [names.build],
      metadata: { description: `Export ${store} as GeoTIFFs in the SSL4EO-S12 layout` }
    },
    [names.report]: {
      ...run(`report ${storeArg} --out ${report}`),
      cache: true,
      inputs: hashed,
      outputs: [`{projectRoot}/${report}`],
      dependsOn: [names.build],
      metadata: { description: `The report page of ${store} (maps, quicklooks, alignment check)` }
    }
  }
  for (let i = 0; i < shards; i++) {
    // Not cached on their own: partitions share the store folder, which only the finalize step
    // caches whole. A rerun skips finished shards (completion records), so a repeat costs little.
    targets[`${names.build}-shard-${i}`] = {
      ...run(`build ${recipeName} --out ${storeArg} --shard ${i}/${shards}`),
      cache: false,
      metadata: { description: `Partition ${i} of ${shards} of ${store}` }
    }
  }
  return {
    name: recipe.name,
    targets,
    tags: ["eoforge:recipe", ...(outside.length > 0 ? ["eoforge:inputs-outside-workspace"] : [])]
  }
}
