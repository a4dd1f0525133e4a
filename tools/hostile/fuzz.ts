// The fuzzing harness the hostile tests share: JSON paths to mutate, and one trial that times an input,
// bounds the process's memory and requires every failure to be typed (never a defect, never a timeout).
import { assert } from "@effect/vitest"
import { Cause, Exit } from "effect"

/** A path into a JSON value: object keys and array indices. */
export type JsonPath = ReadonlyArray<string | number>

/** Every path in `value`, the root first, depth first. */
export const jsonPaths = (
  value: unknown,
  at: JsonPath = [],
  out: Array<JsonPath> = []
): Array<JsonPath> => {
  out.push(at)
  if (Array.isArray(value)) value.forEach((v, i) => jsonPaths(v, [...at, i], out))
  else if (typeof value === "object" && value !== null)
    for (const [k, v] of Object.entries(value)) jsonPaths(v, [...at, k], out)
  return out
}

/** What a fuzz run saw: inputs tried, inputs read, typed failures by key, peak RSS (MiB), slowest input (ms). */
export interface Tally {
  inputs: number
  read: number
  typed: Record<string, number>
  maxRssMiB: number
  slowestMs: number
}

/** A tally with nothing counted yet. */
export const emptyTally = (): Tally => ({
  inputs: 0,
  read: 0,
  typed: {},
  maxRssMiB: 0,
  slowestMs: 0
})

/**
 * One fuzz input: runs it, counts it, asserts RSS < 1 GiB and that a failure is a typed error other than the
 * deadline's `TimeoutError`; typed failures are tallied under `keyOf(error)`.
 */
export const trial = async <E extends { readonly _tag: string }>(
  tally: Tally,
  deadlineMs: number,
  run: () => Promise<Exit.Exit<unknown, E>>,
  keyOf: (error: E) => string = (error) => error._tag
): Promise<void> => {
  const start = performance.now()
  const exit = await run()
  tally.slowestMs = Math.max(tally.slowestMs, performance.now() - start)
  tally.inputs++
  const rss = process.memoryUsage().rss / 2 ** 20
  tally.maxRssMiB = Math.max(tally.maxRssMiB, rss)
  assert.isBelow(rss, 1024, "RSS over 1 GB")
  if (Exit.isSuccess(exit)) {
    tally.read++
    return
  }
  const reason = exit.cause.reasons[0]
  assert.isTrue(Cause.isFailReason(reason), `not a typed error: ${Cause.pretty(exit.cause)}`)
  const error = (reason as unknown as { error: E }).error
  assert.notStrictEqual(error._tag, "TimeoutError", `no answer within ${deadlineMs} ms`)
  const key = keyOf(error)
  tally.typed[key] = (tally.typed[key] ?? 0) + 1
}
