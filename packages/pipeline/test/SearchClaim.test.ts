import { afterAll, assert, beforeAll, beforeEach, describe, it } from "@effect/vitest"
import { type Search, type SearchCells, StacClient } from "@eoforge/stac"
import { Effect, Fiber, Logger, Option, Stream } from "effect"
import { type ChildProcess, spawn, spawnSync } from "node:child_process"
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  watch,
  writeFileSync
} from "node:fs"
import { hostname } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { defaultOptions, exclusiveIn } from "../src/internal/cellClaim.ts"
import { Services } from "../src/index.ts"
import * as StacApi from "./stacApi.ts"
import { tempDir } from "./tree.ts"

// Worker processes searching the same cells of one store at once: one of them searches each cell, the
// others wait for its list; a dead or hung holder's lock is taken over; selections are per-patch ones.
const searcher = fileURLToPath(new URL("./cellSearcher.ts", import.meta.url))
const tmp = tempDir("search-claim")
let server: StacApi.StacApiServer

const square = (w: number, s: number, size: number): Search.SearchParams["intersects"] => ({
  type: "Polygon",
  coordinates: [
    [
      [w, s],
      [w + size, s],
      [w + size, s + size],
      [w, s + size],
      [w, s]
    ]
  ]
})

// Three patches of Olinda's 1° cell: two windows of one collection and another collection.
const queries: ReadonlyArray<Search.SearchParams> = [
  {
    collections: ["ls7-seasonal"],
    intersects: square(-34.9, -7.99, 0.02),
    datetime: {
      start: Date.parse("2002-03-01T00:00:00Z"),
      end: Date.parse("2002-07-01T00:00:00Z")
    },
    maxCloud: 10
  },
  {
    collections: ["ls7-seasonal"],
    intersects: square(-34.88, -8.0, 0.03),
    datetime: {
      start: Date.parse("2002-03-01T00:00:00Z"),
      end: Date.parse("2002-07-01T00:00:00Z")
    },
    maxCloud: 10
  },
  { collections: ["landcover"], intersects: square(-34.87, -8.02, 0.02) }
]
// Distinct cell × query: the two ls7 patches share one.
const cellsOfQueries = 2

const firstPages = (from: number) =>
  server.requests.slice(from).filter((r) => r.path === "/search" && r.body?.token === undefined)
    .length

interface Outcome {
  readonly ids: ReadonlyArray<ReadonlyArray<string>>
  readonly counts: SearchCells.Counts
}

// `count` searcher processes started together: each loads its modules and says "ready"; once all are, each
// gets "go" at the same moment (a barrier: loading takes seconds and varies by hundreds of ms).
const run = (
  root: string,
  count: number,
  mode: "locks" | "nolock" = "locks"
): Promise<ReadonlyArray<Outcome>> => {
  let ready = 0
  const children: Array<ChildProcess> = []
  return Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<Outcome>((ok, fail) => {
          const args = [searcher, root, server.url, JSON.stringify(queries)]
          const child = spawn(process.execPath, mode === "nolock" ? [...args, "nolock"] : args, {
            stdio: ["pipe", "pipe", "inherit"]
          })
          children.push(child)
          let out = ""
          child.stdout.on("data", (d: Buffer) => {
            const before = out
            out += d.toString()
            if (!before.includes("ready\n") && out.includes("ready\n") && ++ready === count)
              for (const c of children) c.stdin?.write("go\n")
          })
          child.on("error", fail)
          child.on("close", (code) =>
            code === 0
              ? ok(JSON.parse(out.trim().split("\n").at(-1)!) as Outcome)
              : fail(new Error(`searcher exited ${code}`))
          )
        })
    )
  )
}

let perPatch: ReadonlyArray<ReadonlyArray<string>> = []

beforeAll(async () => {
  server = await StacApi.start({ pageSize: 2, searchDelayMs: 150 })
  perPatch = await Effect.runPromise(
    Effect.gen(function* () {
      const client = yield* StacClient.StacClient
      return yield* Effect.forEach(queries, (p) =>
        Stream.runCollect(client.search(StacClient.api(server.url), p)).pipe(
          Effect.map((items) => items.map((item) => item.id))
        )
      )
    }).pipe(Effect.provide(Services.layer))
  )
}, 30_000)

afterAll(async () => {
  await server?.close()
  tmp.remove()
})

describe("Search cells shared across processes", () => {
  it("four processes searching the same cells at once send one search per cell, with per-patch selections", async () => {
    assert.isAbove(perPatch[0].length + perPatch[1].length, 0, "the queries find items")
    const root = join(tmp.path, "four.zarr")
    const from = server.requests.length
    const outcomes = await run(root, 4)
    assert.strictEqual(firstPages(from), cellsOfQueries)
    const searched = outcomes.reduce((n, o) => n + o.counts.cellSearches, 0)
    const fromDisk = outcomes.reduce((n, o) => n + o.counts.diskHits, 0)
    assert.strictEqual(searched, cellsOfQueries)
    assert.strictEqual(fromDisk, 4 * cellsOfQueries - cellsOfQueries)
    for (const o of outcomes) assert.deepStrictEqual(o.ids, perPatch)
    // The same four processes without the locks: each searches each cell (the test could fail).
    const unlocked = join(tmp.path, "four-unlocked.zarr")
    const fromUnlocked = server.requests.length
    await run(unlocked, 4, "nolock")
    assert.isAbove(firstPages(fromUnlocked), 2 * cellsOfQueries)
    const left = readdirSync(join(root, ".eoforge", "search"))
    assert.deepStrictEqual(
      left.filter((f) => !f.endsWith(".json.gz")),
      [],
      "no lock is left behind"
    )
  }, 120_000)

  it("a lock left by a process that died on this host is taken over at once", async () => {
    const root = join(tmp.path, "dead.zarr")
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"])
    const pid = Number(dead.stdout.toString())
    // The lock names of the cells of both queries, found from a first run elsewhere.
    const probe = join(tmp.path, "probe.zarr")
    await run(probe, 1)
    const names = readdirSync(join(probe, ".eoforge", "search")).map((f) =>
      f.replace(".json.gz", "")
    )
    assert.strictEqual(names.length, cellsOfQueries)
    mkdirSync(join(root, ".eoforge", "search"), { recursive: true })
    for (const name of names) {
      const file = join(root, ".eoforge", "search", `${name}.lock`)
      writeFileSync(file, JSON.stringify({ pid, host: hostname(), token: "dead" }))
    }
    const from = server.requests.length
    const started = Date.now()
    const [outcome] = await run(root, 1)
    // Well within the 30 s a lock of another host would need to go stale.
    assert.isBelow(Date.now() - started, 15_000)
    assert.strictEqual(outcome.counts.cellSearches, cellsOfQueries)
    assert.strictEqual(firstPages(from), cellsOfQueries)
    assert.deepStrictEqual(outcome.ids, perPatch)
    for (const name of names)
      assert.isFalse(existsSync(join(root, ".eoforge", "search", `${name}.lock`)))
  }, 60_000)
})

describe("One cell's claim (in one process, as several threads of a build)", () => {
  const dir = join(tmp.path, "claims")
  const name = "cell"
  const listFile = (n: string) => join(dir, `${n}.json.gz`)
  const read = (n: string) =>
    Effect.sync(() => (existsSync(listFile(n)) ? new Uint8Array(Buffer.from("list")) : undefined))
  const options = { staleMs: 400, heartbeatMs: 100, pollMs: 10, maxPollMs: 50, maxWaitMs: 3_000 }
  const claim = () => exclusiveIn(dir, read, options)
  const writeList = Effect.sync(() => writeFileSync(listFile(name), "list"))
  // Each test (and each retry of a timed one) starts with no lock, list or marker left by another.
  beforeEach(() => rmSync(dir, { recursive: true, force: true }))

  it.live("a waiter takes the list its holder wrote and does not search", () =>
    Effect.gen(function* () {
      mkdirSync(dir, { recursive: true })
      let searches = 0
      const search = (after: number) =>
        Effect.sleep(after).pipe(
          Effect.andThen(Effect.sync(() => ++searches)),
          Effect.tap(() => writeList)
        )
      const [a, b] = yield* Effect.all(
        [
          claim()(name, search(200)),
          Effect.sleep(20).pipe(Effect.andThen(claim()(name, search(0))))
        ],
        { concurrency: "unbounded" }
      )
      assert.strictEqual(searches, 1)
      assert.strictEqual(a._tag, "Searched")
      assert.strictEqual(b._tag, "Stored")
      assert.isFalse(existsSync(join(dir, `${name}.lock`)))
    })
  )

  it.live("a holder whose search failed (no list) lets the waiter search itself", () =>
    Effect.gen(function* () {
      const failedName = "failed"
      let searches = 0
      const nothing = (after: number) =>
        Effect.sleep(after).pipe(Effect.andThen(Effect.sync(() => ++searches)))
      const [a, b] = yield* Effect.all(
        [
          claim()(failedName, nothing(150)),
          Effect.sleep(20).pipe(Effect.andThen(claim()(failedName, nothing(0))))
        ],
        { concurrency: "unbounded" }
      )
      assert.strictEqual(searches, 2)
      assert.deepStrictEqual([a._tag, b._tag], ["Searched", "Searched"])
    })
  )

  it.live(
    "a live holder that is hung is taken over once its lock is stale, and never waited on forever",
    () =>
      Effect.gen(function* () {
        mkdirSync(dir, { recursive: true })
        const hung = "hung"
        const file = join(dir, `${hung}.lock`)
        // Another host's holder, last refreshed a minute ago: stale at once.
        writeFileSync(file, JSON.stringify({ pid: 1, host: "elsewhere", token: "x" }))
        const old = new Date(Date.now() - 60_000)
        utimesSync(file, old, old)
        const stale = yield* claim()(hung, Effect.succeed("mine"))
        assert.deepStrictEqual(stale, { _tag: "Searched", value: "mine" })
        // That search kept no list and marked the cell so; a holder that keeps its lock fresh but never
        // writes: the waiter searches after maxWaitMs.
        rmSync(join(dir, `${hung}.unlisted`))
        writeFileSync(file, JSON.stringify({ pid: process.pid, host: hostname(), token: "alive" }))
        const keepFresh = setInterval(() => {
          const now = new Date()
          utimesSync(file, now, now)
        }, 50)
        const started = Date.now()
        const waited = yield* claim()(hung, Effect.succeed("mine")).pipe(
          Effect.ensuring(Effect.sync(() => clearInterval(keepFresh)))
        )
        assert.deepStrictEqual(waited, { _tag: "Searched", value: "mine" })
        assert.isAtLeast(Date.now() - started, options.maxWaitMs - 50)
      })
  )

  const staleLock = (n: string) => {
    mkdirSync(dir, { recursive: true })
    const file = join(dir, `${n}.lock`)
    writeFileSync(file, JSON.stringify({ pid: 1, host: "elsewhere", token: "x" }))
    const old = new Date(Date.now() - 60_000)
    utimesSync(file, old, old)
    return file
  }
  const failing = (code: string) => {
    const calls = { count: 0 }
    const rename = () => {
      calls.count++
      return Promise.reject(Object.assign(new Error(code), { code }))
    }
    return { calls, rename }
  }

  it.live(
    "a stale lock that cannot be moved (busy) is waited on at most maxWaitMs, without spinning",
    () =>
      Effect.gen(function* () {
        const busy = staleLock("busy")
        const { calls, rename } = failing("EBUSY")
        const cpu = process.cpuUsage()
        const started = Date.now()
        const result = yield* exclusiveIn(dir, read, { ...options, maxWaitMs: 1_000, rename })(
          "busy",
          Effect.succeed("mine")
        ).pipe(Effect.timeoutOption(4_000))
        const wall = Date.now() - started
        const used = process.cpuUsage(cpu)
        assert.deepStrictEqual(result, Option.some({ _tag: "Searched" as const, value: "mine" }))
        assert.isBelow(wall, 2_000, "returned within the bound")
        assert.isBelow((used.user + used.system) / 1000, wall * 0.3, "the wait sleeps")
        // Backed off polls, not thousands of attempts.
        assert.isBelow(calls.count, 60)
        assert.isTrue(existsSync(busy))
      }),
    // Bounded by the wall clock: once more on a loaded machine.
    { retry: 2 }
  )

  it.live(
    "a stale lock this process may not remove is searched without, with one warning naming it",
    () =>
      Effect.gen(function* () {
        const denied = staleLock("denied")
        const { rename } = failing("EPERM")
        const logged: Array<string> = []
        const capture = Logger.make((o) => void logged.push(`${o.logLevel} ${String(o.message)}`))
        const started = Date.now()
        const claimDenied = exclusiveIn(dir, read, { ...options, maxWaitMs: 60_000, rename })
        const first = yield* claimDenied("denied", Effect.succeed(1)).pipe(
          Effect.provide(Logger.layer([capture])),
          Effect.timeoutOption(4_000)
        )
        const second = yield* claimDenied("denied", Effect.succeed(2)).pipe(
          Effect.provide(Logger.layer([capture])),
          Effect.timeoutOption(4_000)
        )
        assert.deepStrictEqual(first, Option.some({ _tag: "Searched" as const, value: 1 }))
        assert.deepStrictEqual(second, Option.some({ _tag: "Searched" as const, value: 2 }))
        assert.isBelow(Date.now() - started, 2_000)
        assert.strictEqual(logged.length, 1)
        assert.include(logged[0], "Warn")
        assert.include(logged[0], `remove ${denied}`)
      })
  )

  it.live(
    "with the default polling a waiter sees a long search's release within 250 ms",
    () =>
      Effect.gen(function* () {
        mkdirSync(dir, { recursive: true })
        const long = "long"
        const slow = exclusiveIn(dir, read, defaultOptions)
        let released = 0
        const holding = slow(
          long,
          Effect.sleep(2_000).pipe(
            Effect.andThen(Effect.sync(() => writeFileSync(listFile(long), "list")))
          )
        ).pipe(Effect.tap(() => Effect.sync(() => (released = Date.now()))))
        const waiting = Effect.sleep(20).pipe(
          Effect.andThen(slow(long, Effect.succeed("mine"))),
          Effect.map((outcome) => ({ outcome, at: Date.now() }))
        )
        const [, seen] = yield* Effect.all([holding, waiting], { concurrency: "unbounded" })
        assert.strictEqual(seen.outcome._tag, "Stored")
        assert.isBelow(seen.at - released, 300)
      }),
    // Bounded by the wall clock: once more on a loaded machine.
    { retry: 2 }
  )

  it.live(
    "a cell whose list is not kept is searched by its waiters side by side, not in turn",
    () =>
      Effect.gen(function* () {
        mkdirSync(dir, { recursive: true })
        const kept = "unkept"
        const spans: Array<readonly [number, number]> = []
        const t0 = Date.now()
        // Searches that write no list (pre-signed hrefs, or a failure): 300 ms each.
        const unkept = Effect.gen(function* () {
          const from = Date.now() - t0
          yield* Effect.sleep(300)
          spans.push([from, Date.now() - t0])
          return "items"
        })
        const outcomes = yield* Effect.all(
          Array.from({ length: 4 }, (_, i) =>
            Effect.sleep(i * 10).pipe(Effect.andThen(claim()(kept, unkept)))
          ),
          { concurrency: "unbounded" }
        )
        const total = Date.now() - t0
        assert.deepStrictEqual(
          outcomes.map((o) => o._tag),
          ["Searched", "Searched", "Searched", "Searched"]
        )
        assert.strictEqual(spans.length, 4)
        // One search, then the three waiters together: about 2 × 300 ms, not 4 × 300 ms.
        assert.isBelow(total, 900, JSON.stringify(spans))
        // A later claim does not wait on a lock for it either.
        const started = Date.now()
        const again = yield* claim()(kept, unkept)
        assert.strictEqual(again._tag, "Searched")
        assert.isBelow(Date.now() - started, 450)
      }),
    // Bounded by the wall clock: once more on a loaded machine.
    { retry: 2 }
  )

  it.live("a folder where locks cannot be created is named in one warning with the error", () =>
    Effect.gen(function* () {
      mkdirSync(dir, { recursive: true })
      // A file where the lock folder should be: every lock fails (ENOTDIR), as on a read-only store.
      const blocked = join(dir, "blocked")
      writeFileSync(blocked, "")
      const lockDir = join(blocked, "search")
      const logged: Array<string> = []
      const capture = Logger.make((o) => void logged.push(`${o.logLevel} ${String(o.message)}`))
      const unlocked = exclusiveIn(lockDir, () => Effect.succeed(undefined), options)
      const outcomes = yield* Effect.all(
        [unlocked("a", Effect.succeed(1)), unlocked("b", Effect.succeed(2))],
        { concurrency: 1 }
      ).pipe(Effect.provide(Logger.layer([capture])))
      assert.deepStrictEqual(outcomes, [
        { _tag: "Searched", value: 1 },
        { _tag: "Searched", value: 2 }
      ])
      assert.strictEqual(logged.length, 1, logged.join("\n"))
      assert.include(logged[0], "Warn")
      assert.include(logged[0], lockDir)
      assert.include(logged[0], "ENOTDIR")
    })
  )

  it.live(
    "a lock taken again in place while a waiter looked is not moved aside as the dead holder's",
    () =>
      Effect.gen(function* () {
        mkdirSync(dir, { recursive: true })
        const again = "again"
        const file = join(dir, `${again}.lock`)
        const sleeper = () => spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"])
        const first = sleeper()
        const asides: Array<string> = []
        const watcher = watch(
          dir,
          (_, f) => f?.startsWith(`${again}.lock~`) && f.endsWith(".stale") && asides.push(f)
        )
        const second = sleeper()
        writeFileSync(file, JSON.stringify({ pid: first.pid, host: hostname(), token: "a" }))
        const waiter = yield* Effect.forkChild(
          exclusiveIn(dir, read, { ...options, staleMs: 60_000, maxWaitMs: 1_500 })(
            again,
            Effect.succeed("mine")
          )
        )
        yield* Effect.sleep(100)
        // The first holder dies and, in the same tick, a live one takes the lock by rewriting the same file
        // (same inode): the waiter never sees the dead holder's lock alone.
        yield* Effect.promise(
          () =>
            new Promise<void>((ok) => {
              first.once("exit", () => {
                writeFileSync(
                  file,
                  JSON.stringify({ pid: second.pid, host: hostname(), token: "b" })
                )
                ok()
              })
              first.kill("SIGKILL")
            })
        )
        const outcome = yield* Fiber.join(waiter).pipe(
          Effect.ensuring(Effect.sync(() => second.kill("SIGKILL")))
        )
        assert.deepStrictEqual(outcome, { _tag: "Searched", value: "mine" })
        watcher.close()
        // Never moved aside (as `<name>.lock~<token>.stale`) and linked back: still the live holder's.
        assert.deepStrictEqual(asides, [])
        assert.include(readFileSync(file, "utf8"), '"token":"b"')
        rmSync(file)
      })
  )
})
