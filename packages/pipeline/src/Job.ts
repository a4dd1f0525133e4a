// One job: every chip of one shard of samples (all products, all slots), published atomically.
// A job record written last makes a rerun skip the shard; it carries the shard's statistics and accounting.
import { Reason, Split, type Patch } from "@eoforge/core"
import { Grouped, Packed } from "@eoforge/stats"
import { Codec, Layout, ShardWriter, Store, type ZarrError } from "@eoforge/zarr"
import { Effect, Schema, Semaphore, Stream } from "effect"
import * as Composite from "./Composite.ts"
import * as Extract from "./Extract.ts"
import * as ProductReads from "./internal/productReads.ts"
import type * as Opener from "./Opener.ts"
import type * as PlanFile from "./PlanFile.ts"
import type { ProductPlan } from "./Products.ts"

/** Key of the record of a finished job (human-readable: availability and failure details). */
export const recordKey = (shard: number): string => `.eoforge/jobs/${shard}.json`

/** Key of the statistics of a finished job: grouped accumulators as zstd-compressed JSON. */
export const statsKey = (shard: number): string => `.eoforge/stats/${shard}.bin.zst`

/** Where jobs of earlier versions wrote a shard's statistics (zstd JSON); finalize still reads them. */
export const legacyStatsKey = (shard: number): string => `.eoforge/stats/${shard}.json.zst`

/** A slot without data, with the reason and a human detail naming the item/asset. */
export interface Failure {
  readonly sample: number
  readonly product: string
  readonly slot: string
  readonly reason: string
  readonly detail: string
}

/** How a chip was made, as its source or item reader said (e.g. Earth Engine images and expression digest). */
export interface Provenance {
  readonly sample: number
  readonly product: string
  readonly slot: string
  readonly facts: Readonly<Record<string, string | number | boolean>>
}

/** What a finished job recorded. */
export interface JobRecord {
  readonly shard: number
  readonly samples: readonly [number, number]
  /** product → slot → reason name → count. */
  readonly availability: Readonly<
    Record<string, Readonly<Record<string, Readonly<Record<string, number>>>>>
  >
  readonly failures: ReadonlyArray<Failure>
  /** product → band → class names by value, from the files' attribute tables (first chip in sample order). */
  readonly classes?: Readonly<
    Record<string, Readonly<Record<string, Readonly<Record<string, string>>>>>
  >
  /** Provenance of the chips whose source gave any (absent when none did). */
  readonly provenance?: ReadonlyArray<Provenance>
}

/** A job record that cannot be read back. */
export class JobRecordError extends Schema.TaggedError<JobRecordError>()("JobRecordError", {
  shard: Schema.Number,
  message: Schema.String
}) {}

/** The most bytes a job's statistics may decompress to (256 MiB): a larger file is damaged or hostile. */
export const maxStatsBytes = 256 * 1024 * 1024

/** A finished job's statistics: the binary form, or the JSON form stores of earlier versions hold. */
export type ShardStats = { readonly packed: Uint8Array } | { readonly json: unknown }

/** The grouped statistics of a finished job (its binary file, else an earlier version's JSON file). */
export const readStats = (shard: number) =>
  Effect.gen(function* () {
    const store = yield* Store.Store
    let key = statsKey(shard)
    let bytes = yield* store.get(key)
    if (bytes === undefined) {
      key = legacyStatsKey(shard)
      bytes = yield* store.get(key)
    }
    if (bytes === undefined) {
      return yield* new JobRecordError({
        shard,
        message: `the statistics ${statsKey(shard)} of shard ${shard} are missing; delete ${recordKey(shard)} and rerun the build`
      })
    }
    const compressed = bytes
    return yield* Effect.try({
      try: (): ShardStats => {
        const raw = Codec.decode(Codec.zstd(3), compressed, maxStatsBytes)
        return Packed.isPacked(raw)
          ? { packed: raw }
          : { json: JSON.parse(new TextDecoder().decode(raw)) as unknown }
      },
      catch: (cause) =>
        new JobRecordError({
          shard,
          message: `the statistics ${key} are damaged${cause instanceof Codec.DecodedTooLarge ? ` (they decompress past ${maxStatsBytes} bytes)` : ""}; delete ${recordKey(shard)} and rerun the build`
        })
    })
  })

/** Whether the job of a shard has finished. */
export const isDone = (shard: number) =>
  Effect.gen(function* () {
    const store = yield* Store.Store
    return (yield* store.get(recordKey(shard))) !== undefined
  })

/** Read the record of a finished job. */
export const readRecord = (shard: number) =>
  Effect.gen(function* () {
    const store = yield* Store.Store
    const bytes = yield* store.get(recordKey(shard))
    if (bytes === undefined) {
      return yield* new JobRecordError({ shard, message: `shard ${shard} has not been built` })
    }
    return yield* Effect.try({
      try: () => JSON.parse(new TextDecoder().decode(bytes)) as JobRecord,
      catch: () =>
        new JobRecordError({
          shard,
          message: `the record ${recordKey(shard)} is not valid JSON; delete it and rerun the build`
        })
    })
  })

/** The patches of a build by sample index: an array, a compact plan, or a plan file read by slices. */
export interface Patches {
  readonly length: number
  readonly at: (sample: number) => Patch.Patch | undefined
  /** Samples `start` … `end - 1` at once; when present, jobs read their patches with it. */
  readonly range?: (
    start: number,
    end: number
  ) => Effect.Effect<ReadonlyArray<Patch.Patch>, PlanFile.PlanFileError | ZarrError.StoreError>
}

/** Everything a job needs. */
export interface JobContext {
  readonly layout: Layout.Layout
  readonly patches: Patches
  readonly splits: Uint8Array
  readonly products: ReadonlyArray<ProductPlan>
  readonly open: Opener.Opener
  readonly concurrency: number
  /** The chips being read: at most `concurrency` at once, over every shard this context builds at once. */
  readonly permits: Semaphore.Semaphore
  /** Whether guard-zone samples are extracted (they belong to no split either way). */
  readonly extractGuard: boolean
}

/** Counts of a finished job, for progress. */
export interface JobSummary {
  readonly shard: number
  readonly chips: number
  readonly missing: number
}

/**
 * The products as chains: a product paired with another joins its partner's chain (after it, as the recipe
 * lists paired products after their partners); unpaired products are chains of their own.
 */
export const chainsOf = (
  products: ReadonlyArray<Pick<ProductPlan, "pair">>
): ReadonlyArray<ReadonlyArray<number>> => {
  const chainOf: Array<number> = []
  const chains: Array<Array<number>> = []
  products.forEach((p, i) => {
    const c = p.pair === undefined ? chains.push([]) - 1 : chainOf[p.pair.product]
    chainOf[i] = c
    chains[c].push(i)
  })
  return chains
}

/** Build shard `shard`: extract, write every product's shard and the samples chunk, then the record. */
export const run = Effect.fn("Job.run")(function* (ctx: JobContext, shard: number) {
  const store = yield* Store.Store
  const [start, end] = Layout.shardRange(ctx.layout, shard)
  // This shard's patches, built once (a compact plan rebuilds them from its columns).
  const shardPatches =
    ctx.patches.range === undefined
      ? Array.from({ length: end - start }, (_, i) => {
          const patch = ctx.patches.at(start + i)
          if (patch === undefined) throw new RangeError(`sample ${start + i} is not in the plan`)
          return patch
        })
      : yield* ctx.patches.range(start, end)
  const patchOf = (s: number): Patch.Patch => shardPatches[s - start]
  const writers = new Map<string, ShardWriter.ShardWriter>()
  for (const p of ctx.products) {
    writers.set(p.spec.id, yield* ShardWriter.make(ctx.layout, p.spec.id, shard))
  }
  const stats = Grouped.empty(ctx.products.map((p) => p.spec))
  const availability: Record<string, Record<string, Record<string, number>>> = {}
  for (const p of ctx.products) {
    availability[p.spec.id] = Object.fromEntries(p.slots.map((s) => [s.id, {}]))
  }
  const failures: Array<Failure> = []
  const classes: Record<string, Record<string, Readonly<Record<string, string>>>> = {}
  const provenance: Array<Provenance> = []
  // Statistics are order-sensitive in floating point: the ordered stream hands each sample's chips
  // over in sample order, whatever order they finish in, so reruns and other concurrency settings
  // give the same bytes.
  const account = (s: number, outcomes: ReadonlyArray<ReadonlyArray<Extract.Outcome>>) =>
    ctx.products.forEach((p, pi) => {
      outcomes[pi].forEach((outcome, t) => {
        const slot = p.slots[t].id
        const reason = outcome._tag === "Data" ? "Ok" : Reason.name(outcome.reason)
        const counts = availability[p.spec.id][slot]
        counts[reason] = (counts[reason] ?? 0) + 1
        if (outcome._tag === "Missing") {
          failures.push({ sample: s, product: p.spec.id, slot, reason, detail: outcome.detail })
          return
        }
        for (const [band, named] of Object.entries(outcome.classes ?? {})) {
          const seen = (classes[p.spec.id] ??= {})
          seen[band] ??= named
        }
        if (outcome.facts.provenance !== undefined)
          provenance.push({ sample: s, product: p.spec.id, slot, facts: outcome.facts.provenance })
        const split = ctx.splits[s]
        if (split === Split.Split.guard) return
        const grid = patchOf(s).grid
        const h = (grid.height * grid.resolution) / p.spec.resolution
        const w = (grid.width * grid.resolution) / p.spec.resolution
        Grouped.add(stats, p.spec.id, Split.name(split) as Grouped.SplitName, {
          grid: { ...grid, resolution: p.spec.resolution, width: w, height: h },
          dtype: p.spec.dtype,
          bands: p.spec.bands.length,
          data: outcome.data,
          mask: outcome.mask
        })
      })
    })
  let chips = 0
  const extractOne = Effect.fnUntraced(function* (
    s: number,
    pi: number,
    t: number,
    outcomes: ReadonlyArray<Array<Extract.Outcome>>
  ) {
    const p = ctx.products[pi]
    const writer = writers.get(p.spec.id)!
    if (!ctx.extractGuard && ctx.splits[s] === Split.Split.guard) {
      yield* writer.skip(s, t, Reason.Reason.Guard)
      outcomes[pi][t] = {
        _tag: "Missing",
        reason: Reason.Reason.Guard,
        detail: "guard-zone sample (split.extractGuard is false)",
        facts: {}
      }
      return
    }
    const partner = p.pair === undefined ? undefined : outcomes[p.pair.product][t]
    const outcome = yield* Extract.chip(
      patchOf(s),
      p,
      t,
      ctx.open,
      partner?._tag === "Data" ? partner.found : undefined
    ).pipe(Composite.withStoreSpill(store), Semaphore.withPermit(ctx.permits))
    const f = outcome.facts
    const info = {
      ...(f.acquired === undefined ? {} : { acquired: f.acquired }),
      ...(f.item === undefined ? {} : { item: f.item }),
      ...(f.cloud === undefined ? {} : { cloud: f.cloud }),
      ...(f.nodata === undefined ? {} : { nodata: f.nodata }),
      ...(f.scale === undefined
        ? {}
        : { baseline: f.baseline ?? "", scale: f.scale, offset: f.offset ?? 0 }),
      ...(f.patchCloud === undefined
        ? {}
        : { patchCloud: f.patchCloud, maskSource: f.maskSource ?? 0 })
    }
    if (outcome._tag === "Data") {
      const count = "count" in outcome ? outcome.count : undefined
      yield* writer.add(s, t, outcome.data, count === undefined ? info : { ...info, count })
      chips++
    } else {
      yield* writer.skip(s, t, outcome.reason, info)
    }
    outcomes[pi][t] = outcome
  })
  // One element per sample: its products in recipe order, each with its slots. A product paired with
  // another reads slot t after its partner's slot t (same chain); chains and slots run at once, so a
  // sample's chips wait on round trips together rather than one after another. The shard writer takes
  // chips in any order and statistics are accounted in sample order, so the bytes do not depend on it.
  const chains = chainsOf(ctx.products)
  const extractSample = Effect.fnUntraced(function* (s: number) {
    const outcomes: Array<Array<Extract.Outcome>> = ctx.products.map(
      (p) => new Array(p.slots.length)
    )
    const slotCount = Math.max(0, ...ctx.products.map((p) => p.slots.length))
    const tasks: Array<readonly [ReadonlyArray<number>, number]> = []
    for (const chain of chains) for (let t = 0; t < slotCount; t++) tasks.push([chain, t])
    yield* Effect.forEach(
      tasks,
      ([chain, t]) =>
        Effect.forEach(
          chain.filter((pi) => t < ctx.products[pi].slots.length),
          (pi) => extractOne(s, pi, t, outcomes),
          { discard: true }
        ),
      { concurrency: "unbounded", discard: true }
    ).pipe(
      // Every slot of the sample is done: the products read for its readers (a DEM) are not needed again.
      Effect.ensuring(Effect.sync(() => ProductReads.forget(patchOf(s))))
    )
    return [s, outcomes] as const
  })
  yield* Stream.range(start, end - 1, 1).pipe(
    Stream.mapEffect(extractSample, { concurrency: ctx.concurrency }),
    Stream.runForEach(([s, outcomes]) => Effect.sync(() => account(s, outcomes)))
  )
  for (const writer of writers.values()) yield* writer.publish
  yield* ShardWriter.writeSamples(
    ctx.layout,
    shard,
    shardPatches.map((patch, i) => ({
      id: patch.id,
      lon: patch.lon,
      lat: patch.lat,
      epsg: patch.grid.crs._tag === "Epsg" ? patch.grid.crs.code : 0,
      x0: patch.grid.x0,
      y0: patch.grid.y0,
      split: ctx.splits[start + i]
    }))
  )
  const record: JobRecord = {
    shard,
    samples: [start, end],
    availability,
    failures,
    ...(Object.keys(classes).length === 0 ? {} : { classes }),
    ...(provenance.length === 0 ? {} : { provenance })
  }
  // Exact 16-bit histograms in their binary form (varint runs), zstd-compressed; written before the
  // record that marks the job done.
  yield* store.set(statsKey(shard), [Codec.encode(Codec.zstd(3), Packed.encode(stats))])
  yield* store.set(recordKey(shard), [new TextEncoder().encode(JSON.stringify(record) + "\n")])
  return { shard, chips, missing: failures.length } satisfies JobSummary
})
