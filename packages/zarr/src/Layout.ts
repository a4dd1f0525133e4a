// The shape of a dataset store: samples, products, shards, and every zarr.json document they imply.
// `create` writes the hierarchy metadata; `read` recovers the layout from a store's root attributes.
import { type Band, DType, Reason, Split } from "@eoforge/core"
import { Effect } from "effect"
import { createHash } from "node:crypto"
import * as Codec from "./Codec.ts"
import * as Limits from "./internal/layoutLimits.ts"
import * as Metadata from "./Metadata.ts"
import { Store } from "./Store.ts"
import { InvalidStoreError, LayoutError, NotAStoreError, type StoreError } from "./ZarrError.ts"

/** One product in the store: its spec, time slots, chip size and compression. */
export interface ProductLayout {
  readonly spec: Band.ProductSpec
  /** Time slots per sample (e.g. 4 seasons). */
  readonly times: number
  /** Chip rows (y) at the product resolution. */
  readonly height: number
  /** Chip columns (x) at the product resolution. */
  readonly width: number
  /** Chunk compression; zstd level 1 by default. */
  readonly compression: Codec.Compression
  /** A `count` array beside `data`: valid observations per pixel of composite slots (uint16 [sample, time, y, x]). */
  readonly count?: boolean
}

/** Licence and attribution of one source. */
export interface Licence {
  readonly source: string
  readonly license: string
  readonly attribution?: string | undefined
}

/** Root attributes supplied by the caller (the library never reads the clock). */
export interface RootAttributes {
  readonly eoforgeVersion: string
  /** The resolved recipe, as JSON. */
  readonly recipe: unknown
  readonly seed: number | string
  /** Creation instant, ISO-8601, supplied by the caller. */
  readonly createdAt: string
  readonly licences: ReadonlyArray<Licence>
}

/** A whole store layout. */
export interface Layout {
  /** Number of samples (patches). */
  readonly samples: number
  /** Samples per shard: the data shard holds this many samples × all times; small arrays align to it. */
  readonly shardSamples: number
  /** Whether `data` uses the sharding codec (true) or one file per chip (false). */
  readonly sharded: boolean
  readonly products: ReadonlyArray<ProductLayout>
  readonly attributes: RootAttributes
}

/** Input of `make`: compression and shard size may be left to defaults. */
export interface LayoutInput {
  readonly samples: number
  readonly shardSamples?: number
  readonly sharded?: boolean
  readonly products: ReadonlyArray<
    Omit<ProductLayout, "compression"> & { readonly compression?: Codec.Compression }
  >
  readonly attributes: RootAttributes
}

/** Names of the per-slot arrays of a product group, besides `data`. */
export const slotArrays = ["valid", "reason", "acquired", "item", "cloud", "nodata"] as const
/** Per-slot arrays of products that declare a radiometry: the source baseline, scale and offset of each chip. */
export const radiometryArrays = ["baseline", "scale", "offset"] as const
/** Per-slot arrays of products with a per-pixel cloud mask: the masked fraction and what it came from. */
export const cloudMaskArrays = ["patchCloud", "maskSource"] as const
/** A per-slot array name. */
export type SlotArray =
  (typeof slotArrays)[number] | (typeof radiometryArrays)[number] | (typeof cloudMaskArrays)[number]

/** `maskSource` codes: how a chip's `patchCloud` was made. */
export const maskSources = { none: 0, layer: 1, sceneCover: 2 } as const

/**
 * The per-slot arrays of product `p` (the radiometry ones only when its spec declares a radiometry, the cloud
 * mask ones only when it declares a cloud mask).
 */
export const slotArraysOf = (p: Pick<ProductLayout, "spec">): ReadonlyArray<SlotArray> => [
  ...slotArrays,
  ...(p.spec.radiometry === undefined ? [] : radiometryArrays),
  ...(p.spec.cloudMask === undefined ? [] : cloudMaskArrays)
]

/** Names of the per-sample arrays of the `samples` group. */
export const sampleArrays = ["id", "lon", "lat", "epsg", "x0", "y0", "split"] as const
/** A per-sample array name. */
export type SampleArray = (typeof sampleArrays)[number]

/** Bytes of one chip of a product. */
export const chipBytes = (p: ProductLayout, dtypeSize: number): number =>
  p.spec.bands.length * p.height * p.width * dtypeSize

/** Samples per shard so that the largest product's shard holds about `targetBytes` uncompressed (128 MiB). */
export const defaultShardSamples = (
  products: LayoutInput["products"],
  targetBytes = 128 * 1024 * 1024
): number => {
  let perSample = 0
  for (const p of products) {
    perSample = Math.max(
      perSample,
      p.times * p.spec.bands.length * p.height * p.width * DType.byteSize(p.spec.dtype)
    )
  }
  if (perSample === 0) return 1
  // Tiny chips would otherwise make shards of millions of chunks (a 16-byte index entry each).
  const times = Math.max(1, ...products.map((p) => p.times))
  return Math.max(
    1,
    Math.min(Math.floor(targetBytes / perSample), Math.floor(Limits.maxChunksPerShard / times))
  )
}

/** Limits every layout respects (checked by `make` and when a store is opened). */
export const limits = {
  samples: Limits.maxSamples,
  shards: Limits.maxShards,
  chunksPerShard: Limits.maxChunksPerShard,
  products: Limits.maxProducts,
  bands: Limits.maxBands,
  times: Limits.maxTimes,
  side: Limits.maxSide,
  chipBytes: Limits.maxChipBytes
} as const

/** A validated layout with defaults filled in. */
export const make = (input: LayoutInput): Effect.Effect<Layout, LayoutError> =>
  Effect.gen(function* () {
    const bad = (message: string) => Effect.fail(new LayoutError({ message }))
    if (!Number.isInteger(input.samples) || input.samples < 1)
      return yield* bad(`samples must be a positive integer, got ${input.samples}`)
    const shardSamples = input.shardSamples ?? defaultShardSamples(input.products)
    if (!Number.isInteger(shardSamples) || shardSamples < 1)
      return yield* bad(`shardSamples must be a positive integer, got ${shardSamples}`)
    const ids = new Set<string>()
    for (const p of input.products) {
      const id = p.spec.id
      if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(id) || id === "samples")
        return yield* bad(
          `product id "${id}" is not a valid group name: use letters, digits, _ . - and not "samples"`
        )
      if (ids.has(id))
        return yield* bad(`product id "${id}" appears twice: product ids must be unique`)
      ids.add(id)
      if (p.spec.bands.length < 1) return yield* bad(`product "${id}" has no bands`)
      for (const [k, v] of [
        ["times", p.times],
        ["height", p.height],
        ["width", p.width]
      ] as const) {
        if (!Number.isInteger(v) || v < 1)
          return yield* bad(`product "${id}": ${k} must be a positive integer, got ${v}`)
      }
    }
    const layout: Layout = {
      samples: input.samples,
      shardSamples,
      sharded: input.sharded ?? true,
      products: input.products.map((p) => ({
        ...p,
        compression: p.compression ?? Codec.defaultCompression
      })),
      attributes: input.attributes
    }
    const problem = Limits.problemOf(layout)
    if (problem !== undefined) return yield* bad(`layout ${problem.key}: ${problem.message}`)
    return layout
  })

/**
 * The identity of what a store holds, whatever its creation instant: a sha256 (hex) of the layout with
 * the recipe, seed and version. Two builds may share a store only when their fingerprints are equal.
 */
export const fingerprint = (layout: Layout): string =>
  createHash("sha256")
    .update(JSON.stringify({ ...layout, attributes: { ...layout.attributes, createdAt: "" } }))
    .digest("hex")

/** Number of shards (jobs) along the sample dimension. */
export const shardCount = (layout: Layout): number =>
  Math.ceil(layout.samples / layout.shardSamples)

/** The shard holding a sample. */
export const shardOf = (layout: Layout, sample: number): number =>
  Math.floor(sample / layout.shardSamples)

/** The samples [start, end) of a shard. */
export const shardRange = (layout: Layout, shard: number): readonly [number, number] => [
  shard * layout.shardSamples,
  Math.min(layout.samples, (shard + 1) * layout.shardSamples)
]

/** The product of a layout by id. */
export const product = (layout: Layout, id: string): Effect.Effect<ProductLayout, LayoutError> => {
  const p = layout.products.find((q) => q.spec.id === id)
  return p === undefined
    ? Effect.fail(
        new LayoutError({
          message: `no product "${id}" in this store; products are: ${layout.products.map((q) => q.spec.id).join(", ")}`
        })
      )
    : Effect.succeed(p)
}

/** The fill value of a product's `data`: the bands' common nodata, else 0 (NaN for floats). */
export const dataFill = (p: ProductLayout): number => {
  const nd = p.spec.bands.map((b) => b.nodata)
  if (nd[0] !== undefined && nd.every((v) => v === nd[0])) return nd[0]
  return p.spec.dtype === "float32" || p.spec.dtype === "float64" ? NaN : 0
}

type ArrayMeta = {
  readonly dataType: Metadata.DataType
  readonly fill: number | string | bigint
  readonly attributes: Record<string, unknown>
}

/** Codes and names as CF `flag_values` / `flag_meanings` (names joined by spaces, so no spaces inside). */
const flags = (pairs: ReadonlyArray<readonly [string, number]>) => ({
  flag_values: pairs.map(([, v]) => v),
  flag_meanings: pairs.map(([n]) => n.replace(/\s+/g, "_")).join(" ")
})

const nanFill = (dataType: Metadata.DataType) => Metadata.cfFillValue(NaN, dataType)

// `_FillValue` attributes are what xarray masks with on Zarr v3 (it ignores the array's fill_value
// unless asked); arrays whose fill is a meaningful code (valid, reason, split) carry none.
const slotMeta: Record<SlotArray, ArrayMeta> = {
  valid: {
    dataType: "uint8",
    fill: 0,
    attributes: {
      long_name: "chip present",
      description: "1 = chip present, 0 = missing",
      ...flags([
        ["missing", 0],
        ["present", 1]
      ]),
      coordinates: "slot"
    }
  },
  reason: {
    dataType: "uint8",
    fill: 1,
    attributes: {
      long_name: "reason code of the slot",
      description: "reason code of the slot (0 Ok, 1 Pending, …), see @eoforge/core Reason",
      ...flags(Reason.all),
      coordinates: "slot"
    }
  },
  acquired: {
    dataType: "int64",
    fill: Metadata.int64Min,
    attributes: {
      long_name: "acquisition instant",
      description:
        "acquisition instant of the chip; int64 minimum (NaT) where the slot holds no chip",
      units: "milliseconds since 1970-01-01T00:00:00",
      calendar: "proleptic_gregorian",
      _FillValue: Metadata.int64Min,
      coordinates: "slot"
    }
  },
  item: {
    dataType: "string",
    fill: "",
    attributes: {
      long_name: "source item id(s) of the chip",
      description: "source item id(s) of the chip, empty where missing",
      coordinates: "slot"
    }
  },
  cloud: {
    dataType: "float32",
    fill: NaN,
    attributes: {
      long_name: "cloud fraction of the chip",
      description: "cloud fraction of the chip, 0–1",
      units: "1",
      valid_range: [0, 1],
      _FillValue: nanFill("float32"),
      coordinates: "slot"
    }
  },
  baseline: {
    dataType: "string",
    fill: "",
    attributes: {
      long_name: "processing baseline of the chip's source item",
      description:
        "processing baseline of the source item (s2:processing_baseline or processing:version), empty where unknown or missing",
      coordinates: "slot"
    }
  },
  scale: {
    dataType: "float64",
    fill: NaN,
    attributes: {
      long_name: "source scale of the chip",
      description:
        "scale the source item declared (or its baseline implies): physical = read × scale + offset; the stored values were converted to the product's scale and offset (group attributes)",
      _FillValue: nanFill("float64"),
      coordinates: "slot"
    }
  },
  offset: {
    dataType: "float64",
    fill: NaN,
    attributes: {
      long_name: "source offset of the chip",
      description: "offset the source item declared (or its baseline implies), see scale",
      _FillValue: nanFill("float64"),
      coordinates: "slot"
    }
  },
  patchCloud: {
    dataType: "float32",
    fill: NaN,
    attributes: {
      long_name: "masked cloud fraction of the chip",
      description:
        "fraction 0–1 of the chip's pixels with data that the cloud mask (after dilation) removed; the scene's cloud cover where maskSource is 2 (the item had no quality layer); NaN where missing",
      units: "1",
      valid_range: [0, 1],
      _FillValue: nanFill("float32"),
      coordinates: "slot"
    }
  },
  maskSource: {
    dataType: "uint8",
    fill: 0,
    attributes: {
      long_name: "source of patchCloud",
      description:
        "0 no chip, 1 the item's quality layer (per-pixel mask applied), 2 the scene's cloud cover (fallback: no quality layer, no pixel masked)",
      ...flags([
        ["none", 0],
        ["quality_layer", 1],
        ["scene_cover", 2]
      ]),
      coordinates: "slot"
    }
  },
  nodata: {
    dataType: "float32",
    fill: NaN,
    attributes: {
      long_name: "nodata fraction of the chip",
      description: "nodata fraction of the chip, 0–1",
      units: "1",
      valid_range: [0, 1],
      _FillValue: nanFill("float32"),
      coordinates: "slot"
    }
  }
}

const sampleMeta: Record<SampleArray, ArrayMeta> = {
  id: { dataType: "string", fill: "", attributes: { description: "stable patch id" } },
  lon: {
    dataType: "float64",
    fill: NaN,
    attributes: {
      standard_name: "longitude",
      units: "degrees_east",
      description: "patch centre, WGS 84",
      _FillValue: nanFill("float64")
    }
  },
  lat: {
    dataType: "float64",
    fill: NaN,
    attributes: {
      standard_name: "latitude",
      units: "degrees_north",
      description: "patch centre, WGS 84",
      _FillValue: nanFill("float64")
    }
  },
  epsg: {
    dataType: "int32",
    fill: 0,
    attributes: { description: "EPSG code of the patch CRS (0 = PROJ string)" }
  },
  x0: {
    dataType: "float64",
    fill: NaN,
    attributes: {
      units: "m",
      description: "upper-left corner easting, patch CRS",
      _FillValue: nanFill("float64")
    }
  },
  y0: {
    dataType: "float64",
    fill: NaN,
    attributes: {
      units: "m",
      description: "upper-left corner northing, patch CRS",
      _FillValue: nanFill("float64")
    }
  },
  split: {
    dataType: "uint8",
    fill: 255,
    attributes: {
      description: "0 train, 1 val, 2 test, 255 guard/unused",
      ...flags(Object.entries(Split.Split))
    }
  }
}

/** The data type and fill value of a per-slot array. */
export const slotArray = (name: SlotArray) => slotMeta[name]
/** The data type and fill value of a per-sample array. */
export const sampleArray = (name: SampleArray) => sampleMeta[name]

const scalarCodecs = (
  dataType: Metadata.DataType,
  c: Codec.Compression
): ReadonlyArray<Metadata.CodecEntry> => [
  dataType === "string" ? Metadata.vlenUtf8Codec : Metadata.bytesCodec,
  ...Codec.metadata(c)
]

/** The `data` array document of a product. */
export const dataMetadata = (layout: Layout, p: ProductLayout): Metadata.ArrayMetadata => {
  const B = p.spec.bands.length
  const inner = [1, 1, B, p.height, p.width]
  const innerCodecs = [Metadata.bytesCodec, ...Codec.metadata(p.compression)]
  return Metadata.array({
    shape: [layout.samples, p.times, B, p.height, p.width],
    dataType: p.spec.dtype,
    chunkShape: layout.sharded ? [layout.shardSamples, p.times, B, p.height, p.width] : inner,
    fillValue: dataFill(p),
    codecs: layout.sharded ? [Metadata.shardingCodec(inner, innerCodecs)] : innerCodecs,
    dimensionNames: ["sample", "time", "band", "y", "x"],
    attributes: dataAttributes(p)
  })
}

/** The `count` array document of a product (composite slots: valid observations per pixel). */
export const countMetadata = (layout: Layout, p: ProductLayout): Metadata.ArrayMetadata => {
  const inner = [1, 1, p.height, p.width]
  const innerCodecs = [Metadata.bytesCodec, ...Codec.metadata(p.compression)]
  return Metadata.array({
    shape: [layout.samples, p.times, p.height, p.width],
    dataType: "uint16",
    chunkShape: layout.sharded ? [layout.shardSamples, p.times, p.height, p.width] : inner,
    fillValue: 0,
    codecs: layout.sharded ? [Metadata.shardingCodec(inner, innerCodecs)] : innerCodecs,
    dimensionNames: ["sample", "time", "y", "x"],
    attributes: {
      long_name: "valid observations per pixel",
      description:
        "acquisitions of the slot's window whose mask is valid at the pixel (composite slots; 0 where the slot has no chip)",
      coordinates: "slot"
    }
  })
}

/** A value every band shares, or undefined. */
const common = <T>(values: ReadonlyArray<T | undefined>): T | undefined =>
  values.length > 0 && values[0] !== undefined && values.every((v) => v === values[0])
    ? values[0]
    : undefined

/**
 * CF attributes of a product's `data` as xarray's decoder reads them: `_FillValue` when the bands share a
 * nodata value (NaN for float products without one), `scale_factor`/`add_offset`/`units` when shared, and
 * `flag_values`/`flag_meanings` for a class band. Per-band values stay in the group attributes.
 */
export const dataAttributes = (p: ProductLayout): Record<string, unknown> => {
  const bands = p.spec.bands
  const float = p.spec.dtype === "float32" || p.spec.dtype === "float64"
  const nodata = common(bands.map((b) => b.nodata))
  const fill = nodata ?? (float ? NaN : undefined)
  const scale = common(bands.map((b) => b.scale))
  const offset = common(bands.map((b) => b.offset))
  const unit = common(bands.map((b) => b.unit))
  const classes = bands.length === 1 ? bands[0].classes : undefined
  return {
    long_name: p.spec.title ?? p.spec.id,
    bands: bands.map((b) => b.name),
    resolution_m: p.spec.resolution,
    ...(fill === undefined ? {} : { _FillValue: Metadata.cfFillValue(fill, p.spec.dtype) }),
    ...(scale === undefined || scale === 1 ? {} : { scale_factor: scale }),
    ...(offset === undefined || offset === 0 ? {} : { add_offset: offset }),
    ...(unit === undefined ? {} : { units: unit }),
    ...(classes === undefined
      ? {}
      : flags(
          Object.entries(classes)
            .map(([k, v]) => [v, Number(k)] as const)
            .sort((a, b) => a[1] - b[1])
        )),
    coordinates: "slot"
  }
}

/** The product group's attributes: band meanings, units, nodata, scale/offset, source and licence. */
export const productAttributes = (p: ProductLayout): Record<string, unknown> => {
  const bands = p.spec.bands
  const col = <K extends keyof Band.BandSpec>(k: K) => bands.map((b) => b[k] ?? null)
  return {
    id: p.spec.id,
    title: p.spec.title ?? p.spec.id,
    dtype: p.spec.dtype,
    resolution_m: p.spec.resolution,
    height: p.height,
    width: p.width,
    times: p.times,
    bands: bands.map((b) => b.name),
    descriptions: col("description"),
    wavelengths_nm: col("wavelengthNm"),
    polarisations: col("polarisation"),
    units: col("unit"),
    nodata: col("nodata"),
    scale: col("scale"),
    offset: col("offset"),
    resampling: col("resampling"),
    band_specs: bands,
    source: p.spec.source ?? null,
    license: p.spec.license ?? null,
    attribution: p.spec.attribution ?? null,
    ...(p.spec.radiometry === undefined ? {} : { radiometry: p.spec.radiometry }),
    ...(p.spec.cloudMask === undefined ? {} : { cloud_mask: p.spec.cloudMask }),
    ...(p.spec.output === undefined ? {} : { output: p.spec.output }),
    compression: p.compression
  }
}

/** Every node of the store as (key of its zarr.json, document), root first. */
export const documents = (
  layout: Layout
): ReadonlyArray<readonly [string, Metadata.ArrayMetadata | Metadata.GroupMetadata]> => {
  const docs: Array<readonly [string, Metadata.ArrayMetadata | Metadata.GroupMetadata]> = []
  const a = layout.attributes
  docs.push([
    "zarr.json",
    Metadata.group({
      eoforge: {
        version: a.eoforgeVersion,
        layout: {
          samples: layout.samples,
          shardSamples: layout.shardSamples,
          sharded: layout.sharded,
          products: layout.products
        }
      },
      recipe: a.recipe,
      seed: a.seed,
      created: a.createdAt,
      licences: a.licences
    })
  ])
  docs.push([
    "samples/zarr.json",
    Metadata.group({ description: "per-sample coordinates and split" })
  ])
  for (const name of sampleArrays) {
    const m = sampleMeta[name]
    docs.push([
      `samples/${name}/zarr.json`,
      Metadata.array({
        shape: [layout.samples],
        dataType: m.dataType,
        chunkShape: [layout.shardSamples],
        fillValue: m.fill,
        codecs: scalarCodecs(m.dataType, Codec.defaultCompression),
        dimensionNames: ["sample"],
        attributes: m.attributes
      })
    ])
  }
  for (const p of layout.products) {
    const id = p.spec.id
    docs.push([`${id}/zarr.json`, Metadata.group(productAttributes(p))])
    docs.push([`${id}/data/zarr.json`, dataMetadata(layout, p)])
    if (p.count === true) docs.push([`${id}/count/zarr.json`, countMetadata(layout, p)])
    docs.push([
      `${id}/band/zarr.json`,
      Metadata.array({
        shape: [p.spec.bands.length],
        dataType: "string",
        chunkShape: [p.spec.bands.length],
        fillValue: "",
        codecs: [Metadata.vlenUtf8Codec],
        dimensionNames: ["band"],
        attributes: { description: "band names" }
      })
    ])
    for (const name of slotArraysOf(p)) {
      const m = slotMeta[name]
      docs.push([
        `${id}/${name}/zarr.json`,
        Metadata.array({
          shape: [layout.samples, p.times],
          dataType: m.dataType,
          chunkShape: [layout.shardSamples, p.times],
          fillValue: m.fill,
          codecs: scalarCodecs(m.dataType, Codec.defaultCompression),
          dimensionNames: ["sample", "time"],
          attributes: m.attributes
        })
      ])
    }
  }
  return docs
}

/** Encode strings as one `vlen-utf8` chunk: uint32 count, then (uint32 byte length, UTF-8 bytes) each. */
export const encodeStrings = (values: ReadonlyArray<string>): Uint8Array => {
  const enc = new TextEncoder()
  const encoded = values.map((v) => enc.encode(v))
  let n = 4
  for (const e of encoded) n += 4 + e.length
  const out = new Uint8Array(n)
  const view = new DataView(out.buffer)
  view.setUint32(0, values.length, true)
  let o = 4
  for (const e of encoded) {
    view.setUint32(o, e.length, true)
    out.set(e, o + 4)
    o += 4 + e.length
  }
  return out
}

/** Decode one `vlen-utf8` chunk (the inverse of `encodeStrings`). */
export const decodeStrings = (bytes: Uint8Array): ReadonlyArray<string> => {
  const dec = new TextDecoder()
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const n = view.getUint32(0, true)
  const out: Array<string> = []
  let o = 4
  for (let i = 0; i < n; i++) {
    const len = view.getUint32(o, true)
    out.push(dec.decode(bytes.subarray(o + 4, o + 4 + len)))
    o += 4 + len
  }
  return out
}

/** Write every zarr.json of the layout, plus the `band` name arrays. Safe to rerun: same bytes. */
export const create = Effect.fn("Layout.create")(function* (layout: Layout) {
  const store = yield* Store
  for (const [key, doc] of documents(layout)) yield* store.set(key, Metadata.encode(doc))
  for (const p of layout.products) {
    yield* store.set(
      Metadata.chunkKey(`${p.spec.id}/band`, [0]),
      encodeStrings(p.spec.bands.map((b) => b.name))
    )
  }
})

/**
 * The layout recorded in a store's root `zarr.json`; fails with NotAStoreError if there is none and
 * InvalidStoreError when it breaks the limits (absurd sizes, unsafe names, unknown types).
 */
export const read: Effect.Effect<Layout, NotAStoreError | InvalidStoreError | StoreError, Store> =
  Effect.gen(function* () {
    const store = yield* Store
    const bytes = yield* store.get("zarr.json")
    const notAStore = (message: string, cause?: unknown) =>
      new NotAStoreError({ location: store.location, message, cause })
    if (bytes === undefined)
      return yield* notAStore(
        `${store.location} is not a Zarr store: it has no zarr.json at its root; create it with Layout.create`
      )
    const doc = yield* Effect.try({
      try: () => JSON.parse(new TextDecoder().decode(bytes)) as Record<string, any>,
      catch: (cause) => notAStore(`${store.location}/zarr.json is not valid JSON`, cause)
    })
    if (typeof doc !== "object" || doc === null || Array.isArray(doc))
      return yield* notAStore(`${store.location}/zarr.json is not a JSON object`)
    if (doc.zarr_format !== 3 || doc.node_type !== "group")
      return yield* notAStore(
        `${store.location}/zarr.json is not a Zarr v3 group (zarr_format ${doc?.zarr_format})`
      )
    const eo = typeof doc.attributes === "object" ? doc.attributes?.eoforge : undefined
    if (typeof eo !== "object" || eo === null || eo.layout === undefined)
      return yield* notAStore(
        `${store.location} is a Zarr v3 group but not an EOForge store (no eoforge.layout attribute)`
      )
    const problem = Limits.problemOf(eo.layout)
    if (problem !== undefined)
      return yield* new InvalidStoreError({
        location: store.location,
        key: `zarr.json eoforge.layout${problem.key === "" ? "" : `.${problem.key}`}`,
        message: `${store.location} cannot be opened: its zarr.json eoforge.layout${problem.key === "" ? "" : `.${problem.key}`} ${problem.message}; the store is damaged or was not written by EOForge`
      })
    return {
      samples: eo.layout.samples,
      shardSamples: eo.layout.shardSamples,
      sharded: eo.layout.sharded,
      products: eo.layout.products,
      attributes: {
        eoforgeVersion: eo.version,
        recipe: doc.attributes.recipe,
        seed: doc.attributes.seed,
        createdAt: doc.attributes.created,
        licences: doc.attributes.licences
      }
    } satisfies Layout
  })
