import { assert, describe, it } from "@effect/vitest"
import { ShardThreads } from "@eoforge/pipeline"
import * as ExitCode from "../src/ExitCode.ts"

describe("ExitCode", () => {
  it("gives a build thread's error the code of the error the thread met", () => {
    const output = new ShardThreads.BuildThreadError({ tag: "OutputError", message: "disk full" })
    assert.strictEqual(ExitCode.of(output), ExitCode.ExitCode.Output)
    assert.isTrue(ExitCode.isKnown(output))
    const input = new ShardThreads.BuildThreadError({ tag: "InputError", message: "no AOI" })
    assert.strictEqual(ExitCode.of(input), ExitCode.ExitCode.Input)
    const unknown = new ShardThreads.BuildThreadError({ tag: "Exit", message: "exited" })
    assert.strictEqual(ExitCode.of(unknown), ExitCode.ExitCode.Failure)
  })
})
