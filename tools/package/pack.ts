// Pack every workspace package with `npm pack` into a directory, building first when a package's
// dist/ is missing or older than its sources. Used by the packaging tests (tools/package/test).
import { execFileSync, spawnSync } from "node:child_process"
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs"
import { dirname, join } from "node:path"
import { inOrder, root } from "./packages.ts"
import type { Packed } from "./registry.ts"

/** The environment for npm and node run outside the repository: no source condition, no npm_* leftovers. */
export const cleanEnv = (extra: Record<string, string> = {}): Record<string, string> => {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || k === "NODE_OPTIONS" || /^npm_/i.test(k)) continue
    env[k] = v
  }
  // Node 24 (this process's) first, for npm and for `#!/usr/bin/env node` bins.
  env.PATH = `${dirname(process.execPath)}:${env.PATH ?? ""}`
  return { ...env, ...extra }
}

const newest = (dir: string): number => {
  let t = 0
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs)
  }
  return t
}

/** Packages whose build is missing or older than their sources (or tsconfig). */
export const stale = (): ReadonlyArray<string> =>
  inOrder()
    .filter((p) => {
      const info = join(p.dir, "dist/tsconfig.lib.tsbuildinfo")
      if (!existsSync(info)) return true
      const built = statSync(info).mtimeMs
      const inputs = [newest(join(p.dir, "src")), statSync(join(p.dir, "package.json")).mtimeMs]
      if (p.folder === "pipeline") inputs.push(newest(join(p.dir, "recipes")))
      return Math.max(...inputs) > built
    })
    .map((p) => p.folder)

/** Build what is stale, then `npm pack` every package into `destination`. */
export const packAll = (destination: string): ReadonlyArray<Packed> => {
  const todo = stale()
  if (todo.length > 0) {
    const r = spawnSync(process.execPath, [join(root, "tools/package/build.ts")], {
      cwd: root,
      stdio: "inherit"
    })
    if (r.status !== 0) throw new Error("npm run build failed")
  }
  const out = execFileSync(
    "npm",
    ["pack", "--workspaces", "--json", "--pack-destination", destination],
    { cwd: root, env: cleanEnv(), encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }
  )
  const described = JSON.parse(out) as Array<{
    name: string
    version: string
    filename: string
    integrity: string
    shasum: string
  }>
  return described.map((d) => {
    const pkg = inOrder().find((p) => p.name === d.name)!
    return {
      name: d.name,
      version: d.version,
      filename: join(destination, d.filename),
      integrity: d.integrity,
      shasum: d.shasum,
      manifest: JSON.parse(readFileSync(join(pkg.dir, "package.json"), "utf8"))
    }
  })
}
