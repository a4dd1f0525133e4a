import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { execFileSync } from "node:child_process"
import { existsSync, mkdirSync, readdirSync } from "node:fs"
import { join } from "node:path"
import { jsonLines, run, smallRecipe, start } from "./run.ts"
import { digest, tempDir } from "./tree.ts"

const tmp = tempDir("resume")
const reference = join(tmp.path, "reference.zarr")
let expected: Record<string, string>

beforeAll(async () => {
  const o = await run("build", smallRecipe, "--out", reference, "--log-format", "json")
  assert.strictEqual(o.code, 0, o.stderr)
  expected = digest(reference)
})
afterAll(() => tmp.remove())

/** Run a build and SIGKILL it as soon as a progress line of type `at` appears on stderr. */
const killedAt = async (out: string, at: "plan" | "shard") => {
  let seen: any
  const { done } = start(
    ["build", smallRecipe, "--out", out, "--log-format", "json"],
    (line, child) => {
      if (seen !== undefined || !line.startsWith("{")) return
      const event = JSON.parse(line)
      if (event.type === at) {
        seen = event
        child.kill("SIGKILL")
      }
    }
  )
  const o = await done
  assert.strictEqual(o.signal, "SIGKILL", `the build was killed (stderr: ${o.stderr})`)
  assert.isDefined(seen)
  assert.isFalse(
    jsonLines(o.stderr).some((e) => e.type === "done"),
    "it was killed before it finished"
  )
  return seen
}

const mountable = (() => {
  const dir = join(tmp.path, "probe-mount")
  mkdirSync(dir)
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=800k", "tmpfs", dir], { stdio: "ignore" })
    execFileSync("umount", [dir], { stdio: "ignore" })
    return true
  } catch {
    return false
  }
})()

describe("eoforge build after a crash", () => {
  it("killed with SIGKILL mid-shard and after a finished shard, resumes to the bytes of an uninterrupted build", async () => {
    const out = join(tmp.path, "killed.zarr")
    // First killed while shard 0 is being extracted, then right after a shard is reported finished.
    await killedAt(out, "plan")
    const shard = await killedAt(out, "shard")
    assert.isTrue(
      existsSync(join(out, ".eoforge", "jobs", `${shard.shard}.json`)),
      "its record exists"
    )
    assert.isFalse(existsSync(join(out, "croissant.json")), "the store was not finalized")
    const o = await run("build", smallRecipe, "--out", out, "--log-format", "json")
    assert.strictEqual(o.code, 0, o.stderr)
    const events = jsonLines(o.stderr)
    const resumed = events.find((e) => e.type === "plan")
    assert.isTrue(resumed.resumed)
    assert.isTrue(resumed.todo < resumed.shards, "finished shards are skipped")
    assert.strictEqual(events.filter((e) => e.type === "shard").length, resumed.todo)
    assert.deepStrictEqual(digest(out), expected)
  })

  const diskFull = mountable
    ? "on a full disk exits 4 saying written shards are kept, and resumes once there is room"
    : "SKIPPED — cannot mount a tmpfs here (needs root with CAP_SYS_ADMIN), so a full disk cannot be simulated"
  it.skipIf(!mountable)(diskFull, async () => {
    const dir = join(tmp.path, "small-disk")
    mkdirSync(dir)
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=800k", "tmpfs", dir])
    try {
      const out = join(dir, "s.zarr")
      const full = await run("build", smallRecipe, "--out", out, "--log-format", "json")
      assert.strictEqual(full.code, 4, full.stderr)
      assert.include(full.stderr, out)
      assert.match(full.stderr, /ENOSPC|no space/i)
      assert.include(full.stderr, "shards already written are kept")
      const kept = readdirSync(join(out, ".eoforge", "jobs"))
      assert.isTrue(kept.length > 0, "at least one shard was finished before the disk filled")
      const before = digest(out)
      execFileSync("mount", ["-o", "remount,size=16m", dir])
      const again = await run("build", smallRecipe, "--out", out, "--log-format", "json")
      assert.strictEqual(again.code, 0, again.stderr)
      const plan = jsonLines(again.stderr).find((e) => e.type === "plan")
      assert.isTrue(plan.resumed)
      assert.strictEqual(plan.todo, plan.shards - kept.length)
      const after = digest(out)
      for (const job of kept) {
        const k = job.replace(".json", "")
        for (const [path, sha] of Object.entries(before)) {
          if (path.includes(`/c/${k}/`) || path.endsWith(`/c/${k}`)) {
            assert.strictEqual(after[path], sha, `${path} of a kept shard is unchanged`)
          }
        }
      }
      assert.deepStrictEqual(after, expected)
    } finally {
      execFileSync("umount", [dir])
    }
  })
})
