// The description of a finalized dataset that Croissant and the dataset card are made from: metadata of the
// build record, statistics records per product, band and split, files, time and space covered, availability.
import { Grouped } from "@eoforge/stats"
import { Layout } from "@eoforge/zarr"
import type { BuildRecord } from "../Finalize.ts"
import type { IndexFacts } from "./finalizeIndex.ts"
import * as Index from "./patchIndex.ts"
import type { notes } from "./statisticsNotes.ts"

/** What the description is made from. */
export interface DescriptionInput extends IndexFacts {
  readonly build: BuildRecord
  /** The dataset's landing page; absent when the recipe gives none. */
  readonly url: string | undefined
  readonly layout: Layout.Layout
  /** The layout with discovered class names. */
  readonly named: Layout.Layout
  readonly reports: ReturnType<typeof Grouped.finalize>
  /** product → slot → reason name → count. */
  readonly availability: Readonly<
    Record<string, Readonly<Record<string, Readonly<Record<string, number>>>>>
  >
  /** The store's files with their size and SHA-256. */
  readonly files: ReadonlyArray<{ path: string; size: number; sha256: string }>
  readonly noted: ReturnType<typeof notes>
}

/** The input of `Croissant.make` and `Card.make` for a finalized store. */
export const describe = (input: DescriptionInput) => {
  const { build, url, layout, named, reports, availability, files, noted } = input
  const { splitCounts, firstAcquired, lastAcquired, bbox, indexFiles } = input
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
  return description
}

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
