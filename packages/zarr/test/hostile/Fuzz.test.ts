// Mutation fuzzing of store metadata: values anywhere in the root zarr.json (the eoforge layout), in a data
// array's zarr.json and in a shard index are replaced, deleted or wrapped, then the store is opened and read
// (chips, a whole sample, a split). Every input must end in data or a typed error within its deadline, RSS
// under 1 GB. EOFORGE_FUZZ_RUNS sets the inputs per target (default 200).
import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect } from "effect"
import fc from "fast-check"
import * as Fuzz from "../../../../tools/hostile/fuzz.ts"
import { Reader, Store } from "../../src/index.ts"
import { build } from "../fixtures/build.ts"

const runs = Number(process.env.EOFORGE_FUZZ_RUNS ?? 200)
const deadlineMs = 10_000

const paths = Fuzz.jsonPaths

interface Edit {
  readonly pick: number
  readonly op: "replace" | "number" | "delete" | "wrap"
  readonly value: fc.JsonValue
  readonly number: number
}

const apply = (root: unknown, edits: ReadonlyArray<Edit>): unknown => {
  let doc = structuredClone(root)
  for (const e of edits) {
    const all = paths(doc)
    const path = all[e.pick % all.length]
    let current: any = doc
    for (const k of path) current = current[k]
    const next =
      e.op === "replace"
        ? e.value
        : e.op === "number"
          ? e.number
          : e.op === "wrap"
            ? [current]
            : undefined
    if (path.length === 0) {
      doc = next
      continue
    }
    let parent: any = doc
    for (const k of path.slice(0, -1)) parent = parent[k]
    const last = path[path.length - 1]
    if (e.op === "delete") {
      if (Array.isArray(parent)) parent.splice(Number(last), 1)
      else delete parent[last]
    } else parent[last] = next
  }
  return doc
}

const edits = fc.array(
  fc.record({
    pick: fc.nat(),
    op: fc.constantFrom("replace", "number", "number", "delete", "wrap"),
    value: fc.jsonValue({ maxDepth: 2 }),
    number: fc.oneof(
      fc.constantFrom(0, -1, 1, 2 ** 31, 2 ** 53, 1e15, 1e300, 0.5, -0),
      fc.integer({ min: -10, max: 100 })
    )
  }),
  { minLength: 1, maxLength: 4 }
)

const base = await Effect.runPromise(
  Effect.gen(function* () {
    const map = new Map<string, Uint8Array>()
    yield* Effect.provideService(build(11, 4, true), Store.Store, Store.makeMemory(map))
    return map
  })
)
const json = (key: string) => JSON.parse(new TextDecoder().decode(base.get(key)!)) as unknown

const readAll = (map: Map<string, Uint8Array>) =>
  Effect.gen(function* () {
    const ds = yield* Effect.provideService(Reader.openStore, Store.Store, Store.makeMemory(map))
    try {
      for (const product of ds.products) yield* ds.readChip(product, 0, 0)
      yield* ds.readChip("s2l2a", 5, 1)
      yield* ds.readSample(0)
      yield* ds.splitSamples("train")
    } finally {
      yield* ds.close
    }
  }).pipe(Effect.timeout(Duration.millis(deadlineMs)))

const targets: ReadonlyArray<
  readonly [
    string,
    (es: ReadonlyArray<Edit>, raw: ReadonlyArray<number>) => Map<string, Uint8Array>
  ]
> = [
  [
    "the root zarr.json (eoforge layout)",
    (es) =>
      new Map(base).set(
        "zarr.json",
        new TextEncoder().encode(JSON.stringify(apply(json("zarr.json"), es)) ?? "null")
      )
  ],
  [
    "a data array's zarr.json",
    (es) =>
      new Map(base).set(
        "s2l2a/data/zarr.json",
        new TextEncoder().encode(JSON.stringify(apply(json("s2l2a/data/zarr.json"), es)) ?? "null")
      )
  ],
  [
    "a shard's index bytes",
    (_, raw) => {
      const key = "s2l2a/data/c/0/0/0/0/0"
      const shard = base.get(key)!.slice()
      for (let i = 0; i + 1 < raw.length; i += 2)
        shard[shard.length - 1 - (raw[i] % 132)] = raw[i + 1]
      return new Map(base).set(key, shard)
    }
  ]
]

describe("fuzzed store metadata", () => {
  for (const [name, make] of targets) {
    it(
      `${name}: ${runs} mutated stores open and read or fail with a typed error, within ${deadlineMs} ms, RSS < 1 GB`,
      async () => {
        const tally = Fuzz.emptyTally()
        await fc.assert(
          fc.asyncProperty(
            edits,
            fc.array(fc.nat({ max: 255 }), { minLength: 2, maxLength: 12 }),
            async (es, raw) => {
              await Fuzz.trial(tally, deadlineMs, () =>
                Effect.runPromiseExit(readAll(make(es, raw)))
              )
            }
          ),
          {
            numRuns: runs,
            seed: Number(process.env.EOFORGE_FUZZ_SEED ?? 20261206),
            endOnFailure: true
          }
        )
        process.stderr.write(`fuzz store ${name}: ${JSON.stringify(tally)}\n`)
        assert.strictEqual(tally.inputs, runs)
      },
      Math.max(60_000, runs * 200)
    )
  }
})
