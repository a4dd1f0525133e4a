// The `eoforge` command facing hostile stores, held locks and a racing build: the documented exit code
// and one line on stderr naming the problem, never a stack trace, never a hang.
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { spawnSync } from "node:child_process"
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { hostname } from "node:os"
import { dirname, join } from "node:path"
import { run, smallRecipe } from "../run.ts"
import { digest, tempDir } from "../tree.ts"

const tmp = tempDir("cli-hostile")
const reference = join(tmp.path, "reference.zarr")
let expected: Record<string, string>

beforeAll(async () => {
  const o = await run("build", smallRecipe, "--out", reference, "--log-format", "json")
  assert.strictEqual(o.code, 0, o.stderr)
  expected = digest(reference)
})
afterAll(() => tmp.remove())

const copy = (name: string) => {
  const to = join(tmp.path, name)
  cpSync(reference, to, { recursive: true })
  return to
}

const editLayout = (store: string, edit: (layout: any) => void) => {
  const file = join(store, "zarr.json")
  const doc = JSON.parse(readFileSync(file, "utf8"))
  edit(doc.attributes.eoforge.layout)
  writeFileSync(file, JSON.stringify(doc))
}

/** One line on stderr starting with `eoforge:`, and no stack frame. */
const assertOneLine = (stderr: string) => {
  const lines = stderr.trim().split("\n")
  assert.strictEqual(lines.length, 1, stderr)
  assert.match(lines[0], /^eoforge: /)
  assert.notMatch(stderr, /^\s+at /m, "no stack trace")
}

const hostTag = hostname().replace(/[^A-Za-z0-9._-]/g, "_")
const plantLock = (store: string, pid: number) => {
  mkdirSync(join(store, ".eoforge"), { recursive: true })
  writeFileSync(
    join(store, ".eoforge", "lock"),
    JSON.stringify({
      pid,
      host: hostTag,
      token: "00000000deadbeef",
      started: "2026-01-01T00:00:00.000Z",
      command: "build",
      recipeHash: "f".repeat(64)
    })
  )
}

describe("eoforge on hostile stores", () => {
  it("inspect of a store claiming 1e15 samples exits 3 at once with one line naming the key", async () => {
    const store = copy("huge.zarr")
    editLayout(store, (l) => (l.samples = 1e15))
    const started = performance.now()
    const o = await run("inspect", store)
    assert.strictEqual(o.code, 3, o.stderr)
    assertOneLine(o.stderr)
    assert.include(o.stderr, "eoforge.layout.samples")
    assert.isBelow(performance.now() - started, 30_000)
  })

  it("finalize of a store with shardSamples 0 exits 3 with one line", async () => {
    const store = copy("zero.zarr")
    editLayout(store, (l) => (l.shardSamples = 0))
    const o = await run("finalize", store)
    assert.strictEqual(o.code, 3, o.stderr)
    assertOneLine(o.stderr)
    assert.include(o.stderr, "shardSamples")
  })

  it("export of a store with a corrupt shard index exits 3 naming the shard (ShardIndexError)", async () => {
    const store = copy("corrupt-index.zarr")
    const shard = join(store, "ls7s", "data", "c", "0", "0", "0", "0", "0")
    const bytes = readFileSync(shard)
    bytes[bytes.length - 1] ^= 0xff
    writeFileSync(shard, bytes)
    const o = await run(
      "export-geotiff",
      store,
      "--out",
      join(tmp.path, "corrupt-tif"),
      "--limit",
      "1"
    )
    assert.strictEqual(o.code, 3, o.stderr)
    assertOneLine(o.stderr)
    assert.include(o.stderr, "ls7s/data/c/0/0/0/0/0")
  })

  it("finalize of a store with a damaged job record exits 3 naming it (JobRecordError)", async () => {
    const store = copy("bad-record.zarr")
    writeFileSync(join(store, ".eoforge", "jobs", "1.json"), "{ not json")
    const o = await run("finalize", store)
    assert.strictEqual(o.code, 3, o.stderr)
    assertOneLine(o.stderr)
    assert.include(o.stderr, ".eoforge/jobs/1.json")
  })

  it("finalize while a live process holds the store lock exits 4 naming it; the lock is untouched", async () => {
    const store = copy("locked.zarr")
    plantLock(store, process.pid)
    const before = readFileSync(join(store, ".eoforge", "lock"), "utf8")
    const o = await run("finalize", store)
    assert.strictEqual(o.code, 4, o.stderr)
    assertOneLine(o.stderr)
    assert.include(o.stderr, `pid ${process.pid}`)
    assert.include(o.stderr, join(store, ".eoforge", "lock"))
    assert.strictEqual(readFileSync(join(store, ".eoforge", "lock"), "utf8"), before)
  })

  it("a build over a lock left by a dead process takes it over, finishes and removes it", async () => {
    const store = copy("stale.zarr")
    const dead = spawnSync(process.execPath, ["-e", ""]).pid!
    plantLock(store, dead)
    const o = await run("build", smallRecipe, "--out", store, "--log-format", "json")
    assert.strictEqual(o.code, 0, o.stderr)
    assert.isFalse(existsSync(join(store, ".eoforge", "lock")))
    assert.deepStrictEqual(digest(store), expected)
  })

  it("two builds of different recipes racing for one new store: one exits 0, the other 4, never a mixed store", async () => {
    const base = dirname(smallRecipe)
    const other = join(tmp.path, "seed8.yaml")
    writeFileSync(
      other,
      readFileSync(smallRecipe, "utf8")
        .replace("seed: 7", "seed: 8")
        .replace("../../recipes/", join(base, "../../recipes") + "/")
        .replace("../../../../fixtures/", join(base, "../../../../fixtures") + "/")
    )
    const otherRef = join(tmp.path, "seed8-reference.zarr")
    const r = await run("build", other, "--out", otherRef, "--log-format", "json")
    assert.strictEqual(r.code, 0, r.stderr)
    const expectedOther = digest(otherRef)
    for (let round = 0; round < 2; round++) {
      const out = join(tmp.path, `race-${round}.zarr`)
      const [a, b] = await Promise.all([
        run("build", smallRecipe, "--out", out, "--log-format", "json"),
        run("build", other, "--out", out, "--log-format", "json")
      ])
      assert.deepStrictEqual(
        [a.code, b.code].sort(),
        [0, 4],
        `round ${round}: ${a.stderr.slice(-400)} | ${b.stderr.slice(-400)}`
      )
      const loser = a.code === 4 ? a : b
      assert.match(loser.stderr, /different recipe|locked by eoforge build/)
      assert.notMatch(loser.stderr, /^\s+at /m)
      assert.deepStrictEqual(digest(out), a.code === 0 ? expected : expectedOther)
    }
  }, 300_000)

  it("a recipe whose band name is a path exits 2 with file:line key", async () => {
    const recipe = join(tmp.path, "bad-band.yaml")
    const base = dirname(smallRecipe)
    writeFileSync(
      recipe,
      readFileSync(smallRecipe, "utf8")
        .replace("name: B3,", 'name: "../B3",')
        .replace("../../recipes/", join(base, "../../recipes") + "/")
        .replace("../../../../fixtures/", join(base, "../../../../fixtures") + "/")
    )
    const o = await run("build", recipe, "--out", join(tmp.path, "never.zarr"))
    assert.strictEqual(o.code, 2, o.stderr)
    assert.match(o.stderr, new RegExp(`bad-band\\.yaml:\\d+ products\\[0\\]\\.bands\\[0\\]\\.name`))
    assert.isFalse(existsSync(join(tmp.path, "never.zarr")))
  })
})
