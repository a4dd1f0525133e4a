// Composite slots: every acquisition of a slot's window is read on its own (Extract's per-acquisition read,
// masks included) and combined per pixel (@eoforge/composite), one acquisition at a time.
// Memory is bounded per chip: median stacks beyond a few acquisitions are spilled to the store's `.eoforge/tmp/`.
import { DType, PixelGrid, Reason, Redact, type Patch } from "@eoforge/core"
import { Find, type AssetSigner, type StacClient, type StacError } from "@eoforge/stac"
import { Store, type ZarrError } from "@eoforge/zarr"
import { Context, Effect } from "effect"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Combiner from "./internal/combiner.ts"
import * as Output from "./Output.ts"
import type { Data, Into, Missing, Outcome, SlotFacts } from "./Extract.ts"
import type { ProductPlan } from "./Products.ts"

/** Where median stacks are spilled: a store and a key prefix (a build uses its own store's `.eoforge/tmp/`). */
export interface Spill {
  readonly store: Store.StoreApi
  readonly prefix: string
  /** Median stacks of at most this many acquisitions stay in memory (default 8). */
  readonly memoryLayers?: number
  /** Largest bytes of one strip of every spilled acquisition read back at once (default 16 MiB). */
  readonly stripBytes?: number
}

/** The spill of composites in the current fiber (default: the system temporary folder). */
export const SpillTo = Context.Reference<Spill>("@eoforge/pipeline/Composite/SpillTo", {
  defaultValue: () => ({
    store: Store.makeFileSystem(join(tmpdir(), "eoforge-composite")),
    prefix: `${process.pid}/`
  })
})

/** A combiner of one chip: acquisitions added one at a time (best first), the composite at the end. */
export const combiner: (options: Combiner.Options) => Combiner.Combiner = Combiner.make

/** Key prefix of a store's spilled stacks (removed after each chip, and by finalize). */
export const tmpPrefix = ".eoforge/tmp/"

/** Run `effect` with composites spilling into `store` under `.eoforge/tmp/`. */
export const withStoreSpill =
  (store: Store.StoreApi) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.provideService(effect, SpillTo, { store, prefix: `${tmpPrefix}composite/` })

/** Remove every spilled stack of the current store (what a killed build may have left). */
export const clearSpill = Effect.gen(function* () {
  const store = yield* Store.Store
  for (const key of yield* store.list(tmpPrefix)) yield* store.delete(key)
})

/** Reasons for which one acquisition just contributes nothing: the others still make the composite. */
const skippable: ReadonlySet<number> = new Set([
  Reason.Reason.NotCovered,
  Reason.Reason.TooCloudy,
  Reason.Reason.NoValidPixel
])

const missing = (reason: Reason.Reason, detail: string, facts: SlotFacts = {}): Missing => ({
  _tag: "Missing",
  reason,
  detail: Redact.inText(detail),
  facts
})

const safe = (s: string): string => s.replace(/[^A-Za-z0-9._-]/g, "_")

/** dB → linear power before compositing, and back (the product option `composite.scale: linear`). */
export const toLinear = (data: DType.TypedArray): DType.TypedArray => {
  const out = DType.alloc(DType.of(data), data.length)
  for (let i = 0; i < data.length; i++) out[i] = Math.pow(10, data[i] / 10)
  return out
}

/** Linear power → dB, in place, where `filled` is 1. */
export const toDb = (data: DType.TypedArray, filled: Uint8Array): void => {
  for (let i = 0; i < data.length; i++) if (filled[i] === 1) data[i] = 10 * Math.log10(data[i])
}

/**
 * The composite chip of `patch` for `product` in `slot`: every acquisition that passes the rules' filters,
 * least cloudy first, read by `read` (which must clear invalid pixels in its mask); acquisitions with no
 * usable pixel are skipped, any other read failure is the slot's. NoValidPixel when no pixel is valid at all.
 */
export const chip = <E, R>(
  patch: Patch.Patch,
  product: ProductPlan,
  slot: ProductPlan["slots"][number],
  rules: Find.Rules,
  read: (found: Find.Found, product: ProductPlan, into?: Into) => Effect.Effect<Outcome, E, R>
): Effect.Effect<
  Outcome,
  E | Find.FindError | ZarrError.StoreError,
  R | StacClient.StacClient | AssetSigner.AssetSigner
> =>
  Effect.gen(function* () {
    const composite = product.composite!
    const every = yield* Find.findEvery(patch, product.preset, slot, rules).pipe(
      Effect.catchTag("ItemError", (e: StacError.ItemError) =>
        Effect.succeed(
          missing(
            e.problem === "NotGeoTiff" ||
              e.problem === "NoProjection" ||
              e.problem === "NoTransform"
              ? Reason.Reason.Unsupported
              : Reason.Reason.SourceError,
            e.message
          )
        )
      )
    )
    if (every._tag !== "Every") return missing(every.reason, every.detail)
    const grid = PixelGrid.withResolution(patch.grid, product.spec.resolution)
    // With an output transform (uint8 visualisation) scenes are composited as physical float32 values and
    // the composite is transformed once: a median of reflectances, not of already rounded bytes.
    const output = product.spec.output
    const working: ProductPlan =
      output === undefined
        ? product
        : { ...product, spec: { ...product.preset.spec, dtype: "float32" } }
    const dtype = working.spec.dtype
    const bands = working.spec.bands
    const pixels = grid.width * grid.height
    const k = every.acquisitions.length
    const spill = yield* SpillTo
    const combiner = Combiner.make({
      rule: composite.rule,
      dtype,
      bands: bands.length,
      width: grid.width,
      height: grid.height,
      layers: k,
      spill,
      name: `${safe(product.spec.id)}/${safe(patch.id)}-${safe(slot.id)}`
    })
    const linear = composite.scale === "linear" && DType.isFloat(dtype)
    // Each acquisition may lack most of the patch: the composite decides coverage, not its parts.
    const lenient: ProductPlan = { ...working, maxNodata: 1 }
    // Scenes are read into one pair of arrays when the combiner is done with them after `add`.
    const into: Into | undefined = combiner.copies
      ? { data: DType.alloc(dtype, bands.length * pixels), mask: new Uint8Array(pixels) }
      : undefined
    const used: Array<Find.Found> = []
    const sceneClouds: Array<string> = []
    const skipped: Array<string> = []
    const made = yield* Effect.gen(function* () {
      for (const found of every.acquisitions) {
        const outcome = yield* read(found, lenient, into)
        const id = found.items.map((i) => i.id).join("+")
        if (outcome._tag === "Missing") {
          if (skippable.has(outcome.reason)) {
            skipped.push(`${id} ${Reason.name(outcome.reason)}`)
            continue
          }
          return missing(
            outcome.reason,
            `${outcome.detail} (acquisition ${used.length + skipped.length + 1} of ${k} of a ${composite.rule} composite)`,
            outcome.facts
          )
        }
        yield* combiner.add(linear ? toLinear(outcome.data) : outcome.data, outcome.mask)
        used.push(found)
        const sc = outcome.facts.patchCloud
        if (sc !== undefined) sceneClouds.push(`${id} ${(sc * 100).toFixed(1)} %`)
      }
      return yield* combiner.finish(bands.map((b) => b.nodata ?? 0))
    }).pipe(Effect.ensuring(combiner.clear))
    if ("_tag" in made) return made
    if (linear) toDb(made.data, made.filled)
    const valid = new Uint8Array(pixels)
    for (let i = 0; i < pixels; i++) if (made.count[i] > 0) valid[i] = 1
    const data = output === undefined ? made.data : visualise(made.data, working, output, valid)
    let count = 0
    for (let i = 0; i < pixels; i++) count += valid[i]
    const clouds = used.map((f) => f.cloud).filter((c): c is number => c !== undefined)
    const facts: SlotFacts = {
      ...(used[0] === undefined ? {} : { acquired: used[0].datetime }),
      item: used.map((f) => f.items.map((i) => i.id).join("+")).join("+"),
      ...(clouds.length > 0 ? { cloud: Math.max(...clouds) / 100 } : {}),
      nodata: 1 - count / pixels,
      // With a cloud mask: the fraction of the chip left without a cloud-free observation in any scene
      // (each scene's own fraction is in the provenance).
      ...(product.spec.cloudMask === undefined
        ? {}
        : { patchCloud: 1 - count / pixels, maskSource: 1 }),
      // Into the job record: how the composite was made, and which scenes gave nothing and why.
      provenance: {
        composite: composite.rule,
        scale: composite.scale,
        acquisitions: k,
        contributed: used.length,
        ...(skipped.length === 0 ? {} : { skipped: skipped.join(", ") }),
        ...(sceneClouds.length === 0 ? {} : { sceneCloud: sceneClouds.join(", ") })
      }
    }
    if (count === 0) {
      return missing(
        Reason.Reason.NoValidPixel,
        `${k} acquisition(s) in the window, no pixel of the patch valid in any (${skipped.length > 0 ? skipped.join(", ") : "all masked"})`,
        facts
      )
    }
    if (1 - count / pixels > product.maxNodata) {
      return missing(
        Reason.Reason.NotCovered,
        `${((1 - count / pixels) * 100).toFixed(1)} % of the patch has no valid pixel in the ${composite.rule} of ${used.length} acquisition(s) (largest allowed ${(product.maxNodata * 100).toFixed(1)} %)`,
        facts
      )
    }
    return {
      _tag: "Data",
      data,
      mask: valid,
      facts,
      found: used[0]!,
      count: made.count
    } satisfies Data
  })

// The composite of physical values (`working`'s float32 bands, dB already applied) through the product's
// output transform; pixels without a valid value, or whose value is NaN, hold the transform's nodata.
const visualise = (
  physical: DType.TypedArray,
  working: ProductPlan,
  output: NonNullable<ProductPlan["spec"]["output"]>,
  valid: Uint8Array
): DType.TypedArray => {
  const n = valid.length
  const bands = working.spec.bands
  const out = DType.alloc(output.dtype, bands.length * n)
  bands.forEach((band, b) => {
    Output.apply(physical.subarray(b * n, (b + 1) * n), band, "none", output, out, b * n, valid)
  })
  bands.forEach((_, b) => {
    for (let i = 0; i < n; i++) if (valid[i] === 0) out[b * n + i] = output.nodata
  })
  return out
}
