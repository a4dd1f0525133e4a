// The plan of a build without writing anything: patches, chips, bytes, the catalogue searches it will send,
// and a time estimate (with its assumptions) from a short probe that extracts the first chips for real.
import { DType, Reason } from "@eoforge/core"
import { RasterSource } from "@eoforge/raster"
import { Search, SearchCells, StacClient, type Find } from "@eoforge/stac"
import { Clock, Effect } from "effect"
import { availableParallelism } from "node:os"
import * as Build from "./Build.ts"
import * as Extract from "./Extract.ts"
import * as Opener from "./Opener.ts"
import type * as Plan from "./Plan.ts"

/** What a build would do. */
export interface DryRunReport {
  readonly recipe: string
  readonly store: string
  readonly patches: number
  readonly candidates: number
  readonly rejected: number
  /** What the seam rule added (tiles sampler with `sampling.seam: least-overlap`). */
  readonly seam?: Plan.SeamReport
  readonly splits: Readonly<Record<string, number>>
  readonly shards: number
  readonly shardSamples: number
  /** Patch × product × slot requests. */
  readonly chips: number
  /** Uncompressed bytes of all chips. */
  readonly bytes: number
  /**
   * Chips extracted by the probe (whole samples, paired products with their partner), their mean wall time
   * (ms, sources already open), the count per reason code and the detail of the first chip of each reason.
   */
  readonly probe: {
    readonly chips: number
    readonly msPerChip: number
    /** Mean wall time of a probed chip with data read the first time: search, opening, fetching (ms). */
    readonly coldMsPerChip: number
    /** Range requests and bytes fetched per probed chip with data, first read (URL sources; 0 for files). */
    readonly requestsPerChip: number
    readonly bytesPerChip: number
    /** Mean wall time of one range request of the probe, sending to last byte (ms; 0 without requests). */
    readonly msPerRequest: number
    readonly missing: number
    readonly reasons: Readonly<Record<string, number>>
    readonly details: Readonly<Record<string, string>>
  }
  /**
   * Catalogue searches: distinct search cells of the patches, the searches a build sends through them
   * (one per cell × product × slot window; fallback windows and cloud checks at most double it each) and
   * per patch (one per chip and window).
   */
  readonly searches: {
    readonly cells: number
    readonly viaCells: number
    readonly viaCellsAtMost: number
    readonly perPatchAtLeast: number
  }
  /**
   * Estimated wall time of the whole build, seconds: reading plus searching at the assumed rates; absent when
   * no probed chip had data (nothing readable: no basis for an estimate).
   */
  readonly estimatedSeconds?: number | undefined
  /** What the estimate assumes. */
  readonly assumptions: {
    readonly concurrency: number
    readonly cores: number
    /** Searches per second the catalogue allows (the client's default per-host limit). */
    readonly searchesPerSecond: number
    /** Range requests in flight per data host (the raster reader's per-host limit). */
    readonly requestsInFlight: number
    /** Latency of one range request as the probe measured it (ms). */
    readonly latencyMs: number
    /** Reading as bounded by the cores (chips × warm ms per chip ÷ cores), seconds. */
    readonly cpuSeconds: number
    /** Reading as bounded by round trips (chips × requests per chip × latency ÷ requests in flight), seconds. */
    readonly networkSeconds: number
    /** The larger of the two. */
    readonly readSeconds: number
    readonly searchSeconds: number
    readonly note: string
  }
  readonly products: ReadonlyArray<{
    readonly id: string
    readonly slots: ReadonlyArray<string>
    readonly shape: readonly [number, number, number, number, number]
    readonly bytes: number
  }>
}

/** Plan a build and probe its first chips. */
export const run = Effect.fn("DryRun.run")(function* (
  options: Pick<Build.BuildOptions, "recipe" | "out" | "concurrency">,
  probeChips = 6
) {
  const prepared = yield* Build.prepare(options.recipe)
  const { loaded, products, plan } = prepared
  const layout = yield* Build.layoutOf(prepared, "1970-01-01T00:00:00.000Z")
  const productRows = layout.products.map((p) => {
    const chipBytes = p.spec.bands.length * p.height * p.width * DType.byteSize(p.spec.dtype)
    return {
      id: p.spec.id,
      slots: products.find((q) => q.spec.id === p.spec.id)!.slots.map((s) => s.id),
      shape: [plan.patches.length, p.times, p.spec.bands.length, p.height, p.width] as const,
      bytes: chipBytes * p.times * plan.patches.length
    }
  })
  const chips = plan.patches.length * products.reduce((n, p) => n + p.slots.length, 0)
  const open = yield* Opener.make()
  // Whole samples in product order, so a paired product is probed with its partner's acquisition.
  const perSample = products.reduce((n, p) => n + p.slots.length, 0)
  const samples = Math.min(
    plan.patches.length,
    Math.max(1, Math.ceil(probeChips / Math.max(1, perSample)))
  )
  // Each probed chip is read twice: the first read pays for opening its sources, which a build
  // does once per source, the second is what every later chip of that source costs.
  let missing = 0
  let elapsed = 0
  let probed = 0
  let readable = 0
  let coldMs = 0
  let requests = 0
  let fetched = 0
  let requestMs = 0
  const reasons: Record<string, number> = {}
  const details: Record<string, string> = {}
  for (let s = 0; s < samples; s++) {
    const outcomes: Array<Array<Extract.Outcome>> = []
    for (const p of products) {
      const row: Array<Extract.Outcome> = []
      for (let t = 0; t < p.slots.length; t++) {
        const partner = p.pair === undefined ? undefined : outcomes[p.pair.product][t]
        const found: Find.Found | undefined = partner?._tag === "Data" ? partner.found : undefined
        const before = RasterSource.transferTotals()
        const c0 = yield* Clock.currentTimeMillis
        const first = yield* Extract.chip(plan.patches[s], p, t, open, found)
        if (first._tag === "Data") {
          const after = RasterSource.transferTotals()
          readable++
          coldMs += (yield* Clock.currentTimeMillis) - c0
          requests += after.requests - before.requests
          fetched += after.bytes - before.bytes
          requestMs += after.requestMs - before.requestMs
        }
        const name = first._tag === "Data" ? "Ok" : Reason.name(first.reason)
        reasons[name] = (reasons[name] ?? 0) + 1
        if (first._tag === "Missing") {
          missing++
          details[name] ??= `${p.spec.id} ${p.slots[t].id}: ${first.detail}`
        }
        const t0 = yield* Clock.currentTimeMillis
        yield* Extract.chip(plan.patches[s], p, t, open, found)
        elapsed += (yield* Clock.currentTimeMillis) - t0
        probed++
        row.push(first)
      }
      outcomes.push(row)
    }
  }
  const msPerChip = probed === 0 ? 0 : elapsed / probed
  const requestsPerChip = readable === 0 ? 0 : requests / readable
  const msPerRequest = requests === 0 ? 0 : requestMs / requests
  const concurrency = options.concurrency ?? loaded.recipe.concurrency
  const cores = Math.max(1, Math.min(concurrency, availableParallelism()))
  // Search cells of the patches, as builds lay them (the default cells of stac SearchCells).
  const cells = new Set<string>()
  let alone = 0
  for (const patch of plan.patches) {
    const cell = SearchCells.cellOf(
      { collections: ["c"], intersects: Search.patchGeometry(patch) },
      SearchCells.defaultOptions
    )
    if (cell === undefined) alone++
    else cells.add(`${cell.i},${cell.j}`)
  }
  const windows = products.reduce((n, p) => n + p.slots.length, 0)
  const viaCells = (cells.size + alone) * windows
  const searchesPerSecond = StacClient.defaultOptions.requestsPerSecond
  const cpuSeconds = (chips * msPerChip) / 1000 / cores
  const inFlight = RasterSource.defaultHttpOptions.perHostConcurrency
  const networkSeconds = (chips * requestsPerChip * msPerRequest) / 1000 / inFlight
  const readSeconds = Math.max(cpuSeconds, networkSeconds)
  const searchSeconds = searchesPerSecond > 0 ? viaCells / searchesPerSecond : 0
  return {
    recipe: loaded.file,
    store: options.out ?? loaded.recipe.output.store,
    patches: plan.patches.length,
    candidates: plan.sampling.candidates,
    rejected: plan.sampling.rejected,
    ...(plan.sampling.seam === undefined ? {} : { seam: plan.sampling.seam }),
    splits: plan.splitCounts,
    shards: Math.ceil(layout.samples / layout.shardSamples),
    shardSamples: layout.shardSamples,
    chips,
    bytes: productRows.reduce((n, p) => n + p.bytes, 0),
    probe: {
      chips: probed,
      msPerChip,
      coldMsPerChip: readable === 0 ? 0 : coldMs / readable,
      requestsPerChip,
      bytesPerChip: readable === 0 ? 0 : fetched / readable,
      msPerRequest,
      missing,
      reasons,
      details
    },
    searches: {
      cells: cells.size,
      viaCells,
      viaCellsAtMost: viaCells * 4,
      perPatchAtLeast: chips
    },
    ...(readable === 0 ? {} : { estimatedSeconds: readSeconds + searchSeconds }),
    assumptions: {
      concurrency,
      cores,
      searchesPerSecond,
      requestsInFlight: inFlight,
      latencyMs: msPerRequest,
      cpuSeconds,
      networkSeconds,
      readSeconds,
      searchSeconds,
      note:
        readable === 0
          ? "no probed chip had data, so nothing was measured to estimate from: fix the reasons above (or probe more chips) first"
          : "reading takes the longer of two bounds: the cores (chips in parallel up to the concurrency, each as fast as a probed chip whose sources are open) and the network (every chip costing the probe's requests, each as long as the probe's mean request, the reader's per-host limit in flight, no request-rate limit on the data host); searches run at the catalogue's rate limit, one per cell × product × slot window. The probe reads the first samples, from wherever they are"
    },
    products: productRows
  } satisfies DryRunReport
}, Effect.scoped)

/** A human-readable rendering of a dry-run report. */
export const format = (r: DryRunReport): string => {
  const mib = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MiB`
  const lines = [
    `dry run of ${r.recipe} → ${r.store} (nothing written)`,
    `  patches   ${r.patches} accepted of ${r.candidates} candidates (${r.rejected} rejected for overlap)`,
    `  splits    train ${r.splits.train}, val ${r.splits.val}, test ${r.splits.test}, guard ${r.splits.guard}`,
    `  store     ${r.shards} shards of ${r.shardSamples} samples`,
    `  requests  ${r.chips} chips (patch × product × slot), ${mib(r.bytes)} uncompressed`
  ]
  for (const p of r.products) {
    lines.push(
      `    ${p.id.padEnd(12)} [${p.shape.join(", ")}] slots ${p.slots.join(" ")} — ${mib(p.bytes)}`
    )
  }
  lines.push(
    `  probe     ${r.probe.chips} chips in ${(r.probe.msPerChip * r.probe.chips).toFixed(0)} ms (${r.probe.msPerChip.toFixed(1)} ms/chip, ${r.probe.missing} missing)`,
    `            ${Object.entries(r.probe.reasons)
      .map(([k, n]) => `${k} ${n}`)
      .join(", ")}`,
    ...Object.entries(r.probe.details).map(([k, d]) => `            ${k}: ${d}`),
    `  searches  ${r.searches.viaCells}–${r.searches.viaCellsAtMost} through ${r.searches.cells} search cells (per patch: ≥ ${r.searches.perPatchAtLeast})`,
    r.probe.requestsPerChip > 0
      ? `  network   ${r.probe.requestsPerChip.toFixed(1)} range requests and ${mib(r.probe.bytesPerChip)} per chip (first read), ${r.probe.msPerRequest.toFixed(0)} ms per request`
      : `  network   no range requests (local files)`,
    r.estimatedSeconds === undefined
      ? `  estimate  none: no probed chip had data, nothing was measured to estimate from`
      : `  estimate  ~${r.estimatedSeconds.toFixed(0)} s for the whole build: reading ${r.assumptions.readSeconds.toFixed(0)} s (cores: ${r.assumptions.cpuSeconds.toFixed(0)} s on ${r.assumptions.cores}; network: ${r.assumptions.networkSeconds.toFixed(0)} s at ${r.assumptions.latencyMs.toFixed(0)} ms per request, ${r.assumptions.requestsInFlight} in flight per host, no rate limit assumed), searching ${r.assumptions.searchSeconds.toFixed(0)} s at ${r.assumptions.searchesPerSecond} searches/s`
  )
  return lines.join("\n")
}
