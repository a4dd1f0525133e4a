// Hostile hrefs handed to RasterSource.open: local system files, relative and file: paths, files outside the
// allowed roots, symbolic links escaping them, a FIFO, other hosts, the cloud metadata address, redirects,
// host names resolving to private addresses; and Retry-After honoured on the Effect clock (TestClock).
import { assert, describe, it } from "@effect/vitest"
import { AccessPolicy } from "@eoforge/core"
import { Effect, Fiber, type Scope } from "effect"
import { TestClock } from "effect/testing"
import { readFileSync } from "node:fs"
import { relative } from "node:path"
import { afterAll, beforeAll } from "vitest"
import { RasterAccess, RasterSource } from "../../src/index.ts"
import { cog, makeTree, sendRange, serve, type Logging, type Tree } from "./fixture.ts"

const layer = RasterSource.layerGeoTiffWith({
  workers: 0,
  http: { timeoutMs: 2000, backoffMs: 10, maxAttempts: 3 }
})
const run = <A, E>(effect: Effect.Effect<A, E, RasterSource.RasterSource | Scope.Scope>) =>
  effect.pipe(Effect.scoped, Effect.provide(layer))

const open = (uri: string) =>
  Effect.gen(function* () {
    const raster = yield* RasterSource.RasterSource
    return yield* raster.open(uri)
  })

/** The open's error under `policy`, which must come within 3 s (a blocked open fails the test). */
const refusal = (
  uri: string,
  policy?: AccessPolicy.AccessPolicy,
  resolve?: RasterAccess.Access["resolve"]
) =>
  (policy === undefined
    ? open(uri)
    : open(uri).pipe(RasterAccess.withPolicy(policy, resolve))
  ).pipe(
    Effect.flip,
    Effect.timeoutOrElse({
      duration: "3 seconds",
      orElse: () => Effect.die(new Error(`opening ${uri} blocked`))
    })
  )

let tree: Tree
let bytes: Buffer
let data: Logging
let other: Logging
beforeAll(async () => {
  tree = makeTree()
  bytes = readFileSync(cog)
  data = await serve("127.0.0.1", (req, res) => {
    if (req.url?.startsWith("/redirect")) {
      res.writeHead(302, { location: `${other.base}/cog.tif` }).end()
      return
    }
    if (req.url?.startsWith("/metadata")) {
      res.writeHead(302, { location: "http://169.254.169.254/latest/meta-data/" }).end()
      return
    }
    sendRange(bytes, req, res)
  })
  other = await serve("127.0.0.2", (req, res) => sendRange(bytes, req, res))
})
afterAll(async () => {
  await data.close()
  await other.close()
  tree.remove()
})

const local = () => AccessPolicy.make({ localRoots: [tree.root] })
// The catalogue named by the recipe is on 127.0.0.1: that host (any port) is allowed although loopback.
const remote = () => AccessPolicy.make({ hosts: ["127.0.0.1"], privateHosts: ["127.0.0.1"] })

describe("local hrefs", () => {
  it.effect("/etc/passwd is refused before it is opened", () =>
    run(
      Effect.gen(function* () {
        const e = yield* refusal("/etc/passwd", local())
        assert.strictEqual(e.problem, "Refused")
        assert.include(e.message, "outside the local folders the recipe allows")
      })
    )
  )

  it.effect("a file: URL to /etc/passwd is refused", () =>
    run(
      Effect.gen(function* () {
        const e = yield* refusal("file:///etc/passwd", local())
        assert.strictEqual(e.problem, "Refused")
      })
    )
  )

  it.effect("a relative ../ path is never resolved against the working directory", () =>
    run(
      Effect.gen(function* () {
        const rel = relative(process.cwd(), tree.allowed)
        assert.isTrue(rel.startsWith(".."))
        // Without a policy the same relative path opens: the refusal is the policy's doing.
        const info = yield* open(rel)
        assert.strictEqual(info.width, 349)
        const e = yield* refusal(rel, local())
        assert.strictEqual(e.problem, "Refused")
        assert.include(e.message, "not absolute")
      })
    )
  )

  it.effect("/proc/self/environ is refused even when the root is /, and without any policy", () =>
    run(
      Effect.gen(function* () {
        const everything = AccessPolicy.make({ localRoots: ["/"] })
        const e = yield* refusal("/proc/self/environ", everything)
        assert.strictEqual(e.problem, "Refused")
        assert.include(e.message, "system path")
        const bare = yield* refusal("/proc/self/environ")
        assert.strictEqual(bare.problem, "Refused")
      })
    )
  )

  it.effect("a private GeoTIFF outside the allowed roots is refused; inside them it is read", () =>
    run(
      Effect.gen(function* () {
        const e = yield* refusal(tree.secret, local())
        assert.strictEqual(e.problem, "Refused")
        const inside = yield* open(tree.allowed).pipe(RasterAccess.withPolicy(local()))
        assert.strictEqual(inside.width, 349)
      })
    )
  )

  it.effect("a symbolic link escaping the root is refused; one staying inside is followed", () =>
    run(
      Effect.gen(function* () {
        const e = yield* refusal(tree.escape, local())
        assert.strictEqual(e.problem, "Refused")
        assert.include(e.message, "symbolic link")
        const inside = yield* open(tree.inner).pipe(RasterAccess.withPolicy(local()))
        assert.strictEqual(inside.width, 349)
      })
    )
  )

  it.effect("a FIFO is refused at once, with or without a policy (the open never blocks)", () =>
    run(
      Effect.gen(function* () {
        const e = yield* refusal(tree.fifo, local())
        assert.strictEqual(e.problem, "Refused")
        assert.include(e.message, "not a regular file")
        const bare = yield* refusal(tree.fifo)
        assert.strictEqual(bare.problem, "Refused")
      })
    )
  )
})

describe("remote hrefs", () => {
  it.live("range GETs to a host the recipe does not allow are never sent", () =>
    run(
      Effect.gen(function* () {
        const e = yield* refusal(`${other.base}/cog.tif`, remote())
        assert.strictEqual(e.problem, "Refused")
        assert.include(e.message, "127.0.0.2 is not among the hosts")
        assert.strictEqual(other.log.length, 0)
        const ok = yield* open(`${data.base}/cog.tif`).pipe(RasterAccess.withPolicy(remote()))
        assert.strictEqual(ok.width, 349)
      })
    )
  )

  it.live("the cloud metadata address is refused even when listed as a host", () =>
    run(
      Effect.gen(function* () {
        const policy = AccessPolicy.withHosts(remote(), ["169.254.169.254"])
        const e = yield* refusal("http://169.254.169.254/latest/meta-data/iam", policy)
        assert.strictEqual(e.problem, "Refused")
        assert.include(e.message, "link-local")
      })
    )
  )

  it.live("redirects are checked again: to another host or to the metadata address, refused", () =>
    run(
      Effect.gen(function* () {
        const before = other.log.length
        const e = yield* refusal(`${data.base}/redirect/cog.tif`, remote())
        assert.strictEqual(e.problem, "Refused")
        assert.strictEqual(other.log.length, before)
        const m = yield* refusal(`${data.base}/metadata/cog.tif`, remote())
        assert.strictEqual(m.problem, "Refused")
        assert.include(m.message, "169.254.169.254")
      })
    )
  )

  it.live(
    "a host name resolving to a private address is refused unless private networks are allowed",
    () =>
      run(
        Effect.gen(function* () {
          const port = new URL(data.base).port
          const url = `http://cog.example.test:${port}/cog.tif`
          const resolve = async () => [{ address: "127.0.0.1", family: 4 }]
          const hosts = { hosts: ["cog.example.test"] }
          const e = yield* refusal(url, AccessPolicy.make(hosts), resolve)
          assert.strictEqual(e.problem, "Refused")
          assert.include(e.message, "resolves to the non-public address 127.0.0.1")
          const before = data.log.length
          const info = yield* open(url).pipe(
            RasterAccess.withPolicy(
              AccessPolicy.make({ ...hosts, allowPrivateNetworks: true }),
              resolve
            )
          )
          assert.strictEqual(info.width, 349)
          assert.isAbove(data.log.length, before)
        })
      )
  )
})

// Real time passes only for the HTTP exchange; waits are on the TestClock.
const realWait = (ms: number) => Effect.promise(() => new Promise((r) => setTimeout(r, ms)))
const until = (what: string, cond: () => boolean) =>
  Effect.gen(function* () {
    for (let i = 0; i < 300; i++) {
      if (cond()) return
      yield* realWait(10)
    }
    return yield* Effect.die(new Error(`timed out waiting for ${what}`))
  })

describe("Retry-After", () => {
  const throttled = async (retryAfter: (nowMs: number) => string) => {
    let answered = 0
    const server = await serve("127.0.0.1", (req, res) => {
      if (answered++ === 0) {
        res.writeHead(429, { "retry-after": retryAfter(0) }).end("slow down")
        return
      }
      sendRange(bytes, req, res)
    })
    return server
  }
  const waitsFor = (header: (nowMs: number) => string, expectedMs: number) =>
    run(
      Effect.gen(function* () {
        const server = yield* Effect.promise(() => throttled(header))
        const fiber = yield* Effect.forkChild(open(`${server.base}/cog.tif`))
        yield* until("the first request", () => server.log.length === 1)
        yield* TestClock.adjust(expectedMs - 100)
        yield* realWait(100)
        assert.strictEqual(server.log.length, 1, "retried before Retry-After elapsed")
        yield* TestClock.adjust(100)
        yield* until("the retry", () => server.log.length >= 2)
        const info = yield* Fiber.join(fiber)
        assert.strictEqual(info.width, 349)
        yield* Effect.promise(() => server.close())
      })
    )

  it.effect("a 429 asking for 3 s (delta-seconds) is retried after 3 s", () =>
    waitsFor(() => "3", 3000)
  )
  it.effect("a 429 with an HTTP-date is retried at that date", () =>
    waitsFor((now) => new Date(now + 5000).toUTCString(), 5000)
  )
  it.effect("a Retry-After of an hour is capped at 60 s", () => waitsFor(() => "3600", 60_000))
})
