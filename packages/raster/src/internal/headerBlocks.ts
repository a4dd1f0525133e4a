// The header blocks of the URLs a raster service has opened: the bytes fetched while parsing a file's header,
// reused when it is opened again (a build reopens a file for every patch it serves), least recently used
// first out past the budget. With the file's version (ETag or Last-Modified) when its server named one,
// every response of a reopened file is checked against it (byteSource `SourceChanged`). A URL seen to change
// is read again from the network and then checked against its new version; one seen to change twice (a
// server naming versions inconsistently) is no longer kept at all. A header shelf's entry (another process's
// blocks) is used only when this process holds none and has not seen the URL change.
import { Guarded } from "@eoforge/access"
import type * as HeaderShelf from "../HeaderShelf.ts"
import { openHttp, openLocal, type ByteSource, type HttpOptions, type Timer } from "./byteSource.ts"
import { isUrl } from "./openSupport.ts"

interface Entry {
  readonly blocks: Map<number, Uint8Array>
  readonly size: number | undefined
  readonly version: string | undefined
  /** Read from the server by this process (or confirmed by a response since), not only a shelf's. */
  confirmed: boolean
  bytes: number
}

/** A file's bytes as opened, with what to keep of its header once the format has parsed it. */
export interface OpenedBytes {
  readonly bytes: ByteSource
  /** Keeps the header blocks; returns the entry to shelve (fetched from the network, versioned). */
  readonly done: () => HeaderShelf.Entry | undefined
  readonly version: () => string | undefined
}

/** The header blocks of one raster service, bounded by `budget` bytes. */
export const make = (http: HttpOptions, budget: number) => {
  const cache = new Map<string, Entry>()
  // How many times each URL was seen to change.
  const changed = new Map<string, number>()
  let total = 0

  const remember = (
    location: string,
    blocks: Map<number, Uint8Array>,
    size: number | undefined,
    version: string | undefined,
    confirmed: boolean
  ) => {
    let bytes = 0
    for (const b of blocks.values()) bytes += b.byteLength
    cache.set(location, { blocks, size, version, confirmed, bytes })
    total += bytes
    for (const [key, entry] of cache) {
      if (total <= budget) break
      cache.delete(key)
      total -= entry.bytes
    }
  }

  /** Drops a URL's blocks after a response showed the file changed (no shelf entry is used for it again). */
  const forget = (location: string) => {
    const entry = cache.get(location)
    if (entry !== undefined) total -= entry.bytes
    cache.delete(location)
    changed.set(location, (changed.get(location) ?? 0) + 1)
  }

  /** Whether this process holds the URL's blocks or has seen it change (a shelf's entry is then not used). */
  const known = (location: string) => cache.has(location) || changed.has(location)

  /** A read of this version of the file was confirmed by a response: no confirming request on reopening. */
  const confirmed = (location: string, version: string | undefined) => {
    const entry = cache.get(location)
    if (entry !== undefined && entry.version === version) entry.confirmed = true
  }

  /**
   * Opens a file's bytes: a local path, or a URL with the blocks held for it (this process's, else
   * `shelved`); `fresh` uses neither (after a change).
   */
  const open = async (
    location: string,
    guard: Guarded.Guard,
    timer: Timer,
    shelved: HeaderShelf.Entry | undefined,
    fresh: boolean
  ): Promise<OpenedBytes> => {
    if (!isUrl(location)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(location) && !/^file:/i.test(location))
        throw new Guarded.AccessRefused(
          `${location.split(":")[0]}: URLs cannot be read (http, https, s3 and files can)`
        )
      const path = /^file:/i.test(location)
        ? decodeURIComponent(new URL(location).pathname)
        : location
      return {
        bytes: await openLocal(path, guard),
        done: () => undefined,
        version: () => undefined
      }
    }
    const own = fresh ? undefined : cache.get(location)
    if (own !== undefined) {
      cache.delete(location)
      cache.set(location, own)
    }
    // A shelf entry fetched before a concurrent read saw the file change is not used.
    const cached = own ?? (fresh || changed.has(location) ? undefined : shelved)
    const blocks = new Map(cached?.blocks ?? [])
    const expected =
      cached?.version === undefined || cached.size === undefined
        ? undefined
        : {
            version: cached.version,
            size: cached.size,
            confirmed: own !== undefined && own.confirmed
          }
    const bytes = await openHttp(location, http, blocks, cached?.size, guard, timer, expected)
    return {
      bytes,
      version: () => bytes.version(),
      done: () => {
        const version = bytes.version()
        const size = bytes.size()
        // Kept with the version it was read at (checked on every reopen), unless the URL changed twice.
        if (!cache.has(location) && (changed.get(location) ?? 0) < 2)
          remember(
            location,
            new Map(blocks),
            size,
            version,
            cached === undefined || bytes.verified()
          )
        // Shelved when read from the network (again, after a change: the shelf then holds the new one).
        return cached !== undefined || version === undefined || size === undefined
          ? undefined
          : { version, size, blocks: new Map(blocks) }
      }
    }
  }

  return { open, forget, known, confirmed }
}
