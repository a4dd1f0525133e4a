// A product preset: what to store (core ProductSpec) and where to find it (collection and asset per band, per provider).
// Custom products are described in a recipe with the `Custom` Schema and turned into presets with `fromCustom`.
import type { Band } from "@eoforge/core"
import { DType } from "@eoforge/core"
import { Schema } from "effect"

/** A catalogue provider id, e.g. `earth-search`, `planetary-computer`, or a custom one. */
export type ProviderId = string

/** Where one product lives at one provider. */
export interface Binding {
  /** STAC collection id. */
  readonly collection: string
  /** Asset key of each band, by band name. */
  readonly assets: Readonly<Record<string, string>>
}

/**
 * A per-pixel quality layer of a product's items from which a cloud mask is made: a class raster whose listed
 * values are masked (Sentinel-2 L2A `SCL`), a bitmask whose listed bits are (Earth Engine's L1C `QA60`: bit 10
 * opaque clouds, bit 11 cirrus), or a stack of 0/1 bands whose listed 1-based bands are (L1C `MSK_CLASSI` from
 * processing baseline 04.00: 1 opaque clouds, 2 cirrus, 3 snow and ice).
 */
export interface MaskLayer {
  readonly kind: "classes" | "bits" | "bands"
  /** Asset key by provider id; `default` for other catalogues. */
  readonly assets: Readonly<Record<ProviderId, string>>
  /** Values (classes), bit positions (bits, 0 = least significant) or 1-based bands masked by default. */
  readonly values: ReadonlyArray<number>
  /** Native pixel size in metres (nearest-neighbour onto finer grids, mode onto coarser ones). */
  readonly resolution: number
  /** The layer applies to items of processing baseline ≥ this (`s2:processing_baseline`, `04.00`). */
  readonly fromBaseline?: string
  /** The layer applies to items of processing baseline < this. */
  readonly untilBaseline?: string
}

/** A product and its bindings to catalogues. */
export interface Preset {
  readonly spec: Band.ProductSpec
  readonly bindings: Readonly<Record<ProviderId, Binding>>
  /** Whether items carry `eo:cloud_cover` (optical products); cloud rules apply only then. */
  readonly cloudy: boolean
  /**
   * Whether assets must be map-projected (proj:epsg/proj:code and proj:transform). False for products
   * delivered in sensor geometry with ground control points (Sentinel-1 GRD).
   */
  readonly projected: boolean
  /** Item property equalities added to every search, e.g. `sat:orbit_state`. */
  readonly equals?: Readonly<Record<string, string | number>>
  /** How stored values relate to delivered ones: `dB` means 10·log10 of the linear value is stored. */
  readonly valueTransform: "none" | "dB"
  /**
   * The item reader that turns an acquisition into the chip (`@eoforge/sources` ItemReader, e.g. a SAR
   * geocoder); absent: each band's asset is read onto the grid as a raster.
   */
  readonly reader?: string
  /** Options handed to the item reader (e.g. the Sentinel-1 reader's `dem`). */
  readonly readerOptions?: Readonly<Record<string, string | number | boolean>>
  /**
   * Polarisations every item must carry (`sar:polarizations`); items lacking one are skipped, and a slot whose
   * items all lack one is PolarisationMissing.
   */
  readonly polarisations?: ReadonlyArray<string>
  /** Quality layers a recipe's `cloudMask` reads (first one whose baseline range holds the item's). */
  readonly cloudMask?: ReadonlyArray<MaskLayer>
}

/** Schema of a custom product in a recipe. */
export const Custom = Schema.Struct({
  /** Group name in the store. */
  id: Schema.NonEmptyString,
  /** Provider id the collection belongs to. */
  provider: Schema.NonEmptyString,
  /** STAC collection id. */
  collection: Schema.NonEmptyString,
  /** Bands in stored order with their asset keys. */
  bands: Schema.NonEmptyArray(
    Schema.Struct({
      name: Schema.NonEmptyString,
      asset: Schema.NonEmptyString,
      description: Schema.optional(Schema.String),
      unit: Schema.optional(Schema.String)
    })
  ),
  dtype: DType.DType,
  /** Pixel size on the patch grid in metres. */
  resolution: Schema.Finite.check(Schema.isGreaterThan(0)),
  nodata: Schema.optional(Schema.Finite),
  /** Whether items carry eo:cloud_cover. */
  cloudy: Schema.optional(Schema.Boolean),
  /** Whether assets must be map-projected (default true). */
  projected: Schema.optional(Schema.Boolean),
  license: Schema.optional(Schema.String)
})
/** A custom product in a recipe. */
export type Custom = typeof Custom.Type

/** The preset of a custom product. */
export const fromCustom = (c: Custom): Preset => ({
  spec: {
    id: c.id,
    dtype: c.dtype,
    resolution: c.resolution,
    source: c.collection,
    ...(c.license === undefined ? {} : { license: c.license }),
    bands: c.bands.map((b) => ({
      name: b.name,
      ...(b.description === undefined ? {} : { description: b.description }),
      ...(b.unit === undefined ? {} : { unit: b.unit }),
      ...(c.nodata === undefined ? {} : { nodata: c.nodata })
    }))
  },
  bindings: {
    [c.provider]: {
      collection: c.collection,
      assets: Object.fromEntries(c.bands.map((b) => [b.name, b.asset]))
    }
  },
  cloudy: c.cloudy ?? false,
  projected: c.projected ?? true,
  valueTransform: "none"
})

/** The binding of a preset at a provider, or undefined when the provider does not carry it. */
export const binding = (preset: Preset, provider: ProviderId): Binding | undefined =>
  preset.bindings[provider]
