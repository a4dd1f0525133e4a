// A bounded least-recently-used cache of decoded tiles, shared by the sources of one RasterSource layer
// (as GDAL's block cache is shared by its datasets). In-flight decodes are shared too: no tile decodes twice.

interface Entry {
  readonly owner: number
  readonly value: Promise<ArrayBufferLike>
  bytes: number
}

/** Decoded tile buffers keyed by source + image + tile + sample, evicted least recently used first. */
export class TileCache {
  readonly capacity: number
  private readonly entries = new Map<string, Entry>()
  private used = 0
  hits = 0
  misses = 0

  constructor(capacity: number) {
    this.capacity = capacity
  }

  /** The decoded tile for `key`, decoding it with `decode` when it is not cached. */
  get(
    owner: number,
    key: string,
    decode: () => Promise<ArrayBufferLike>
  ): Promise<ArrayBufferLike> {
    const found = this.entries.get(key)
    if (found !== undefined) {
      this.hits++
      // Re-insert: Map iteration order is insertion order, so the first entry is the least recently used.
      this.entries.delete(key)
      this.entries.set(key, found)
      return found.value
    }
    this.misses++
    if (this.capacity <= 0) return decode()
    const value = decode()
    const entry: Entry = { owner, value, bytes: 0 }
    this.entries.set(key, entry)
    value.then(
      (buffer) => {
        if (this.entries.get(key) !== entry) return
        entry.bytes = buffer.byteLength
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
    }
  }
}
