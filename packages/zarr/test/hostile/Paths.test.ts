import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { Store } from "../../src/index.ts"
import { filesUnder, tempDir } from "./stores.ts"

describe("writes stay inside the store", () => {
  it.effect(
    "keys with .., absolute paths or empty segments are refused before any file is touched",
    () =>
      Effect.gen(function* () {
        const base = tempDir("paths")
        try {
          const root = path.join(base, "store")
          fs.mkdirSync(root)
          const store = Store.makeFileSystem(root)
          for (const key of [
            "../escape",
            "a/../../escape",
            "/tmp/escape",
            "a//b",
            "./x",
            "a\\..\\b",
            ""
          ]) {
            const error = yield* Effect.flip(store.set(key, new Uint8Array([1])))
            assert.strictEqual(error._tag, "StoreError", key)
            assert.include(error.message, "outside the store", key)
            const deleted = yield* Effect.flip(store.delete(key))
            assert.strictEqual(deleted._tag, "StoreError", key)
          }
          assert.deepStrictEqual(filesUnder(base), [])
        } finally {
          fs.rmSync(base, { recursive: true, force: true })
        }
      })
  )

  it.effect(
    "a symlinked shard directory is refused for writes and deletes; its target is untouched",
    () =>
      Effect.gen(function* () {
        const base = tempDir("paths")
        try {
          const root = path.join(base, "store")
          const outside = path.join(base, "outside")
          fs.mkdirSync(path.join(root, "s2l2a", "data"), { recursive: true })
          fs.mkdirSync(outside)
          fs.writeFileSync(path.join(outside, "0"), "precious")
          fs.symlinkSync(outside, path.join(root, "s2l2a", "data", "c"))
          const store = Store.makeFileSystem(root)
          const write = yield* Effect.flip(store.set("s2l2a/data/c/0", new Uint8Array([1, 2])))
          assert.strictEqual(write._tag, "StoreError")
          assert.include(write.message, "symbolic link")
          const deeper = yield* Effect.flip(store.set("s2l2a/data/c/1/0/0", new Uint8Array([1])))
          assert.include(deeper.message, "symbolic link")
          const deleted = yield* Effect.flip(store.delete("s2l2a/data/c/0"))
          assert.include(deleted.message, "symbolic link")
          assert.deepStrictEqual(filesUnder(outside), ["0"], "nothing created outside")
          assert.strictEqual(fs.readFileSync(path.join(outside, "0"), "utf8"), "precious")
          // A symlink at the target key itself is replaced by the new file, never written through.
          fs.writeFileSync(path.join(outside, "target"), "precious")
          fs.symlinkSync(path.join(outside, "target"), path.join(root, "s2l2a", "zarr.json"))
          yield* store.set("s2l2a/zarr.json", new TextEncoder().encode("{}"))
          assert.strictEqual(fs.readFileSync(path.join(outside, "target"), "utf8"), "precious")
          assert.isFalse(fs.lstatSync(path.join(root, "s2l2a", "zarr.json")).isSymbolicLink())
        } finally {
          fs.rmSync(base, { recursive: true, force: true })
        }
      })
  )

  it.effect("a store root that is itself a symlink is the user's choice and works", () =>
    Effect.gen(function* () {
      const base = tempDir("paths")
      try {
        const real = path.join(base, "real")
        fs.mkdirSync(real)
        fs.symlinkSync(real, path.join(base, "link"))
        const store = Store.makeFileSystem(path.join(base, "link"))
        yield* store.set("a/b/c", new Uint8Array([7]))
        assert.deepStrictEqual(filesUnder(real), ["a/b/c"])
      } finally {
        fs.rmSync(base, { recursive: true, force: true })
      }
    })
  )
})
