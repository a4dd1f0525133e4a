import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as zarr from "zarrita"
import { Coordinates, Layout, Metadata, Store } from "../src/index.ts"
import { build, isMissing } from "./fixtures/build.ts"

const SAMPLES = 7
const SHARD = 3

const slots = new Map([
  [
    "s2l2a",
    [
      { name: "spring", start: "2024-03-05T00:00:00.000Z", end: "2024-04-04T23:59:59.999Z" },
      { name: "summer", start: "2024-06-06T00:00:00.000Z", end: "2024-07-06T23:59:59.999Z" }
    ]
  ],
  ["s1grd", [{ name: "any", start: "1900-01-01T00:00:00.000Z", end: "2099-12-31T23:59:59.999Z" }]]
])

// A finalized store read the way xarray reads it: consolidated metadata from the root, each group's
// arrays with their dimension names, CF attributes decoded by hand with xarray's rules.
const finalized = Effect.gen(function* () {
  const map = new Map<string, Uint8Array>()
  const api = Store.makeMemory(map)
  yield* Effect.provideService(build(SAMPLES, SHARD, true), Store.Store, api)
  const layout = yield* Effect.provideService(Layout.read, Store.Store, api)
  yield* Effect.provideService(Coordinates.write(layout, slots), Store.Store, api)
  yield* Effect.provideService(Coordinates.consolidate(), Store.Store, api)
  const readable: zarr.AsyncReadable = {
    get: (key) => Effect.runPromise(api.get(key.slice(1))),
    getRange: (key, range) => Effect.runPromise(api.getRange!(key.slice(1), range))
  }
  const consolidated = yield* Effect.promise(() =>
    zarr.withConsolidatedMetadata(readable, { format: "v3" })
  )
  return { map, consolidated }
})

const b64Float = (s: string) =>
  new DataView(Uint8Array.from(atob(s), (c) => c.charCodeAt(0)).buffer).getFloat64(0, true)

describe("xarray-style read of a finalized store (zarrita, consolidated metadata)", () => {
  it.effect("lists every array and group of the store from the root zarr.json alone", () =>
    Effect.gen(function* () {
      const { map, consolidated } = yield* finalized
      const listed = new Set<string>(consolidated.contents().map((c) => c.path))
      const onDisk = [...map.keys()]
        .filter((k) => k.endsWith("/zarr.json"))
        .map((k) => `/${k.slice(0, -"/zarr.json".length)}`)
      assert.isTrue(onDisk.length > 20)
      for (const p of onDisk) assert.isTrue(listed.has(p), `${p} is in the consolidated metadata`)
      const root = JSON.parse(new TextDecoder().decode(map.get("zarr.json")))
      assert.strictEqual(root.consolidated_metadata.kind, "inline")
      assert.strictEqual(root.consolidated_metadata.must_understand, false)
    })
  )

  it.effect(
    "each product has slot and time coordinates on dimension time, NaT for an unbounded slot",
    () =>
      Effect.gen(function* () {
        const { consolidated } = yield* finalized
        const open = (path: string) =>
          Effect.promise(() =>
            zarr.open.v3(zarr.root(consolidated).resolve(path), { kind: "array" })
          )
        for (const [id, list] of slots) {
          const slot = yield* open(`${id}/slot`)
          const time = yield* open(`${id}/time`)
          assert.deepStrictEqual(slot.dimensionNames, ["time"])
          assert.deepStrictEqual(time.dimensionNames, ["time"])
          const names = (yield* Effect.promise(() => zarr.get(slot)))
            .data as unknown as Array<string>
          assert.deepStrictEqual(
            Array.from(names),
            list.map((s) => s.name)
          )
          const ms = (yield* Effect.promise(() => zarr.get(time))).data as BigInt64Array
          const attrs = time.attrs as Record<string, unknown>
          assert.strictEqual(attrs.units, "milliseconds since 1970-01-01T00:00:00")
          assert.strictEqual(BigInt(attrs._FillValue as number), Metadata.int64Min)
          list.forEach((s, t) => {
            if (s.name === "any") assert.strictEqual(ms[t], Metadata.int64Min)
            else {
              const instant = Number(ms[t])
              assert.isTrue(instant > Date.parse(s.start) && instant < Date.parse(s.end))
            }
          })
          // Every variable of the group names only coordinates that exist in it.
          for (const name of ["data", ...Layout.slotArrays]) {
            const arr = yield* open(`${id}/${name}`)
            assert.strictEqual(arr.dimensionNames?.[1], "time")
            assert.strictEqual((arr.attrs as Record<string, unknown>).coordinates, "slot")
          }
        }
      })
  )

  it.effect(
    "missing acquisitions read as NaT; fill values and flags decode as xarray decodes them",
    () =>
      Effect.gen(function* () {
        const { consolidated } = yield* finalized
        const open = (path: string) =>
          Effect.promise(() =>
            zarr.open.v3(zarr.root(consolidated).resolve(path), { kind: "array" })
          )
        const acquired = yield* open("s2l2a/acquired")
        const valid = yield* open("s2l2a/valid")
        const a = (yield* Effect.promise(() => zarr.get(acquired))).data as BigInt64Array
        const v = (yield* Effect.promise(() => zarr.get(valid))).data as Uint8Array
        let missing = 0
        for (let s = 0; s < SAMPLES; s++)
          for (let t = 0; t < 2; t++) {
            const j = s * 2 + t
            assert.strictEqual(v[j], isMissing("s2l2a", s, t) ? 0 : 1)
            if (v[j] === 0) {
              missing++
              assert.strictEqual(a[j], Metadata.int64Min, `sample ${s} slot ${t} is NaT`)
            } else assert.notStrictEqual(a[j], Metadata.int64Min)
          }
        assert.isTrue(missing > 0)
        const va = valid.attrs as Record<string, any>
        assert.isUndefined(va._FillValue, "valid has no fill: 0 means missing, not unknown")
        assert.strictEqual(va.flag_meanings.split(" ").length, va.flag_values.length)
        const reason = (yield* open("s2l2a/reason")).attrs as Record<string, any>
        assert.strictEqual(reason.flag_meanings.split(" ")[0], "Ok")
        assert.strictEqual(reason.flag_meanings.split(" ").length, reason.flag_values.length)
        const split = (yield* open("samples/split")).attrs as Record<string, any>
        assert.deepStrictEqual(split.flag_values, [0, 1, 2, 255])
        assert.strictEqual(split.flag_meanings, "train val test guard")
        const s2 = (yield* open("s2l2a/data")).attrs as Record<string, any>
        assert.strictEqual(s2._FillValue, 0)
        assert.strictEqual(s2.scale_factor, 1e-4)
        const s1 = (yield* open("s1grd/data")).attrs as Record<string, any>
        assert.isTrue(Number.isNaN(b64Float(s1._FillValue)))
        const cloud = (yield* open("s2l2a/cloud")).attrs as Record<string, any>
        assert.isTrue(Number.isNaN(b64Float(cloud._FillValue)))
      })
  )

  it("a class band carries flag_values and flag_meanings of its classes", () => {
    const attrs = Layout.dataAttributes({
      spec: {
        id: "lc",
        dtype: "uint8",
        resolution: 10,
        bands: [{ name: "class", nodata: 0, classes: { "10": "tree cover", "80": "water" } }]
      },
      times: 1,
      height: 2,
      width: 2,
      compression: { name: "none" }
    })
    assert.deepStrictEqual(attrs.flag_values, [10, 80])
    assert.strictEqual(attrs.flag_meanings, "tree_cover water")
    assert.strictEqual(attrs._FillValue, 0)
  })
})
