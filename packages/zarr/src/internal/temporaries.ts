// A store's temporary files: each write's unique name (host, pid, per-process token, counter), and the sweep
// that removes those whose writer is certainly gone.
import { Effect } from "effect"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { StoreError } from "../ZarrError.ts"
import { hostTag, isAlive, isGone, processToken } from "./writer.ts"

// Temporaries are `.<name>~<host>~<pid>-<token>~<counter>.tmp` (token: random per process): unique per
// host, process and write, so concurrent writers of one key never touch each other's file, and a later
// process that happens to get the same pid (pid 1 in a container) knows the file is not its own.
// `.<name>.<pid>.<counter>.tmp` is the form of earlier versions.
const TEMP = /^\.(.+)~([^~/]+)~(\d+)-([0-9a-f]+)~(\d+)\.tmp$/
const LEGACY_TEMP = /^\..+\.(\d+)\.\d+\.tmp$/
export const isTemp = (name: string): boolean => TEMP.test(name) || LEGACY_TEMP.test(name)
let tempCounter = 0

/** The temporary-file name of one write of `base` by this process (other writers: tests and tools). */
export const tempName = (
  base: string,
  writer: { readonly pid: number; readonly token: string; readonly host: string } = {
    pid: process.pid,
    token: processToken,
    host: hostTag
  }
): string => `.${base}~${writer.host}~${writer.pid}-${writer.token}~${tempCounter++}.tmp`

export const isMissing = (e: unknown): boolean =>
  typeof e === "object" && e !== null && (e as { code?: string }).code === "ENOENT"

/** Whether a temporary file's writer is certainly gone; undefined when the name is not a temporary. */
const isOrphan = (name: string): boolean | undefined => {
  const m = TEMP.exec(name)
  if (m !== null) return isGone(m[2], Number(m[3]), m[4])
  const legacy = LEGACY_TEMP.exec(name)
  if (legacy === null) return undefined
  const pid = Number(legacy[1])
  return pid !== process.pid && !isAlive(pid)
}

/** Options of `sweepStale`. */
export interface SweepOptions {
  /**
   * Also remove temporaries not modified for this long whatever their writer (other hosts, recycled
   * pids). Leave unset unless no write can stall that long. Default: no age rule.
   */
  readonly olderThanMs?: number
}

/** The entries of a directory; none when it does not exist. */
export const entriesOf = async (dir: string): Promise<Array<import("node:fs").Dirent>> => {
  try {
    return await fs.readdir(dir, { withFileTypes: true })
  } catch (e) {
    if (isMissing(e)) return []
    throw e
  }
}

const sweep = async (
  dir: string,
  rel: string,
  cutoff: number,
  removed: Array<string>
): Promise<void> => {
  for (const entry of await entriesOf(dir)) {
    const key = rel === "" ? entry.name : `${rel}/${entry.name}`
    const file = path.join(dir, entry.name)
    if (entry.isDirectory()) {
      await sweep(file, key, cutoff, removed)
      continue
    }
    const orphan = isOrphan(entry.name)
    if (orphan === undefined) continue
    let stale = orphan
    if (!stale && cutoff > -Infinity) {
      const stat = await fs.stat(file).catch(() => undefined)
      stale = stat !== undefined && stat.mtimeMs < cutoff
    }
    if (!stale) continue
    await fs.rm(file, { force: true })
    removed.push(key)
  }
}

/**
 * Remove temporary files left by writers killed mid-write under a store directory (a walk of the whole
 * tree); returns their paths relative to the root, sorted. Without `olderThanMs` only files written on
 * this host by a process that is gone are removed: temporaries of live processes, and of other hosts
 * sharing the directory (NFS, Lustre, containers with their own hostname), are kept, since their pids
 * mean nothing here. Kept temporaries are harmless: `list`, the readers and zarr-python ignore them.
 */
export const sweepStale = (
  root: string,
  options: SweepOptions = {}
): Effect.Effect<ReadonlyArray<string>, StoreError> =>
  Effect.tryPromise({
    try: async () => {
      const removed: Array<string> = []
      const cutoff =
        options.olderThanMs === undefined ? -Infinity : Date.now() - options.olderThanMs
      await sweep(root, "", cutoff, removed)
      return removed.sort()
    },
    catch: (cause) =>
      new StoreError({
        key: "",
        operation: "sweep",
        message: `cannot remove stale temporary files under ${root}: ${String((cause as Error)?.message ?? cause)}; check that the directory is writable`,
        cause
      })
  })
