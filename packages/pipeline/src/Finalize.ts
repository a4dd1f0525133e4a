// Finalizing a built store: merge the shards' statistics, write them into the product groups, and
// publish the patch index, the Croissant metadata and the dataset card inside the store.
import { Card, Croissant } from "@eoforge/croissant"
import { Grouped, MergeTree } from "@eoforge/stats"
import { Coordinates, Layout, Metadata, Store, StoreLock } from "@eoforge/zarr"
import { Effect, Schema } from "effect"
import { createHash } from "node:crypto"
import { describe } from "./internal/finalizeDescription.ts"
import { writeIndex } from "./internal/finalizeIndex.ts"
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
  const slotsOf = new Map(
    build.products.map((p) => [
      p.id,
      p.slots.map((s) => ({ name: s.id, start: s.start, end: s.end }))
    ])
  )
  const { splitCounts, firstAcquired, lastAcquired, bbox, indexFiles } = yield* writeIndex(
    layout,
    named,
    slotsOf,
    fail
  )
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
  const noted = notes(specs, reports, availability, splitCounts.train)
  const description = describe({
    build,
    url,
    layout,
    named,
    reports,
    availability,
    files,
    noted,
    splitCounts,
    firstAcquired,
    lastAcquired,
    bbox,
    indexFiles
  })
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

/** Finalize the store at a directory path, holding its lock (another writer is named, not raced). */
export const at = (path: string, options: FinalizeOptions = {}) =>
  Effect.gen(function* () {
    const layout = yield* Layout.read
    yield* StoreLock.acquire(path, { command: "finalize", recipeHash: Layout.fingerprint(layout) })
    return yield* run(options)
  }).pipe(Effect.scoped, Effect.provide(Store.layerFileSystem(path)))
