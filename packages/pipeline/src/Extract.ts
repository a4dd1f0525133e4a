// Extraction of one chip: find the acquisition of a patch × product × slot, read every band onto the
// product's grid of the patch, and return the pixels or the reason there are none.
import { DType, PixelGrid, Reason, Redact, type Patch } from "@eoforge/core"
import type { RasterSource } from "@eoforge/raster"
import { Find, StacClient, type AssetSigner, type StacError } from "@eoforge/stac"
import type { SourceKind } from "@eoforge/sources"
import { Effect } from "effect"
import * as Composite from "./Composite.ts"
import * as ProductReads from "./internal/productReads.ts"
import { readAssets, storeBand } from "./internal/readAssets.ts"
import { readerOf } from "./internal/sourceKinds.ts"
import { clearMasked, countValid, fillInvalid } from "./internal/validity.ts"
import type { Opener } from "./Opener.ts"
import * as CloudMask from "./CloudMask.ts"

/** Opens a raster by URL or path (see Opener). */
export type { Opener } from "./Opener.ts"
import type { ProductPlan } from "./Products.ts"

/** Facts recorded beside every slot, with or without data. */
export interface SlotFacts {
  /** Acquisition instant, ms since 1970-01-01T00:00:00Z. */
  readonly acquired?: number
  /** Source item ids joined with `+` (mosaics). */
  readonly item?: string
  /** Cloud cover 0–1 of the chosen items (largest). */
  readonly cloud?: number
  /** Fraction of pixels without data, 0–1. */
  readonly nodata?: number
  /** Products with a declared radiometry: the item's processing baseline and the scale/offset it was read at. */
  readonly baseline?: string
  readonly scale?: number
  readonly offset?: number
  /** Products with a cloud mask: masked fraction 0–1 of the pixels with data, and its source (1 layer, 2 scene cover). */
  readonly patchCloud?: number
  readonly maskSource?: number
  /** What the source or item reader says about how the chip was made (geocoding, request). */
  readonly provenance?: SourceKind.Facts
}

/** A chip with data: band-major values of the product dtype and the per-pixel validity mask. */
export interface Data {
  readonly _tag: "Data"
  readonly data: DType.TypedArray
  readonly mask: Uint8Array
  readonly facts: SlotFacts
  /** The acquisition read (for pairing later products with it). */
  readonly found: Find.Found
  /** Composite slots: acquisitions valid at each pixel (uint16, [y, x]). */
  readonly count?: Uint16Array
  /** Class names by value of bands the recipe names none for, from the file's attribute table (PAM). */
  readonly classes?: Readonly<Record<string, Readonly<Record<string, string>>>>
}

/** No chip, and why. */
export interface Missing {
  readonly _tag: "Missing"
  readonly reason: Reason.Reason
  readonly detail: string
  readonly facts: SlotFacts
}

/** The outcome of one patch × product × slot. */
export type Outcome = Data | Missing

// Details are persisted (job records, reports): URLs in them keep no secrets (core Redact).
const missing = (reason: Reason.Reason, detail: string, facts: SlotFacts = {}): Missing => ({
  _tag: "Missing",
  reason,
  detail: Redact.inText(detail),
  facts
})

type ReadProduct = NonNullable<SourceKind.ReadRequest["readProduct"]>

// Another product of the recipe (a reader's DEM) for the same patch, read onto `grid` as float32 by bilinear
// resampling from its first slot, whatever its own stored dtype, resolution and resampling; once per patch,
// product and grid (internal/productReads.ts).
const readProductOf = Effect.fnUntraced(function* (
  patch: Patch.Patch,
  product: ProductPlan,
  open: Opener
) {
  const context = yield* Effect.context<
    StacClient.StacClient | AssetSigner.AssetSigner | RasterSource.RasterSource
  >()
  const read: ReadProduct = (id, grid) =>
    ProductReads.shared(
      patch,
      `${id} ${ProductReads.gridKey(grid)}`,
      () => readOnce(id, grid),
      // A failure that may pass (the catalogue or the file) is not kept: the next slot tries again.
      (r) =>
        r._tag === "Chip" ||
        (r.reason !== Reason.Reason.SourceError && r.reason !== Reason.Reason.ReadFailed)
    )
  const readOnce: ReadProduct = (id, grid) =>
    Effect.gen(function* () {
      const other = product.uses?.[id]
      if (other === undefined)
        return missing(
          Reason.Reason.SourceError,
          `product ${id} is not among those ${product.spec.id} reads`
        )
      const plan: ProductPlan = {
        ...other,
        spec: {
          ...other.spec,
          dtype: "float32",
          resolution: grid.resolution,
          bands: other.spec.bands.map((b) => ({ ...b, resampling: "bilinear" as const }))
        },
        // The reader decides what missing heights mean.
        maxNodata: 1
      }
      const outcome = yield* chip(patch, plan, 0, open).pipe(
        Effect.catch((e) =>
          Effect.succeed(missing(Reason.Reason.SourceError, `product ${id}: ${e.message}`))
        ),
        Effect.provideContext(context)
      )
      if (outcome._tag === "Missing")
        return missing(outcome.reason, `product ${id}: ${outcome.detail}`)
      return {
        _tag: "Chip",
        chip: {
          grid,
          dtype: "float32",
          bands: plan.spec.bands.length,
          data: outcome.data,
          mask: outcome.mask
        },
        facts: { item: outcome.facts.item ?? "" }
      } satisfies SourceKind.ReadChip
    })
  return read
})

// One acquisition's chip: the slot's best candidate not in `refused`, read and (with a cloud mask) masked.
const chipOnce = Effect.fnUntraced(function* (
  patch: Patch.Patch,
  product: ProductPlan,
  slotIndex: number,
  open: Opener,
  pairedWith: Find.Found | undefined,
  refused: ReadonlySet<string>
) {
  const slot = product.slots[slotIndex]
  const pair = product.pair
  if (pair !== undefined && pairedWith === undefined) {
    return missing(
      Reason.Reason.PairingFailed,
      "the product it pairs with has no acquisition in this slot"
    )
  }
  const rules: Find.Rules =
    pair === undefined || pairedWith === undefined
      ? product.rules
      : pair.rule === "same-datatake"
        ? { ...product.rules, sameDatatakeAs: pairedWith }
        : { ...product.rules, near: { found: pairedWith, maxDays: pair.maxDays } }
  const refusing: Find.Rules = refused.size === 0 ? rules : { ...rules, excludeItems: refused }
  if (product.composite !== undefined) {
    // Each scene is masked by the product's cloud mask in `read`; over maxPatchCloud it gives no pixels.
    const maxCloud = product.spec.cloudMask?.maxPatchCloud
    return yield* Composite.chip(patch, product, slot, rules, (found, p, into) =>
      read(patch, p, found, open, into).pipe(
        Effect.map((o) =>
          maxCloud !== undefined && o._tag === "Data" && (o.facts.patchCloud ?? 0) > maxCloud
            ? missing(
                Reason.Reason.TooCloudy,
                `${o.facts.item}: patch cloud ${((o.facts.patchCloud ?? 0) * 100).toFixed(1)} % > cloudMask.maxPatchCloud`,
                o.facts
              )
            : o
        )
      )
    )
  }
  const finding: Effect.Effect<
    Find.Found | Find.Missing,
    Find.FindError,
    StacClient.StacClient | AssetSigner.AssetSigner | RasterSource.RasterSource
  > =
    product.kind === undefined
      ? Find.find(patch, product.preset, slot, refusing)
      : product.kind.find({ patch, preset: product.preset, slot, rules: refusing })
  const found = yield* finding.pipe(
    Effect.catchTag("ItemError", (e: StacError.ItemError) =>
      Effect.succeed(
        missing(
          e.problem === "NotGeoTiff" || e.problem === "NoProjection" || e.problem === "NoTransform"
            ? Reason.Reason.Unsupported
            : Reason.Reason.SourceError,
          e.message
        )
      )
    )
  )
  if (found._tag === "Missing") return missing(found.reason, found.detail)
  return yield* read(patch, product, found, open)
})

/**
 * Arrays `read` may fill instead of allocating its own (a composite reads scene after scene into the same
 * pair, so its memory does not depend on how lazily the collector frees them); used when they fit.
 */
export interface Into {
  readonly data: DType.TypedArray
  readonly mask: Uint8Array
}

/**
 * The chip of one found acquisition: every band read onto the product's grid of `patch`, pixels without
 * data cleared in the mask; NotCovered when too little of the patch has data, read failures as reason codes.
 */
export const read = Effect.fnUntraced(function* (
  patch: Patch.Patch,
  product: ProductPlan,
  found: Find.Found,
  open: Opener,
  into?: Into
) {
  const facts: SlotFacts = {
    acquired: found.datetime,
    item: found.items.map((i) => i.id).join("+"),
    ...(found.cloud === undefined ? {} : { cloud: found.cloud / 100 })
  }
  const grid = PixelGrid.withResolution(patch.grid, product.spec.resolution)
  const n = grid.width * grid.height
  const bands = product.spec.bands
  const out =
    into?.data.length === bands.length * n && DType.of(into.data) === product.spec.dtype
      ? into.data.fill(0)
      : DType.alloc(product.spec.dtype, bands.length * n)
  const valid = into?.mask.length === n ? into.mask.fill(1) : new Uint8Array(n).fill(1)
  const custom =
    product.kind?.read ??
    (product.preset.reader === undefined ? undefined : readerOf(product.preset.reader)?.read)
  let provenance: SourceKind.Facts | undefined
  const state: Parameters<typeof readAssets>[6] = { classes: {} }
  if (product.preset.reader !== undefined && custom === undefined) {
    return missing(
      Reason.Reason.Unsupported,
      `no item reader "${product.preset.reader}" is registered in this build`,
      facts
    )
  }
  if (custom !== undefined) {
    // The source or the preset's item reader makes the whole chip (all bands at once).
    const result = yield* custom({
      found,
      grid,
      preset: product.preset,
      bands: bands.map((band, b) => ({
        name: band.name,
        index: product.bandIndex[b],
        resampling: band.resampling ?? "nearest"
      })),
      open,
      ...(product.uses === undefined
        ? {}
        : { readProduct: yield* readProductOf(patch, product, open) })
    })
    if (result._tag === "Missing") return missing(result.reason, result.detail, facts)
    bands.forEach((_, b) => {
      storeBand(
        product,
        result.chip.data.subarray(b * n, (b + 1) * n) as DType.TypedArray,
        b,
        out,
        valid
      )
    })
    const mask = result.chip.mask
    if (mask !== undefined) clearMasked(valid, mask, n)
    provenance = result.facts
  } else {
    const failure = yield* readAssets(found, grid, product, open, out, valid, state)
    if (failure !== undefined) return missing(failure.reason, failure.detail, facts)
  }
  let count = countValid(valid, n)
  const nodata = 1 - count / n
  let withNodata: SlotFacts = {
    ...facts,
    nodata,
    ...state.radiometry,
    ...(provenance === undefined ? {} : { provenance })
  }
  if (count === 0 || nodata > product.maxNodata) {
    return missing(
      Reason.Reason.NotCovered,
      `${(nodata * 100).toFixed(1)} % of the patch has no data in ${facts.item} (largest allowed ${(product.maxNodata * 100).toFixed(1)} %)`,
      withNodata
    )
  }
  const cloudMask = product.spec.cloudMask
  if (cloudMask !== undefined) {
    // Masked pixels are cleared like pixels without data; `nodata` above counts only the source's.
    const masked = yield* CloudMask.apply(cloudMask, found, grid, product, open, valid)
    if ("reason" in masked) return missing(masked.reason, masked.detail, withNodata)
    withNodata = { ...withNodata, patchCloud: masked.patchCloud, maskSource: masked.maskSource }
    count -= masked.cleared
    if (count === 0)
      return missing(
        Reason.Reason.TooCloudy,
        `the cloud mask removes every pixel with data of ${facts.item}`,
        withNodata
      )
  }
  // Pixels without data hold each band's nodata value, so readers that ignore the mask still see them.
  if (count < n) {
    bands.forEach((band, b) => fillInvalid(out, b * n, valid, n, band.nodata ?? 0))
  }
  return {
    _tag: "Data",
    data: out,
    mask: valid,
    facts: withNodata,
    found,
    ...(Object.keys(state.classes).length === 0 ? {} : { classes: state.classes })
  } satisfies Data
})

/**
 * The chip of `patch` for `product` in slot `slotIndex`. Catalogue and read failures become reason codes
 * (SourceError, ReadFailed) with a detail naming the item and asset; configuration errors (an unknown
 * collection, a server that is not STAC) fail. With a cloud mask's `maxPatchCloud`, candidates are read in
 * the slot rule's order and the first whose masked fraction is at most it is taken (at most `maxTries`);
 * when none is, the slot is TooCloudy with each candidate's fraction in the detail.
 */
export const chip = Effect.fnUntraced(function* (
  patch: Patch.Patch,
  product: ProductPlan,
  slotIndex: number,
  open: Opener,
  pairedWith?: Find.Found
) {
  const max = product.spec.cloudMask?.maxPatchCloud
  if (max === undefined) return yield* chipOnce(patch, product, slotIndex, open, pairedWith, none)
  const refused = new Set<string>()
  const tried: Array<string> = []
  // A composite is every scene of the window (those over the limit already skipped): refusing its items
  // and composing again would find the same scenes, so it is judged once.
  const tries = product.composite === undefined ? maxTries : 1
  for (let attempt = 0; attempt < tries; attempt++) {
    const outcome = yield* chipOnce(patch, product, slotIndex, open, pairedWith, refused)
    const cloud = outcome.facts.patchCloud
    // A candidate the mask clears entirely is TooCloudy already: refused like one over the limit.
    const over =
      cloud !== undefined &&
      (outcome._tag === "Missing" ? outcome.reason === Reason.Reason.TooCloudy : cloud > max)
    if (!over) {
      if (outcome._tag === "Data" || tried.length === 0) return outcome
      break
    }
    tried.push(`${outcome.facts.item} ${(cloud * 100).toFixed(1)} %`)
    const ids =
      outcome._tag === "Data"
        ? outcome.found.items.map((i) => i.id)
        : (outcome.facts.item ?? "").split("+")
    for (const id of ids) refused.add(id)
  }
  return missing(
    Reason.Reason.TooCloudy,
    `no candidate has a patch cloud fraction ≤ ${(max * 100).toFixed(1)} % (cloudMask.maxPatchCloud): ${tried.join(", ")}${tried.length === maxTries ? ` (gave up after ${maxTries})` : ""}`
  )
})

/** Candidates read at most per slot under `maxPatchCloud`. */
export const maxTries = 16

const none: ReadonlySet<string> = new Set()
