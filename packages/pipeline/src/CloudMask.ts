// Per-pixel cloud masks from the items' own quality layers (Sentinel-2 SCL, QA60, MSK_CLASSI): the layer is
// read onto the chip's grid with a categorical rule, dilated by a disk and cleared from the chip's validity.
import type { Band, PixelGrid } from "@eoforge/core"
import { Reason } from "@eoforge/core"
import { Morphology, Mosaic, RasterAccess } from "@eoforge/raster"
import { Find, StacClient, StacItem, type Product } from "@eoforge/stac"
import { Effect, Redacted } from "effect"
import { reasonOfReadError } from "./internal/readFailure.ts"
import type { Opener } from "./Opener.ts"
import type { ProductPlan } from "./Products.ts"
import { baselineNumber } from "./Radiometry.ts"
import type { CloudMaskRecipe } from "./Recipe.ts"

/** What a chip's mask did: its masked fraction, its source, and the pixels it cleared. */
export interface Applied {
  /** Masked fraction 0–1 of the pixels with data (the scene's cloud cover for a fallback). */
  readonly patchCloud: number
  /** 1 the item's quality layer, 2 the scene's cloud cover (no layer; nothing masked): zarr Layout.maskSources. */
  readonly maskSource: 1 | 2
  /** Pixels with data that the mask cleared. */
  readonly cleared: number
}

/** Why a chip cannot be masked. */
export interface Failure {
  readonly reason: Reason.Reason
  readonly detail: string
}

type Layer = Band.CloudMask["layers"][number]

/**
 * The product's cloud mask from the recipe's `cloudMask` block and the preset's quality layers: the recipe's
 * classes/bits/bands replace the preset's values of that kind, its `assets` their keys; `providerIds` picks
 * the preset's asset key (first id the layer names, else its `default`). A message when nothing can be read.
 */
export const resolve = (
  recipe: typeof CloudMaskRecipe.Type,
  layers: ReadonlyArray<Product.MaskLayer>,
  providerIds: ReadonlyArray<string>,
  resolution: number
): Band.CloudMask | string => {
  const chosen: Record<Layer["kind"], ReadonlyArray<number> | undefined> = {
    classes: recipe.classes,
    bits: recipe.bits,
    bands: recipe.bands
  }
  const out: Array<Layer> = []
  const pick = (assets: Readonly<Record<string, string>>) =>
    providerIds.map((id) => assets[id]).find((k) => k !== undefined) ??
    assets.default ??
    Object.values(assets)[0]
  for (const l of layers) {
    const asset = recipe.assets?.[l.kind] ?? pick(l.assets)
    if (asset === undefined) continue
    out.push({
      kind: l.kind,
      asset,
      values: chosen[l.kind] ?? l.values,
      // A class raster is never interpolated: nearest onto finer grids, the majority onto coarser ones.
      resampling: recipe.resampling ?? (resolution > l.resolution ? "mode" : "nearest"),
      ...(l.fromBaseline === undefined ? {} : { fromBaseline: l.fromBaseline }),
      ...(l.untilBaseline === undefined ? {} : { untilBaseline: l.untilBaseline })
    })
  }
  // Custom products (no preset layers): one layer per kind the recipe gives an asset and values for.
  if (layers.length === 0) {
    for (const kind of ["classes", "bits", "bands"] as const) {
      const asset = recipe.assets?.[kind]
      const values = chosen[kind]
      if (asset !== undefined && values !== undefined)
        out.push({ kind, asset, values, resampling: recipe.resampling ?? "nearest" })
    }
  }
  if (out.length === 0)
    return "cloudMask: the product's preset has no quality layer; give assets: { classes | bits | bands: <asset key> } and the classes, bits or bands to mask"
  return {
    layers: out,
    dilationM: recipe.dilationM,
    ...(recipe.maxPatchCloud === undefined ? {} : { maxPatchCloud: recipe.maxPatchCloud }),
    fallback: recipe.fallback
  }
}

/**
 * The layer for an item: the first whose baseline range holds the item's processing baseline; for an item
 * without a baseline, the first whose asset the item has (else the first).
 */
export const layerFor = (mask: Band.CloudMask, item: StacItem.Item): Layer | undefined => {
  const baseline = StacItem.processingBaseline(item)
  if (baseline === undefined)
    return mask.layers.find((l) => item.assets[l.asset] !== undefined) ?? mask.layers[0]
  const b = baselineNumber(baseline)
  return mask.layers.find(
    (l) =>
      (l.fromBaseline === undefined || baselineNumber(l.fromBaseline) <= b) &&
      (l.untilBaseline === undefined || b < baselineNumber(l.untilBaseline))
  )
}

/** Whether a read value (or, for `bands`, a band's value) is flagged by the layer. */
const flagger = (layer: Layer): ((value: number, band: number) => boolean) => {
  if (layer.kind === "classes") {
    const set = new Set(layer.values)
    return (v) => set.has(v)
  }
  if (layer.kind === "bits") {
    let bits = 0
    for (const b of layer.values) bits += 2 ** b
    // Bit positions up to 31: compare through unsigned 32-bit integers.
    return (v) => ((v >>> 0) & bits) !== 0
  }
  return (v) => v !== 0
}

/**
 * Reads the items' quality layers onto `grid` (items in paint order, the first with a layer value wins as in
 * a mosaic), dilates the flagged pixels by the mask's disk and clears them from `valid`. Without a layer in an
 * item: `fallback: scene-cover` leaves `valid` alone and reports the scene's cloud cover, `fail` is
 * MissingAsset naming the item and asset.
 */
export const apply = Effect.fnUntraced(function* (
  mask: Band.CloudMask,
  found: Find.Found,
  grid: PixelGrid.PixelGrid,
  product: ProductPlan,
  open: Opener,
  valid: Uint8Array
) {
  const n = grid.width * grid.height
  const flagged = new Uint8Array(n)
  const painted = new Uint8Array(n)
  const rules = product.rules
  const source = rules.source ?? StacClient.api(rules.provider.url, undefined, product.auth)
  const access =
    rules.source !== undefined
      ? StacClient.accessOf(rules.source)
      : (product.access ?? StacClient.accessOf(source))
  const fallback = (why: string): Applied | Failure =>
    mask.fallback === "scene-cover"
      ? { patchCloud: (found.cloud ?? Number.NaN) / 100, maskSource: 2, cleared: 0 }
      : { reason: Reason.Reason.MissingAsset, detail: why }
  for (const item of found.items) {
    const layer = layerFor(mask, item)
    if (layer === undefined)
      return fallback(
        `item ${item.id}: no cloud mask layer applies to its processing baseline ${StacItem.processingBaseline(item) ?? "(none)"}`
      )
    const refs = yield* Find.assetRefs([item], layer.asset, product.preset, rules)
    if (!Array.isArray(refs)) {
      const bad = refs as {
        readonly _tag?: string
        readonly problem?: string
        readonly message?: string
      }
      if (bad._tag === "ItemError" && bad.problem === "MissingAsset")
        return fallback(
          `item ${item.id} has no cloud mask asset ${layer.asset} (${mask.fallback === "fail" ? "set cloudMask.fallback: scene-cover to use the scene's cloud cover instead" : ""})`
        )
      if (bad._tag === "ItemError")
        return { reason: Reason.Reason.Unsupported, detail: bad.message ?? String(bad) }
      return refs as Failure
    }
    const ref = (refs as ReadonlyArray<Find.AssetRef>)[0]
    const bands = layer.kind === "bands" ? layer.values.map((b) => b - 1) : [0]
    const read = yield* open
      .use([Redacted.value(ref.url)], (infos) =>
        Mosaic.read(infos, grid, { resampling: layer.resampling, bands })
      )
      .pipe(
        RasterAccess.withPolicy(access, undefined, source.auth),
        Effect.catchTag("RasterOpenError", (e) => Effect.succeed(e)),
        Effect.catchTag("RasterReadError", (e) => Effect.succeed(e))
      )
    if (!("data" in read))
      return {
        reason: reasonOfReadError(read),
        detail: `cloud mask asset ${ref.key} of item ${ref.item} (${ref.href}): ${read.message}`
      }
    const flag = flagger(layer)
    const has = read.mask
    for (let i = 0; i < n; i++) {
      if (painted[i] === 1 || (has !== undefined && has[i] === 0)) continue
      painted[i] = 1
      for (let b = 0; b < bands.length; b++) {
        if (flag(read.data[b * n + i] as number, b)) {
          flagged[i] = 1
          break
        }
      }
    }
  }
  const dilated = Morphology.dilateDisk(
    flagged,
    grid.width,
    grid.height,
    mask.dilationM,
    grid.resolution
  )
  let withData = 0
  let cleared = 0
  for (let i = 0; i < n; i++) {
    if (valid[i] === 0) continue
    withData++
    if (dilated[i] === 1) {
      valid[i] = 0
      cleared++
    }
  }
  const applied: Applied = {
    patchCloud: withData === 0 ? 0 : cleared / withData,
    maskSource: 1,
    cleared
  }
  return applied as Applied | Failure
})
