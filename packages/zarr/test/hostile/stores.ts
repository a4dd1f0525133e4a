// Generator of the hostile stores of these tests: a valid store of the crash-test fixture layout whose
// root `zarr.json` is then edited (sizes, names, types), and helpers for temporary directories and pids.
import { Effect } from "effect"
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Layout, Store } from "../../src/index.ts"
import { layoutInput } from "../fixtures/build.ts"

/** A fresh temporary directory (removed by the caller). */
export const tempDir = (prefix: string): string =>
  fs.mkdtempSync(path.join(os.tmpdir(), `eoforge-hostile-${prefix}-`))

/** The pid of a process that has exited (so it is certainly not running). */
export const deadPid = (): number => {
  const child = spawnSync(process.execPath, ["-e", ""])
  return child.pid!
}

/** Write the skeleton of a valid 8-sample store at `root`, then apply `edit` to its root layout JSON. */
export const hostileStore = (
  root: string,
  edit: (layout: Record<string, any>) => void = () => {}
): Effect.Effect<void, unknown> =>
  Effect.gen(function* () {
    const layout = yield* Layout.make(layoutInput(8, 2, true))
    yield* Layout.create(layout).pipe(Effect.provide(Store.layerFileSystem(root)))
    const file = path.join(root, "zarr.json")
    const doc = JSON.parse(fs.readFileSync(file, "utf8"))
    edit(doc.attributes.eoforge.layout)
    fs.writeFileSync(file, JSON.stringify(doc, null, 2) + "\n")
  })

/** Every file below `dir` (relative paths), to show that nothing was written somewhere. */
export const filesUnder = (dir: string): ReadonlyArray<string> =>
  fs.existsSync(dir)
    ? (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as Array<fs.Dirent>)
        .filter((e) => !e.isDirectory())
        .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
        .sort()
    : []
