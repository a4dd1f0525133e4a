// A summary of a built store: products and shapes, split counts, availability by reason and the
// train-split normalisation table, read from the store's own metadata.
import { Split } from "@eoforge/core"
import { Codec, Layout, Metadata, Store, ZarrError } from "@eoforge/zarr"
import { Effect } from "effect"

/** One product of a store. */
export interface ProductSummary {
  readonly id: string
  readonly title: string
  readonly dtype: string
  readonly resolution: number
  /** [samples, times, bands, height, width]. */
  readonly shape: readonly [number, number, number, number, number]
  readonly bands: ReadonlyArray<string>
  /** slot → reason name → count (after finalize). */
  readonly availability: Readonly<Record<string, Readonly<Record<string, number>>>>
  /** Train-split mean and std per band (after finalize). */
  readonly normalisation: ReadonlyArray<{
    readonly band: string
    readonly mean: number
    readonly std: number
  }>
}

/** The summary of a store. */
export interface StoreSummary {
  readonly location: string
  readonly version: string
  readonly created: string
  readonly seed: number | string
  readonly samples: number
  readonly shardSamples: number
  readonly shards: number
  readonly shardsBuilt: number
  readonly finalized: boolean
  readonly splits: Readonly<Record<string, number>>
  readonly products: ReadonlyArray<ProductSummary>
}

const decoder = new TextDecoder()

// A product group's attributes; a damaged zarr.json reads as none (the layout was already checked).
const parseAttributes = (bytes: Uint8Array): Record<string, unknown> | undefined => {
  try {
    const doc = JSON.parse(decoder.decode(bytes)) as { attributes?: unknown }
    const a = doc?.attributes
    return typeof a === "object" && a !== null ? (a as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v)

// Attributes written by someone else are taken only in the shape finalize writes them.
const availabilityOf = (v: unknown): ProductSummary["availability"] => {
  if (!isRecord(v)) return {}
  const out: Record<string, Record<string, number>> = {}
  for (const [slot, reasons] of Object.entries(v)) {
    if (!isRecord(reasons)) continue
    out[slot] = Object.fromEntries(
      Object.entries(reasons).filter(([, n]) => typeof n === "number" && Number.isFinite(n))
    ) as Record<string, number>
  }
  return out
}

const normalisationOf = (v: unknown): ProductSummary["normalisation"] =>
  Array.isArray(v)
    ? v.filter(
        (r): r is ProductSummary["normalisation"][number] =>
          isRecord(r) &&
          typeof r.band === "string" &&
          typeof r.mean === "number" &&
          typeof r.std === "number"
      )
    : []

/** Summarise the store of the Store service. */
export const summary = Effect.fn("Inspect.summary")(function* () {
  const store = yield* Store.Store
  const layout = yield* Layout.read
  const shards = Layout.shardCount(layout)
  // Listed rather than probed shard by shard: the work follows the files present, not what the
  // store's metadata claims (a damaged store may declare millions of shards).
  const shardOf = (key: string, prefix: string, suffix: string): number | undefined => {
    if (!key.startsWith(prefix) || !key.endsWith(suffix)) return undefined
    const k = key.slice(prefix.length, key.length - suffix.length)
    return /^\d+$/.test(k) && Number(k) < shards ? Number(k) : undefined
  }
  const built = (yield* store.list(".eoforge/jobs")).filter(
    (key) => shardOf(key, ".eoforge/jobs/", ".json") !== undefined
  ).length
  const splits: Record<string, number> = { train: 0, val: 0, test: 0, guard: 0 }
  const splitChunk = Metadata.chunkKey("samples/split", [0]).replace(/0$/, "")
  for (const key of yield* store.list("samples/split")) {
    const k = shardOf(key, splitChunk, "")
    if (k === undefined) continue
    const bytes = yield* store.get(key)
    if (bytes === undefined) continue
    const codes = yield* Effect.try({
      try: () => Codec.decode(Codec.defaultCompression, bytes),
      catch: (cause) =>
        new ZarrError.InvalidStoreError({
          location: store.location,
          key,
          message: `${store.location}/${key} cannot be decoded (${(cause as Error).message}); the store is damaged: rebuild shard ${k}`
        })
    })
    const [start, end] = Layout.shardRange(layout, k)
    for (let i = 0; i < Math.min(end - start, codes.length); i++) splits[Split.name(codes[i])]++
  }
  const products: Array<ProductSummary> = []
  for (const p of layout.products) {
    const bytes = yield* store.get(`${p.spec.id}/zarr.json`)
    const attrs = (bytes === undefined ? {} : (parseAttributes(bytes) ?? {})) as {
      availability?: ProductSummary["availability"]
      statistics?: { normalisation?: ProductSummary["normalisation"] } | null
    }
    products.push({
      id: p.spec.id,
      title: p.spec.title ?? p.spec.id,
      dtype: p.spec.dtype,
      resolution: p.spec.resolution,
      shape: [layout.samples, p.times, p.spec.bands.length, p.height, p.width],
      bands: p.spec.bands.map((b) => b.name),
      availability: availabilityOf(attrs.availability),
      normalisation: normalisationOf(attrs.statistics?.normalisation)
    })
  }
  return {
    location: store.location,
    version: layout.attributes.eoforgeVersion,
    created: layout.attributes.createdAt,
    seed: layout.attributes.seed,
    samples: layout.samples,
    shardSamples: layout.shardSamples,
    shards,
    shardsBuilt: built,
    finalized: (yield* store.get("croissant.json")) !== undefined,
    splits,
    products
  } satisfies StoreSummary
})

/** A human-readable rendering of a store summary. */
export const format = (s: StoreSummary): string => {
  const lines: Array<string> = []
  lines.push(`${s.location}`)
  lines.push(
    `  EOForge ${s.version}, created ${s.created}, seed ${s.seed}; ${s.samples} samples in ${s.shards} shards of ${s.shardSamples} (${s.shardsBuilt} built${s.finalized ? ", finalized" : ", not finalized"})`
  )
  lines.push(
    `  splits: train ${s.splits.train}, val ${s.splits.val}, test ${s.splits.test}, guard ${s.splits.guard}`
  )
  for (const p of s.products) {
    lines.push("")
    lines.push(`  ${p.id} — ${p.title}`)
    lines.push(
      `    ${p.dtype} [sample ${p.shape[0]}, time ${p.shape[1]}, band ${p.shape[2]}, y ${p.shape[3]}, x ${p.shape[4]}] at ${p.resolution} m; bands ${p.bands.join(" ")}`
    )
    for (const [slot, reasons] of Object.entries(p.availability)) {
      const parts = Object.entries(reasons).map(([r, n]) => `${r} ${n}`)
      lines.push(`    ${slot.padEnd(12)} ${parts.join(", ")}`)
    }
    if (p.normalisation.length > 0) {
      lines.push(`    train normalisation (mean ± std):`)
      for (const row of p.normalisation) {
        lines.push(`      ${row.band.padEnd(10)} ${row.mean.toFixed(4)} ± ${row.std.toFixed(4)}`)
      }
    }
  }
  return lines.join("\n")
}

/** Summarise the store at a directory path. */
export const at = (path: string) => summary().pipe(Effect.provide(Store.layerFileSystem(path)))
