// Who this process is, for names of temporaries, staging directories and lock files: host tag, pid and a
// random per-process token; and whether another writer named that way is certainly gone.
import { randomBytes } from "node:crypto"
import * as os from "node:os"

/** This host's name, reduced to characters safe in a file name. */
export const hostTag = os.hostname().replace(/[^A-Za-z0-9._-]/g, "_") || "host"

/** Random per process: a later process that gets the same pid (pid 1 in containers) is told apart. */
export const processToken = randomBytes(4).toString("hex")

/** Tokens of locks this process holds right now (several fibres of one process may hold locks). */
export const heldTokens = new Set<string>()

/** Whether a process exists on this host (EPERM: it exists but belongs to another user). */
export const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as { code?: string }).code === "EPERM"
  }
}

/**
 * Whether the writer (host, pid, token) is certainly gone: only writers of this host can be checked;
 * one with this process's pid is gone unless it carries this process's token (`alsoLive` for locks).
 */
export const isGone = (
  host: string,
  pid: number,
  token: string,
  alsoLive?: (token: string) => boolean
): boolean => {
  if (host !== hostTag) return false
  if (pid === process.pid) return token !== processToken && !(alsoLive?.(token) ?? false)
  return !isAlive(pid)
}
