import { afterAll, assert, describe, it } from "@effect/vitest"
import { Effect, Result } from "effect"
import { spawn, spawnSync } from "node:child_process"
import { existsSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { Recipe } from "../../src/index.ts"
import { tempDir } from "../tree.ts"
import {
  aliasBomb,
  deeplyNested,
  demoText,
  edited,
  lineOf,
  refused,
  unknownKeys
} from "./recipeInputs.ts"

const tmp = tempDir("hostile-recipe")
afterAll(() => tmp.remove())

const bin = fileURLToPath(new URL("../../../cli/src/bin.ts", import.meta.url))
const repoNode = fileURLToPath(new URL("../../../../node_modules/.bin/node", import.meta.url))
const node =
  Number(process.versions.node.split(".")[0]) >= 24 || !existsSync(repoNode)
    ? process.execPath
    : repoNode

/** Run `eoforge build <file> --dry-run` on recipe text: the exit code and stderr. */
const cli = (name: string, text: string | Uint8Array) => {
  const file = join(tmp.path, `${name}.yaml`)
  writeFileSync(file, text)
  const child = spawn(node, [bin, "build", file, "--dry-run"], {
    env: { ...process.env, NO_COLOR: "1" },
    stdio: ["ignore", "ignore", "pipe"]
  })
  let stderr = ""
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()))
  return new Promise<{ file: string; code: number | null; stderr: string }>((done) =>
    child.on("close", (code) => done({ file, code, stderr }))
  )
}

// Each bad value: the edit, the key path reported, the line holding it, a phrase of the message.
const badValues: ReadonlyArray<{
  readonly name: string
  readonly from: string | RegExp
  readonly to: string
  readonly key: string
  readonly needle: string
  readonly says: RegExp
}> = [
  {
    name: "count 1e12",
    from: "count: 48",
    to: "count: 1e12",
    key: "sampling.count",
    needle: "count: 1e12",
    says: /between 1 and 10000000/
  },
  {
    name: "maxCandidates 1e15",
    from: "maxCandidates: 2000",
    to: "maxCandidates: 1e15",
    key: "sampling.maxCandidates",
    needle: "maxCandidates",
    says: /between 1 and 1000000000/
  },
  {
    name: "shardSamples 1e9",
    from: "shardSamples: 8",
    to: "shardSamples: 1000000000",
    key: "output.shardSamples",
    needle: "shardSamples",
    says: /between 1 and 65536/
  },
  {
    name: "slots: constructor",
    from: "    slots: any",
    to: "    slots: constructor",
    key: "products[1].slots",
    needle: "slots: constructor",
    says: /slots "constructor" is not defined under slots \(defined: seasons, any\)/
  },
  {
    name: "source: toString",
    from: "    source: demo",
    to: "    source: toString",
    key: "products[0].source",
    needle: "source: toString",
    says: /source "toString" is not defined under sources/
  },
  {
    name: "year 1e9",
    from: "year: 2002",
    to: "year: 1000000000",
    key: "slots.seasons.year",
    needle: "year: 1000000000",
    says: /between 1900 and 2099/
  },
  {
    name: "negative halfWindowDays",
    from: "halfWindowDays: 16",
    to: "halfWindowDays: -3",
    key: "slots.seasons.halfWindowDays",
    needle: "halfWindowDays",
    says: /between 0 and 183/
  },
  {
    name: 'store: ""',
    from: "store: out/demo.zarr",
    to: 'store: ""',
    key: "output.store",
    needle: "store:",
    says: /length of at least 1/
  },
  {
    name: "unknown preset",
    from: "    source: demo\n    collection: dem",
    to: "    preset: sentinel-9\n    source: demo\n    collection: dem",
    key: "products[2].preset",
    needle: "sentinel-9",
    says: /unknown preset "sentinel-9"; presets are sentinel-2-l2a/
  },
  {
    name: "preset: toString",
    from: "    source: demo\n    collection: dem",
    to: "    preset: toString\n    source: demo\n    collection: dem",
    key: "products[2].preset",
    needle: "preset: toString",
    says: /unknown preset "toString"/
  },
  {
    name: "bad window date",
    from: "  any:\n    kind: any\n",
    to: "  any:\n    kind: window\n    start: 2021-02-30\n    end: 2021-06-01\n",
    key: "slots.any.start",
    needle: "start: 2021-02-30",
    says: /"2021-02-30" is not an ISO date/
  },
  {
    name: "window ending before it starts",
    from: "  any:\n    kind: any\n",
    to: "  any:\n    kind: window\n    start: 2021-06-01\n    end: 2021-05-01\n",
    key: "slots.any.end",
    needle: "end: 2021-05-01",
    says: /ends \(2021-05-01\) before it starts/
  },
  {
    name: "absurd patch size",
    from: "  size: 960",
    to: "  size: 1e9",
    key: "patch.size",
    needle: "size: 1e9",
    says: /at most 1000000/
  },
  {
    name: "absurd pixel count",
    from: "  resolution: 10\n  snap: 30",
    to: "  resolution: 0.001\n  snap: 30",
    key: "patch.resolution",
    needle: "resolution: 0.001",
    says: /960000 pixels wide; at most 4096/
  }
]

describe("hostile recipes are refused as recipe problems naming file, line and key", () => {
  for (const c of badValues) {
    it(`${c.name}: refused at its key and line`, () => {
      const text = edited(c.from, c.to)
      const error = refused(text)
      const problem = error.problems.find((p) => p.key === c.key)
      assert.isDefined(problem, `no problem at ${c.key} in ${error.message}`)
      assert.strictEqual(problem!.line, lineOf(text, c.needle))
      assert.match(problem!.message, c.says)
      assert.include(error.message, `recipe.yaml:${problem!.line} ${c.key}:`)
    })
  }

  it("the command exits 2 with file:line key and no stack trace (cases that exited 1 or 3 before)", async () => {
    const cases = badValues.filter((c) =>
      ["slots: constructor", "unknown preset", "bad window date", "absurd patch size"].includes(
        c.name
      )
    )
    const runs = await Promise.all(
      cases.map((c) => cli(c.name.replace(/\W+/g, "-"), edited(c.from, c.to)))
    )
    cases.forEach((c, i) => {
      const run = runs[i]
      assert.strictEqual(run.code, 2, `${c.name}: ${run.stderr}`)
      const line = lineOf(edited(c.from, c.to), c.needle)
      assert.include(run.stderr, `${run.file}:${line} ${c.key}:`, c.name)
      assert.notMatch(run.stderr, /\n\s+at /, `${c.name} printed a stack trace`)
    })
  }, 180_000)

  it("an alias bomb (10^9 scalars in 500 bytes) is refused at once, naming the first alias", async () => {
    const text = aliasBomb(9)
    assert.isBelow(text.length, 1000)
    const started = performance.now()
    const error = refused(text)
    assert.isBelow(performance.now() - started, 2000)
    assert.deepStrictEqual(
      error.problems.map((p) => [p.key, p.line]),
      [["(aliases)", 2]]
    )
    assert.match(error.problems[0].message, /more than 100/)
    const run = await cli("bomb", text)
    assert.strictEqual(run.code, 2, run.stderr)
  }, 120_000)

  it("a recipe that is not UTF-8 is refused with the line of the first bad byte", async () => {
    const text = edited("seed: 7", "seed: 7\n# caf\u00e9")
    const line = lineOf(text, "# caf")
    const bytes = Buffer.from(text, "utf8")
    // é in Latin-1 (0xE9) followed by a newline: not UTF-8.
    const at = bytes.indexOf(Buffer.from("# caf", "utf8")) + 5
    const latin1 = Buffer.concat([
      bytes.subarray(0, at),
      Buffer.from([0xe9]),
      bytes.subarray(at + 2)
    ])
    const run = await cli("latin1", latin1)
    assert.strictEqual(run.code, 2, run.stderr)
    assert.include(run.stderr, `${run.file}:${line} (encoding): the recipe is not UTF-8`)
  }, 120_000)

  it.effect("a FIFO given as a recipe is refused without waiting for a writer", () =>
    Effect.gen(function* () {
      const fifo = join(tmp.path, "fifo.yaml")
      spawnSync("mkfifo", [fifo])
      assert.isTrue(existsSync(fifo), "mkfifo is available")
      const error = yield* Effect.flip(Recipe.load(fifo))
      assert.strictEqual(error._tag, "RecipeError")
      assert.match(error.message, /fifo\.yaml \(file\): not a regular file/)
    })
  )

  it("50,000 unknown keys are reported in linear time: the first 50 with lines, the rest counted", () => {
    const text = unknownKeys(50_000)
    const started = performance.now()
    const error = refused(text)
    const ms = performance.now() - started
    // 71 s before (a quadratic duplicate-key check and a line lookup per problem); ~2 s now.
    assert.isBelow(ms, 30_000, `took ${ms} ms`)
    assert.strictEqual(error.problems.length, 51)
    assert.strictEqual(error.problems[0].key, "u0")
    assert.strictEqual(error.problems[0].line, lineOf(text, "u0:"))
    assert.match(error.problems[0].message, /^unknown key/)
    assert.deepStrictEqual(error.problems[50], {
      key: "(more)",
      message: "and 49950 more problems of the same kinds"
    })
  })

  it("a recipe over 1 MiB is refused before it is parsed", () => {
    const error = refused(demoText + `# ${"x".repeat(1024 * 1024)}\n`)
    assert.strictEqual(error.problems[0].key, "(size)")
  })

  it("a value nested 100,000 levels deep is a recipe problem, not a stack overflow", () => {
    const error = refused(deeplyNested(100_000))
    assert.isTrue(error.problems.length > 0)
    for (const p of error.problems) assert.isString(p.message)
  })

  it("a key given twice is refused at the second one with its key path", () => {
    const text = edited("  count: 48\n", "  count: 48\n  count: 4800\n")
    const error = refused(text)
    assert.deepStrictEqual(error.problems, [
      {
        line: lineOf(text, "count: 4800"),
        key: "sampling.count",
        message: "this key is given twice in the same block; keep one"
      }
    ])
  })

  it("__proto__ and constructor keys are unknown keys and pollute nothing", () => {
    const text = edited(
      "sources:\n",
      "__proto__: { polluted: true }\nconstructor: { polluted: true }\nsources:\n"
    )
    const error = refused(text)
    assert.deepStrictEqual(
      error.problems.map((p) => p.key),
      ["__proto__", "constructor"]
    )
    assert.isUndefined(({} as { polluted?: unknown }).polluted)
    // As names inside records they are ordinary names: a source named constructor is just a source.
    const named = edited("  demo:\n    type: static", "  constructor:\n    type: static").replace(
      /source: demo/g,
      "source: constructor"
    )
    const result = Recipe.parse(named, "recipe.yaml")
    assert.isTrue(Result.isSuccess(result), Result.isFailure(result) ? result.failure.message : "")
  })
})
