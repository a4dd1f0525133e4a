// A folder as the search-cell disk (stac SearchCells.Disk): one gzipped list per cell, written to a temporary
// name then renamed, the oldest removed beyond a count. Best effort: a failing cache is a slower build.
import type { SearchCells } from "@eoforge/stac"
import { Effect } from "effect"
import { mkdir, readdir, readFile, rename, stat, unlink, writeFile } from "node:fs/promises"
import { join } from "node:path"

/** A disk in `folder` keeping at most `maxFiles` cell lists. */
export const fileDisk = (folder: string, maxFiles: number): SearchCells.Disk => ({
  read: (name) =>
    Effect.promise(() =>
      readFile(join(folder, `${name}.json.gz`)).then(
        (b) => new Uint8Array(b),
        () => undefined
      )
    ),
  write: (name, bytes) =>
    Effect.promise(async () => {
      try {
        await mkdir(folder, { recursive: true })
        const path = join(folder, `${name}.json.gz`)
        const temporary = `${path}.${process.pid}.tmp`
        await writeFile(temporary, bytes)
        await rename(temporary, path)
        const names = (await readdir(folder)).filter((n) => n.endsWith(".json.gz"))
        if (names.length <= maxFiles) return
        const dated = await Promise.all(
          names.map(async (n) => ({ n, t: (await stat(join(folder, n))).mtimeMs }))
        )
        dated.sort((a, b) => a.t - b.t || (a.n < b.n ? -1 : 1))
        for (const { n } of dated.slice(0, names.length - maxFiles))
          await unlink(join(folder, n)).catch(() => undefined)
      } catch {
        // The cache is best effort.
      }
    })
})
