import { describe, expect, it } from "@effect/vitest"
import * as Access from "../src/index.ts"

describe("@eoforge/access exports", () => {
  it("exposes the guarded reads, credentials, object stores and logins", () => {
    expect(Object.keys(Access)).toEqual([
      "Auth",
      "Credentials",
      "Guarded",
      "Login",
      "ObjectStore",
      "Pacing"
    ])
    expect(Object.keys(Access.Guarded).sort()).toEqual([
      "AccessDenied",
      "AccessRefused",
      "maxRetryAfterMs",
      "openFile",
      "request",
      "retryAfterMs"
    ])
    expect(Object.keys(Access.Auth).sort()).toEqual(["hostsOf", "make"])
    expect(Object.keys(Access.Pacing).sort()).toEqual([
      "defaultOptions",
      "forHost",
      "isThrottle",
      "make"
    ])
    expect(Object.keys(Access.ObjectStore).sort()).toEqual([
      "endpointHosts",
      "isSigned",
      "make",
      "storeFor"
    ])
  })
  it("reads an HTTP date in Retry-After as the wait until then, and seconds as seconds", () => {
    const now = Date.parse("2026-12-06T12:00:00Z")
    expect(Access.Guarded.retryAfterMs("3", now)).toBe(3000)
    expect(Access.Guarded.retryAfterMs("Sun, 06 Dec 2026 12:00:10 GMT", now)).toBe(10_000)
    expect(Access.Guarded.retryAfterMs("soon", now)).toBeUndefined()
  })
})
