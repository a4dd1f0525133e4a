// A bounded least-recently-used cache of decoded tiles, shared by the sources of one RasterSource layer
// (as GDAL's block cache is shared by its datasets). In-flight decodes are shared too: no tile decodes twice.
import type { Resume } from "./nativeDeflate.ts"

/** A decoded tile, or its first `rows` rows (DEFLATE is sequential: a read may stop after the rows it needs). */
export interface Decoded {
  readonly buffer: ArrayBufferLike
  readonly rows: number
  /** Where DEFLATE stopped, when the tile's later rows can be inflated without starting over. */
  readonly resume?: Resume | undefined
  /** Gives `buffer` back for reuse, called once when the tile leaves the cache (evicted or dropped). */
  readonly recycle?: (() => void) | undefined
}

interface Entry {
  readonly owner: number
  readonly value: Promise<Decoded>
  rows: number
  bytes: number
  /** The settled value, once decoded. */
  decoded?: Decoded
}

/** What a paused zlib stream holds natively (window and state), counted against the cache budget. */
export const pausedStreamBytes = 64 * 1024

// A paused stream left in the cache is closed when its tile leaves the cache, and its buffer given back;
// one taken by an extension is no longer in the cache, and the extension owns both.
const release = (entry: Entry): void => {
  entry.decoded?.resume?.handle.close()
  entry.decoded?.recycle?.()
}

/** Decoded tile buffers keyed by source + image + tile + sample, evicted least recently used first. */
export class TileCache {
  readonly capacity: number
  private readonly entries = new Map<string, Entry>()
  private used = 0
  hits = 0
  misses = 0
  /** Decodes of a tile held with fewer rows than a read needed. */
  extensions = 0

  constructor(capacity: number) {
    this.capacity = capacity
  }

  /**
   * At least the first `rows` rows of the tile `key`, decoding with `decode(rows, previous)` when they are not
   * cached (`previous`: the fewer rows held, which the decode may continue from).
   */
  get(
    owner: number,
    key: string,
    rows: number,
    decode: (rows: number, previous?: Promise<Decoded>) => Promise<Decoded>
  ): Promise<Decoded> {
    let previous: Promise<Decoded> | undefined
    const found = this.entries.get(key)
    if (found !== undefined) {
      // Re-insert: Map iteration order is insertion order, so the first entry is the least recently used.
      this.entries.delete(key)
      this.entries.set(key, found)
      if (found.rows >= rows) {
        this.hits++
        return found.value
      }
      this.extensions++
      previous = found.value
      this.used -= found.bytes
      this.entries.delete(key)
    } else this.misses++
    if (this.capacity <= 0) {
      // Nothing is kept, so nothing can continue the stream: close it now.
      return decode(rows).then((d) => {
        d.resume?.handle.close()
        return d.resume === undefined ? d : { ...d, resume: undefined }
      })
    }
    const value = decode(rows, previous)
    const entry: Entry = { owner, value, rows, bytes: 0 }
    this.entries.set(key, entry)
    value.then(
      (decoded) => {
        if (this.entries.get(key) !== entry) return
        entry.rows = Math.max(rows, decoded.rows)
        entry.decoded = decoded
        entry.bytes =
          decoded.buffer.byteLength + (decoded.resume === undefined ? 0 : pausedStreamBytes)
        this.used += entry.bytes
        this.evict()
      },
      () => {
        if (this.entries.get(key) === entry) this.entries.delete(key)
      }
    )
    return value
  }

  /** Drops every tile of a closed source. */
  drop(owner: number): void {
    for (const [key, entry] of this.entries) {
      if (entry.owner !== owner) continue
      this.entries.delete(key)
      this.used -= entry.bytes
      release(entry)
    }
  }

  /** Bytes of decoded tiles held. */
  get size(): number {
    return this.used
  }

  private evict(): void {
    for (const [key, entry] of this.entries) {
      if (this.used <= this.capacity) return
      // Tiles still decoding (bytes 0) cost nothing yet; keep them so concurrent readers share them.
      if (entry.bytes === 0) continue
      this.entries.delete(key)
      this.used -= entry.bytes
      release(entry)
    }
  }
}
