// A header shelf: the header bytes of URLs opened by one process, kept where other processes reading the
// same files find them (a build's store, for its queue workers). An entry names the file's version (ETag or
// Last-Modified) and size; the first response of a read through it must name the same, or the read fails
// with the `Changed` problem before any byte of it is used, and the file is opened again from the network.
import { createHash } from "node:crypto"
import { Context, Effect } from "effect"

/** Where shelved headers are kept: any failure of it must be a miss, never a failure of the read. */
export interface Shelf {
  readonly read: (key: string) => Effect.Effect<Uint8Array | undefined>
  readonly write: (key: string, bytes: Uint8Array) => Effect.Effect<void>
}

/** The shelf of `RasterSource.open` in the current fiber (default: none). */
export const HeaderShelf = Context.Reference<Shelf | undefined>("@eoforge/raster/HeaderShelf", {
  defaultValue: () => undefined
})

/** Run `effect` with URL headers shared through `shelf`. */
export const withShelf =
  (shelf: Shelf) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.provideService(effect, HeaderShelf, shelf)

/** The key of a URL: its SHA-256 in hex (an entry never holds the URL, which may be signed). */
export const keyOf = (location: string): string =>
  createHash("sha256").update(location).digest("hex")

/** The largest entry written or read (1 MiB); a COG's header is typically 16–64 KiB. */
export const maxEntryBytes = 1024 * 1024

/** What an entry holds. */
export interface Entry {
  /** The file's version as its server named it (`etag:…` or `modified:…`) and its size in bytes. */
  readonly version: string
  readonly size: number
  /** Blocks of `blockSize` bytes by index (the last of a file may be shorter). */
  readonly blocks: ReadonlyMap<number, Uint8Array>
}

const magic = new TextEncoder().encode("EOFH1\n")

/** An entry as bytes: magic, a JSON description's length (u32 LE) and text, then the blocks' bytes. */
export const encode = (key: string, blockSize: number, entry: Entry): Uint8Array | undefined => {
  const list = [...entry.blocks].sort((a, b) => a[0] - b[0])
  const description = new TextEncoder().encode(
    JSON.stringify({
      key,
      version: entry.version,
      size: entry.size,
      blockSize,
      blocks: list.map(([index, block]) => [index, block.byteLength])
    })
  )
  const total =
    magic.length + 4 + description.length + list.reduce((n, [, b]) => n + b.byteLength, 0)
  if (total > maxEntryBytes) return undefined
  const out = new Uint8Array(total)
  out.set(magic, 0)
  new DataView(out.buffer).setUint32(magic.length, description.length, true)
  out.set(description, magic.length + 4)
  let at = magic.length + 4 + description.length
  for (const [, block] of list) {
    out.set(block, at)
    at += block.byteLength
  }
  return out
}

/** The entry in `bytes` if it is whole, for `key` and blocks of `blockSize` bytes; else undefined. */
export const decode = (
  bytes: Uint8Array | undefined,
  key: string,
  blockSize: number
): Entry | undefined => {
  if (bytes === undefined || bytes.length > maxEntryBytes || bytes.length < magic.length + 4)
    return undefined
  if (!magic.every((b, i) => bytes[i] === b)) return undefined
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const length = view.getUint32(magic.length, true)
  const start = magic.length + 4 + length
  if (start > bytes.length) return undefined
  let d: unknown
  try {
    d = JSON.parse(new TextDecoder().decode(bytes.subarray(magic.length + 4, start)))
  } catch {
    return undefined
  }
  if (typeof d !== "object" || d === null) return undefined
  const { key: k, version, size, blockSize: bs, blocks } = d as Record<string, unknown>
  if (k !== key || bs !== blockSize || typeof version !== "string") return undefined
  if (!Number.isSafeInteger(size) || (size as number) < 0 || !Array.isArray(blocks))
    return undefined
  const out = new Map<number, Uint8Array>()
  let at = start
  for (const pair of blocks as Array<unknown>) {
    if (!Array.isArray(pair) || pair.length !== 2) return undefined
    const [index, n] = pair as [unknown, unknown]
    if (!Number.isSafeInteger(index) || (index as number) < 0) return undefined
    if (!Number.isSafeInteger(n) || (n as number) <= 0 || (n as number) > blockSize)
      return undefined
    // A block must lie inside the file, and only the file's last block may be short.
    const from = (index as number) * blockSize
    if (from + (n as number) > (size as number)) return undefined
    if ((n as number) < blockSize && from + (n as number) !== size) return undefined
    if (at + (n as number) > bytes.length || out.has(index as number)) return undefined
    out.set(index as number, bytes.slice(at, at + (n as number)))
    at += n as number
  }
  if (at !== bytes.length) return undefined
  return { version, size: size as number, blocks: out }
}
