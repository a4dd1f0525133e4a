// When V8 starts marking the old generation: in a process that mostly waits on round trips (a queue worker),
// by a share of the headroom its last full GC left, not by V8's default test, which marks without end there;
// in a build, by its whole memory (heap and array buffers) rather than by every 64 MB of new array buffers.
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
 * V8 flags of `eoforge build`: array buffers count in the heap's global limit, which grows by half of what a
 * full GC leaves.
 *
 * Why: a build allocates ~20 MB of array buffers per chip (socket reads, inflated tiles, windows, chips), all
 * short-lived. By default every 64 MB of them starts a full marking of the heap: ~100 mark-compacts for 256
 * chips, and V8's helper threads spent 52 ms of CPU per chip marking (`tools/bench/network`,
 * `buildCpuMsPerChip.V8Worker`; the main thread 68 ms). Counted in the global limit instead, with a growing
 * factor of 1.5 (V8's own goes up to 4), the helpers spend 23 ms per chip: the build's CPU fell by 24 % and
 * its peak RSS rose from 953 to 1,237 MB on the same 32 patches (with V8's own factor, 1,549–1,758 MB).
 */
export const buildFlags: ReadonlyArray<string> = [
  "--external-memory-accounted-in-global-limit",
  "--heap-growing-percent=50"
]

/**
 * Those of `wanted` to apply given the process's own options: none the user already chose (in `execArgv` or
 * NODE_OPTIONS, either spelling, a boolean also as `--no-…`), so that an explicit choice wins.
 */
export const toApply = (
  execArgv: ReadonlyArray<string>,
  nodeOptions: string | undefined,
  wanted: ReadonlyArray<string> = flags
): ReadonlyArray<string> => {
  const given = [...execArgv, ...(nodeOptions ?? "").split(/\s+/)].map((g) =>
    g.replaceAll("_", "-")
  )
  const chosen = (flag: string) => {
    const name = flag.includes("=") ? flag.slice(0, flag.indexOf("=")) : flag
    const negated = `--no-${name.slice(2)}`
    return given.some((g) => g.split("=")[0] === name || g === negated)
  }
  return wanted.filter((f) => !chosen(f))
}

/** Apply `wanted` (the queue worker's triggers by default) to this process unless the user chose their own. */
export const apply = (wanted: ReadonlyArray<string> = flags): ReadonlyArray<string> => {
  const applied = toApply(process.execArgv, process.env.NODE_OPTIONS, wanted)
  for (const flag of applied) setFlagsFromString(flag)
  return applied
}
