// A consumer project outside the repository: npm install of the packed packages, and the files that
// import each of them from plain JavaScript and from TypeScript. Used by the packaging tests.
import { execFile } from "node:child_process"
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { promisify } from "node:util"
import { cleanEnv } from "./pack.ts"
import { inOrder } from "./packages.ts"

const run = promisify(execFile)

/** The public names of a package: the `export * as M` and `export { a, b }` lines of its src/index.ts. */
export const modulesOf = (folder: string): ReadonlyArray<string> => {
  const text = readFileSync(
    join(inOrder().find((p) => p.folder === folder)!.dir, "src/index.ts"),
    "utf8"
  )
  return [
    ...[...text.matchAll(/^export \* as (\w+) from/gm)].map((m) => m[1]!),
    ...[...text.matchAll(/^export \{([^}]*)\} from/gm)].flatMap((m) =>
      m[1]!.split(",").map((n) => n.trim())
    )
  ]
}

/** Run a command in `cwd` with the clean environment (Node 24 first on PATH); returns its output. */
export const exec = async (
  command: string,
  args: ReadonlyArray<string>,
  cwd: string,
  extra: Record<string, string> = {}
): Promise<{ readonly stdout: string; readonly stderr: string }> =>
  run(command, [...args], {
    cwd,
    env: cleanEnv(extra),
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024
  })

/** npm install `specs` into `dir`, with the @eoforge scope from `registry` and the npm cache preferred. */
export const npmInstall = (
  dir: string,
  registry: string,
  specs: ReadonlyArray<string>,
  flags: ReadonlyArray<string> = []
) =>
  exec(
    "npm",
    [
      "install",
      ...specs,
      `--@eoforge:registry=${registry}`,
      "--prefer-offline",
      "--no-audit",
      "--no-fund",
      "--loglevel=error",
      ...flags
    ],
    dir
  )

/** Write the consumer files: index.mjs (prints each package's export names) and two TypeScript files. */
export const writeConsumer = (dir: string): void => {
  const packages = inOrder()
  writeFileSync(
    join(dir, "index.mjs"),
    [
      ...packages.map((p, i) => `import * as p${i} from "${p.name}"`),
      `const names = ${JSON.stringify(packages.map((p) => p.name))}`,
      `const modules = [${packages.map((_, i) => `p${i}`).join(", ")}]`,
      "console.log(JSON.stringify(Object.fromEntries(names.map((n, i) => [n, Object.keys(modules[i]).sort()]))))",
      ""
    ].join("\n")
  )
  writeFileSync(
    join(dir, "consumer.ts"),
    [
      ...packages.map((p, i) => `import * as p${i} from "${p.name}"`),
      ...packages.map(
        (p, i) =>
          `export const modules${i}: ReadonlyArray<keyof typeof p${i}> = ${JSON.stringify(modulesOf(p.folder))}`
      ),
      `import { Recipe, Version } from "@eoforge/pipeline"`,
      `export const version: string = Version.version`,
      `export const shipped: ReadonlyArray<string> = Recipe.shipped`,
      `export const demo: string = Recipe.resolveFile("demo")`,
      ""
    ].join("\n")
  )
  // The same project with one wrong type: proves the declarations carry real types, not `any`.
  writeFileSync(
    join(dir, "wrong.ts"),
    `import { Version } from "@eoforge/pipeline"\nexport const wrong: number = Version.version\n`
  )
  const tsconfig = (files: ReadonlyArray<string>) => ({
    compilerOptions: {
      target: "es2024",
      module: "nodenext",
      moduleResolution: "nodenext",
      strict: true,
      noEmit: true,
      // Third-party declarations (numcodecs, unzipit) do not pass nodenext checks; ours are used below.
      skipLibCheck: true,
      types: ["node"]
    },
    files
  })
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify(tsconfig(["consumer.ts"]), null, 2))
  writeFileSync(join(dir, "tsconfig.wrong.json"), JSON.stringify(tsconfig(["wrong.ts"]), null, 2))
}

/** Where `name` is installed in `dir` (package-lock paths): Effect's services and Redacted need one copy. */
export const copiesOf = (dir: string, name: string): ReadonlyArray<string> =>
  Object.keys(
    JSON.parse(readFileSync(join(dir, "package-lock.json"), "utf8")).packages as Record<
      string,
      unknown
    >
  ).filter((path) => path === `node_modules/${name}` || path.endsWith(`/node_modules/${name}`))
