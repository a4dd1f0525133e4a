import { assert, describe, it } from "@effect/vitest"
import { Effect, Redacted, Stream } from "effect"
import { TestClock } from "effect/testing"
import { AssetSigner, StacClient } from "../src/index.ts"
import * as Fx from "./fixture/stacServer.ts"

const serve = Effect.acquireRelease(
  Effect.promise(() => Fx.start({ items: [], dialect: "query" })),
  (f) => Effect.promise(() => f.close())
)

describe("AssetSigner", () => {
  it.effect("appends the collection's SAS token and reuses it until shortly before expiry", () =>
    Effect.gen(function* () {
      const f = yield* serve
      const signer = AssetSigner.makePlanetaryComputer({
        base: f.url,
        shouldSign: () => true,
        http: { requestsPerSecond: 0 }
      })
      const a = Redacted.value(
        yield* signer.sign("sentinel-2-l2a", "https://x.blob.core.windows.net/a/B04.tif")
      )
      const b = Redacted.value(
        yield* signer.sign("sentinel-2-l2a", "https://x.blob.core.windows.net/a/B08.tif?v=1")
      )
      assert.match(a, /^https:\/\/x\.blob\.core\.windows\.net\/a\/B04\.tif\?st=.*sig=SECRET1xyz$/)
      assert.match(b, /B08\.tif\?v=1&st=/)
      const tokenRequests = () =>
        f.requests.filter((r) => r.path.startsWith("/api/sas/v1/token/")).length
      assert.strictEqual(tokenRequests(), 1)
      assert.strictEqual(f.requests[0].path, "/api/sas/v1/token/sentinel-2-l2a")
      // Tokens expire 2030-01-01T01:00Z; five minutes before, a new one is fetched.
      yield* TestClock.setTime(Date.UTC(2030, 0, 1, 0, 56))
      const c = Redacted.value(
        yield* signer.sign("sentinel-2-l2a", "https://x.blob.core.windows.net/a/B04.tif")
      )
      assert.strictEqual(tokenRequests(), 2)
      assert.include(c, "sig=SECRET2xyz")
    }).pipe(Effect.scoped)
  )

  it.effect("leaves hrefs outside Azure Blob Storage unsigned by default", () =>
    Effect.gen(function* () {
      const f = yield* serve
      const signer = AssetSigner.makePlanetaryComputer({ base: f.url })
      const u = Redacted.value(yield* signer.sign("cop-dem-glo-30", "https://example.org/dem.tif"))
      assert.strictEqual(u, "https://example.org/dem.tif")
      assert.strictEqual(f.requests.length, 0)
    }).pipe(Effect.scoped)
  )

  it.live("an error about a signed URL does not contain the token", () =>
    Effect.gen(function* () {
      const f = yield* serve
      const signer = AssetSigner.makePlanetaryComputer({ base: f.url, shouldSign: () => true })
      const signed = yield* signer.sign("sentinel-2-l2a", `${f.url}/forbidden/B04.tif`)
      assert.include(Redacted.value(signed), "SECRET")
      assert.notInclude(String(signed), "SECRET")
      assert.notInclude(JSON.stringify({ signed }), "SECRET")
      const err = yield* Effect.flip(
        Stream.runCollect(
          StacClient.make({ maxAttempts: 1 }).search(
            StacClient.staticCatalog(Redacted.value(signed)),
            {
              collections: ["x"]
            }
          )
        )
      )
      assert.strictEqual(err._tag, "StacHttpError")
      assert.include(err.message, "/forbidden/B04.tif")
      assert.include(err.message, "sig=REDACTED")
      assert.notInclude(err.message, "SECRET")
      assert.notInclude(JSON.stringify(err), "SECRET")
    }).pipe(Effect.scoped)
  )

  it("redacts SAS and signature parameters but keeps the rest of the URL", () => {
    assert.strictEqual(
      AssetSigner.redactUrl(
        "https://a.blob.core.windows.net/c/x.tif?st=1&se=2&sp=rl&sig=abc%2Bdef&v=3#f"
      ),
      "https://a.blob.core.windows.net/c/x.tif?st=REDACTED&se=REDACTED&sp=REDACTED&sig=REDACTED&v=3#f"
    )
    assert.strictEqual(
      AssetSigner.redactUrl("https://h/p?X-Amz-Signature=s&a=b"),
      "https://h/p?X-Amz-Signature=REDACTED&a=b"
    )
    assert.strictEqual(AssetSigner.redactUrl("https://h/p"), "https://h/p")
  })
})
