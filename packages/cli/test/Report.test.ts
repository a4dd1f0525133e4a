import { afterAll, assert, describe, it } from "@effect/vitest"
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { run } from "./run.ts"
import { tempDir } from "./tree.ts"

const tmp = tempDir("cli-report")
afterAll(() => tmp.remove())

describe("eoforge report", () => {
  it("reports the demo's products aligned to within a quarter pixel", async () => {
    const store = join(tmp.path, "demo.zarr")
    const built = await run("build", "demo", "--out", store, "--log-format", "json")
    assert.strictEqual(built.code, 0, built.stderr)
    const o = await run("report", store, "--json")
    assert.strictEqual(o.code, 0, o.stderr)
    const r = JSON.parse(o.stdout)
    assert.strictEqual(r.index, join(tmp.path, "report", "index.html"))
    assert.isTrue(existsSync(r.index))
    assert.include(readFileSync(r.index, "utf8"), "Alignment check")
    // ls7s (10 m, synthetic seasons) and ls7 (30 m, the real scene) come from the same scene.
    const pair = r.alignment.find((s: { pair: string }) => s.pair === "ls7s/ls7")
    console.log(
      `demo alignment ls7s/ls7: ${pair.reliable}/${pair.measured} measurable, median ${pair.medianPx.toFixed(3)} px, 95 % ${pair.p95Px.toFixed(3)} px, max ${pair.maxPx.toFixed(3)} px, mean (${pair.meanDx.toFixed(3)}, ${pair.meanDy.toFixed(3)})`
    )
    assert.isAtLeast(pair.reliable, 40)
    assert.isBelow(pair.medianPx, 0.25)
    assert.isBelow(Math.hypot(pair.meanDx, pair.meanDy), 0.25)
    assert.strictEqual(pair.outliers, 0)
  }, 180_000)

  it("refuses a path holding no store with exit code 3", async () => {
    const o = await run("report", join(tmp.path, "nothing-here"))
    assert.strictEqual(o.code, 3, o.stderr)
    assert.match(o.stderr, /is not an EOForge store/)
  })
})
