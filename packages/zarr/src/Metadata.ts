// Zarr v3 `zarr.json` documents as plain JSON values: groups, arrays, the sharding codec.
// Pure builders; key order is fixed so that the same layout always serialises to the same bytes.

/** A Zarr v3 data type this package writes. */
export type DataType =
  | "uint8"
  | "int8"
  | "uint16"
  | "int16"
  | "uint32"
  | "int32"
  | "int64"
  | "float32"
  | "float64"
  | "string"

/** A codec entry as it appears in `codecs`. */
export interface CodecEntry {
  readonly name: string
  readonly configuration?: Readonly<Record<string, unknown>>
}

/** The `zarr.json` of an array (Zarr v3 core, §"Array metadata"). */
export interface ArrayMetadata {
  readonly zarr_format: 3
  readonly node_type: "array"
  readonly shape: ReadonlyArray<number>
  readonly data_type: DataType
  readonly chunk_grid: {
    readonly name: "regular"
    readonly configuration: { readonly chunk_shape: ReadonlyArray<number> }
  }
  readonly chunk_key_encoding: {
    readonly name: "default"
    readonly configuration: { readonly separator: "/" }
  }
  readonly fill_value: number | string | bigint
  readonly codecs: ReadonlyArray<CodecEntry>
  readonly attributes: Readonly<Record<string, unknown>>
  readonly dimension_names: ReadonlyArray<string>
}

/** The `zarr.json` of a group. */
export interface GroupMetadata {
  readonly zarr_format: 3
  readonly node_type: "group"
  readonly attributes: Readonly<Record<string, unknown>>
}

/** The `bytes` array→bytes codec, little-endian. */
export const bytesCodec: CodecEntry = { name: "bytes", configuration: { endian: "little" } }

/** The `vlen-utf8` array→bytes codec of the `string` data type. */
export const vlenUtf8Codec: CodecEntry = { name: "vlen-utf8", configuration: {} }

/** The `crc32c` bytes→bytes codec. */
export const crc32cCodec: CodecEntry = { name: "crc32c" }

/** The index codecs of every shard we write: little-endian uint64 pairs followed by a CRC-32C. */
export const indexCodecs: ReadonlyArray<CodecEntry> = [bytesCodec, crc32cCodec]

/** The `sharding_indexed` codec with its inner chunk shape and inner codecs; index at the end. */
export const shardingCodec = (
  chunkShape: ReadonlyArray<number>,
  codecs: ReadonlyArray<CodecEntry>
): CodecEntry => ({
  name: "sharding_indexed",
  configuration: {
    chunk_shape: chunkShape,
    codecs,
    index_codecs: indexCodecs,
    index_location: "end"
  }
})

/** A fill value as Zarr v3 JSON (NaN and infinities as strings, int64 as bigint). */
export const fillValue = (value: number | string | bigint): number | string | bigint =>
  typeof value === "string" || typeof value === "bigint"
    ? value
    : Number.isNaN(value)
      ? "NaN"
      : value === Infinity
        ? "Infinity"
        : value === -Infinity
          ? "-Infinity"
          : value

/** An array document. */
export const array = (options: {
  readonly shape: ReadonlyArray<number>
  readonly dataType: DataType
  readonly chunkShape: ReadonlyArray<number>
  readonly fillValue: number | string | bigint
  readonly codecs: ReadonlyArray<CodecEntry>
  readonly dimensionNames: ReadonlyArray<string>
  readonly attributes?: Readonly<Record<string, unknown>>
}): ArrayMetadata => ({
  zarr_format: 3,
  node_type: "array",
  shape: options.shape,
  data_type: options.dataType,
  chunk_grid: { name: "regular", configuration: { chunk_shape: options.chunkShape } },
  chunk_key_encoding: { name: "default", configuration: { separator: "/" } },
  fill_value: fillValue(options.fillValue),
  codecs: options.codecs,
  attributes: options.attributes ?? {},
  dimension_names: options.dimensionNames
})

/** A group document. */
export const group = (attributes: Readonly<Record<string, unknown>> = {}): GroupMetadata => ({
  zarr_format: 3,
  node_type: "group",
  attributes
})

/** The int64 fill value numpy reads as NaT (int64 minimum); written as an exact JSON integer. */
export const int64Min = -9223372036854775808n

/**
 * A `_FillValue` attribute as xarray reads it from a Zarr v3 array: integers as they are, floats as the
 * base64 of their little-endian float64 bytes (xarray's `FillValueCoder`; JSON has no NaN).
 */
export const cfFillValue = (
  value: number | bigint,
  dataType: DataType
): number | bigint | string => {
  if (dataType !== "float32" && dataType !== "float64") return value
  const bytes = new Uint8Array(8)
  new DataView(bytes.buffer).setFloat64(0, Number(value), true)
  return btoa(String.fromCharCode(...bytes))
}

/** The consolidated metadata of a group as zarr-python 3 writes it inline in the group's zarr.json. */
export interface ConsolidatedMetadata {
  readonly kind: "inline"
  readonly must_understand: false
  /** Every descendant's document by its path relative to the group (`samples`, `samples/id`, …). */
  readonly metadata: Readonly<Record<string, ArrayMetadata | GroupMetadata>>
}

/** A group document carrying the documents of all its descendants (zarr-python 3 `consolidate_metadata`). */
export const consolidated = (
  root: GroupMetadata,
  descendants: ReadonlyArray<readonly [string, ArrayMetadata | GroupMetadata]>
): GroupMetadata & { readonly consolidated_metadata: ConsolidatedMetadata } => {
  const metadata: Record<string, ArrayMetadata | GroupMetadata> = {}
  for (const [path, doc] of [...descendants].sort((a, b) => (a[0] < b[0] ? -1 : 1)))
    metadata[path] = doc
  return {
    zarr_format: 3,
    node_type: "group",
    attributes: root.attributes,
    consolidated_metadata: { kind: "inline", must_understand: false, metadata }
  }
}

/** The key of a chunk (or shard) under the default encoding with "/": `<array>/c/i/j/…`. */
export const chunkKey = (arrayPath: string, coords: ReadonlyArray<number>): string =>
  `${arrayPath}/c/${coords.join("/")}`

/** JSON text of a document: two-space indented, bigints (int64 fill values) as exact integers. */
export const toJson = (doc: unknown): string =>
  JSON.stringify(doc, (_, v) => (typeof v === "bigint" ? `\u0000bigint:${v}` : v), 2).replace(
    /"\\u0000bigint:(-?\d+)"/g,
    "$1"
  )

/** The bytes of a document as stored (JSON, two-space indented, trailing newline). */
export const encode = (doc: ArrayMetadata | GroupMetadata): Uint8Array =>
  new TextEncoder().encode(toJson(doc) + "\n")
