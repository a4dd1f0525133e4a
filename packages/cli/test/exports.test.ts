// The public surface of @eoforge/cli: changes to it are deliberate.
import { describe, expect, it } from "@effect/vitest"
import * as CliPackage from "../src/index.ts"

describe("@eoforge/cli exports", () => {
  it("exposes its modules with their members", () => {
    const surface = Object.fromEntries(
      Object.entries(CliPackage).map(([name, mod]) => [name, Object.keys(mod).sort()])
    )
    expect(surface).toMatchInlineSnapshot(`
      {
        "Cli": [
          "command",
        ],
        "ExitCode": [
          "CliFailure",
          "ExitCode",
          "isKnown",
          "of",
          "withExitCode",
        ],
        "Progress": [
          "make",
        ],
      }
    `)
  })
})
