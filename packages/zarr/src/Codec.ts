// Chunk compressors: zstd (default), gzip or none, encoded here and named as Zarr v3 bytes→bytes codecs.
// Each is decoded by zarrita and zarr-python; zstd and gzip use Node's built-in zlib bindings.
import * as zlib from "node:zlib"
import type { CodecEntry } from "./Metadata.ts"

/** A compressor choice for chunk bytes. */
export type Compression =
  | { readonly name: "zstd"; readonly level: number }
  | { readonly name: "gzip"; readonly level: number }
  | { readonly name: "none" }

/** zstd at level 1: the default (fast enough for ≥ 200 MB/s per core on EO chips). */
export const zstd = (level = 1): Compression => ({ name: "zstd", level })

/** gzip (DEFLATE) at a level 0–9. */
export const gzip = (level = 5): Compression => ({ name: "gzip", level })

/** No compression. */
export const none: Compression = { name: "none" }

/** The default compression: zstd level 1. */
export const defaultCompression: Compression = zstd(1)

/** The Zarr v3 codec entries (bytes→bytes) of a compression, in pipeline order. */
export const metadata = (c: Compression): ReadonlyArray<CodecEntry> => {
  switch (c.name) {
    case "zstd":
      return [{ name: "zstd", configuration: { level: c.level, checksum: false } }]
    case "gzip":
      return [{ name: "gzip", configuration: { level: c.level } }]
    case "none":
      return []
  }
}

/** Compress chunk bytes; deterministic for a given Node (libzstd / zlib) version. */
export const encode = (c: Compression, bytes: Uint8Array): Uint8Array => {
  switch (c.name) {
    case "zstd":
      return zlib.zstdCompressSync(bytes, {
        params: { [zlib.constants.ZSTD_c_compressionLevel]: c.level }
      })
    case "gzip":
      // Node writes mtime 0 and a fixed OS byte, so equal input gives equal bytes.
      return zlib.gzipSync(bytes, { level: c.level })
    case "none":
      return bytes
  }
}

// zstd output taken in pieces of this size from inputs larger than it (Node's default piece is 16 KiB):
// each piece is a round trip to the calling thread. zstd writes a block straight into the output when it
// has room and through its own buffer otherwise, the same bytes either way; only an output with room for
// the whole frame would change them (one pass instead of blocks), hence larger inputs only.
const largePieceBytes = 256 * 1024

/** The compressor engine of a compression (zstd or gzip) with `encode`'s parameters. */
const engineOf = (
  c: Compression,
  inputBytes: number
): zlib.ZstdCompress | zlib.Gzip | undefined => {
  switch (c.name) {
    case "zstd":
      return zlib.createZstdCompress({
        params: { [zlib.constants.ZSTD_c_compressionLevel]: c.level },
        ...(inputBytes > largePieceBytes ? { chunkSize: largePieceBytes } : {})
      })
    case "gzip":
      return zlib.createGzip({ level: c.level })
    case "none":
      return undefined
  }
}

// The one-shot entry point Node's synchronous compressors call (`zlibBufferSync`): given a callback it runs
// the same native call (the whole input, the finishing flush) on Node's thread pool. Node's asynchronous `zstdCompress` writes a continue and then an end flush instead, which changes
// the bytes (no content size in the frame header, an empty last block), so it is not used.
interface OneShot {
  readonly _processChunk?: (chunk: Uint8Array, flush: number, cb: (error?: Error) => void) => void
  readonly _finishFlushFlag?: number
}

/**
 * `encode` on Node's thread pool, off the calling thread: the same bytes (same native call and parameters),
 * as the pieces the compressor gave them in (written back to back, they are `encode`'s output; no copy
 * joins them). `bytes` must not change until the promise settles.
 */
export const encodeAsync = (
  c: Compression,
  bytes: Uint8Array
): Promise<ReadonlyArray<Uint8Array>> => {
  const engine = engineOf(c, bytes.length)
  if (engine === undefined) return Promise.resolve([bytes])
  const oneShot = engine as unknown as OneShot
  if (typeof oneShot._processChunk !== "function" || oneShot._finishFlushFlag === undefined) {
    engine.close()
    return Promise.resolve([encode(c, bytes)])
  }
  return new Promise((resolve, reject) => {
    const pieces: Array<Uint8Array> = []
    engine.on("data", (piece: Buffer) => pieces.push(piece))
    engine.on("error", (error) => {
      engine.close()
      reject(error)
    })
    engine.on("end", () => {
      engine.close()
      // The last piece shares a whole output buffer of the engine: kept alone when it fills less
      // than half of it.
      const last = pieces.length - 1
      if (last >= 0 && 2 * pieces[last].length < pieces[last].buffer.byteLength)
        pieces[last] = new Uint8Array(pieces[last])
      resolve(pieces)
    })
    oneShot._processChunk!(bytes, oneShot._finishFlushFlag!, (error) => {
      if (error !== undefined && error !== null) engine.destroy(error)
      else engine.push(null)
    })
  })
}

/** The decompressed size a zstd frame header declares, or undefined when it does not say. */
export const zstdContentSize = (bytes: Uint8Array): number | undefined => {
  if (
    bytes.length < 6 ||
    bytes[0] !== 0x28 ||
    bytes[1] !== 0xb5 ||
    bytes[2] !== 0x2f ||
    bytes[3] !== 0xfd
  )
    return undefined
  const fhd = bytes[4]
  const single = (fhd >> 5) & 1
  const fcsSize = [single ? 1 : 0, 2, 4, 8][fhd >> 6]
  if (fcsSize === 0) return undefined
  const at = 5 + (single ? 0 : 1) + [0, 1, 2, 4][fhd & 3]
  if (at + fcsSize > bytes.length) return undefined
  const view = new DataView(bytes.buffer, bytes.byteOffset + at, fcsSize)
  switch (fcsSize) {
    case 1:
      return view.getUint8(0)
    case 2:
      return view.getUint16(0, true) + 256
    case 4:
      return view.getUint32(0, true)
    default:
      return Number(view.getBigUint64(0, true))
  }
}

/** The largest output `decode` produces when the caller gives no bound: 1 GiB. */
export const defaultMaxDecodedBytes = 2 ** 30

/** Bytes that decompress past the size their reader expects (a decompression bomb, or a corrupt chunk). */
export class DecodedTooLarge extends RangeError {
  readonly maxBytes: number
  constructor(codec: string, maxBytes: number) {
    super(`a ${codec} frame decompresses past its expected ${maxBytes} bytes`)
    this.maxBytes = maxBytes
  }
}

const bounded = (codec: string, maxBytes: number, run: () => Uint8Array): Uint8Array => {
  try {
    return run()
  } catch (error) {
    if ((error as { code?: unknown }).code === "ERR_BUFFER_TOO_LARGE")
      throw new DecodedTooLarge(codec, maxBytes)
    throw error
  }
}

/**
 * Decompress chunk bytes written with `encode`, never producing more than `maxBytes` (the chunk's expected
 * size when the caller knows it): `DecodedTooLarge` past it, whatever the frame header declares.
 */
export const decode = (
  c: Compression,
  bytes: Uint8Array,
  maxBytes: number = defaultMaxDecodedBytes
): Uint8Array => {
  switch (c.name) {
    case "zstd": {
      // One output buffer of the declared size avoids zlib's chunk list and its concatenation.
      const size = zstdContentSize(bytes)
      if (size !== undefined && size > maxBytes) throw new DecodedTooLarge("zstd", maxBytes)
      return bounded("zstd", maxBytes, () =>
        size === undefined || size < 64
          ? zlib.zstdDecompressSync(bytes, { maxOutputLength: maxBytes })
          : zlib.zstdDecompressSync(bytes, { chunkSize: size + 64, maxOutputLength: maxBytes })
      )
    }
    case "gzip":
      return bounded("gzip", maxBytes, () => zlib.gunzipSync(bytes, { maxOutputLength: maxBytes }))
    case "none":
      return bytes
  }
}

/** The compression described by Zarr v3 codec entries (after `bytes`), if it is one of ours. */
export const fromMetadata = (
  codecs: ReadonlyArray<{ readonly name: string; readonly configuration?: unknown }>
): Compression | undefined => {
  if (codecs.length === 0) return none
  if (codecs.length !== 1) return undefined
  const cfg = (codecs[0].configuration ?? {}) as { readonly level?: number }
  if (codecs[0].name === "zstd") return zstd(cfg.level ?? 0)
  if (codecs[0].name === "gzip") return gzip(cfg.level ?? 5)
  return undefined
}
