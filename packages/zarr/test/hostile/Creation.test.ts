import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Creation, Store } from "../../src/index.ts"
import { deadPid, filesUnder, tempDir } from "./stores.ts"

const skeleton = (label: string, files: number) => (staging: string) =>
  Effect.gen(function* () {
    const store = Store.makeFileSystem(staging)
    for (let i = 0; i < files; i++) {
      yield* store.set(`g${i}/zarr.json`, new TextEncoder().encode(`${label} ${i}`))
      yield* Effect.yieldNow
    }
    yield* store.set("zarr.json", new TextEncoder().encode(label))
  })

describe("atomic store creation", () => {
  it.effect(
    "of eight creators racing for one new path exactly one publishes, whole; no staging is left",
    () =>
      Effect.gen(function* () {
        const base = tempDir("create")
        try {
          for (let round = 0; round < 5; round++) {
            const root = path.join(base, `r${round}.zarr`)
            const results = yield* Effect.all(
              Array.from({ length: 8 }, (_, i) =>
                Creation.create(root, skeleton(`writer ${i}`, 20))
              ),
              { concurrency: "unbounded" }
            )
            assert.strictEqual(results.filter((r) => r).length, 1, `round ${round}`)
            const winner = results.indexOf(true)
            const files = filesUnder(root)
            assert.strictEqual(files.length, 21)
            for (const f of files) {
              assert.match(
                fs.readFileSync(path.join(root, f), "utf8"),
                new RegExp(`^writer ${winner}\\b`)
              )
            }
          }
          assert.deepStrictEqual(
            fs.readdirSync(base).filter((n) => n.startsWith(".")),
            [],
            "no staging directory left"
          )
        } finally {
          fs.rmSync(base, { recursive: true, force: true })
        }
      })
  )

  it.effect("an empty directory at the path is replaced; a non-empty one is left untouched", () =>
    Effect.gen(function* () {
      const base = tempDir("create")
      try {
        const empty = path.join(base, "empty.zarr")
        fs.mkdirSync(empty)
        assert.isTrue(yield* Creation.create(empty, skeleton("new", 2)))
        assert.strictEqual(fs.readFileSync(path.join(empty, "zarr.json"), "utf8"), "new")
        const full = path.join(base, "full")
        fs.mkdirSync(full)
        fs.writeFileSync(path.join(full, "mine.txt"), "keep")
        assert.isFalse(yield* Creation.create(full, skeleton("new", 2)))
        assert.deepStrictEqual(filesUnder(full), ["mine.txt"])
      } finally {
        fs.rmSync(base, { recursive: true, force: true })
      }
    })
  )

  it.effect(
    "a failed skeleton leaves no store and no staging; a killed creator's staging is swept",
    () =>
      Effect.gen(function* () {
        const base = tempDir("create")
        try {
          const root = path.join(base, "s.zarr")
          const failed = yield* Effect.flip(
            Creation.create(root, (staging) =>
              Effect.andThen(skeleton("half", 3)(staging), Effect.fail("disk full" as const))
            )
          )
          assert.strictEqual(failed, "disk full")
          assert.deepStrictEqual(fs.readdirSync(base), [])
          const host = os.hostname().replace(/[^A-Za-z0-9._-]/g, "_")
          const orphan = path.join(base, `.s.zarr~${host}~${deadPid()}-0badc0de~0.creating`)
          const foreign = path.join(base, `.s.zarr~other-host~1-0badc0de~0.creating`)
          fs.mkdirSync(orphan)
          fs.mkdirSync(foreign)
          assert.isTrue(yield* Creation.create(root, skeleton("ok", 1)))
          assert.deepStrictEqual(
            fs.readdirSync(base).sort(),
            [path.basename(foreign), "s.zarr"].sort()
          )
        } finally {
          fs.rmSync(base, { recursive: true, force: true })
        }
      })
  )
})
