import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Store } from "../src/index.ts"

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "eoforge-zarr-store-"))

const pattern = (size: number, seed: number): Uint8Array => {
  const out = new Uint8Array(size)
  for (let i = 0; i < size; i++) out[i] = (i * 31 + seed * 101 + ((i * i) >>> 7)) & 0xff
  return out
}

describe("Store.makeFileSystem", () => {
  it.effect("two writers of the same key at once both succeed and leave one whole value", () =>
    Effect.gen(function* () {
      const root = tempDir()
      try {
        // Two back-ends over one directory stand for two workers retrying the same shard.
        const a = Store.makeFileSystem(root)
        const b = Store.makeFileSystem(root)
        const key = "s2l2a/data/c/0/0/0/0/0"
        for (let round = 0; round < 12; round++) {
          const va = [pattern(1 << 20, round), pattern(3 << 20, round + 1)]
          const vb = [pattern(2 << 20, round + 2), pattern(2 << 20, round + 3)]
          yield* Effect.all([a.set(key, va), b.set(key, vb), a.set("s2l2a/zarr.json", va[0])], {
            concurrency: "unbounded"
          })
          const got = Buffer.from((yield* a.get(key))!)
          const wantA = Buffer.concat(va)
          const wantB = Buffer.concat(vb)
          assert.isTrue(got.equals(wantA) || got.equals(wantB), `round ${round}: torn value`)
        }
        assert.deepStrictEqual(yield* a.list(""), ["s2l2a/data/c/0/0/0/0/0", "s2l2a/zarr.json"])
      } finally {
        fs.rmSync(root, { recursive: true, force: true })
      }
    })
  )

  it.effect(
    "a stale temporary of a killed writer is left in place by set and ignored by list",
    () =>
      Effect.gen(function* () {
        const root = tempDir()
        try {
          const store = Store.makeFileSystem(root)
          const dir = path.join(root, "samples", "id", "c")
          fs.mkdirSync(dir, { recursive: true })
          const stale = Store.tempName("0", {
            pid: deadPid(),
            token: "0badc0de",
            host: os.hostname()
          })
          fs.writeFileSync(path.join(dir, stale), "torn")
          yield* store.set("samples/id/c/0", new Uint8Array([1, 2, 3]))
          assert.deepStrictEqual(fs.readdirSync(dir).sort(), [stale, "0"].sort())
          assert.deepStrictEqual(yield* store.list(""), ["samples/id/c/0"])
        } finally {
          fs.rmSync(root, { recursive: true, force: true })
        }
      })
  )
})

/** The pid of a process that has exited. */
const deadPid = (): number => {
  const child = spawnSync(process.execPath, ["-e", ""])
  return child.pid!
}

describe("Store.sweepStale", () => {
  it.effect(
    "removes temporaries of dead writers on this host and keeps live, foreign and data files",
    () =>
      Effect.gen(function* () {
        const root = tempDir()
        try {
          const dir = path.join(root, "s2l2a", "data", "c", "0", "0", "0", "0")
          fs.mkdirSync(dir, { recursive: true })
          const host = os.hostname().replace(/[^A-Za-z0-9._-]/g, "_")
          const dead = deadPid()
          const files = {
            deadHere: Store.tempName("0", { pid: dead, token: "12345678", host }),
            samePidOtherProcess: Store.tempName("1", { pid: process.pid, token: "ffffffff", host }),
            legacyDead: `.2.${dead}.7.tmp`,
            live: Store.tempName("3"),
            otherHost: Store.tempName("4", { pid: dead, token: "12345678", host: "elsewhere" }),
            data: "0",
            hidden: ".keep"
          }
          for (const name of Object.values(files)) fs.writeFileSync(path.join(dir, name), name)
          const removed = yield* Store.sweepStale(root)
          const rel = (name: string) => `s2l2a/data/c/0/0/0/0/${name}`
          assert.deepStrictEqual(
            removed,
            [files.deadHere, files.samePidOtherProcess, files.legacyDead].map(rel).sort()
          )
          assert.deepStrictEqual(
            fs.readdirSync(dir).sort(),
            [files.live, files.otherHost, files.data, files.hidden].sort()
          )
          // An age rule also reaches other hosts' files once they are old enough.
          const old = new Date(Date.now() - 3_600_000)
          fs.utimesSync(path.join(dir, files.otherHost), old, old)
          assert.deepStrictEqual(yield* Store.sweepStale(root, { olderThanMs: 600_000 }), [
            rel(files.otherHost)
          ])
          assert.deepStrictEqual(yield* Store.sweepStale(root), [])
        } finally {
          fs.rmSync(root, { recursive: true, force: true })
        }
      })
  )

  it.effect("runs once when a file-system layer is built with sweepStale", () =>
    Effect.gen(function* () {
      const root = tempDir()
      try {
        const stale = Store.tempName("zarr.json", {
          pid: deadPid(),
          token: "abcdef01",
          host: os.hostname().replace(/[^A-Za-z0-9._-]/g, "_")
        })
        fs.writeFileSync(path.join(root, stale), "{")
        const keys = yield* Effect.gen(function* () {
          const store = yield* Store.Store
          return yield* store.list("")
        }).pipe(Effect.provide(Store.layerFileSystem(root, { sweepStale: true })))
        assert.deepStrictEqual(keys, [])
        assert.deepStrictEqual(fs.readdirSync(root), [])
        const plain: Layer.Layer<Store.Store> = Store.layerFileSystem(root)
        assert.isDefined(plain)
      } finally {
        fs.rmSync(root, { recursive: true, force: true })
      }
    })
  )
})
