// Vitest workspace for EOForge: one project per package, named after its folder.
// `npm test` runs them all; `npm test -w @eoforge/<name>` or `vitest --project <name>` runs one.
import { readdirSync } from "node:fs"
import { defineConfig } from "vitest/config"

const packages = readdirSync(new URL("./packages", import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)

export default defineConfig({
  test: {
    projects: packages.map((name) => ({
      test: {
        name,
        root: `packages/${name}`,
        include: ["test/**/*.test.ts"],
        benchmark: { include: ["bench/**/*.bench.ts"] },
        testTimeout: 60_000,
        hookTimeout: 60_000
      }
    }))
  }
})
