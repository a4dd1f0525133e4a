#!/usr/bin/env node
// Launcher of the `eoforge` command. Installed from npm it runs the build (dist/bin.js); in a checkout of
// the repository (src/ present) it runs the TypeScript sources, with workspace packages resolved to
// their sources too (the "@eoforge/source" export condition), so no build step is needed there.
import { existsSync } from "node:fs"
import { registerHooks } from "node:module"

const source = new URL("../src/bin.ts", import.meta.url)
if (existsSync(source)) {
  registerHooks({
    resolve: (specifier, context, next) =>
      next(specifier, { ...context, conditions: [...context.conditions, "@eoforge/source"] })
  })
  await import(source.href)
} else {
  await import(new URL("../dist/bin.js", import.meta.url).href)
}
