// Byte sources for geotiff.js: a local file handle, or HTTP range requests (`rangeRequest.ts`: retries,
// backoff or Retry-After, timeouts, a concurrency limit and pacer per host, all under the build's access
// policy) through a block cache, coalesced, checked against the version of reused header bytes. Counts
// requests and bytes fetched.
import { Guarded } from "@eoforge/access"
import { Redact } from "@eoforge/core"
import { fetchRange, HttpFailure, routeOf, totals } from "./rangeRequest.ts"
import { splitBlocks, uninitialised } from "./responseBlocks.ts"

type Guard = Guarded.Guard

/** A slice of a file as geotiff.js asks for it. */
export interface Slice {
  readonly offset: number
  readonly length: number
}

/** HTTP behaviour of URL sources. */
export interface HttpOptions {
  /** Attempts per range request before giving up (≥ 1). */
  readonly maxAttempts: number
  /** First backoff delay in ms; doubles at each retry. */
  readonly backoffMs: number
  /** Time limit of one request in ms. */
  readonly timeoutMs: number
  /** Requests in flight per host. */
  readonly perHostConcurrency: number
  /** Size of the cached blocks in bytes. */
  readonly blockSize: number
  /**
   * What one request costs, in bytes: range requests of one file asked for in the same turn of the event
   * loop whose byte ranges lie at most this far apart are fetched as one request, since fetching the gap
   * costs less than another request (adjacent tiles of a window, and of concurrent chips reading the same
   * file, cost one round trip). Negative: no coalescing. A request costs a round trip (its latency times
   * the bandwidth of a connection: Apache Arrow's `hole_size_limit`, the bandwidth-delay product, MBs on
   * S3) and a place under the host's request rate (its bandwidth over its rate: 200 MB/s at 500 requests/s
   * is 400 KB); GDAL's GeoTIFF driver merges only contiguous tiles, as its tiles are read whole.
   */
  readonly coalesceGapBytes: number
  /**
   * Pace the requests to a host after it refuses some as too many (429, 503 SlowDown): the rate it served,
   * cut at each later refusal and raised while requests wait (@eoforge/access `Pacing`), with the
   * refused requests sent again at that pace rather than each after a full Retry-After.
   */
  readonly pacing: boolean
  /**
   * Look for a GDAL PAM sidecar (`<url>.aux.xml`) beside URLs, one request per opened file. Off by default, as
   * GDAL is run against cloud archives (GDAL_DISABLE_READDIR_ON_OPEN=EMPTY_DIR); local files always are.
   */
  readonly sidecars: boolean
}

/**
 * Defaults: 4 attempts, 200 ms first backoff, 15 s timeout, 64 requests per host, 16 KiB blocks, ranges
 * within 512 KiB coalesced (a 512² DEFLATE tile of 16-bit samples is 300–400 KB: the unread rest of one
 * tile costs less than a request for its neighbour), pacing, no URL sidecars.
 */
export const defaultHttpOptions: HttpOptions = {
  maxAttempts: 4,
  backoffMs: 200,
  timeoutMs: 15_000,
  perHostConcurrency: 64,
  blockSize: 16 * 1024,
  coalesceGapBytes: 512 * 1024,
  pacing: true,
  sidecars: false
}

export { HttpFailure, totals }
export { openLocal } from "./localSource.ts"
export { splitBlocks } from "./responseBlocks.ts"

/** A byte source with transfer counters. */
export interface ByteSource {
  fetch(slices: ReadonlyArray<Slice>, signal?: AbortSignal): Promise<Array<ArrayBuffer>>
  readonly fileSize: number | null
  close(): Promise<void>
  readonly stats: { requests: number; bytes: number }
  /** Reads `target.length` bytes at `position` into `target` (up to the file's end); the bytes read. */
  readonly readInto?: (target: Uint8Array, position: number) => Promise<number>
  /**
   * Resolves once a response has shown that reused bytes (a header cache's) are of the file as it is now;
   * fails with `SourceChanged` otherwise. Pixels are given only after it (HTTP sources opened with them).
   */
  readonly verify?: () => Promise<void>
  /**
   * The bytes of `slice` (up to the file's end), a view of what was fetched where it can be (HTTP), else a
   * copy: into `into(n)` when given (an array of at least n bytes, not zeroed), else a new array.
   */
  readonly view?: (slice: Slice, into?: (n: number) => Uint8Array) => Promise<Uint8Array>
  /**
   * Drops the fetched blocks lying wholly inside `slice`, bytes the caller has used for good (a tile inflated
   * whole): a later read of them fetches them again. Views already given stay valid.
   */
  readonly forget?: (slice: Slice) => void
}

/** Time as the caller's Effect Clock sees it (so tests can use TestClock). */
export interface Timer {
  readonly sleep: (ms: number) => Promise<void>
  readonly now: () => number
}

const realTimer: Timer = {
  sleep: (ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
  now: () => Date.now()
}

/**
 * A response showed that the file is no longer the one whose header bytes were reused (another size or
 * version): the bytes it brought are not used, and the file must be opened again from the network.
 */
export class SourceChanged extends Error {
  constructor(url: string, what: string) {
    super(
      `${Redact.forMessage(url)} changed since its header was cached (${what}); it is opened again from the network`
    )
  }
}

/**
 * A URL read with range requests through a block cache that survives re-opening (the header cache). With
 * `expected` (the version and size the reused header blocks were read at), every response is checked
 * against them and a mismatch fails with `SourceChanged` before its bytes are used.
 */
export const openHttp = async (
  url: string,
  options: HttpOptions,
  blocks: Map<number, Uint8Array>,
  sizeHint: number | undefined,
  guard: Guard = {},
  timer: Timer = realTimer,
  expected?: {
    readonly version: string
    readonly size: number
    /** This process read these bytes from the server itself: no request is made only to confirm them. */
    readonly confirmed?: boolean
  }
): Promise<
  ByteSource & {
    readonly size: () => number | undefined
    /** The file's version as its first response named it (undefined before a response, or none named). */
    readonly version: () => string | undefined
    /** Whether a response (or this process's own reading) has confirmed the reused bytes. */
    readonly verified: () => boolean
  }
> => {
  const stats = { requests: 0, bytes: 0 }
  let size = sizeHint
  let seen: string | undefined = expected?.version
  let answered = expected !== undefined
  // Reused bytes are trusted for pixels only once a response has named the expected version: a read served
  // from them alone is confirmed by a one-byte request before its pixels are given (`verify`).
  let verified = expected === undefined || expected.confirmed === true
  let verifying: Promise<void> | undefined
  const compare = (version: string | undefined, total: number | undefined) => {
    if (expected === undefined) return
    if (version !== expected.version)
      throw new SourceChanged(url, `version ${version ?? "none"}, was ${expected.version}`)
    if (total !== undefined && total !== expected.size)
      throw new SourceChanged(url, `${total} bytes, was ${expected.size}`)
    verified = true
  }
  const verify = (): Promise<void> => {
    verifying ??= fetchRange(url, route, 0, 1, options, stats, guard, timer).then(
      ({ version, total }) => compare(version, total),
      (error: unknown) => {
        verifying = undefined
        throw error
      }
    )
    return verifying
  }
  const pending = new Map<number, Promise<void>>()
  const bs = options.blockSize
  const route = routeOf(url, options)

  const loadRun = async (first: number, last: number): Promise<void> => {
    const start = first * bs
    let end = (last + 1) * bs
    if (size !== undefined) end = Math.min(end, size)
    if (start >= end) return
    const { data, total, version } = await fetchRange(
      url,
      route,
      start,
      end,
      options,
      stats,
      guard,
      timer
    )
    compare(version, total)
    if (!answered) {
      answered = true
      seen = version
    } else if (version !== seen) seen = undefined
    if (total !== undefined) size = total
    splitBlocks(data, bs, (i, block) => blocks.set(first + i, block), last - first + 1)
  }

  const ensure = async (first: number, last: number): Promise<void> => {
    const waits: Array<Promise<void>> = []
    let runStart = -1
    const flush = (upTo: number) => {
      if (runStart < 0) return
      // The run's own first block: `runStart` moves on before the request ends.
      const from = runStart
      const p = loadRun(from, upTo)
      for (let b = from; b <= upTo; b++) pending.set(b, p)
      waits.push(
        p.finally(() => {
          for (let b = from; b <= upTo; b++) if (pending.get(b) === p) pending.delete(b)
        })
      )
      runStart = -1
    }
    for (let b = first; b <= last; b++) {
      if (blocks.has(b)) {
        flush(b - 1)
        continue
      }
      const p = pending.get(b)
      if (p !== undefined) {
        flush(b - 1)
        waits.push(p)
        continue
      }
      if (runStart < 0) runStart = b
    }
    flush(last)
    await Promise.all(waits)
  }

  // The bytes [offset, offset + length) (up to the file's end) fetched, then copied into `into(n)` — an array
  // of at least n bytes, which need not be zeroed: every byte of [0, n) is written, from the first missing
  // block on (a file shorter than it said) with 0.
  const copyRange = async (
    { offset, length }: Slice,
    into: (n: number) => Uint8Array
  ): Promise<number> => {
    let end = offset + length
    if (size !== undefined) end = Math.min(end, size)
    if (end <= offset) return 0
    const first = Math.floor(offset / bs)
    const last = Math.floor((end - 1) / bs)
    await ensure(first, last)
    if (size !== undefined) end = Math.min(end, size)
    const n = Math.max(0, end - offset)
    const out = into(n)
    let written = 0
    for (let b = first; b <= last; b++) {
      const block = blocks.get(b)
      if (block === undefined) break
      const blockStart = b * bs
      const from = Math.max(offset, blockStart)
      const to = Math.min(end, blockStart + block.byteLength)
      if (to <= from) continue
      if (from - offset > written) out.fill(0, written, from - offset)
      out.set(block.subarray(from - blockStart, to - blockStart), from - offset)
      written = to - offset
    }
    if (written < n) out.fill(0, written, n)
    return n
  }

  // Into an ArrayBuffer of its own (transferable to a decoder thread), not zeroed first.
  const readSlice = async (slice: Slice): Promise<ArrayBuffer> => {
    let out: Uint8Array<ArrayBuffer> = new Uint8Array(0)
    await copyRange(slice, (n) => (out = uninitialised(n)))
    return out.buffer
  }

  // Block runs asked for in one turn of the event loop, merged across callers before any is fetched.
  const gapBlocks = Math.floor(options.coalesceGapBytes / bs)
  let queued: Array<{
    first: number
    last: number
    done: () => void
    failed: (e: unknown) => void
  }> = []
  const flush = () => {
    const batch = queued.sort((a, b) => a.first - b.first)
    queued = []
    let k = 0
    while (k < batch.length) {
      let j = k
      let last = batch[k].last
      while (j + 1 < batch.length && batch[j + 1].first <= last + 1 + gapBlocks) {
        j++
        last = Math.max(last, batch[j].last)
      }
      const members = batch.slice(k, j + 1)
      ensure(batch[k].first, last).then(
        () => members.forEach((m) => m.done()),
        (e) => members.forEach((m) => m.failed(e))
      )
      k = j + 1
    }
  }
  const want = (slices: ReadonlyArray<Slice>): Promise<void> => {
    const runs: Array<Promise<void>> = []
    for (const { offset, length } of slices) {
      const end = size === undefined ? offset + length : Math.min(offset + length, size)
      if (end <= offset) continue
      const first = Math.floor(offset / bs)
      const last = Math.floor((end - 1) / bs)
      let missing = false
      for (let b = first; b <= last && !missing; b++) missing = !blocks.has(b)
      if (!missing) continue
      runs.push(
        new Promise<void>((done, failed) => {
          if (queued.length === 0) setImmediate(flush)
          queued.push({ first, last, done, failed })
        })
      )
    }
    return Promise.all(runs).then(() => undefined)
  }

  return {
    get fileSize() {
      return size ?? null
    },
    size: () => size,
    version: () => seen,
    verify: () => (verified ? Promise.resolve() : verify()),
    verified: () => verified,
    stats,
    close: async () => {},
    fetch: async (slices) => {
      // Until the size is known (the first request), one slice at a time as asked.
      if (size !== undefined && options.coalesceGapBytes >= 0) await want(slices)
      return Promise.all(slices.map(readSlice))
    },
    // Into the caller's array (a decoder pool's buffer), coalesced with the reads of the same turn as fetch's.
    readInto: async (target, position) => {
      const slice = { offset: position, length: target.length }
      if (size !== undefined && options.coalesceGapBytes >= 0) await want([slice])
      return copyRange(slice, () => target)
    },
    // A tile's compressed bytes as they came: a view of the response when one request brought them all.
    forget: ({ offset, length }) => {
      // A source keeps the blocks it fetched until it closes; those of a tile already inflated whole would
      // stay alive (and be carried through every young-generation collection) for nothing.
      for (let b = Math.ceil(offset / bs), end = Math.floor((offset + length) / bs); b < end; b++)
        blocks.delete(b)
    },
    view: async ({ offset, length }, into) => {
      const slice = { offset, length }
      if (size !== undefined && options.coalesceGapBytes >= 0) await want([slice])
      let end = offset + length
      if (size !== undefined) end = Math.min(end, size)
      if (end > offset) {
        const first = Math.floor(offset / bs)
        const last = Math.floor((end - 1) / bs)
        await ensure(first, last)
        const head = blocks.get(first)
        let whole = head !== undefined
        for (let b = first + 1; b <= last && whole; b++) {
          const block = blocks.get(b)
          whole =
            block !== undefined &&
            head !== undefined &&
            block.buffer === head.buffer &&
            block.byteOffset === head.byteOffset + (b - first) * bs
        }
        const tail = blocks.get(last)
        const at = offset - first * bs
        if (head !== undefined && tail !== undefined && whole && tail.byteLength >= end - last * bs)
          return new Uint8Array(head.buffer, head.byteOffset + at, end - offset)
      }
      if (into === undefined) return new Uint8Array(await readSlice(slice))
      let out: Uint8Array = new Uint8Array(0)
      const n = await copyRange(slice, (k) => (out = into(k)))
      return out.subarray(0, n)
    }
  }
}
