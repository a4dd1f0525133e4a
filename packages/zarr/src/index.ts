// @eoforge/zarr: the dataset store — Zarr v3 layout, sharded zstd writes, atomic and resumable, reader API.
// Zarr-python 3 and xarray open what it writes; zarrita reads it back.
export * as Codec from "./Codec.ts"
export * as Coordinates from "./Coordinates.ts"
export * as Crc32c from "./Crc32c.ts"
export * as Creation from "./Creation.ts"
export * as Layout from "./Layout.ts"
export * as Metadata from "./Metadata.ts"
export * as Reader from "./Reader.ts"
export * as Shard from "./Shard.ts"
export * as ShardWriter from "./ShardWriter.ts"
export * as Store from "./Store.ts"
export * as StoreLock from "./StoreLock.ts"
export * as ZarrError from "./ZarrError.ts"
