// Finalizing a built store: merge the shards' statistics, write them into the product groups, and
// publish the patch index, the Croissant metadata and the dataset card inside the store.
import { Split } from "@eoforge/core"
import { Zone } from "@eoforge/grid"
import { Card, Croissant } from "@eoforge/croissant"
import { Grouped } from "@eoforge/stats"
import { Codec, Layout, Metadata, Store, StoreLock } from "@eoforge/zarr"
import { Effect, Schema } from "effect"
import { createHash } from "node:crypto"
import { notes } from "./internal/statisticsNotes.ts"
import * as Job from "./Job.ts"

/** What the build records about itself beside the data (`.eoforge/build.json`). */
export interface BuildRecord {
  readonly name: string
  readonly title: string
  readonly description: string
  readonly version: string
  readonly license: string
  readonly url: string
  readonly creators: ReadonlyArray<{
    readonly type: "Person" | "Organization"
    readonly name: string
  }>
  readonly citeAs: string
  readonly keywords: ReadonlyArray<string>
  readonly createdAt: string
  readonly seed: number
  readonly samplingRule: string
  readonly sampling: {
    readonly candidates: number
    readonly accepted: number
    readonly rejected: number
  }
  readonly split: { readonly fitted: unknown; readonly counts: Readonly<Record<string, number>> }
  readonly products: ReadonlyArray<{
    readonly id: string
    readonly slots: ReadonlyArray<{
      readonly id: string
      readonly start: string
      readonly end: string
    }>
    readonly maxCloud?: number
  }>
  readonly sources: ReadonlyArray<{
    readonly name: string
    readonly license?: string
    readonly attribution: string
    readonly url?: string
  }>
}

/** Key of the build record. */
export const buildRecordKey = ".eoforge/build.json"

/** Finalizing is not possible yet, or its metadata cannot be produced. */
export class FinalizeError extends Schema.TaggedError<FinalizeError>()("FinalizeError", {
  store: Schema.String,
  message: Schema.String,
  cause: Schema.optional(Schema.Defect())
}) {}

/** The outcome of finalizing. */
export interface Summary {
  readonly samples: number
  readonly splits: Readonly<Record<string, number>>
  /** product → reason name → count over all slots. */
  readonly availability: Readonly<Record<string, Readonly<Record<string, number>>>>
  readonly failures: number
  readonly files: ReadonlyArray<string>
  /** What the dataset lacks (products without data, bands without train statistics), in words. */
  readonly warnings: ReadonlyArray<string>
}

const encoder = new TextEncoder()
const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex")

/** Finalize the store of the Store service: every shard must have been built. */
export const run = Effect.fn("Finalize.run")(function* () {
  const store = yield* Store.Store
  const fail = (message: string, cause?: unknown) =>
    new FinalizeError({ store: store.location, message, cause })
  const layout = yield* Layout.read
  const recordBytes = yield* store.get(buildRecordKey)
  if (recordBytes === undefined) {
    return yield* fail(
      `${store.location} has no ${buildRecordKey}; build it with eoforge build first`
    )
  }
  const build = yield* Effect.try({
    try: () => JSON.parse(new TextDecoder().decode(recordBytes)) as BuildRecord,
    catch: (cause) => fail(`${store.location}/${buildRecordKey} is not valid JSON`, cause)
  })
  const shards = Layout.shardCount(layout)
  // Listed, not probed one by one: a damaged store may declare millions of shards it does not have.
  const recorded = new Set(yield* store.list(".eoforge/jobs"))
  const missingShards: Array<number> = []
  for (let k = 0; k < shards && missingShards.length < 5; k++) {
    if (!recorded.has(Job.recordKey(k))) missingShards.push(k)
  }
  const built = [...recorded].filter((key) => {
    const m = /^\.eoforge\/jobs\/(\d+)\.json$/.exec(key)
    return m !== null && Number(m[1]) < shards
  }).length
  const missingCount = shards - built
  if (missingShards.length > 0) {
    return yield* fail(
      `${missingCount} of ${shards} shards are not built yet (first: ${missingShards.join(", ")}); run eoforge build again (with the same recipe and output) or finish the other --shard partitions, then finalize`
    )
  }
  const specs = layout.products.map((p) => p.spec)
  let stats = Grouped.empty(specs)
  const availability: Record<string, Record<string, Record<string, number>>> = {}
  let failures = 0
  for (let k = 0; k < shards; k++) {
    const record = yield* Job.readRecord(k)
    const json = yield* Job.readStats(k)
    stats = yield* Effect.try({
      try: () => Grouped.merge(stats, Grouped.fromJson(specs, json)),
      catch: (cause) =>
        new Job.JobRecordError({
          shard: k,
          message: `the statistics of shard ${k} (${Job.statsKey(k)}) do not fit this store (${(cause as Error).message}); delete ${Job.recordKey(k)} and rerun the build`
        })
    })
    failures += record.failures.length
    for (const [product, slots] of Object.entries(record.availability)) {
      const a = (availability[product] ??= {})
      for (const [slot, reasons] of Object.entries(slots)) {
        const s = (a[slot] ??= {})
        for (const [reason, n] of Object.entries(reasons)) s[reason] = (s[reason] ?? 0) + n
      }
    }
  }
  const reports = Grouped.finalize(stats)
  // Statistics go into each product group's attributes (train-only normalisation included).
  for (const p of layout.products) {
    const report = reports.find((r) => r.product === p.spec.id)
    const doc = Metadata.group({
      ...Layout.productAttributes(p),
      statistics: report ?? null,
      availability: availability[p.spec.id] ?? {}
    })
    yield* store.set(`${p.spec.id}/zarr.json`, Metadata.encode(doc))
  }
  // The patch index, one shard at a time: a polygon per sample (grid corners back to lon/lat), its
  // split, and per product how many slots hold data. Written as parts, never as one giant string.
  const splitCounts = { train: 0, val: 0, test: 0, guard: 0 }
  const size = (layout.attributes.recipe as { patch: { size: number } }).patch.size
  const chunk = (array: string, coords: ReadonlyArray<number>) =>
    Effect.gen(function* () {
      const bytes = yield* store.get(Metadata.chunkKey(array, coords))
      if (bytes === undefined) return yield* fail(`${array} of shard ${coords[0]} is missing`)
      const raw = Codec.decode(Codec.defaultCompression, bytes)
      return raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength)
    })
  const parts: Array<Uint8Array> = [encoder.encode('{"type":"FeatureCollection","features":[\n')]
  for (let k = 0; k < shards; k++) {
    const [start, end] = Layout.shardRange(layout, k)
    const split = new Uint8Array(yield* chunk("samples/split", [k]))
    const epsg = new Int32Array(yield* chunk("samples/epsg", [k]))
    const x0 = new Float64Array(yield* chunk("samples/x0", [k]))
    const y0 = new Float64Array(yield* chunk("samples/y0", [k]))
    const valid: Array<readonly [string, number, Uint8Array]> = []
    for (const p of layout.products) {
      valid.push([p.spec.id, p.times, new Uint8Array(yield* chunk(`${p.spec.id}/valid`, [k, 0]))])
    }
    const lines: Array<string> = []
    for (let i = 0; i < end - start; i++) {
      const sample = start + i
      splitCounts[Split.name(split[i])]++
      const corners = [
        [x0[i], y0[i]],
        [x0[i] + size, y0[i]],
        [x0[i] + size, y0[i] - size],
        [x0[i], y0[i] - size]
      ].map(([x, y]) => Zone.inverse(epsg[i], x, y))
      const properties: Record<string, string | number> = { sample, split: Split.name(split[i]) }
      for (const [id, times, v] of valid) {
        let n = 0
        for (let t = 0; t < times; t++) n += v[i * times + t]
        properties[id] = n
      }
      const feature = {
        type: "Feature",
        id: sample,
        properties,
        geometry: { type: "Polygon", coordinates: [[...corners, corners[0]]] }
      }
      lines.push((sample === 0 ? "" : ",\n") + JSON.stringify(feature))
    }
    parts.push(encoder.encode(lines.join("")))
  }
  parts.push(encoder.encode("\n]}\n"))
  yield* store.set("index.geojson", parts)
  const keys = (yield* store.list("")).filter(
    (k) => k.endsWith("zarr.json") && !k.startsWith(".eoforge/")
  )
  keys.sort()
  const files: Array<{ path: string; size: number; sha256: string }> = []
  for (const key of [...keys, "index.geojson"]) {
    const bytes = (yield* store.get(key))!
    files.push({ path: key, size: bytes.length, sha256: sha256(bytes) })
  }
  const arrays = [
    ...Layout.sampleArrays.map((a) => `samples/${a}`),
    ...layout.products.flatMap((p) =>
      ["data", ...Layout.slotArrays].map((a) => `${p.spec.id}/${a}`)
    )
  ]
  const percent = (v: number) => (Number.isFinite(v) ? v : undefined)
  const statistics = reports.flatMap((r) =>
    Grouped.splitNames.flatMap((split) =>
      (r.splits[split] ?? [])
        .filter((b) => b.count > 0 && Number.isFinite(b.mean))
        .map((b) => ({
          product: r.product,
          band: b.band,
          split,
          count: b.count,
          mean: b.mean,
          std: b.populationStd,
          min: b.min,
          max: b.max,
          percentiles: (
            [
              [1, b.p1],
              [2, b.p2],
              [50, b.p50],
              [98, b.p98],
              [99, b.p99]
            ] as const
          )
            .filter(([, v]) => percent(v) !== undefined)
            .map(([p, v]) => ({ percent: p, value: v }))
        }))
    )
  )
  const noted = notes(specs, reports, availability, splitCounts.train)
  const description = {
    name: build.name,
    title: build.title,
    description: build.description,
    url: build.url,
    version: build.version,
    license: build.license,
    creators: build.creators,
    datePublished: build.createdAt,
    citeAs: build.citeAs,
    keywords: build.keywords,
    sources: build.sources,
    sampling: { rule: build.samplingRule, seed: build.seed },
    timeSlots: dedupeSlots(build.products.flatMap((p) => p.slots)),
    cloudThresholds: build.products.flatMap((p) =>
      p.maxCloud === undefined ? [] : [{ product: p.id, maxCloudPercent: p.maxCloud }]
    ),
    store: {
      path: ".",
      files,
      shards: arrays.map((array) => ({ array, includes: [`${array}/c/**`] }))
    },
    samples: { count: layout.samples, ...splitCounts },
    products: layout.products.map((p) => ({
      ...p.spec,
      crs: "per-patch UTM/UPS (EPSG code in samples/epsg, grid origin in samples/x0, samples/y0)",
      shape: [layout.samples, p.times, p.spec.bands.length, p.height, p.width] as const
    })),
    availability: Object.entries(availability).flatMap(([product, slots]) =>
      Object.entries(slots).flatMap(([slot, reasons]) =>
        Object.entries(reasons).map(([reason, count]) => ({ product, slot, reason, count }))
      )
    ),
    statistics,
    statisticsUnavailable: noted.unavailable
  }
  const croissant = yield* Effect.try({
    try: () => Croissant.toJson(Croissant.make(description)),
    catch: (cause) =>
      fail(`cannot describe the dataset in Croissant: ${(cause as Error).message}`, cause)
  })
  const card = yield* Effect.try({
    try: () => Card.make(description),
    catch: (cause) => fail(`cannot write the dataset card: ${(cause as Error).message}`, cause)
  })
  yield* store.set("croissant.json", encoder.encode(croissant))
  yield* store.set("README.md", encoder.encode(card))
  const totals: Record<string, Record<string, number>> = {}
  for (const [product, slots] of Object.entries(availability)) {
    const t: Record<string, number> = {}
    for (const reasons of Object.values(slots)) {
      for (const [reason, n] of Object.entries(reasons)) t[reason] = (t[reason] ?? 0) + n
    }
    totals[product] = t
  }
  return {
    samples: layout.samples,
    splits: splitCounts,
    availability: totals,
    failures,
    files: ["croissant.json", "README.md", "index.geojson"],
    warnings: noted.warnings
  } satisfies Summary
})

const dedupeSlots = (
  slots: ReadonlyArray<{ readonly id: string; readonly start: string; readonly end: string }>
) => {
  const seen = new Map<string, { name: string; start: string; end: string }>()
  for (const s of slots) {
    const key = `${s.id}|${s.start}|${s.end}`
    if (!seen.has(key)) seen.set(key, { name: s.id, start: s.start, end: s.end })
  }
  return [...seen.values()]
}

/** Finalize the store at a directory path, holding its lock (another writer is named, not raced). */
export const at = (path: string) =>
  Effect.gen(function* () {
    const layout = yield* Layout.read
    yield* StoreLock.acquire(path, { command: "finalize", recipeHash: Layout.fingerprint(layout) })
    return yield* run()
  }).pipe(Effect.scoped, Effect.provide(Store.layerFileSystem(path)))
