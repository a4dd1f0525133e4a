// `eoforge report`: read a store (whole or partial), draw its figures, measure product alignment, and
// write `report/index.html` (self-contained) plus one PNG per figure.
import { Random } from "@eoforge/grid"
import { Reader, Store } from "@eoforge/zarr"
import { Effect } from "effect"
import { mkdir, writeFile } from "node:fs/promises"
import { dirname, join, resolve } from "node:path"
import * as Alignment from "./Alignment.ts"
import * as Collect from "./Collect.ts"
import * as Html from "./Html.ts"
import { ReportWriteError } from "./ReportError.ts"
import * as Sections from "./Sections.ts"

/** How to write a report. */
export interface ReportOptions {
  /** Output folder; default `report` beside the store. */
  readonly out?: string | undefined
  /** Samples per split shown as quicklooks (default 3). */
  readonly quicklooks?: number | undefined
  /** Most samples whose products are aligned (default 2,000; the rest are not measured). */
  readonly alignmentSamples?: number | undefined
  /** Most samples whose chips feed the histograms (default 200). */
  readonly histogramSamples?: number | undefined
}

/** What a report wrote and found. */
export interface ReportResult {
  readonly dir: string
  readonly index: string
  readonly files: ReadonlyArray<string>
  readonly samples: number
  /** Samples holding at least one chip. */
  readonly built: number
  readonly alignment: ReadonlyArray<Alignment.PairSummary>
}

const seedOf = (seed: number | string): number => {
  if (typeof seed === "number" && Number.isSafeInteger(seed)) return seed
  let h = 0
  for (const ch of String(seed)) h = (h * 31 + ch.charCodeAt(0)) >>> 0
  return h
}

/** Up to k of the indices, chosen without replacement by the generator, in ascending order. */
const choose = (
  indices: ReadonlyArray<number>,
  k: number,
  random: Random.Random
): Array<number> => {
  if (indices.length <= k) return [...indices]
  const pool = [...indices]
  for (let i = 0; i < k; i++) {
    const j = i + Random.int(random, pool.length - i)
    const t = pool[i]
    pool[i] = pool[j]
    pool[j] = t
  }
  return pool.slice(0, k).sort((a, b) => a - b)
}

/** Gather and draw the report of the store of the Store service; nothing is written. */
export const make = Effect.fn("Report.make")(function* (options: ReportOptions = {}) {
  const store = yield* Store.Store
  const dataset = yield* Reader.makeStore
  const layout = dataset.layout
  const columns = yield* Collect.columns(layout)
  const products = yield* Collect.products(layout)
  const slots = yield* Collect.slotNames(layout)
  const rejected = yield* Collect.rejected()
  const sampleIds = yield* Collect.ids(layout)
  const built: Array<number> = []
  for (let s = 0; s < layout.samples; s++) {
    if (
      products.some((p) =>
        p.reason.subarray(s * p.layout.times, (s + 1) * p.layout.times).includes(0)
      )
    )
      built.push(s)
  }
  const random = Random.make(seedOf(layout.attributes.seed))
  const quick: Record<string, ReadonlyArray<number>> = {}
  for (const [name, code] of [
    ["train", 0],
    ["val", 1],
    ["test", 2],
    ["guard", 255]
  ] as const) {
    quick[name] = choose(
      built.filter((s) => columns.split[s] === code),
      options.quicklooks ?? 3,
      random
    )
  }
  const aligned = new Set(choose(built, options.alignmentSamples ?? 2000, random))
  const histogrammed = new Set(choose(built, options.histogramSamples ?? 200, random))
  const wanted = [...new Set([...Object.values(quick).flat(), ...aligned, ...histogrammed])].sort(
    (a, b) => a - b
  )
  const productPairs = Alignment.pairs(layout.products)
  const measurements: Array<Alignment.Measurement> = []
  const read = new Map<number, Collect.SampleChips>()
  const sampled = new Sections.BandValues(layout.products)
  for (const s of wanted) {
    // Samples read only for the alignment need one chip per product, not every slot.
    const onlyAligned = !histogrammed.has(s) && !Object.values(quick).some((q) => q.includes(s))
    const sample = yield* Collect.readChips(dataset, products, columns, sampleIds, s, onlyAligned)
    if (aligned.has(s)) measurements.push(...Alignment.measureSample(sample, productPairs))
    if (histogrammed.has(s)) sampled.add(sample)
    if (Object.values(quick).some((q) => q.includes(s))) read.set(s, sample)
  }
  const alignment = Alignment.summarise(measurements)
  const jobs = (yield* store.list(".eoforge/jobs")).length
  const sections = Sections.all({
    layout,
    columns,
    products,
    slots,
    rejected,
    patchM: Collect.patchSizeM(layout),
    quick,
    read,
    sampled,
    measurements,
    alignment
  })
  const summary = [
    `${store.location}: EOForge ${layout.attributes.eoforgeVersion}, created ${layout.attributes.createdAt}, seed ${layout.attributes.seed}.`,
    `${layout.samples} samples, ${built.length} holding data; ${jobs} job records for ${Math.ceil(layout.samples / layout.shardSamples)} shards${jobs * layout.shardSamples < layout.samples ? " (partial build)" : ""}.`,
    `Quicklooks of ${Object.values(quick).flat().length} random samples; histograms from ${histogrammed.size} samples; alignment measured on ${aligned.size} samples (${measurements.length} product pairs).`
  ]
  const html = Html.page(`EOForge report — ${store.location}`, summary, sections)
  const figures = sections.flatMap((s) =>
    s.blocks.flatMap((b) =>
      b.kind === "figure"
        ? [b.figure]
        : b.kind === "grid"
          ? b.rows.flatMap((r) =>
              r.cells.flatMap((c) => (c.figure === undefined ? [] : [c.figure]))
            )
          : []
    )
  )
  return { html, figures, samples: layout.samples, built: built.length, alignment }
})

/** Write the report of the store at a directory path; returns what was written. */
export const write = Effect.fn("Report.write")(function* (
  storePath: string,
  options: ReportOptions = {}
) {
  const drawn = yield* Effect.scoped(make(options)).pipe(
    Effect.provide(Store.layerFileSystem(storePath))
  )
  const dir = resolve(options.out ?? join(dirname(resolve(storePath)), "report"))
  const fail = (path: string) => (cause: unknown) =>
    new ReportWriteError({
      path,
      message: `cannot write ${path}: ${String((cause as Error)?.message ?? cause)}; choose another --out folder`,
      cause
    })
  yield* Effect.tryPromise({ try: () => mkdir(dir, { recursive: true }), catch: fail(dir) })
  const files: Array<string> = []
  // Quicklook tiles are inlined only; the figures a paper wants are the whole-figure PNGs.
  for (const f of drawn.figures.filter((f) => !f.file.startsWith("tile:"))) {
    const path = join(dir, f.file)
    yield* Effect.tryPromise({ try: () => writeFile(path, f.png), catch: fail(path) })
    files.push(path)
  }
  const index = join(dir, "index.html")
  yield* Effect.tryPromise({ try: () => writeFile(index, drawn.html), catch: fail(index) })
  return {
    dir,
    index,
    files,
    samples: drawn.samples,
    built: drawn.built,
    alignment: drawn.alignment
  } satisfies ReportResult
})
