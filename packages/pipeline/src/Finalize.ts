// Finalizing a built store: merge the shards' statistics, write them into the product groups, and
// publish the patch index, the Croissant metadata and the dataset card inside the store.
import { Reason, Split } from "@eoforge/core"
import { Zone } from "@eoforge/grid"
import { Card, Croissant } from "@eoforge/croissant"
import { Grouped, MergeTree } from "@eoforge/stats"
import { Codec, Coordinates, Layout, Metadata, Store, StoreLock } from "@eoforge/zarr"
import { Effect, Schema } from "effect"
import { createHash } from "node:crypto"
import * as Index from "./internal/patchIndex.ts"
import { notes } from "./internal/statisticsNotes.ts"
import * as Job from "./Job.ts"
import * as PlanFile from "./PlanFile.ts"
import * as Composite from "./Composite.ts"
import * as HeaderCache from "./HeaderCache.ts"
import * as SearchCache from "./SearchCache.ts"

/** What the build records about itself beside the data (`.eoforge/build.json`). */
export interface BuildRecord {
  readonly name: string
  readonly title: string
  readonly description: string
  readonly version: string
  readonly license: string
  /** Landing page of the published dataset (recipe `url`); absent when the recipe names none. */
  readonly url?: string | undefined
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

/** How to finalize. */
export interface FinalizeOptions {
  /** The metadata is for publication: the recipe must give the dataset's `url` (else FinalizeError). */
  readonly publish?: boolean | undefined
}

/** `layout` with class names for the bands that have none (products unchanged where nothing was found). */
const withClasses = (
  layout: Layout.Layout,
  discovered: Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, string>>>>>>
): Layout.Layout => ({
  ...layout,
  products: layout.products.map((p) => {
    const found = discovered[p.spec.id]
    if (found === undefined || !p.spec.bands.some((b) => b.classes === undefined && found[b.name]))
      return p
    return {
      ...p,
      spec: {
        ...p.spec,
        bands: p.spec.bands.map((b) =>
          b.classes === undefined && found[b.name] !== undefined
            ? { ...b, classes: found[b.name] }
            : b
        )
      }
    }
  })
})

/** Finalize the store of the Store service: every shard must have been built. */
export const run = Effect.fn("Finalize.run")(function* (options: FinalizeOptions = {}) {
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
  // Records of older builds hold a `urn:` placeholder: that is no landing page either.
  const url = build.url !== undefined && !build.url.startsWith("urn:") ? build.url : undefined
  if (options.publish === true && url === undefined) {
    return yield* fail(
      `the recipe of ${store.location} gives no url: set \`url:\` in the recipe to the dataset's landing page (where it will be published), rebuild, then finalize for publication`
    )
  }
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
  // Every shard is built: the search-cell and header caches, the source kinds' caches (file indexes, ASF answers) and
  // the compact plan have served their purpose (a finished store holds none of them).
  yield* SearchCache.clear
  yield* HeaderCache.clear
  for (const key of yield* store.list(".eoforge/sources/")) yield* store.delete(key)
  yield* Composite.clearSpill
  yield* store.delete(PlanFile.key)
  const specs = layout.products.map((p) => p.spec)
  // Shards merged as a tree (fan-in 16): memory holds one partial per level, whatever the shard count.
  const tree = MergeTree.make(specs)
  const availability: Record<string, Record<string, Record<string, number>>> = {}
  let failures = 0
  // Class names from the files' attribute tables, for bands the recipe names none: the first shard's win.
  const discovered: Record<string, Record<string, Readonly<Record<string, string>>>> = {}
  for (let k = 0; k < shards; k++) {
    const record = yield* Job.readRecord(k)
    for (const [product, bands] of Object.entries(record.classes ?? {})) {
      const d = (discovered[product] ??= {})
      for (const [band, named] of Object.entries(bands)) d[band] ??= named
    }
    const stats = yield* Job.readStats(k)
    yield* Effect.try({
      try: () =>
        "packed" in stats
          ? MergeTree.addPacked(tree, stats.packed)
          : MergeTree.add(tree, Grouped.fromJson(specs, stats.json)),
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
  const reports = Grouped.finalize(MergeTree.result(tree))
  // The store's band metadata carries the discovered class names (flag_values/flag_meanings on `data`).
  const named = withClasses(layout, discovered)
  for (const [i, p] of named.products.entries()) {
    if (p === layout.products[i]) continue
    yield* store.set(`${p.spec.id}/data/zarr.json`, Metadata.encode(Layout.dataMetadata(named, p)))
  }
  // Statistics go into each product group's attributes (train-only normalisation included).
  for (const p of named.products) {
    const report = reports.find((r) => r.product === p.spec.id)
    // Class codes are never normalised: their bands get no normalisation row.
    const categorical = new Set(
      p.spec.bands.filter((b) => b.classes !== undefined).map((b) => b.name)
    )
    const statistics =
      report === undefined
        ? null
        : { ...report, normalisation: report.normalisation.filter((n) => !categorical.has(n.band)) }
    const doc = Metadata.group({
      ...Layout.productAttributes(p),
      statistics,
      availability: availability[p.spec.id] ?? {}
    })
    yield* store.set(`${p.spec.id}/zarr.json`, Metadata.encode(doc))
  }
  // The patch index, one shard at a time: a polygon per sample (grid corners back to lon/lat; RFC 7946),
  // its split, and per product how many slots hold data; beside it the sample and chip CSV indexes.
  // Written as parts, never as one giant string.
  const splitCounts = { train: 0, val: 0, test: 0, guard: 0 }
  const size = (layout.attributes.recipe as { patch: { size: number } }).patch.size
  const slotsOf = new Map(
    build.products.map((p) => [
      p.id,
      p.slots.map((s) => ({ name: s.id, start: s.start, end: s.end }))
    ])
  )
  const slotName = (id: string, t: number) => slotsOf.get(id)?.[t]?.name ?? `t${t}`
  const chunk = (array: string, coords: ReadonlyArray<number>) =>
    Effect.gen(function* () {
      const bytes = yield* store.get(Metadata.chunkKey(array, coords))
      if (bytes === undefined) return yield* fail(`${array} of shard ${coords[0]} is missing`)
      const raw = Codec.decode(Codec.defaultCompression, bytes)
      return raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength)
    })
  const parts: Array<Uint8Array> = [encoder.encode('{"type":"FeatureCollection","features":[\n')]
  const sampleRows: Array<Uint8Array> = [
    encoder.encode(
      Index.csvLine([...Index.sampleColumns, ...named.products.map((p) => `chips_${p.spec.id}`)])
    )
  ]
  const chipRows = new Map(
    named.products.map((p) => [
      p.spec.id,
      [
        encoder.encode(
          Index.csvLine([
            ...Index.chipColumns,
            ...(p.spec.cloudMask === undefined ? [] : Index.cloudMaskColumns)
          ])
        )
      ]
    ])
  )
  let firstAcquired = Infinity
  let lastAcquired = -Infinity
  const bbox = [Infinity, Infinity, -Infinity, -Infinity] // west, south, east, north (degrees)
  for (let k = 0; k < shards; k++) {
    const [start, end] = Layout.shardRange(layout, k)
    const ids = Layout.decodeStrings(new Uint8Array(yield* chunk("samples/id", [k])))
    const lon = new Float64Array(yield* chunk("samples/lon", [k]))
    const lat = new Float64Array(yield* chunk("samples/lat", [k]))
    const split = new Uint8Array(yield* chunk("samples/split", [k]))
    const epsg = new Int32Array(yield* chunk("samples/epsg", [k]))
    const x0 = new Float64Array(yield* chunk("samples/x0", [k]))
    const y0 = new Float64Array(yield* chunk("samples/y0", [k]))
    const slotData: Array<{
      readonly id: string
      readonly times: number
      readonly valid: Uint8Array
      readonly reason: Uint8Array
      readonly acquired: BigInt64Array
      readonly item: ReadonlyArray<string>
      readonly cloud: Float32Array
      readonly nodata: Float32Array
      readonly mask?: { readonly patchCloud: Float32Array; readonly source: Uint8Array }
    }> = []
    for (const p of named.products) {
      const id = p.spec.id
      slotData.push({
        id,
        times: p.times,
        valid: new Uint8Array(yield* chunk(`${id}/valid`, [k, 0])),
        reason: new Uint8Array(yield* chunk(`${id}/reason`, [k, 0])),
        acquired: new BigInt64Array(yield* chunk(`${id}/acquired`, [k, 0])),
        item: Layout.decodeStrings(new Uint8Array(yield* chunk(`${id}/item`, [k, 0]))),
        cloud: new Float32Array(yield* chunk(`${id}/cloud`, [k, 0])),
        nodata: new Float32Array(yield* chunk(`${id}/nodata`, [k, 0])),
        ...(p.spec.cloudMask === undefined
          ? {}
          : {
              mask: {
                patchCloud: new Float32Array(yield* chunk(`${id}/patchCloud`, [k, 0])),
                source: new Uint8Array(yield* chunk(`${id}/maskSource`, [k, 0]))
              }
            })
      })
    }
    const lines: Array<string> = []
    const samples: Array<string> = []
    for (let i = 0; i < end - start; i++) {
      const sample = start + i
      const splitName = Split.name(split[i])
      splitCounts[splitName]++
      const corners = [
        [x0[i], y0[i]],
        [x0[i] + size, y0[i]],
        [x0[i] + size, y0[i] - size],
        [x0[i], y0[i] - size]
      ].map(([x, y]) => Zone.inverse(epsg[i], x, y))
      for (const [x, y] of corners) {
        bbox[0] = Math.min(bbox[0], x)
        bbox[1] = Math.min(bbox[1], y)
        bbox[2] = Math.max(bbox[2], x)
        bbox[3] = Math.max(bbox[3], y)
      }
      const properties: Record<string, string | number> = { sample, split: splitName }
      for (const d of slotData) {
        let n = 0
        const rows: Array<string> = []
        for (let t = 0; t < d.times; t++) {
          const j = i * d.times + t
          n += d.valid[j]
          const ms = d.acquired[j] === Metadata.int64Min ? undefined : Number(d.acquired[j])
          if (ms !== undefined && d.valid[j] === 1) {
            firstAcquired = Math.min(firstAcquired, ms)
            lastAcquired = Math.max(lastAcquired, ms)
          }
          rows.push(
            Index.csvLine([
              sample,
              ids[i],
              splitName,
              t,
              slotName(d.id, t),
              d.valid[j],
              Reason.name(d.reason[j]),
              d.reason[j],
              ms === undefined ? "" : new Date(ms).toISOString(),
              d.item[j],
              Index.float32(d.cloud[j]),
              Index.float32(d.nodata[j]),
              ...(d.mask === undefined
                ? []
                : [Index.float32(d.mask.patchCloud[j]), d.mask.source[j]])
            ])
          )
        }
        properties[d.id] = n
        chipRows.get(d.id)!.push(encoder.encode(rows.join("")))
      }
      const feature = {
        type: "Feature",
        id: sample,
        properties,
        geometry: Index.patchGeometry(corners.map(([x, y]) => [x, y] as const))
      }
      lines.push((sample === 0 ? "" : ",\n") + JSON.stringify(feature))
      samples.push(
        Index.csvLine([
          sample,
          ids[i],
          splitName,
          lon[i],
          lat[i],
          epsg[i],
          x0[i],
          y0[i],
          ...slotData.map((d) => properties[d.id])
        ])
      )
    }
    parts.push(encoder.encode(lines.join("")))
    sampleRows.push(encoder.encode(samples.join("")))
  }
  parts.push(encoder.encode("\n]}\n"))
  yield* store.set("index.geojson", parts)
  const indexFiles = [`${Index.folder}/samples.csv`]
  yield* store.set(indexFiles[0], sampleRows)
  for (const p of named.products) {
    const key = `${Index.folder}/${p.spec.id}.csv`
    yield* store.set(key, chipRows.get(p.spec.id)!)
    indexFiles.push(key)
  }
  // xarray's coordinates, then every zarr.json consolidated into the root (as zarr-python 3 does).
  yield* Coordinates.write(layout, slotsOf)
  yield* Coordinates.consolidate()
  const keys = (yield* store.list("")).filter(
    (k) => k.endsWith("zarr.json") && !k.startsWith(".eoforge/")
  )
  keys.sort()
  const files: Array<{ path: string; size: number; sha256: string }> = []
  for (const key of [...keys, "index.geojson", ...indexFiles]) {
    const bytes = (yield* store.get(key))!
    files.push({ path: key, size: bytes.length, sha256: sha256(bytes) })
  }
  const arrays = [
    ...Layout.sampleArrays.map((a) => `samples/${a}`),
    ...named.products.flatMap((p) =>
      ["data", ...Layout.slotArraysOf(p)].map((a) => `${p.spec.id}/${a}`)
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
    ...(url === undefined ? {} : { url }),
    version: build.version,
    license: build.license,
    creators: build.creators,
    datePublished: build.createdAt,
    citeAs: build.citeAs,
    keywords: build.keywords,
    sources: build.sources,
    sampling: { rule: build.samplingRule, seed: build.seed },
    timeSlots: dedupeSlots(build.products.flatMap((p) => p.slots)),
    ...(firstAcquired <= lastAcquired
      ? {
          acquired: {
            first: new Date(firstAcquired).toISOString(),
            last: new Date(lastAcquired).toISOString()
          }
        }
      : {}),
    cloudThresholds: build.products.flatMap((p) =>
      p.maxCloud === undefined ? [] : [{ product: p.id, maxCloudPercent: p.maxCloud }]
    ),
    store: {
      path: ".",
      files,
      shards: arrays.map((array) => ({ array, includes: [`${array}/c/**`] })),
      groups: ["samples", ...named.products.map((p) => p.spec.id)]
    },
    index: {
      samples: indexFiles[0],
      products: Object.fromEntries(
        named.products.map((p) => [p.spec.id, `${Index.folder}/${p.spec.id}.csv`])
      )
    },
    // A box wider than 180° straddles the antimeridian: no single west-to-east box says it, so none.
    ...(bbox[2] - bbox[0] <= 180 && Number.isFinite(bbox[0])
      ? { bbox: bbox as unknown as readonly [number, number, number, number] }
      : {}),
    samples: { count: layout.samples, ...splitCounts },
    products: named.products.map((p) => ({
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
    files: ["croissant.json", "README.md", "index.geojson", ...indexFiles],
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
export const at = (path: string, options: FinalizeOptions = {}) =>
  Effect.gen(function* () {
    const layout = yield* Layout.read
    yield* StoreLock.acquire(path, { command: "finalize", recipeHash: Layout.fingerprint(layout) })
    return yield* run(options)
  }).pipe(Effect.scoped, Effect.provide(Store.layerFileSystem(path)))
