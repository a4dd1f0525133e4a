import { describe, expect, it } from "@effect/vitest"
import * as Sources from "../src/index.ts"

describe("@eoforge/sources exports", () => {
  it("exposes the source-kind interfaces and their one error", () => {
    expect(Object.keys(Sources)).toEqual(["SourceKind"])
    expect(Object.keys(Sources.SourceKind)).toEqual(["SourceCheckError"])
    const e = new Sources.SourceKind.SourceCheckError({
      source: "gssic",
      message: "source gssic: the url template has no {tile}; add it"
    })
    expect(e._tag).toBe("SourceCheckError")
    expect(e.message).toContain("{tile}")
  })
})
