// Products of a recipe resolved into what the build needs: the stored spec, where to search, which
// band of which asset to read, the time slots and the selection rules.
import { Auth, type Credentials, type Guarded } from "@eoforge/access"
import { Rule as CompositeRule } from "@eoforge/composite"
import type { AccessPolicy, Band } from "@eoforge/core"
import type { Find, Product, TimeSlots } from "@eoforge/stac"
import { presetNames, presetOf } from "./internal/presetNames.ts"
import * as Output from "./Output.ts"
import { basePolicy } from "./internal/access.ts"
import { readerOptionsOf } from "./internal/readerOptions.ts"
import { SourceKind } from "@eoforge/sources"
import { configOf } from "./internal/credentials.ts"
import { ProductRecipeError } from "./internal/productError.ts"
import { slotsOf } from "./internal/productSlots.ts"
import { alternateOf, bindingFor, knownProviders, sourceOf } from "./internal/productSources.ts"
import * as CloudMask from "./CloudMask.ts"
import { slotSetOf, type BandRecipe, type Recipe } from "./Recipe.ts"

/** A product ready to extract. */
export interface ProductPlan {
  /** What is stored: dtype, resolution, bands with their meaning and resampling. */
  readonly spec: Band.ProductSpec
  /** The search preset (spec + collection and asset per band for the source). */
  readonly preset: Product.Preset
  /** Where to search and how to choose. */
  readonly rules: Find.Rules
  /** Time slots, in stored order. */
  readonly slots: ReadonlyArray<TimeSlots.Slot>
  /** Name of the slot set in the recipe. */
  readonly slotsName: string
  /** 0-based band index inside its asset, per stored band. */
  readonly bandIndex: ReadonlyArray<number>
  /** Largest nodata fraction before a chip is recorded as NotCovered. */
  readonly maxNodata: number
  /** A source that is not a STAC catalogue (recipe `type` of a registered kind): it finds, maybe reads. */
  readonly kind?: SourceKind.Source
  /** The access policy of the product's reads. */
  readonly access?: AccessPolicy.AccessPolicy
  /** The build's credentials, for reading what a source kind found (its assets are not a catalogue's). */
  readonly auth?: Guarded.Authorizer
  /** A per-pixel composite of every acquisition of each slot (slot rule median, mean, min, max, first-valid). */
  readonly composite?: {
    readonly rule: CompositeRule.Rule
    /** dB values composited as they are, or in linear power and stored back in dB. */
    readonly scale: "dB" | "linear"
    /** Whether the store keeps a `count` array of valid observations per pixel. */
    readonly validCount: boolean
  }
  /** Other products of the recipe its item reader's options name (e.g. the DEM of sentinel-1-grd), by id. */
  readonly uses?: Readonly<Record<string, ProductPlan>>
  /** Pairing with an earlier product (its index in the product list) for every slot. */
  readonly pair?: {
    readonly product: number
    readonly rule: "same-datatake" | "within-days"
    readonly maxDays: number
  }
}

export { ProductRecipeError } from "./internal/productError.ts"
export { slotsOf } from "./internal/productSlots.ts"
export {
  catalogueOf,
  sourcesForRecord,
  withDocumentCache,
  withSourceCache
} from "./internal/productSources.ts"

/** The names of the product presets. */
export const presets: ReadonlyArray<string> = presetNames

/**
 * Resolve every product of a recipe; `resolvePath` turns recipe-relative paths into real ones; secrets named by
 * `access.s3`/`access.logins` are read from `env` (default `process.env`) when first needed. Each source
 * carries the recipe's access policy (its `access` key, the recipe's folder, the catalogue's own host or
 * folder and the presets' data hosts).
 */
export const resolve = (
  recipe: Recipe,
  resolvePath: (path: string) => string,
  env?: Credentials.Environment
): ReadonlyArray<ProductPlan> => {
  const access = basePolicy(recipe.access, resolvePath("."), resolvePath)
  // One Authorizer per build: keys, tokens and cookies are shared by every source and read.
  const auth = Auth.make(configOf(recipe.access, resolvePath), {
    ...(env === undefined ? {} : { env }),
    guard: { policy: access }
  })
  // One prepared source per recipe source, shared by its products.
  const prepared = new Map<string, ReturnType<typeof sourceOf>>()
  const plans = recipe.products.map((p, index): ProductPlan => {
    const known = prepared.get(p.source)
    const resolved = known ?? sourceOf(recipe, p.source, resolvePath, p.id, access, auth)
    if (known === undefined) prepared.set(p.source, resolved)
    const { provider, source, kind } = resolved
    const base = p.preset === undefined ? undefined : presetOf(p.preset)
    if (p.preset !== undefined && base === undefined) {
      throw new ProductRecipeError({
        product: p.id,
        message: `unknown preset "${p.preset}"; presets are ${presets.join(", ")}`
      })
    }
    const baseBinding = base === undefined ? undefined : bindingFor(base, provider)
    const bandRecipes: ReadonlyArray<typeof BandRecipe.Type> =
      p.bands ??
      base?.spec.bands.map((b) => ({ name: b.name })) ??
      (() => {
        throw new ProductRecipeError({
          product: p.id,
          message: "a product without a preset needs bands: [{ name, asset, index }]"
        })
      })()
    const bands: Array<Band.BandSpec> = bandRecipes.map((b) => {
      const fromPreset = base?.spec.bands.find((x) => x.name === b.name)
      if (base !== undefined && fromPreset === undefined) {
        throw new ProductRecipeError({
          product: p.id,
          message: `band ${b.name} is not in preset ${p.preset} (bands: ${base.spec.bands.map((x) => x.name).join(", ")})`
        })
      }
      const { asset: _asset, index: _index, ...meaning } = b
      return {
        ...fromPreset,
        ...meaning,
        resampling: meaning.resampling ?? p.resampling ?? fromPreset?.resampling ?? "bilinear"
      }
    })
    const collection = p.collection ?? baseBinding?.collection
    if (collection === undefined) {
      throw new ProductRecipeError({
        product: p.id,
        message: "a product without a preset needs collection: <STAC collection id>"
      })
    }
    const assets = Object.fromEntries(
      bandRecipes.map((b) => {
        const asset = b.asset ?? baseBinding?.assets[b.name] ?? b.name
        return [b.name, asset]
      })
    )
    const dtype = p.dtype ?? base?.spec.dtype
    if (dtype === undefined) {
      throw new ProductRecipeError({
        product: p.id,
        message: "a product without a preset needs dtype"
      })
    }
    const resolution = p.resolution ?? base?.spec.resolution ?? recipe.patch.resolution
    const cloudMask =
      p.cloudMask === undefined
        ? undefined
        : CloudMask.resolve(
            p.cloudMask,
            base?.cloudMask ?? [],
            [provider.id, ...knownProviders.filter((k) => k.url === provider.url).map((k) => k.id)],
            resolution
          )
    if (typeof cloudMask === "string")
      throw new ProductRecipeError({ product: p.id, message: cloudMask })
    const native: Band.ProductSpec = {
      ...base?.spec,
      id: p.id,
      dtype,
      resolution,
      bands,
      source: collection,
      ...(p.title === undefined ? {} : { title: p.title }),
      ...(p.license === undefined ? {} : { license: p.license }),
      ...(p.attribution === undefined ? {} : { attribution: p.attribution }),
      ...(cloudMask === undefined ? {} : { cloudMask })
    }
    const readerOptions = optionsOf(recipe, p, base, resolvePath)
    // With an output transform the store holds uint8 visualisations; reading still follows the preset.
    const transform = p.output === undefined ? undefined : Output.make(p.output)
    const spec: Band.ProductSpec =
      transform === undefined
        ? native
        : {
            ...native,
            dtype: transform.dtype,
            bands: native.bands.map((b) => Output.storedBand(b, transform)),
            output: transform
          }
    const preset: Product.Preset = {
      spec: native,
      bindings: { [provider.id]: { collection, assets } },
      cloudy: base?.cloudy ?? p.maxCloud !== undefined,
      projected: base?.projected ?? true,
      valueTransform: base?.valueTransform ?? "none",
      ...(base?.reader === undefined ? {} : { reader: base.reader }),
      ...(readerOptions === undefined ? {} : { readerOptions: readerOptions.options }),
      ...(base?.polarisations === undefined
        ? {}
        : { polarisations: base.polarisations.filter((p) => bands.some((b) => b.name === p)) }),
      ...(base?.equals === undefined && p.orbitDirection === undefined
        ? {}
        : {
            equals: {
              ...base?.equals,
              ...(p.orbitDirection === undefined ? {} : { "sat:orbit_state": p.orbitDirection })
            }
          })
    }
    const slotsName = p.slots ?? Object.keys(recipe.slots)[0]
    if (slotsName === undefined) {
      throw new ProductRecipeError({ product: p.id, message: "the recipe defines no slots" })
    }
    const slotSet = recipe.slots[slotsName]
    let pair: ProductPlan["pair"]
    if (p.pair !== undefined) {
      const target = recipe.products.findIndex((q) => q.id === p.pair!.with)
      if (target < 0 || target >= index) {
        throw new ProductRecipeError({
          product: p.id,
          message: `pair.with "${p.pair.with}" must name a product listed before ${p.id}`
        })
      }
      if (slotSetOf(recipe, recipe.products[target]) !== slotsName) {
        throw new ProductRecipeError({
          product: p.id,
          message: `pair.with "${p.pair.with}" uses other slots than ${p.id}; paired products share their slots`
        })
      }
      if (p.pair.rule === "within-days" && p.pair.maxDays === undefined) {
        throw new ProductRecipeError({
          product: p.id,
          message: "pair.rule within-days needs pair.maxDays"
        })
      }
      pair = { product: target, rule: p.pair.rule, maxDays: p.pair.maxDays ?? 0 }
    }
    const rule = slotSet?.rule ?? "least-cloudy"
    const composite = CompositeRule.isRule(rule)
      ? { rule, scale: p.composite?.scale ?? "dB", validCount: p.composite?.validCount ?? false }
      : undefined
    return {
      ...(pair === undefined ? {} : { pair }),
      ...(composite === undefined ? {} : { composite }),
      ...(kind === undefined ? {} : { kind, auth }),
      access,
      spec,
      preset,
      rules: {
        provider,
        ...(source === undefined ? {} : { source }),
        ...(alternateOf(recipe.sources[p.source]) === undefined
          ? {}
          : { preferAlternate: alternateOf(recipe.sources[p.source])! }),
        // A composite takes every acquisition, least cloudy first (the order first-valid fills in).
        select: CompositeRule.isRule(rule) ? "least-cloudy" : rule,
        ...(p.maxCloud === undefined ? {} : { maxCloud: p.maxCloud })
      },
      slots: slotsOf(recipe, slotsName, p.id),
      slotsName,
      bandIndex: bandRecipes.map((b) => (b.index ?? 1) - 1),
      maxNodata: p.maxNodata
    }
  })
  // Products an item reader reads for its own chips (a DEM for terrain correction).
  return plans.map((plan, i) => {
    const p = recipe.products[i]
    const base = p.preset === undefined ? undefined : presetOf(p.preset)
    const named = optionsOf(recipe, p, base, resolvePath)?.products ?? []
    if (named.length === 0) return plan
    return {
      ...plan,
      uses: Object.fromEntries(
        named.map((id) => [id, plans[recipe.products.findIndex((q) => q.id === id)]])
      )
    }
  })
}

// The checked reader options of a product (Recipe.parse has already reported any problem).
const optionsOf = (...args: Parameters<typeof readerOptionsOf>) => {
  const resolved = readerOptionsOf(...args)
  if (typeof resolved === "string")
    throw new ProductRecipeError({ product: args[1].id, message: resolved })
  return resolved
}
