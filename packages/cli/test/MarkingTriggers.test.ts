import { assert, describe, it } from "@effect/vitest"
import { spawnSync } from "node:child_process"
import * as MarkingTriggers from "../src/internal/markingTriggers.ts"

describe("MarkingTriggers", () => {
  it("applies both triggers when the user chose none", () => {
    assert.deepStrictEqual(
      MarkingTriggers.toApply(["--conditions=@eoforge/source"], "--max-old-space-size=4096"),
      MarkingTriggers.flags
    )
  })

  it("leaves a trigger the user set on the command line or in NODE_OPTIONS (either spelling)", () => {
    assert.deepStrictEqual(
      MarkingTriggers.toApply(["--incremental-marking-soft-trigger=30"], undefined),
      ["--incremental-marking-hard-trigger=90"]
    )
    assert.deepStrictEqual(MarkingTriggers.toApply([], "--incremental_marking_hard_trigger=50"), [
      "--incremental-marking-soft-trigger=60"
    ])
  })

  it("leaves a build's flags the user set, a boolean one also when negated", () => {
    assert.deepStrictEqual(
      MarkingTriggers.toApply([], undefined, MarkingTriggers.buildFlags),
      MarkingTriggers.buildFlags
    )
    assert.deepStrictEqual(
      MarkingTriggers.toApply(
        ["--no-external_memory_accounted_in_global_limit"],
        undefined,
        MarkingTriggers.buildFlags
      ),
      ["--heap-growing-percent=50"]
    )
    assert.deepStrictEqual(
      MarkingTriggers.toApply([], "--heap-growing-percent=20", MarkingTriggers.buildFlags),
      ["--external-memory-accounted-in-global-limit"]
    )
  })

  it("names flags this V8 knows", () => {
    // An unknown flag would be ignored silently by setFlagsFromString; node refuses it on its command line.
    const all = [...MarkingTriggers.flags, ...MarkingTriggers.buildFlags]
    const r = spawnSync(process.execPath, [...all, "-e", "0"], {
      encoding: "utf8"
    })
    assert.strictEqual(r.status, 0, r.stderr)
    assert.notMatch(r.stderr, /unknown|bad option/i)
  })
})
