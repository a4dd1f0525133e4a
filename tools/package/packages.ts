// The workspace packages of EOForge in dependency order (each after the @eoforge packages it depends on).
// Read from packages/*/package.json; used by the build and by the packaging tests.
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

/** The repository root. */
export const root = fileURLToPath(new URL("../../", import.meta.url))

/** A workspace package: folder, name, version and the @eoforge packages it depends on. */
export interface WorkspacePackage {
  readonly folder: string
  readonly dir: string
  readonly name: string
  readonly version: string
  readonly internal: ReadonlyArray<string>
  readonly manifest: Record<string, any>
}

/** Every package under packages/, dependencies before dependents; throws on a cycle. */
export const inOrder = (): ReadonlyArray<WorkspacePackage> => {
  const all = readdirSync(join(root, "packages"), { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e): WorkspacePackage => {
      const dir = join(root, "packages", e.name)
      const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"))
      const deps = { ...manifest.dependencies, ...manifest.peerDependencies }
      return {
        folder: e.name,
        dir,
        name: manifest.name,
        version: manifest.version,
        internal: Object.keys(deps).filter((d) => d.startsWith("@eoforge/")),
        manifest
      }
    })
  const byName = new Map(all.map((p) => [p.name, p]))
  const done = new Set<string>()
  const order: Array<WorkspacePackage> = []
  const visit = (p: WorkspacePackage, path: ReadonlyArray<string>): void => {
    if (done.has(p.name)) return
    if (path.includes(p.name)) throw new Error(`dependency cycle: ${[...path, p.name].join(" → ")}`)
    for (const d of p.internal) {
      const dep = byName.get(d)
      if (dep === undefined) throw new Error(`${p.name} depends on ${d}, which is not in packages/`)
      visit(dep, [...path, p.name])
    }
    done.add(p.name)
    order.push(p)
  }
  for (const p of [...all].sort((a, b) => a.name.localeCompare(b.name))) visit(p, [])
  return order
}
