// Helpers of the end-to-end tests: the files of a directory tree with their sha256, and temp directories.
// Comparing two trees this way is what "byte-identical stores" means in the tests.
import { createHash } from "node:crypto"
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, relative } from "node:path"

/** Relative path → sha256 of every regular file under `root`, sorted by path. */
export const digest = (root: string): Record<string, string> => {
  const out: Array<[string, string]> = []
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (entry.isFile()) {
        out.push([
          relative(root, path),
          createHash("sha256").update(readFileSync(path)).digest("hex")
        ])
      }
    }
  }
  walk(root)
  out.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return Object.fromEntries(out)
}

/** A fresh temporary directory and its removal. */
export const tempDir = (prefix: string): { readonly path: string; readonly remove: () => void } => {
  const path = mkdtempSync(join(tmpdir(), `eoforge-${prefix}-`))
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) }
}
