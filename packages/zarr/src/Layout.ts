// The shape of a dataset store: samples, products, shards, and every zarr.json document they imply.
// `create` writes the hierarchy metadata; `read` recovers the layout from a store's root attributes.
import { type Band, DType } from "@eoforge/core"
import { Effect } from "effect"
import { createHash } from "node:crypto"
import * as Codec from "./Codec.ts"
import * as Attributes from "./internal/layoutAttributes.ts"
import * as Limits from "./internal/layoutLimits.ts"
import * as VlenStrings from "./internal/vlenStrings.ts"
import * as Metadata from "./Metadata.ts"
import { Store } from "./Store.ts"
import { LayoutError } from "./ZarrError.ts"

export { read } from "./internal/layoutRead.ts"

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

const { sampleMeta, slotMeta } = Attributes

/** The data type and fill value of a per-slot array. */
export const slotArray = (name: SlotArray) => slotMeta[name]
/** The data type and fill value of a per-sample array. */
export const sampleArray = (name: SampleArray) => sampleMeta[name]
/** CF attributes of a product's `data` array (see `internal/layoutAttributes.ts`). */
export const dataAttributes = Attributes.dataAttributes
/** The product group's attributes: band meanings, units, nodata, scale/offset, source and licence. */
export const productAttributes = Attributes.productAttributes
/** Encode strings as one `vlen-utf8` chunk: uint32 count, then (uint32 byte length, UTF-8 bytes) each. */
export const encodeStrings = VlenStrings.encodeStrings
/** Decode one `vlen-utf8` chunk (the inverse of `encodeStrings`). */
export const decodeStrings = VlenStrings.decodeStrings

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
