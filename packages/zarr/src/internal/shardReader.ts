// Direct reads of the sharded `data` arrays this package writes: cached, crc-checked shard indexes,
// ranged chunk reads (positioned reads on kept-open local files) and Node's zstd into chip-sized buffers.
import type { DType } from "@eoforge/core"
import { Effect } from "effect"
import * as zlib from "node:zlib"
import type * as Codec from "../Codec.ts"
import * as Layout from "../Layout.ts"
import * as Metadata from "../Metadata.ts"
import * as Shard from "../Shard.ts"
import type { RangedFile, StoreApi } from "../Store.ts"
import { ShardIndexError, StoreError } from "../ZarrError.ts"

/** Reads chips and whole samples of sharded `data`; `undefined` means "not ours, ask zarrita". */
export interface ShardReader {
  readonly chip: (
    p: Layout.ProductLayout,
    sample: number,
    time: number
  ) => Effect.Effect<DType.TypedArray | undefined, StoreError | ShardIndexError>
  readonly sample: (
    p: Layout.ProductLayout,
    sample: number
  ) => Effect.Effect<DType.TypedArray | undefined, StoreError | ShardIndexError>
  /** Close kept-open files and forget cached indexes. */
  readonly close: Effect.Effect<void>
}

type Ctor = {
  new (length: number): DType.TypedArray
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): DType.TypedArray
  readonly BYTES_PER_ELEMENT: number
}

const constructors: Readonly<Record<string, Ctor>> = {
  uint8: Uint8Array,
  int8: Int8Array,
  uint16: Uint16Array,
  int16: Int16Array,
  uint32: Uint32Array,
  int32: Int32Array,
  float32: Float32Array,
  float64: Float64Array
}

// Chunks are stored little-endian; on a big-endian host the typed-array view would be wrong.
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

/** Kept-open shards per dataset; each holds one descriptor (local files) and its decoded index. */
const MAX_SHARDS = 32
/** Spare read buffers kept for compressed bytes. */
const MAX_SCRATCH = 4

interface OpenShard {
  readonly file: RangedFile | undefined
  /** Offset of inner chunk i, −1 when empty. */
  readonly offsets: Float64Array
  readonly nbytes: Float64Array
}

const decompress = (c: Codec.Compression, bytes: Uint8Array, size: number): Uint8Array => {
  // A 64-byte slack lets zlib finish in its first output buffer: no second buffer, no concatenation. The
  // output stops at the chip's size: a frame decompressing past it is a bomb or corrupt, never read on.
  switch (c.name) {
    case "zstd":
      return zlib.zstdDecompressSync(bytes, { chunkSize: size + 64, maxOutputLength: size })
    case "gzip":
      return zlib.gunzipSync(bytes, { chunkSize: size + 64, maxOutputLength: size })
    case "none":
      return bytes.slice()
  }
}

/** A direct reader over a store; products whose `data/zarr.json` differs from ours are left to zarrita. */
export const make = (store: StoreApi, layout: Layout.Layout): ShardReader => {
  const supported = new Map<string, boolean>()
  const shards = new Map<string, OpenShard>()
  const scratch: Array<Uint8Array> = []

  const isSupported = (p: Layout.ProductLayout) =>
    Effect.gen(function* () {
      const id = p.spec.id
      const known = supported.get(id)
      if (known !== undefined) return known
      let ok = false
      if (layout.sharded && littleEndian && constructors[p.spec.dtype] !== undefined) {
        const bytes = yield* store.get(`${id}/data/zarr.json`)
        if (bytes !== undefined) {
          try {
            const doc = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>
            const want = Layout.dataMetadata(layout, p) as unknown as Record<string, unknown>
            ok = ["shape", "data_type", "chunk_grid", "chunk_key_encoding", "codecs"].every(
              (k) => JSON.stringify(doc[k]) === JSON.stringify(want[k])
            )
          } catch {
            ok = false
          }
        }
      }
      supported.set(id, ok)
      return ok
    })

  const take = (n: number): Uint8Array => {
    for (let i = scratch.length - 1; i >= 0; i--) {
      if (scratch[i].length >= n) return scratch.splice(i, 1)[0]
    }
    // Rounded up so that the slightly larger compressed chunks that follow still fit it.
    return Buffer.allocUnsafe(Math.ceil((n * 1.125) / 65536) * 65536)
  }
  const give = (b: Uint8Array) => {
    if (scratch.length < MAX_SCRATCH) scratch.push(b)
  }

  const indexError = (p: Layout.ProductLayout, key: string, sample: number, problem: string) =>
    new ShardIndexError({
      array: `${p.spec.id}/data`,
      key,
      sample,
      message: `sample ${sample}: shard ${key} has a corrupt index: ${problem}; delete the shard and its .eoforge/done record, then rerun`
    })

  const openShard = (p: Layout.ProductLayout, shard: number, sample: number) =>
    Effect.gen(function* () {
      const key = Metadata.chunkKey(`${p.spec.id}/data`, [shard, 0, 0, 0, 0])
      const hit = shards.get(key)
      if (hit !== undefined) {
        // Re-insert: Map order is the eviction order (least recently used first).
        shards.delete(key)
        shards.set(key, hit)
        return hit
      }
      const nchunks = layout.shardSamples * p.times
      const size = Shard.indexSize(nchunks)
      let file: RangedFile | undefined
      let tail: Uint8Array | undefined
      let fileSize = Infinity
      if (store.openRanged !== undefined) {
        file = yield* store.openRanged(key)
        if (file === undefined) return undefined
        fileSize = file.size
        if (file.size < size) {
          yield* file.close
          return yield* indexError(
            p,
            key,
            sample,
            `file is ${file.size} bytes, index alone is ${size}`
          )
        }
        const f = file
        tail = new Uint8Array(size)
        yield* Effect.onError(f.readInto(file.size - size, tail), () => f.close)
      } else if (store.getRange !== undefined) {
        tail = yield* store.getRange(key, { suffixLength: size })
      } else {
        const whole = yield* store.get(key)
        tail = whole?.subarray(Math.max(0, whole.length - size))
        fileSize = whole?.length ?? Infinity
      }
      // Absent shards are not cached: a writer may publish them later.
      if (tail === undefined) return undefined
      const decoded = Shard.decodeIndex(tail, nchunks, fileSize)
      if (Shard.isProblem(decoded)) {
        if (file !== undefined) yield* file.close
        return yield* indexError(p, key, sample, decoded.problem)
      }
      const offsets = new Float64Array(nchunks)
      const nbytes = new Float64Array(nchunks)
      for (let i = 0; i < nchunks; i++) {
        const e = decoded[i]
        offsets[i] = e === undefined ? -1 : e.offset
        nbytes[i] = e === undefined ? 0 : e.nbytes
      }
      const raced = shards.get(key)
      if (raced !== undefined) {
        if (file !== undefined) yield* file.close
        return raced
      }
      const opened: OpenShard = { file, offsets, nbytes }
      shards.set(key, opened)
      if (shards.size > MAX_SHARDS) {
        const [oldest, evicted] = shards.entries().next().value!
        shards.delete(oldest)
        if (evicted.file !== undefined) yield* evicted.file.close
      }
      return opened
    })

  /** Bytes [offset, offset + length) of a shard, in a scratch buffer (give it back) or a fresh one. */
  const readRange = (
    key: string,
    s: OpenShard,
    offset: number,
    length: number
  ): Effect.Effect<{ readonly bytes: Uint8Array; readonly spare?: Uint8Array }, StoreError> => {
    if (s.file !== undefined) {
      const spare = take(length)
      const bytes = spare.subarray(0, length)
      return Effect.as(
        Effect.onError(s.file.readInto(offset, bytes), () => Effect.sync(() => give(spare))),
        {
          bytes,
          spare
        }
      )
    }
    const ranged =
      store.getRange !== undefined
        ? store.getRange(key, { offset, length })
        : Effect.map(store.get(key), (v) => v?.subarray(offset, offset + length))
    return Effect.flatMap(ranged, (bytes) =>
      bytes !== undefined && bytes.length === length
        ? Effect.succeed({ bytes })
        : Effect.fail(
            new StoreError({
              key,
              operation: "read",
              message: `cannot read bytes ${offset}–${offset + length} of ${key} in ${store.location}: the shard is shorter than its index says`
            })
          )
    )
  }

  /** Decode one inner chunk into its own typed array of exactly one chip. */
  const decodeChip = (
    p: Layout.ProductLayout,
    key: string,
    bytes: Uint8Array
  ): Effect.Effect<DType.TypedArray, StoreError> =>
    Effect.suspend(() => {
      const ctor = constructors[p.spec.dtype]
      const n = p.spec.bands.length * p.height * p.width
      const size = n * ctor.BYTES_PER_ELEMENT
      let raw: Uint8Array
      try {
        raw = decompress(p.compression, bytes, size)
      } catch (cause) {
        const why =
          (cause as { code?: unknown }).code === "ERR_BUFFER_TOO_LARGE"
            ? `it decompresses past the ${size} bytes of a ${p.spec.bands.length}×${p.height}×${p.width} ${p.spec.dtype} chip`
            : String((cause as Error)?.message ?? cause)
        return Effect.fail(
          new StoreError({
            key,
            operation: "read",
            message: `cannot decode a ${p.compression.name} chunk of ${key} in ${store.location}: ${why}`,
            cause
          })
        )
      }
      if (raw.length !== size)
        return Effect.fail(
          new StoreError({
            key,
            operation: "read",
            message: `a chunk of ${key} in ${store.location} decodes to ${raw.length} bytes, a ${p.spec.bands.length}×${p.height}×${p.width} ${p.spec.dtype} chip is ${size}`
          })
        )
      // Large outputs own their buffer from byte 0 and are viewed in place; small ones (zlib's pooled
      // buffers) are copied so that the chip never shares memory with unrelated data.
      if (raw.byteOffset === 0 && raw.buffer.byteLength <= size + 64)
        return Effect.succeed(new ctor(raw.buffer, 0, n))
      const out = new ctor(n)
      new Uint8Array(out.buffer).set(raw)
      return Effect.succeed(out)
    })

  const fill = (p: Layout.ProductLayout, n: number): DType.TypedArray =>
    new constructors[p.spec.dtype](n).fill(Layout.dataFill(p))

  const chip: ShardReader["chip"] = (p, sample, time) =>
    Effect.gen(function* () {
      if (!(yield* isSupported(p))) return undefined
      const n = p.spec.bands.length * p.height * p.width
      const shard = Layout.shardOf(layout, sample)
      const s = yield* openShard(p, shard, sample)
      if (s === undefined) return fill(p, n)
      const i = (sample - shard * layout.shardSamples) * p.times + time
      if (s.offsets[i] < 0) return fill(p, n)
      const key = Metadata.chunkKey(`${p.spec.id}/data`, [shard, 0, 0, 0, 0])
      const { bytes, spare } = yield* readRange(key, s, s.offsets[i], s.nbytes[i])
      try {
        return yield* decodeChip(p, key, bytes)
      } finally {
        if (spare !== undefined) give(spare)
      }
    })

  const sample: ShardReader["sample"] = (p, sampleIndex) =>
    Effect.gen(function* () {
      if (!(yield* isSupported(p))) return undefined
      const T = p.times
      if (T === 1) return yield* chip(p, sampleIndex, 0)
      const n = p.spec.bands.length * p.height * p.width
      const out = new constructors[p.spec.dtype](T * n)
      const shard = Layout.shardOf(layout, sampleIndex)
      const s = yield* openShard(p, shard, sampleIndex)
      if (s === undefined) return out.fill(Layout.dataFill(p))
      const key = Metadata.chunkKey(`${p.spec.id}/data`, [shard, 0, 0, 0, 0])
      const first = (sampleIndex - shard * layout.shardSamples) * T
      let t = 0
      while (t < T) {
        if (s.offsets[first + t] < 0) {
          out.fill(Layout.dataFill(p), t * n, (t + 1) * n)
          t++
          continue
        }
        // A run of present chunks stored back to back costs one range read.
        let end = t + 1
        while (
          end < T &&
          s.offsets[first + end] >= 0 &&
          s.offsets[first + end] === s.offsets[first + end - 1] + s.nbytes[first + end - 1]
        )
          end++
        const start = s.offsets[first + t]
        const length = s.offsets[first + end - 1] + s.nbytes[first + end - 1] - start
        const { bytes, spare } = yield* readRange(key, s, start, length)
        try {
          for (let u = t; u < end; u++) {
            const at = s.offsets[first + u] - start
            const one = yield* decodeChip(p, key, bytes.subarray(at, at + s.nbytes[first + u]))
            out.set(one, u * n)
          }
        } finally {
          if (spare !== undefined) give(spare)
        }
        t = end
      }
      return out
    })

  const close = Effect.suspend(() => {
    const files = [...shards.values()].flatMap((s) => (s.file === undefined ? [] : [s.file]))
    shards.clear()
    scratch.length = 0
    return Effect.forEach(files, (f) => f.close, { discard: true })
  })

  return { chip, sample, close }
}
