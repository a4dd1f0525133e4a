// The input of @eoforge/croissant: a plain, Schema-validated description of a built dataset store.
// The pipeline maps a store's metadata (root attributes, arrays, statistics) into it; nothing here does I/O.
import { Schema } from "effect"
import { Band, Reason } from "@eoforge/core"
import {
  InvalidDescription,
  MissingBandMetadata,
  MissingShardFiles,
  MissingStatistics,
  MissingStoreFile
} from "./CroissantError.ts"

const noWhitespace = Schema.NonEmptyString.check(
  Schema.isPattern(/^\S+$/, { message: "must contain no whitespace (it becomes a JSON-LD @id)" })
)
const Count = Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))

/** Schema of a person or organisation credited as creator. */
export const Creator = Schema.Struct({
  type: Schema.Literals(["Person", "Organization"]),
  name: Schema.NonEmptyString,
  url: Schema.optional(Schema.String)
})
/** A creator of the dataset. */
export type Creator = typeof Creator.Type

/** Schema of one upstream source whose licence travels with the dataset. */
export const Source = Schema.Struct({
  /** Short name, e.g. `Copernicus Sentinel-2 L2A`. */
  name: Schema.NonEmptyString,
  /** Landing page or catalogue URL. */
  url: Schema.optional(Schema.String),
  /**
   * Licence: SPDX id or URL of the licence text. Omit it when the licence is not known: the source then
   * adds nothing to the dataset's `license` list and the card says "licence not stated".
   */
  license: Schema.optional(Schema.NonEmptyString),
  /** Attribution text the licence requires, quoted verbatim in the card and Croissant. */
  attribution: Schema.NonEmptyString
})
/** An upstream source. */
export type Source = typeof Source.Type

/** Schema of a named acquisition window; dates are ISO 8601 (inclusive start, exclusive end). */
export const TimeSlot = Schema.Struct({
  name: Schema.NonEmptyString,
  start: Schema.NonEmptyString,
  end: Schema.NonEmptyString
})
/** A named acquisition window. */
export type TimeSlot = typeof TimeSlot.Type

/** Schema of the scene-level cloud threshold applied when choosing acquisitions of a product. */
export const CloudThreshold = Schema.Struct({
  product: Schema.NonEmptyString,
  /** Scenes with cloud cover at or above this percentage (0–100) were rejected. */
  maxCloudPercent: Schema.Finite
})
/** A cloud threshold. */
export type CloudThreshold = typeof CloudThreshold.Type

/** Schema of one metadata or index file of the store, hashed by the caller. */
export const StoreFile = Schema.Struct({
  /** Path relative to the store root, `/`-separated, e.g. `s2l2a/data/zarr.json`. */
  path: noWhitespace,
  /** Size in bytes. */
  size: Count,
  /** SHA-256 of the content, 64 lowercase hex digits. */
  sha256: Schema.String.check(
    Schema.isPattern(/^[0-9a-f]{64}$/, { message: "must be 64 lowercase hex digits" })
  ),
  /** MIME type; derived from the extension (`.json`, `.csv`, `.parquet`, …) when absent. */
  encodingFormat: Schema.optional(Schema.NonEmptyString)
})
/** A hashed store file. */
export type StoreFile = typeof StoreFile.Type

/** Schema of the shard (or chunk) files of one Zarr array, as glob patterns relative to the store root. */
export const ShardFiles = Schema.Struct({
  /** Array path in the store, e.g. `s2l2a/data` or `samples/lon`. */
  array: noWhitespace,
  /** Glob patterns of its shard files, e.g. `s2l2a/data/c/**`. */
  includes: Schema.NonEmptyArray(noWhitespace)
})
/** Shard files of one array. */
export type ShardFiles = typeof ShardFiles.Type

/** Schema of the store: where it lies relative to the Croissant file, and its files. */
export const Store = Schema.Struct({
  /** Path of the store directory relative to the Croissant file, e.g. `demo.zarr`. */
  path: noWhitespace,
  /** Every `zarr.json` and index file with size and SHA-256. */
  files: Schema.Array(StoreFile),
  /** Shard files per array. */
  shards: Schema.Array(ShardFiles),
  /**
   * Top-level Zarr groups (`samples`, one per product): the `store` FileSet lists exactly these (and the
   * root zarr.json), never the Croissant file or build records beside them. Default: from `shards`.
   */
  groups: Schema.optional(Schema.Array(noWhitespace))
})
/** The store layout. */
export type Store = typeof Store.Type

/** Schema of the sample counts: all samples and per split (guard samples belong to no split). */
export const Samples = Schema.Struct({
  count: Count,
  train: Count,
  val: Count,
  test: Count,
  guard: Count
})
/** Sample counts. */
export type Samples = typeof Samples.Type

/** Schema of a product as stored: the core ProductSpec plus its CRS note and array shape. */
export const Product = Schema.Struct({
  ...Band.ProductSpec.fields,
  /** How pixels are referenced, e.g. `per-patch UTM/UPS`. */
  crs: Schema.NonEmptyString,
  /** Shape of `data`: [samples, times, bands, height, width]. */
  shape: Schema.Tuple([Count, Count, Count, Count, Count])
})
/** A stored product. */
export type Product = typeof Product.Type

/** Schema of a reason-code name of `@eoforge/core` (`Ok`, `TooCloudy`, …). */
export const ReasonName = Schema.Literals(
  Reason.all.map(([name]) => name) as unknown as readonly [string, ...Array<string>]
)

/** Schema of how many patch × time slots of a product ended with a reason code. */
export const Availability = Schema.Struct({
  product: Schema.NonEmptyString,
  slot: Schema.NonEmptyString,
  reason: ReasonName,
  count: Count
})
/** One availability count. */
export type Availability = typeof Availability.Type

/** Schema of a percentile: `percent` in 0–100 and its value in stored units. */
export const Percentile = Schema.Struct({ percent: Schema.Finite, value: Schema.Finite })
/** A percentile. */
export type Percentile = typeof Percentile.Type

/** Schema of the split names statistics are computed over. */
export const StatsSplit = Schema.Literals(["train", "val", "test"])
/** A split name of statistics. */
export type StatsSplit = typeof StatsSplit.Type

/** Schema of the statistics of one product band over one split, in stored units (before scale/offset). */
export const BandStatistics = Schema.Struct({
  product: Schema.NonEmptyString,
  band: Schema.NonEmptyString,
  split: StatsSplit,
  count: Count,
  mean: Schema.Finite,
  std: Schema.Finite.check(Schema.isGreaterThanOrEqualTo(0)),
  min: Schema.Finite,
  max: Schema.Finite,
  percentiles: Schema.Array(Percentile)
})
/** Statistics of one band over one split. */
export type BandStatistics = typeof BandStatistics.Type

/** Schema of a band (or every band of a product) that has no train statistics, and why. */
export const StatisticsUnavailable = Schema.Struct({
  product: Schema.NonEmptyString,
  /** The band; absent when the note covers every band of the product. */
  band: Schema.optional(Schema.NonEmptyString),
  /** Why, in words, e.g. `no chip holds data (NoItemInWindow: 24)`. */
  reason: Schema.NonEmptyString
})
/** A band without statistics and the reason. */
export type StatisticsUnavailable = typeof StatisticsUnavailable.Type

/** Schema of the whole description of a built dataset. */
export const DatasetDescription = Schema.Struct({
  /** Machine name, e.g. `eoforge-demo`. */
  name: Schema.NonEmptyString,
  /** Human title used as the card's pretty name. */
  title: Schema.optional(Schema.NonEmptyString),
  description: Schema.NonEmptyString,
  /** The dataset's landing page (http/https); required for publication, omitted from drafts. */
  url: Schema.optional(
    Schema.String.check(
      Schema.isPattern(/^https?:\/\/\S+$/, {
        message: "must be an http(s) URL of the dataset's page"
      })
    )
  ),
  version: Schema.NonEmptyString,
  /** Licence of the dataset itself: SPDX id (e.g. `CC-BY-4.0`) or URL. */
  license: Schema.NonEmptyString,
  creators: Schema.NonEmptyArray(Creator),
  /** Publication date, ISO 8601, passed in by the caller (never read from a clock here). */
  datePublished: Schema.NonEmptyString,
  /** Citation, preferably BibTeX. */
  citeAs: Schema.NonEmptyString,
  keywords: Schema.Array(Schema.String),
  /** Hugging Face task categories for the card, e.g. `image-segmentation`. */
  taskCategories: Schema.optional(Schema.Array(Schema.NonEmptyString)),
  /** Intended uses, one sentence each, for the card and `rai:dataUseCases`. */
  uses: Schema.optional(Schema.Array(Schema.NonEmptyString)),
  sources: Schema.NonEmptyArray(Source),
  sampling: Schema.Struct({
    /** The sampling rule in words, e.g. `Gaussian (σ = 50 km) around the 10,000 most populous cities`. */
    rule: Schema.NonEmptyString,
    seed: Schema.Int
  }),
  timeSlots: Schema.NonEmptyArray(TimeSlot),
  /** First and last acquisition instant over every chip with data (ISO 8601): the temporal coverage. */
  acquired: Schema.optional(
    Schema.Struct({ first: Schema.NonEmptyString, last: Schema.NonEmptyString })
  ),
  /** Bounding box of every patch, [west, south, east, north] in WGS 84 degrees: the spatial coverage. */
  bbox: Schema.optional(Schema.Tuple([Schema.Finite, Schema.Finite, Schema.Finite, Schema.Finite])),
  cloudThresholds: Schema.Array(CloudThreshold),
  store: Store,
  /**
   * The CSV index files (paths relative to the store root, each also in `store.files`): one row per
   * sample, and per product one row per sample × time slot. Croissant's record sets load from these.
   */
  index: Schema.Struct({
    samples: noWhitespace,
    products: Schema.Record(Schema.String, noWhitespace)
  }),
  samples: Samples,
  products: Schema.NonEmptyArray(Product),
  availability: Schema.Array(Availability),
  statistics: Schema.Array(BandStatistics),
  /** Bands without train statistics and why (no data, every train pixel nodata, no train sample). */
  statisticsUnavailable: Schema.optional(Schema.Array(StatisticsUnavailable))
})
/** A description of a built dataset. */
export type DatasetDescription = typeof DatasetDescription.Type

/** Arrays every store holds under `samples/`, in the order Croissant lists them. */
export const sampleArrays: ReadonlyArray<string> = ["id", "lon", "lat", "epsg", "x0", "y0", "split"]
/** Arrays every product group holds, in the order Croissant lists them. */
export const productArrays: ReadonlyArray<string> = [
  "data",
  "valid",
  "reason",
  "acquired",
  "item",
  "cloud",
  "nodata"
]

/**
 * Decodes and checks a description. Throws InvalidDescription (schema), MissingBandMetadata,
 * MissingStatistics, MissingStoreFile or MissingShardFiles naming what is missing.
 */
export const decode = (input: unknown): DatasetDescription => {
  let d: DatasetDescription
  try {
    d = Schema.decodeUnknownSync(DatasetDescription)(input)
  } catch (cause) {
    throw new InvalidDescription({ detail: String((cause as Error).message ?? cause), cause })
  }
  check(d)
  return d
}

/** Checks the cross-field rules of an already typed description (throws like `decode`). */
export const check = (d: DatasetDescription): void => {
  for (const p of d.products) {
    if (p.bands.length === 0) {
      throw new MissingBandMetadata({
        product: p.id,
        detail: "it lists no bands; give every band's name (and wavelength/polarisation, unit)"
      })
    }
    if (p.bands.length !== p.shape[2]) {
      throw new MissingBandMetadata({
        product: p.id,
        detail: `it lists ${p.bands.length} bands but its data has ${p.shape[2]} (shape[2]); describe every stored band in order`
      })
    }
  }
  // A product whose availability records no chip at all (every slot has a reason code) has nothing
  // to compute statistics from; every other product needs train statistics for every band.
  const empty = new Set(
    d.products
      .filter((p) => {
        const rows = d.availability.filter((a) => a.product === p.id)
        return rows.length > 0 && rows.every((a) => a.reason !== "Ok" || a.count === 0)
      })
      .map((p) => p.id)
  )
  // A band may also lack statistics for a stated reason (every train pixel nodata, no train sample).
  const unavailable = d.statisticsUnavailable ?? []
  const explained = (product: string, band: string) =>
    unavailable.some((u) => u.product === product && (u.band === undefined || u.band === band))
  const have = new Set(d.statistics.map((s) => `${s.product}/${s.band}/${s.split}`))
  const missing: Array<string> = []
  for (const p of d.products) {
    if (empty.has(p.id)) continue
    for (const b of p.bands) {
      if (!have.has(`${p.id}/${b.name}/train`) && !explained(p.id, b.name)) {
        missing.push(`${p.id}/${b.name}/train`)
      }
    }
  }
  if (missing.length > 0 && d.statistics.length === 0) {
    throw new MissingStatistics({
      missing: ["all products: the description has no statistics and states no reason"]
    })
  }
  if (missing.length > 0) throw new MissingStatistics({ missing })
  for (const path of [
    "zarr.json",
    d.index.samples,
    ...d.products.map((p) => d.index.products[p.id] ?? `index file of ${p.id}`)
  ]) {
    if (!d.store.files.some((f) => f.path === path)) {
      throw new MissingStoreFile({ store: d.store.path, path })
    }
  }
  const arrays = new Set(d.store.shards.map((s) => s.array))
  const needed = [
    ...sampleArrays.map((a) => `samples/${a}`),
    ...d.products.flatMap((p) => productArrays.map((a) => `${p.id}/${a}`))
  ]
  const absent = needed.filter((a) => !arrays.has(a))
  if (absent.length > 0) throw new MissingShardFiles({ arrays: absent })
}
