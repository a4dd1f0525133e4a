// The client against the Earth Engine double: the service-account JWT flow (tokens refreshed before expiry,
// never shown), per-project rate limits under the double's quota, 429 retries, and typed permanent errors.
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { AccessPolicy } from "@eoforge/core"
import { Effect } from "effect"
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process"
import { generateKeyPairSync } from "node:crypto"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"
import * as Double from "../../../tools/earthengine-double/server.ts"
import { Client, Credentials, EeError, Source } from "../src/index.ts"
import * as Fixture from "../../../tools/earthengine-double/synthetic.ts"

const project = "eoforge-test"
const email = "builder@eoforge-test.iam.gserviceaccount.com"
const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 })
const stranger = generateKeyPairSync("rsa", { modulusLength: 2048 })
const dir = mkdtempSync(join(tmpdir(), "eoforge-ee-"))
let double: Double.Double

const keyFile = (name: string, key = privateKey) => {
  const path = join(dir, name)
  writeFileSync(
    path,
    JSON.stringify({
      type: "service_account",
      project_id: project,
      private_key_id: "k1",
      private_key: key.export({ type: "pkcs8", format: "pem" }),
      client_email: email,
      token_uri: double.tokenUrl
    })
  )
  return path
}

beforeAll(async () => {
  double = await Double.start({
    project,
    accounts: { [email]: publicKey },
    staticTokens: { "token-old": Date.now() - 1000, "token-ok": Date.now() + 3_600_000 },
    tokenLifetimeS: 2,
    collections: { "TEST/S2": Fixture.collection }
  })
})
afterAll(() => double.close())

const local = () =>
  AccessPolicy.make({ hosts: ["127.0.0.1"], privateHosts: [new URL(double.url).host] })

const s2: Source.ProductSource = {
  asset: { collection: "TEST/S2" },
  operations: [{ op: "filterDate" }, { op: "filterBounds" }, { op: "first" }],
  bands: ["B4", "B8"],
  dtype: "uint16"
}

const envClient = (token: string, options: Partial<Client.Options> = {}) =>
  Effect.map(Credentials.fromEnv("EE_TOKEN", { EE_TOKEN: token }), (tokens) =>
    Client.make(tokens, { project, baseUrl: double.url, backoffMs: 5, ...options })
  )

describe("service-account tokens", () => {
  it.live("a JWT signed RS256 gets a token, refreshed before it expires, never shown", () =>
    Effect.gen(function* () {
      const tokens = yield* Credentials.serviceAccount(keyFile("key.json"), {
        policy: local(),
        refreshMarginMs: 1000
      })
      const client = Client.make(tokens, { project, baseUrl: double.url })
      const before = double.requests.length
      const issuedBefore = double.issued.length
      const started = Date.now()
      const texts: Array<string> = []
      while (Date.now() - started < 3500) {
        const chip = yield* Source.read(client, s2, Fixture.grid(), Fixture.june2021)
        texts.push(JSON.stringify(chip.provenance))
        yield* Effect.sleep("250 millis")
      }
      const issued = double.issued.slice(issuedBefore)
      // 2 s tokens refreshed 1 s before expiry over 3.5 s: at least three tokens, each fetched before the
      // previous one expired, and no request ever carried an expired token (no 401, no re-authentication).
      assert.isAtLeast(issued.length, 3)
      for (let k = 1; k < issued.length; k++) assert.isBelow(issued[k].at, issued[k - 1].expiresAt)
      const seen = double.requests.slice(before)
      assert.isTrue(seen.every((r) => r.status === 200))
      for (const r of seen) {
        const t = issued.find((i) => i.token === r.token)
        assert.isDefined(t)
        assert.isBelow(r.at, t!.expiresAt)
      }
      assert.strictEqual(client.stats().reauthenticated, 0)
      for (const t of issued) for (const text of texts) assert.notInclude(text, t.token)
      const token = yield* tokens.token
      assert.strictEqual(String(token), "<redacted>")
      assert.notInclude(JSON.stringify({ token }), "ya29")
    })
  )

  it.live(
    "a key the token endpoint does not know is TokenRefused with the fix, without the assertion",
    () =>
      Effect.gen(function* () {
        const tokens = yield* Credentials.serviceAccount(
          keyFile("stranger.json", stranger.privateKey),
          {
            policy: local()
          }
        )
        const e = yield* Effect.flip(tokens.token)
        assert.strictEqual(e.problem, "TokenRefused")
        assert.include(e.message, "Invalid JWT Signature")
        assert.include(e.fix, "service account")
        assert.notInclude(e.message, "eyJ")
      })
  )

  it.live("the token endpoint of a key file is reached only if the policy allows it", () =>
    Effect.gen(function* () {
      const tokens = yield* Credentials.serviceAccount(keyFile("key2.json"))
      const e = yield* Effect.flip(tokens.token)
      assert.strictEqual(e.problem, "TokenRefused")
      assert.include(e.message, "not among the hosts")
    })
  )

  it.live("an expired token from the environment is Expired, naming the variable and the fix", () =>
    Effect.gen(function* () {
      const client = yield* envClient("token-old")
      const e = yield* Effect.flip(Source.read(client, s2, Fixture.grid(), Fixture.june2021))
      assert.strictEqual(e._tag, "CredentialsError")
      if (e._tag !== "CredentialsError") return
      assert.strictEqual(e.problem, "Expired")
      assert.include(e.message, "$EE_TOKEN")
      assert.include(e.fix, "gcloud auth print-access-token")
      assert.notInclude(e.message, "token-old")
      const missing = yield* Effect.flip(Credentials.fromEnv("EE_TOKEN", {}))
      assert.strictEqual(missing.problem, "NoCredentials")
    })
  )
})

describe("permanent errors", () => {
  it.live(
    "an unknown collection and a band that does not exist are typed errors with the fix",
    () =>
      Effect.gen(function* () {
        const client = yield* envClient("token-ok")
        const unknown = yield* Effect.flip(
          Source.read(
            client,
            { ...s2, asset: { collection: "COPERNICUS/S3" } },
            Fixture.grid(),
            Fixture.june2021
          )
        )
        assert.strictEqual(unknown._tag, "EeRequestError")
        if (unknown._tag === "EeRequestError") {
          assert.strictEqual(unknown.problem, "UnknownAsset")
          assert.include(unknown.message, "COPERNICUS/S3")
          assert.include(unknown.fix, "data catalogue")
        }
        const band = yield* Effect.flip(
          Source.read(client, { ...s2, bands: ["B4", "B99"] }, Fixture.grid(), Fixture.june2021)
        )
        assert.strictEqual(band._tag, "EeRequestError")
        if (band._tag === "EeRequestError") {
          assert.strictEqual(band.problem, "UnknownBand")
          assert.include(band.message, "B99")
        }
      })
  )

  it.live("a request over the server's size limit is TooLarge with the fix", () =>
    Effect.gen(function* () {
      const small = yield* Effect.promise(() =>
        Double.start({
          project,
          staticTokens: { "token-ok": Date.now() + 60_000 },
          collections: { "TEST/S2": Fixture.collection },
          maxBytes: 10_000
        })
      )
      const tokens = yield* Credentials.fromEnv("T", { T: "token-ok" })
      const client = Client.make(tokens, { project, baseUrl: small.url })
      // The client believes the published 48 MiB limit; this server allows 10,000 bytes.
      const e = yield* Effect.flip(Source.read(client, s2, Fixture.grid(), Fixture.june2021))
      yield* Effect.promise(() => small.close())
      assert.strictEqual(e._tag, "EeRequestError")
      if (e._tag !== "EeRequestError") return
      assert.strictEqual(e.problem, "TooLarge")
      assert.include(e.detail, "must be less than or equal to 10000 bytes")
      assert.include(e.fix, "splits requests")
    })
  )

  it.live(
    "permission denied and an exhausted quota map to the AccessDenied and QuotaExceeded reason codes",
    () =>
      Effect.gen(function* () {
        const other = yield* envClient("token-ok", { project: "someone-else" })
        const denied = yield* Effect.flip(Source.read(other, s2, Fixture.grid(), Fixture.june2021))
        assert.strictEqual(denied._tag, "EeRequestError")
        if (denied._tag === "EeRequestError") {
          assert.strictEqual(denied.problem, "PermissionDenied")
          assert.strictEqual(EeError.reasonOf(denied.problem), 10)
        }
        const busy = yield* Effect.promise(() =>
          Double.start({
            project,
            staticTokens: { "token-ok": Date.now() + 60_000 },
            collections: { "TEST/S2": Fixture.collection },
            throttle: () => true
          })
        )
        const tokens = yield* Credentials.fromEnv("T", { T: "token-ok" })
        const client = Client.make(tokens, {
          project,
          baseUrl: busy.url,
          backoffMs: 1,
          maxAttempts: 3
        })
        const quota = yield* Effect.flip(Source.read(client, s2, Fixture.grid(), Fixture.june2021))
        yield* Effect.promise(() => busy.close())
        assert.strictEqual(quota._tag, "EeRequestError")
        if (quota._tag === "EeRequestError") {
          assert.strictEqual(quota.problem, "QuotaExhausted")
          assert.strictEqual(EeError.reasonOf(quota.problem), 11)
        }
        assert.strictEqual(client.stats().requests, 3)
        assert.strictEqual(client.stats().throttled, 2)
      })
  )
})

describe("rate limits", () => {
  // The double runs in a process of its own: in this one, a busy event loop would bunch arrivals.
  const spawnDouble = (perSecond: number) =>
    Effect.promise(
      () =>
        new Promise<{
          url: string
          child: ChildProcessWithoutNullStreams
          lines: AsyncIterator<string>
        }>((resolve, reject) => {
          const child = spawn(
            process.execPath,
            [
              "--conditions=@eoforge/source",
              fileURLToPath(new URL("../../../tools/earthengine-double/main.ts", import.meta.url)),
              JSON.stringify({ project, tokens: { "token-ok": Date.now() + 600_000 }, perSecond })
            ],
            { stdio: "pipe" }
          )
          const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]()
          child.once("error", reject)
          void lines
            .next()
            .then((first) => resolve({ url: JSON.parse(String(first.value)).url, child, lines }))
        })
    )

  const run = (clientPerSecond: number, serverPerSecond: number, chips: number) =>
    Effect.gen(function* () {
      const server = yield* spawnDouble(serverPerSecond)
      const tokens = yield* Credentials.fromEnv("T", { T: "token-ok" })
      const client = Client.make(tokens, {
        project,
        baseUrl: server.url,
        backoffMs: 200,
        limits: { concurrency: 8, perSecond: clientPerSecond }
      })
      const started = Date.now()
      const results = yield* Effect.forEach(
        Array.from({ length: chips }, (_, k) => k),
        (k) =>
          Source.read(
            client,
            s2,
            Fixture.grid(500_000 + 640 * (k % 8), 5_000_000),
            Fixture.june2021
          ),
        { concurrency: 8 }
      )
      const seconds = (Date.now() - started) / 1000
      server.child.stdin.write("done\n")
      const seen = JSON.parse((yield* Effect.promise(() => server.lines.next())).value)
        .requests as ReadonlyArray<Double.Seen>
      const accepted = seen.filter((r) => r.status === 200)
      const limiter = client.stats().limiter
      const figures = {
        chips,
        clientPerSecond,
        serverPerSecond,
        requestsPerChip: accepted.length / chips,
        sent: client.stats().requests,
        throttled: client.stats().throttled,
        achievedPerSecond: Number((accepted.length / seconds).toFixed(1)),
        peakAcceptedInOneSecond: Double.peakPerSecond(accepted),
        maxInFlight: limiter.maxInFlight,
        clientPeakInOneSecond: limiter.peakPerSecond
      }
      console.log(JSON.stringify({ earthEngineRate: figures }))
      return { figures, results }
    })

  it.live(
    "a client under the server's quota is never throttled and stays within its own rate",
    () =>
      Effect.gen(function* () {
        const { figures, results } = yield* run(20, 25, 30)
        assert.isTrue(results.every((r) => r._tag === "Pixels"))
        assert.strictEqual(figures.requestsPerChip, 2)
        assert.strictEqual(figures.throttled, 0)
        // The client never started more than its rate in any second (arrivals at the server may bunch on
        // a loaded machine, which the server's bucket absorbs).
        assert.isAtMost(figures.clientPeakInOneSecond, 20)
        assert.isAtMost(figures.maxInFlight, 8)
      })
  )

  it.live(
    "a client over the server's quota is throttled, backs off and still completes every chip",
    () =>
      Effect.gen(function* () {
        const { figures, results } = yield* run(60, 20, 30)
        assert.isTrue(results.every((r) => r._tag === "Pixels"))
        assert.isAbove(figures.throttled, 0)
        assert.strictEqual(figures.sent, 60 + figures.throttled)
        // The bucket holds 20 requests and refills 20/s: at most 40 accepted in any second.
        assert.isAtMost(figures.peakAcceptedInOneSecond, 40)
      })
  )
})
