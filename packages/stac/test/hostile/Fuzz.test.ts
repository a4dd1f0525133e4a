// Mutation fuzzing of STAC items: values anywhere in real items are replaced by arbitrary JSON, deleted,
// renamed to prototype keys or wrapped, the result goes through JSON text (as from a server) and then through
// StacItem.validate and every accessor EOForge applies to a valid item. Nothing may throw; each input must be
// done within its deadline. EOFORGE_FUZZ_RUNS sets the inputs per base item (default 300).
import { assert, describe, it } from "@effect/vitest"
import fc from "fast-check"
import { readdirSync, readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import * as Fuzz from "../../../../tools/hostile/fuzz.ts"
import { StacError, StacItem } from "../../src/index.ts"

const runs = Number(process.env.EOFORGE_FUZZ_RUNS ?? 300)
const deadlineMs = 1000
const itemsDir = fileURLToPath(
  new URL("../../../../fixtures/demo/stac/ls7-seasonal/items/", import.meta.url)
)
const demoItem = JSON.parse(readFileSync(itemsDir + readdirSync(itemsDir)[0], "utf8")) as unknown

/** A Sentinel-2 style item with projection and raster extension fields (written here, not fetched). */
const s2Item = {
  type: "Feature",
  stac_version: "1.0.0",
  id: "S2B_MSIL2A_20230615T101559_R065_T32TMT",
  collection: "sentinel-2-l2a",
  bbox: [7.0, 46.0, 8.4, 47.0],
  geometry: {
    type: "Polygon",
    coordinates: [
      [
        [7, 46],
        [8.4, 46],
        [8.4, 47],
        [7, 47],
        [7, 46]
      ]
    ]
  },
  properties: {
    datetime: "2023-06-15T10:15:59Z",
    "eo:cloud_cover": 3.2,
    "sat:relative_orbit": 65,
    "sat:orbit_state": "descending",
    "proj:epsg": 32632
  },
  assets: {
    B04: {
      href: "https://example.org/T32TMT/B04.tif",
      type: "image/tiff; application=geotiff; profile=cloud-optimized",
      "proj:transform": [10, 0, 399960, 0, -10, 5200020],
      "raster:bands": [{ scale: 0.0001, offset: -0.1, nodata: 0 }]
    }
  }
}

const paths = Fuzz.jsonPaths

interface Edit {
  readonly pick: number
  readonly op: "replace" | "delete" | "proto" | "wrap" | "bigString"
  readonly value: fc.JsonValue
}

const apply = (root: unknown, edits: ReadonlyArray<Edit>): unknown => {
  let doc = structuredClone(root)
  for (const e of edits) {
    const all = paths(doc)
    const path = all[e.pick % all.length]
    const set = (v: unknown, remove = false) => {
      if (path.length === 0) {
        doc = v
        return
      }
      let parent: any = doc
      for (const k of path.slice(0, -1)) parent = parent[k]
      const last = path[path.length - 1]
      if (remove) {
        if (Array.isArray(parent)) parent.splice(Number(last), 1)
        else delete parent[last]
      } else parent[last] = v
    }
    let current: any = doc
    for (const k of path) current = current[k]
    switch (e.op) {
      case "replace":
        set(e.value)
        break
      case "delete":
        set(undefined, true)
        break
      case "wrap":
        set([current])
        break
      case "bigString":
        set("x".repeat(100_000))
        break
      case "proto":
        if (typeof current === "object" && current !== null && !Array.isArray(current))
          set({ ...current, ["__proto__"]: e.value, constructor: e.value, toString: e.value })
        break
    }
  }
  // Through JSON text, as a catalogue delivers it ("__proto__" becomes an own key of the parsed object).
  const text = JSON.stringify(doc) ?? "null"
  return JSON.parse(text.replaceAll('"toString"', '"__proto__"')) as unknown
}

const edits = fc.array(
  fc.record({
    pick: fc.nat(),
    op: fc.constantFrom("replace", "delete", "proto", "wrap", "bigString"),
    value: fc.jsonValue({ maxDepth: 3 })
  }),
  { minLength: 1, maxLength: 4 }
)

/** Everything EOForge asks of a valid item. */
const exercise = (item: StacItem.Item, extraKey: string) => {
  StacItem.datetimeMs(item)
  StacItem.cloudCover(item)
  StacItem.relativeOrbit(item)
  StacItem.orbitState(item)
  for (const key of [...Object.keys(item.assets), extraKey]) {
    StacItem.epsg(item, key)
    StacItem.transform(item, key)
    StacItem.checkAsset(item, key, true)
    StacItem.checkAsset(item, key, false)
    StacItem.scaling(item, key)
    const type = (item.assets[key] as { type?: unknown } | undefined)?.type
    if (typeof type === "string") StacItem.isGeoTiffType(type)
  }
}

describe("fuzzed STAC items", () => {
  for (const [name, base] of [
    ["the demo's Landsat item", demoItem],
    ["a Sentinel-2 style item", s2Item]
  ] as const) {
    it(`${name}: ${runs} mutated items are validated or refused with ItemError, never a throw, each < ${deadlineMs} ms`, () => {
      const tally = { inputs: 0, valid: 0, refused: 0, slowest: 0 }
      fc.assert(
        fc.property(edits, fc.string(), (es, extraKey) => {
          const value = apply(base, es)
          const start = performance.now()
          const result = StacItem.validate(value, "fuzz")
          if (result instanceof StacError.ItemError) tally.refused++
          else {
            tally.valid++
            exercise(result, extraKey)
          }
          const ms = performance.now() - start
          tally.slowest = Math.max(tally.slowest, ms)
          tally.inputs++
          assert.isBelow(ms, deadlineMs)
        }),
        { numRuns: runs, seed: Number(process.env.EOFORGE_FUZZ_SEED ?? 20261206) }
      )
      process.stderr.write(`fuzz stac ${name}: ${JSON.stringify(tally)}\n`)
      assert.strictEqual(tally.inputs, runs)
    })
  }
})
