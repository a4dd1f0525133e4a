// The coordinates xarray needs beside each product's arrays (`slot` names and `time` per slot) and the
// consolidated metadata zarr-python 3 reads from the root zarr.json; both written when a store is finalized.
import { Effect } from "effect"
import * as Codec from "./Codec.ts"
import * as Layout from "./Layout.ts"
import * as Metadata from "./Metadata.ts"
import { Store } from "./Store.ts"

/** One time slot of a product: its name and window (ISO 8601, inclusive start, inclusive end). */
export interface Slot {
  readonly name: string
  readonly start: string
  readonly end: string
}

/** Windows longer than this (ms) have no representative instant: their `time` is NaT (e.g. an `any` slot). */
export const maxWindowMs = 366 * 86_400_000

/** The `time` coordinate of a slot: the centre of its window in ms since the epoch, or undefined (NaT). */
export const slotTime = (slot: Slot): number | undefined => {
  const a = Date.parse(slot.start)
  const b = Date.parse(slot.end)
  if (!Number.isFinite(a) || !Number.isFinite(b) || b < a || b - a > maxWindowMs) return undefined
  // Windows end on their last millisecond (…T23:59:59.999Z): the centre of [start, end + 1 ms) is a whole second.
  return Math.floor((a + b + 1) / 2)
}

/** The zarr.json documents of a product's `slot` and `time` coordinate arrays (dimension `time`). */
export const documents = (
  p: Layout.ProductLayout
): ReadonlyArray<readonly [string, Metadata.ArrayMetadata]> => {
  const id = p.spec.id
  const base = {
    shape: [p.times],
    chunkShape: [p.times],
    dimensionNames: ["time"]
  }
  return [
    [
      `${id}/slot/zarr.json`,
      Metadata.array({
        ...base,
        dataType: "string",
        fillValue: "",
        codecs: [Metadata.vlenUtf8Codec],
        attributes: { long_name: "time slot name", description: "name of each time slot" }
      })
    ],
    [
      `${id}/time/zarr.json`,
      Metadata.array({
        ...base,
        dataType: "int64",
        fillValue: Metadata.int64Min,
        codecs: [Metadata.bytesCodec, ...Codec.metadata(Codec.defaultCompression)],
        attributes: {
          standard_name: "time",
          long_name: "centre of the time slot's window",
          description:
            "centre of each slot's acquisition window; NaT for slots without a bounded window (e.g. any); acquisition instants per chip are in acquired",
          units: "milliseconds since 1970-01-01T00:00:00",
          calendar: "proleptic_gregorian",
          _FillValue: Metadata.int64Min
        }
      })
    ]
  ]
}

/** Write the `slot` and `time` arrays of every product; `slots` maps product id to its slots in order. */
export const write = Effect.fn("Coordinates.write")(function* (
  layout: Layout.Layout,
  slots: ReadonlyMap<string, ReadonlyArray<Slot>>
) {
  const store = yield* Store
  for (const p of layout.products) {
    const given = slots.get(p.spec.id) ?? []
    const list: ReadonlyArray<Slot> =
      given.length === p.times
        ? given
        : Array.from({ length: p.times }, (_, t) => ({ name: `t${t}`, start: "", end: "" }))
    for (const [key, doc] of documents(p)) yield* store.set(key, Metadata.encode(doc))
    yield* store.set(
      Metadata.chunkKey(`${p.spec.id}/slot`, [0]),
      Layout.encodeStrings(list.map((s) => s.name))
    )
    const times = BigInt64Array.from(list, (s) => {
      const t = slotTime(s)
      return t === undefined ? Metadata.int64Min : BigInt(t)
    })
    yield* store.set(
      Metadata.chunkKey(`${p.spec.id}/time`, [0]),
      Codec.encode(Codec.defaultCompression, new Uint8Array(times.buffer))
    )
  }
})

/**
 * Rewrite the root zarr.json with every other zarr.json of the store inlined under
 * `consolidated_metadata` (zarr-python 3's layout), so xarray opens the store without listing it.
 */
export const consolidate = Effect.fn("Coordinates.consolidate")(function* () {
  const store = yield* Store
  const keys = (yield* store.list(""))
    .filter((k) => k.endsWith("/zarr.json") && !k.startsWith("."))
    .sort()
  const rootBytes = yield* store.get("zarr.json")
  if (rootBytes === undefined) return
  const root = JSON.parse(new TextDecoder().decode(rootBytes)) as Metadata.GroupMetadata
  const docs: Array<readonly [string, Metadata.ArrayMetadata | Metadata.GroupMetadata]> = []
  for (const key of keys) {
    const bytes = yield* store.get(key)
    if (bytes === undefined) continue
    docs.push([key.slice(0, -"/zarr.json".length), parseExact(new TextDecoder().decode(bytes))])
  }
  yield* store.set("zarr.json", Metadata.encode(Metadata.consolidated(root, docs)))
})

// JSON.parse turns -9223372036854775808 into a double; keep int64 literals exact on the way through.
const parseExact = (text: string): any =>
  JSON.parse(
    text.replace(/(?<=[:[,]\s*)(-?\d{16,})(?=\s*[,\]}])/g, '"\\u0000bigint:$1"'),
    (_, v) => (typeof v === "string" && v.startsWith("\u0000bigint:") ? BigInt(v.slice(8)) : v)
  )
