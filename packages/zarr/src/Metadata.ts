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
  readonly fill_value: number | string
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

/** A fill value as Zarr v3 JSON (NaN and infinities as strings). */
export const fillValue = (value: number | string): number | string =>
  typeof value === "string"
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
  readonly fillValue: number | string
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

/** The key of a chunk (or shard) under the default encoding with "/": `<array>/c/i/j/…`. */
export const chunkKey = (arrayPath: string, coords: ReadonlyArray<number>): string =>
  `${arrayPath}/c/${coords.join("/")}`

/** The bytes of a document as stored (JSON, two-space indented, trailing newline). */
export const encode = (doc: ArrayMetadata | GroupMetadata): Uint8Array =>
  new TextEncoder().encode(JSON.stringify(doc, null, 2) + "\n")
