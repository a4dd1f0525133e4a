// When V8 starts marking the old generation in a process that mostly waits on round trips (a queue worker):
// by a share of the headroom its last full GC left, not by V8's default test, which marks without end there.
import { setFlagsFromString } from "node:v8"

/**
 * V8 flags: start incremental marking (by a task) once 60 % of the old generation's headroom since the last
 * full GC is used, at once past 90 %.
 *
 * Why: V8's default starts marking as soon as the space left under the old-generation limit is no more
 * than the young generation's capacity. Its limit is the live size × a growing factor + that capacity, and
 * the factor falls to its floor (1.1) when the mutator allocates slowly — as a worker waiting on 200 ms
 * round trips does. Then every ~10 % of growth (a few MB promoted, often by the previous mark-compact
 * itself) starts another marking: a queue worker ran a mark-compact every 0.3 s, 3–4 per patch, ~28 % of
 * its main thread, each freeing ~1 MB (`--trace-gc --trace-incremental-marking`: "Start (task)" with
 * 72 MB of slack). The percent triggers replace that test by a share of the same headroom.
 */
export const flags: ReadonlyArray<string> = [
  "--incremental-marking-soft-trigger=60",
  "--incremental-marking-hard-trigger=90"
]

/**
 * The flags to apply given the process's own options: none when the user already chose marking triggers
 * (in `execArgv` or NODE_OPTIONS), so that an explicit choice wins.
 */
export const toApply = (
  execArgv: ReadonlyArray<string>,
  nodeOptions: string | undefined
): ReadonlyArray<string> => {
  const given = [...execArgv, ...(nodeOptions ?? "").split(/\s+/)]
  const chosen = (flag: string) => {
    const name = flag.slice(0, flag.indexOf("="))
    return given.some((g) => g.replaceAll("_", "-").startsWith(name))
  }
  return flags.filter((f) => !chosen(f))
}

/** Apply the marking triggers to this process (every thread) unless the user chose their own. */
export const apply = (): ReadonlyArray<string> => {
  const applied = toApply(process.execArgv, process.env.NODE_OPTIONS)
  for (const flag of applied) setFlagsFromString(flag)
  return applied
}
