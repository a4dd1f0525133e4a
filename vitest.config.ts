// Vitest workspace for EOForge: one project per package, named after its folder, plus `packaging`
// (tools/package: the packed packages installed outside the repository, and the nx plugin in a workspace).
// `npm test` runs them all; `npm test -w @eoforge/<name>` or `vitest --project <name>` runs one.
// Workspace packages resolve to their TypeScript sources through the "@eoforge/source" export condition.
import { readdirSync } from "node:fs"
import { defaultServerConditions } from "vite"
import { defineConfig } from "vitest/config"

const packages = readdirSync(new URL("./packages", import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)

const conditions = ["@eoforge/source", ...defaultServerConditions]
// Child processes the tests start (`node packages/cli/src/bin.ts`, crash fixtures) resolve sources too;
// `npx vitest` gets this from .npmrc, a bare `vitest` from here.
const sourceFlag = "--conditions=@eoforge/source"
if (!(process.env.NODE_OPTIONS ?? "").includes(sourceFlag)) {
  process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ""} ${sourceFlag}`.trim()
}
const resolve = { conditions }
const ssr = { resolve: { conditions, externalConditions: ["@eoforge/source"] } }

export default defineConfig({
  test: {
    projects: [
      ...packages.map((name) => ({
        resolve,
        ssr,
        test: {
          name,
          root: `packages/${name}`,
          include: ["test/**/*.test.ts"],
          benchmark: { include: ["bench/**/*.bench.ts"] },
          testTimeout: 60_000,
          hookTimeout: 60_000
        }
      })),
      {
        resolve,
        ssr,
        test: {
          name: "packaging",
          root: "tools/package",
          include: ["test/**/*.test.ts"],
          globalSetup: ["test/setup.ts"],
          testTimeout: 600_000,
          hookTimeout: 600_000
        }
      }
    ]
  }
})
