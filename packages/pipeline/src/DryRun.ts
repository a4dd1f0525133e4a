// The plan of a build without writing anything: patches, chips, bytes, and a time estimate from a
// short probe that extracts the first few chips for real (in memory).
import { DType } from "@eoforge/core"
import { Clock, Effect } from "effect"
import { availableParallelism } from "node:os"
import * as Build from "./Build.ts"
import * as Extract from "./Extract.ts"
import * as Opener from "./Opener.ts"

/** What a build would do. */
export interface DryRunReport {
  readonly recipe: string
  readonly store: string
  readonly patches: number
  readonly candidates: number
  readonly rejected: number
  readonly splits: Readonly<Record<string, number>>
  readonly shards: number
  readonly shardSamples: number
  /** Patch × product × slot requests. */
  readonly chips: number
  /** Uncompressed bytes of all chips. */
  readonly bytes: number
  /** Chips extracted by the probe and their mean wall time, ms. */
  readonly probe: { readonly chips: number; readonly msPerChip: number; readonly missing: number }
  /** Estimated wall time of the whole build at the recipe's concurrency, seconds. */
  readonly estimatedSeconds: number
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
  const tasks: Array<readonly [number, number, number]> = []
  for (let s = 0; s < plan.patches.length && tasks.length < probeChips; s++) {
    products.forEach((p, pi) => {
      for (let t = 0; t < p.slots.length; t++) tasks.push([s, pi, t])
    })
  }
  const probe = tasks.slice(0, probeChips)
  // Each probed chip is read twice: the first read pays for opening its sources, which a build
  // does once per source, the second is what every later chip of that source costs.
  let missing = 0
  let elapsed = 0
  for (const [s, pi, t] of probe) {
    const first = yield* Extract.chip(plan.patches[s], products[pi], t, open)
    if (first._tag === "Missing") missing++
    const t0 = yield* Clock.currentTimeMillis
    yield* Extract.chip(plan.patches[s], products[pi], t, open)
    elapsed += (yield* Clock.currentTimeMillis) - t0
  }
  const msPerChip = probe.length === 0 ? 0 : elapsed / probe.length
  const concurrency = options.concurrency ?? loaded.recipe.concurrency
  return {
    recipe: loaded.file,
    store: options.out ?? loaded.recipe.output.store,
    patches: plan.patches.length,
    candidates: plan.sampling.candidates,
    rejected: plan.sampling.rejected,
    splits: plan.splitCounts,
    shards: Math.ceil(layout.samples / layout.shardSamples),
    shardSamples: layout.shardSamples,
    chips,
    bytes: productRows.reduce((n, p) => n + p.bytes, 0),
    probe: { chips: probe.length, msPerChip, missing },
    // Chips of different samples run in parallel up to the recipe's concurrency and the cores.
    estimatedSeconds:
      (chips * msPerChip) / 1000 / Math.max(1, Math.min(concurrency, availableParallelism())),
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
    `  estimate  ~${r.estimatedSeconds.toFixed(0)} s for the whole build`
  )
  return lines.join("\n")
}
