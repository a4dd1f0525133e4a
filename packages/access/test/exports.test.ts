import { describe, expect, it } from "@effect/vitest"
import * as Access from "../src/index.ts"

describe("@eoforge/access exports", () => {
  it("exposes the guarded reads and nothing else", () => {
    expect(Object.keys(Access)).toEqual(["Guarded"])
    expect(Object.keys(Access.Guarded).sort()).toEqual([
      "AccessRefused",
      "maxRetryAfterMs",
      "openFile",
      "request",
      "retryAfterMs"
    ])
  })
  it("reads an HTTP date in Retry-After as the wait until then, and seconds as seconds", () => {
    const now = Date.parse("2026-12-06T12:00:00Z")
    expect(Access.Guarded.retryAfterMs("3", now)).toBe(3000)
    expect(Access.Guarded.retryAfterMs("Sun, 06 Dec 2026 12:00:10 GMT", now)).toBe(10_000)
    expect(Access.Guarded.retryAfterMs("soon", now)).toBeUndefined()
  })
})
