// What a report reads from a store besides chips: sample coordinates and splits, every product's reason
// codes, its finalized attributes, and the candidates the overlap filter rejected. Works on partial
// builds: a shard not yet written reads as its fill value (reason Pending, split guard, NaN positions).
import type { DType } from "@eoforge/core"
import { Codec, Layout, type Reader, Store } from "@eoforge/zarr"
import { Effect } from "effect"
import { ReportReadError } from "./ReportError.ts"

/** Where the overlap filter's rejected candidates are recorded (written by `eoforge build`). */
export const rejectedKey = ".eoforge/rejected.json"

/** Store-wide columns over samples. */
export interface Columns {
  readonly lon: Float64Array
  readonly lat: Float64Array
  readonly split: Uint8Array
}

/** One product's slot facts: reason codes [sample × time] and the finalized group attributes. */
export interface ProductFacts {
  readonly layout: Layout.ProductLayout
  /** sample-major: reason[s * times + t]. */
  readonly reason: Uint8Array
  readonly attributes: Readonly<Record<string, unknown>>
}

/** Rejected candidate centres (lon, lat degrees), or undefined when the store records none. */
export interface Rejected {
  readonly lon: ReadonlyArray<number>
  readonly lat: ReadonlyArray<number>
}

const decoder = new TextDecoder()

const json = (store: Store.StoreApi, key: string) =>
  Effect.gen(function* () {
    const bytes = yield* store.get(key)
    if (bytes === undefined) return undefined
    return yield* Effect.try({
      try: () => JSON.parse(decoder.decode(bytes)) as unknown,
      catch: (cause) =>
        new ReportReadError({
          store: store.location,
          key,
          message: `${store.location}/${key} is not valid JSON; rebuild or re-finalize the store`,
          cause
        })
    })
  })

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v)

// Every chunk of one array (one per shard of samples, as the layout writes them), decompressed and
// handed to `use` with the shard's sample range; shards not yet written are skipped.
const eachChunk = (
  store: Store.StoreApi,
  layout: Layout.Layout,
  path: string,
  suffix: string,
  maxBytes: number,
  use: (raw: Uint8Array, start: number, end: number) => void
) =>
  Effect.gen(function* () {
    const meta = yield* json(store, `${path}/zarr.json`)
    const codecs = isRecord(meta) && Array.isArray(meta.codecs) ? meta.codecs : []
    const compression = Codec.fromMetadata(
      (codecs as Array<{ name: string; configuration?: unknown }>).slice(1)
    )
    if (compression === undefined) {
      return yield* new ReportReadError({
        store: store.location,
        key: `${path}/zarr.json`,
        message: `${store.location}/${path} uses codecs EOForge does not write; the report reads EOForge stores only`
      })
    }
    for (let k = 0; k < Layout.shardCount(layout); k++) {
      const key = `${path}/c/${k}${suffix}`
      const bytes = yield* store.get(key)
      if (bytes === undefined) continue
      const [start, end] = Layout.shardRange(layout, k)
      yield* Effect.try({
        try: () => use(Codec.decode(compression, bytes, maxBytes), start, end),
        catch: (cause) =>
          new ReportReadError({
            store: store.location,
            key,
            message: `${store.location}/${key} cannot be decoded (${(cause as Error).message}); rebuild shard ${k}`,
            cause
          })
      })
    }
  })

// A numeric array over samples (× perSample slots), fill where no chunk is written yet.
const column = <T extends Float64Array | Uint8Array>(
  store: Store.StoreApi,
  layout: Layout.Layout,
  path: string,
  perSample: number,
  make: (n: number) => T,
  fill: number,
  suffix: string
) =>
  Effect.gen(function* () {
    const out = make(layout.samples * perSample).fill(fill) as T
    const bytesPer = out.BYTES_PER_ELEMENT
    yield* eachChunk(
      store,
      layout,
      path,
      suffix,
      layout.shardSamples * perSample * bytesPer,
      (raw, start, end) => {
        const n = Math.min((end - start) * perSample, Math.floor(raw.byteLength / bytesPer))
        const aligned = new Uint8Array(raw).buffer
        out.set(
          bytesPer === 8 ? new Float64Array(aligned, 0, n) : new Uint8Array(aligned, 0, n),
          start * perSample
        )
      }
    )
    return out
  })

/** Sample ids (`""` where not yet written). */
export const ids = Effect.fn("Collect.ids")(function* (layout: Layout.Layout) {
  const store = yield* Store.Store
  const out: Array<string> = new Array(layout.samples).fill("")
  // vlen-utf8: at most 4 KiB per id, as the reader bounds string chunks.
  yield* eachChunk(
    store,
    layout,
    "samples/id",
    "",
    layout.shardSamples * 4096 + 4,
    (raw, start, end) => {
      const strings = Layout.decodeStrings(raw)
      for (let i = 0; i < Math.min(end - start, strings.length); i++) out[start + i] = strings[i]
    }
  )
  return out
})

/** Sample positions and splits. */
export const columns = Effect.fn("Collect.columns")(function* (layout: Layout.Layout) {
  const store = yield* Store.Store
  const f64 = (n: number) => new Float64Array(n)
  return {
    lon: yield* column(store, layout, "samples/lon", 1, f64, NaN, ""),
    lat: yield* column(store, layout, "samples/lat", 1, f64, NaN, ""),
    split: yield* column(store, layout, "samples/split", 1, (n) => new Uint8Array(n), 255, "")
  } satisfies Columns
})

/** Reason codes and attributes of every product. */
export const products = Effect.fn("Collect.products")(function* (layout: Layout.Layout) {
  const store = yield* Store.Store
  const out: Array<ProductFacts> = []
  for (const p of layout.products) {
    const reason = yield* column(
      store,
      layout,
      `${p.spec.id}/reason`,
      p.times,
      (n) => new Uint8Array(n),
      1,
      "/0"
    )
    const doc = yield* json(store, `${p.spec.id}/zarr.json`)
    const attributes = isRecord(doc) && isRecord(doc.attributes) ? doc.attributes : {}
    out.push({ layout: p, reason, attributes })
  }
  return out
})

/** Slot names per product from the build record (`.eoforge/build.json`), else slot numbers. */
export const slotNames = Effect.fn("Collect.slotNames")(function* (layout: Layout.Layout) {
  const store = yield* Store.Store
  const record = yield* json(store, ".eoforge/build.json").pipe(
    Effect.catchTag("ReportReadError", () => Effect.succeed(undefined))
  )
  const listed = isRecord(record) && Array.isArray(record.products) ? record.products : []
  const names: Record<string, ReadonlyArray<string>> = {}
  for (const p of layout.products) {
    const entry = listed.find((e) => isRecord(e) && e.id === p.spec.id) as
      { slots?: ReadonlyArray<{ id?: unknown }> } | undefined
    names[p.spec.id] = Array.from({ length: p.times }, (_, t) => {
      const id = entry?.slots?.[t]?.id
      return typeof id === "string" ? id : `slot ${t}`
    })
  }
  return names
})

/** The rejected candidates, when the build recorded them. */
export const rejected = Effect.fn("Collect.rejected")(function* () {
  const store = yield* Store.Store
  const doc = yield* json(store, rejectedKey)
  if (!isRecord(doc) || !Array.isArray(doc.lon) || !Array.isArray(doc.lat)) return undefined
  const ok = (a: ReadonlyArray<unknown>) => a.every((v) => typeof v === "number")
  if (doc.lon.length !== doc.lat.length || !ok(doc.lon) || !ok(doc.lat)) return undefined
  return { lon: doc.lon as Array<number>, lat: doc.lat as Array<number> } satisfies Rejected
})

/** The patch side in metres: the recipe's, else the widest product chip. */
export const patchSizeM = (layout: Layout.Layout): number => {
  const recipe = layout.attributes.recipe
  const size = isRecord(recipe) && isRecord(recipe.patch) ? recipe.patch.size : undefined
  if (typeof size === "number" && size > 0) return size
  return Math.max(...layout.products.map((p) => p.width * p.spec.resolution))
}

/** The chips of one sample: per product, one chip [band, y, x] per slot (undefined where missing). */
export interface SampleChips {
  readonly index: number
  readonly id: string
  readonly lon: number
  readonly lat: number
  readonly chips: Readonly<Record<string, ReadonlyArray<DType.TypedArray | undefined>>>
  /** Reason code per slot, per product. */
  readonly reason: Readonly<Record<string, Uint8Array>>
}

/**
 * Read the chips of every slot holding data (reason Ok) of one sample — or, with `firstOnly`, of the
 * first such slot of each product — through the reader's direct shard path; slot facts come from the
 * reason columns already read.
 */
export const readChips = (
  dataset: Reader.Dataset,
  facts: ReadonlyArray<ProductFacts>,
  columns: Columns,
  sampleIds: ReadonlyArray<string>,
  sample: number,
  firstOnly = false
) =>
  Effect.gen(function* () {
    const chips: Record<string, Array<DType.TypedArray | undefined>> = {}
    const reason: Record<string, Uint8Array> = {}
    for (const p of facts) {
      const T = p.layout.times
      const codes = p.reason.slice(sample * T, (sample + 1) * T)
      reason[p.layout.spec.id] = codes
      const list: Array<DType.TypedArray | undefined> = []
      let first = true
      for (let t = 0; t < T; t++) {
        const read = codes[t] === 0 && (first || !firstOnly)
        list.push(read ? yield* dataset.readChip(p.layout.spec.id, sample, t) : undefined)
        if (read) first = false
      }
      chips[p.layout.spec.id] = list
    }
    return {
      index: sample,
      id: sampleIds[sample] ?? "",
      lon: columns.lon[sample],
      lat: columns.lat[sample],
      chips,
      reason
    } satisfies SampleChips
  })
