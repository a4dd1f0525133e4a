// zarrita's view of an EOForge store: the codecs it decodes with (node's zstd and gzip, bounded by the chunk's
// size), shard indexes checked on the way, and a read-only Store over any zarrita readable (http URLs).
import { Effect } from "effect"
import * as zarr from "zarrita"
import * as Codec from "../Codec.ts"
import type * as Layout from "../Layout.ts"
import * as Shard from "../Shard.ts"
import type { StoreApi } from "../Store.ts"
import { ShardIndexError, StoreError } from "../ZarrError.ts"

const elementBytes: Readonly<Record<string, number>> = {
  bool: 1,
  int8: 1,
  uint8: 1,
  int16: 2,
  uint16: 2,
  float16: 2,
  int32: 4,
  uint32: 4,
  float32: 4,
  int64: 8,
  uint64: 8,
  float64: 8
}

/**
 * The most bytes a chunk of this shape may decompress to: its exact size for numeric types; for strings
 * (vlen-utf8: a length per element plus the text) 4 KiB per element, at least 1 MiB and at most 1 GiB.
 */
const chunkBound = (
  meta: { readonly dataType?: unknown; readonly shape?: unknown } | undefined
) => {
  const shape = Array.isArray(meta?.shape) ? (meta.shape as Array<number>) : undefined
  if (shape === undefined) return Codec.defaultMaxDecodedBytes
  const n = shape.reduce((a, b) => a * b, 1)
  const size = elementBytes[String(meta?.dataType)]
  if (size !== undefined) return n * size
  return Math.min(Codec.defaultMaxDecodedBytes, Math.max(2 ** 20, n * 4096))
}

// Node's zstd decodes ~1.5× faster than the WASM build zarrita loads by default; same format. Both codecs
// stop at the chunk's size (zarrita's gzip would decompress whatever a hostile chunk holds).
class NodeCodec {
  readonly kind = "bytes_to_bytes"
  readonly compression: Codec.Compression
  readonly maxBytes: number
  constructor(compression: Codec.Compression, maxBytes: number) {
    this.compression = compression
    this.maxBytes = maxBytes
  }
  encode(bytes: Uint8Array): Uint8Array {
    return Codec.encode(this.compression, bytes)
  }
  decode(bytes: Uint8Array): Uint8Array {
    const out = Codec.decode(this.compression, bytes, this.maxBytes)
    // zarrita's vlen-utf8 decoder reads `bytes.buffer` from offset 0, so the view must start there.
    return out.byteOffset === 0 ? out : new Uint8Array(out)
  }
}
class NodeZstd extends NodeCodec {
  static fromConfig(_config: unknown, meta?: { dataType?: unknown; shape?: unknown }): NodeZstd {
    return new NodeZstd(Codec.zstd(0), chunkBound(meta))
  }
}
class NodeGzip extends NodeCodec {
  static fromConfig(_config: unknown, meta?: { dataType?: unknown; shape?: unknown }): NodeGzip {
    return new NodeGzip(Codec.gzip(), chunkBound(meta))
  }
}
zarr.registry.set("zstd", () => Promise.resolve(NodeZstd as any))
zarr.registry.set("gzip", () => Promise.resolve(NodeGzip as any))

const isSharded = (layout: Layout.Layout, key: string): Layout.ProductLayout | undefined =>
  layout.sharded ? layout.products.find((p) => key.startsWith(`/${p.spec.id}/data/c/`)) : undefined

/** zarrita's view of a store; shard indexes are checked against their crc32c on the way. */
export const toReadable = (store: StoreApi, layout: Layout.Layout): zarr.AsyncReadable => ({
  get: (key) => Effect.runPromise(store.get(key.slice(1))),
  getRange: async (key, range) => {
    const bytes =
      store.getRange !== undefined
        ? await Effect.runPromise(store.getRange(key.slice(1), range))
        : await Effect.runPromise(store.get(key.slice(1))).then((v) =>
            v === undefined
              ? undefined
              : "suffixLength" in range
                ? v.subarray(v.length - range.suffixLength)
                : v.subarray(range.offset, range.offset + range.length)
          )
    const p = isSharded(layout, key)
    if (bytes !== undefined && p !== undefined && "suffixLength" in range) {
      const n = layout.shardSamples * p.times
      const index = Shard.decodeIndex(bytes, n, Infinity)
      if (Shard.isProblem(index))
        throw new ShardIndexError({
          array: `${p.spec.id}/data`,
          key: key.slice(1),
          message: `shard ${key.slice(1)} has a corrupt index: ${index.problem}; delete the shard and its .eoforge/done record, then rerun`
        })
    }
    return bytes
  }
})

/** The first error of `e`'s cause chain (at most 8 deep) that `is` accepts. */
export const findInCauses = <A>(e: unknown, is: (x: unknown) => x is A): A | undefined => {
  for (
    let x: any = e, depth = 0;
    x !== undefined && x !== null && depth < 8;
    x = x.cause, depth++
  ) {
    if (is(x)) return x
  }
  return undefined
}
export const findIndexError = (e: unknown) =>
  findInCauses(e, (x): x is ShardIndexError => x instanceof ShardIndexError)

/** A read-only back-end over any zarrita readable (e.g. zarrita's FetchStore for http URLs). */
export const fromReadable = (readable: zarr.AsyncReadable, location: string): StoreApi => {
  const fail = (key: string, operation: string) => (cause: unknown) =>
    new StoreError({
      key,
      operation,
      message: `cannot ${operation} ${location}/${key}: ${String((cause as Error)?.message ?? cause)}`,
      cause
    })
  const readOnly = (key: string, operation: string) =>
    Effect.fail(
      new StoreError({
        key,
        operation,
        message: `${location} is read-only: cannot ${operation} ${key}`
      })
    )
  return {
    location,
    get: (key) =>
      Effect.tryPromise({ try: () => readable.get(`/${key}`), catch: fail(key, "read") }),
    ...(readable.getRange === undefined
      ? {}
      : {
          getRange: (key: string, range: zarr.RangeQuery) =>
            Effect.tryPromise({
              try: () => readable.getRange!(`/${key}`, range),
              catch: fail(key, "read")
            })
        }),
    set: (key) => readOnly(key, "write"),
    delete: (key) => readOnly(key, "delete"),
    list: (key) => readOnly(key, "list")
  }
}
