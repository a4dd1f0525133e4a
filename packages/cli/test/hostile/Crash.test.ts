// SIGKILL at random instants of `eoforge build`, store creation included, each followed by a rerun that
// must end byte-identical to an uninterrupted build, with no lock, staging directory or temporary left.
// EOFORGE_CRASH_KILLS sets the number of kills (default 6 in CI; the figure is 50),
// EOFORGE_CRASH_SEED the seed of the instants.
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { existsSync, mkdirSync, readdirSync, watch } from "node:fs"
import { join } from "node:path"
import { run, smallRecipe, start } from "../run.ts"
import { digest, tempDir } from "../tree.ts"

const kills = Number(process.env.EOFORGE_CRASH_KILLS ?? 6)
const seed = Number(process.env.EOFORGE_CRASH_SEED ?? 1)
/** Kills aimed at store creation land within this many ms of the staging directory appearing. */
const creationWindowMs = 60

const tmp = tempDir("crash")
let expected: Record<string, string>
/** ms from the first file-system event beside the store to the end of an uninterrupted build. */
let writeWindowMs = 0

// mulberry32: a seeded PRNG, so a failing instant can be replayed with the same seed.
const prng = (s: number) => () => {
  s = (s + 0x6d2b79f5) | 0
  let t = Math.imul(s ^ (s >>> 15), 1 | s)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

/** Run a build in `dir`; `delay(ms)` after the first entry appears in `dir` (or never) it is killed. */
const buildIn = async (dir: string, delay: number | undefined) => {
  const out = join(dir, "s.zarr")
  const { child, done } = start(["build", smallRecipe, "--out", out, "--log-format", "json"])
  let first: number | undefined
  const watcher = watch(dir, () => {
    if (first !== undefined) return
    first = performance.now()
    if (delay !== undefined) setTimeout(() => child.kill("SIGKILL"), delay)
  })
  const outcome = await done
  watcher.close()
  return { outcome, window: first === undefined ? 0 : performance.now() - first }
}

/** Where the build was when it died, read from what it left. */
const phaseOf = (dir: string, code: number | null): string => {
  if (code === 0) return "finished before the kill"
  const out = join(dir, "s.zarr")
  const names = readdirSync(dir)
  if (names.length === 0) return "before any write"
  if (!existsSync(out)) return "during store creation (staging directory, no store)"
  const jobs = existsSync(join(out, ".eoforge", "jobs"))
    ? readdirSync(join(out, ".eoforge", "jobs")).filter((n) => n.endsWith(".json")).length
    : 0
  if (jobs === 0) return "store created, no shard finished"
  if (jobs < 3) return "between or during shards"
  if (!existsSync(join(out, "croissant.json"))) return "during finalize"
  return "after finalize, before exit"
}

beforeAll(async () => {
  const dir = join(tmp.path, "reference")
  mkdirSync(dir)
  const { outcome, window } = await buildIn(dir, undefined)
  assert.strictEqual(outcome.code, 0, outcome.stderr)
  expected = digest(join(dir, "s.zarr"))
  writeWindowMs = window
})
afterAll(() => tmp.remove())

describe(`eoforge build killed at ${kills} random instants (seed ${seed})`, () => {
  it(
    "every kill, store creation included, resumes to the bytes of an uninterrupted build",
    async () => {
      const random = prng(seed)
      const phases: Record<string, number> = {}
      for (let i = 0; i < kills; i++) {
        const dir = join(tmp.path, `kill-${i}`)
        mkdirSync(dir)
        // Half the kills aim at store creation, the others anywhere in the writing part of the build.
        const delay = i % 2 === 0 ? random() * creationWindowMs : random() * writeWindowMs
        const { outcome } = await buildIn(dir, delay)
        assert.isTrue(
          outcome.signal === "SIGKILL" || outcome.code === 0,
          `kill ${i}: killed or finished (stderr: ${outcome.stderr})`
        )
        const phase = phaseOf(dir, outcome.code)
        phases[phase] = (phases[phase] ?? 0) + 1
        const again = await run(
          "build",
          smallRecipe,
          "--out",
          join(dir, "s.zarr"),
          "--log-format",
          "json"
        )
        assert.strictEqual(
          again.code,
          0,
          `kill ${i} at ${delay.toFixed(1)} ms (${phase}): ${again.stderr}`
        )
        assert.deepStrictEqual(digest(join(dir, "s.zarr")), expected, `kill ${i} (${phase})`)
        assert.deepStrictEqual(readdirSync(dir), ["s.zarr"], `kill ${i}: no staging directory left`)
        console.log(
          `kill ${i}: ${delay.toFixed(1)} ms after the first write, ${phase}: resumed byte-identical`
        )
      }
      console.log(
        `crash test: ${kills} kills (seed ${seed}, writing window ${writeWindowMs.toFixed(0)} ms), all resumed byte-identical; phases: ${JSON.stringify(phases)}`
      )
      if (kills >= 6) {
        assert.isAtLeast(Object.keys(phases).length, 2, "the kills hit different phases")
        assert.isDefined(phases["during store creation (staging directory, no store)"])
      }
    },
    Math.max(120_000, kills * 90_000)
  )
})
