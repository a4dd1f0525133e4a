import { assert, describe, it } from "@effect/vitest"
import { spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Shard, Store } from "../src/index.ts"

const script = path.join(import.meta.dirname, "fixtures", "build.ts")
const args = ["--samples", "48", "--shard", "2"]

const run = (dir: string, extra: ReadonlyArray<string> = []) =>
  spawn(process.execPath, [script, dir, ...args, ...extra], { stdio: ["ignore", "pipe", "pipe"] })

const finished = (child: ReturnType<typeof run>) =>
  new Promise<number | string | null>((resolve) =>
    child.on("exit", (code, signal) => resolve(code ?? signal))
  )

const allFiles = (root: string): Map<string, Buffer> => {
  const out = new Map<string, Buffer>()
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name)
      if (e.isDirectory()) walk(p)
      else out.set(path.relative(root, p), fs.readFileSync(p))
    }
  }
  walk(root)
  return out
}

const countDone = (dir: string) => {
  try {
    return fs.readdirSync(path.join(dir, ".eoforge", "done", "s2l2a")).length
  } catch {
    return 0
  }
}

describe("crash safety", () => {
  it("a writer killed with SIGKILL mid-run leaves no torn shard and a rerun ends byte-identical", async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "eoforge-zarr-crash-"))
    try {
      const reference = path.join(tmp, "reference")
      assert.strictEqual(await finished(run(reference)), 0)

      const crashed = path.join(tmp, "crashed")
      // Two kills at different points, each while shards are still being published.
      for (const after of [3, 9]) {
        const child = run(crashed, ["--slow", "15"])
        const exit = finished(child)
        while (countDone(crashed) < after) await new Promise((r) => setTimeout(r, 5))
        child.kill("SIGKILL")
        assert.strictEqual(await exit, "SIGKILL")
        const done = countDone(crashed)
        assert.isBelow(done, 24, "the writer was killed before finishing")
        // Every published shard has a whole, checksummed index and its chunks inside the file.
        for (const product of [
          { id: "s2l2a", times: 2 },
          { id: "s1grd", times: 1 }
        ]) {
          const dir = path.join(crashed, product.id, "data", "c")
          const shards = fs.existsSync(dir) ? fs.readdirSync(dir) : []
          for (const shard of shards) {
            const file = fs.readFileSync(path.join(dir, shard, "0", "0", "0", "0"))
            const n = 2 * product.times
            const index = Shard.decodeIndex(
              file.subarray(file.length - Shard.indexSize(n)),
              n,
              file.length
            )
            assert.isFalse(
              Shard.isProblem(index),
              `${product.id} shard ${shard}: ${JSON.stringify(index)}`
            )
          }
        }
      }

      // A kill usually lands between shards; this is the temporary a kill inside a write leaves.
      const dead = spawnSync(process.execPath, ["-e", ""]).pid!
      const host = os.hostname().replace(/[^A-Za-z0-9._-]/g, "_")
      const torn = path.join(crashed, "s2l2a", "data", "c", "23", "0", "0", "0")
      fs.mkdirSync(torn, { recursive: true })
      fs.writeFileSync(
        path.join(torn, Store.tempName("0", { pid: dead, token: "deadbeef", host })),
        "torn"
      )
      // The rerun sweeps temporaries of dead writers when it opens the store, so nothing is left over.
      assert.strictEqual(await finished(run(crashed)), 0)
      const want = allFiles(reference)
      const got = allFiles(crashed)
      assert.deepStrictEqual([...got.keys()].sort(), [...want.keys()].sort())
      for (const [key, bytes] of want) assert.isTrue(bytes.equals(got.get(key)!), `${key} differs`)
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true })
    }
  })
})
