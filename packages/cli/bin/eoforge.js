#!/usr/bin/env node
// Launcher of the `eoforge` command. Installed from npm it runs the build (dist/bin.js); in a checkout of
// the repository (src/ present) it runs the TypeScript sources, with workspace packages resolved to
// their sources too (the "@eoforge/source" export condition), so no build step is needed there.
import { existsSync } from "node:fs"
import { enableCompileCache, registerHooks } from "node:module"

// V8's code cache of every module loaded (Node's compile cache, in the system's temporary directory unless
// NODE_COMPILE_CACHE names another): later starts — queue workers, build threads, repeated commands — skip
// most compiling. A cache that cannot be written is skipped silently.
enableCompileCache?.()

const source = new URL("../src/bin.ts", import.meta.url)
const inRepository = existsSync(source)

// A queue worker's and a build's V8 marking triggers (src/internal/markingTriggers.ts), set before anything
// is loaded.
if (process.argv[2] === "worker" || process.argv[2] === "build") {
  const triggers = inRepository
    ? "../src/internal/markingTriggers.ts"
    : "../dist/internal/markingTriggers.js"
  const { apply, buildFlags } = await import(new URL(triggers, import.meta.url).href)
  apply(process.argv[2] === "build" ? buildFlags : undefined)
}

if (inRepository) {
  registerHooks({
    resolve: (specifier, context, next) =>
      next(specifier, { ...context, conditions: [...context.conditions, "@eoforge/source"] })
  })
  await import(source.href)
} else {
  await import(new URL("../dist/bin.js", import.meta.url).href)
}
