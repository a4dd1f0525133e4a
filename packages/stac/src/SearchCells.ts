// Search by area, not by patch: a patch-sized search becomes one search of its search cell (a lon/lat grid
// cell plus a margin) per query, cached in memory (bounded) and on disk; each patch's items are then picked
// from the cell's list locally with the catalogue's own matching rules, so selections stay exactly the same.
import { Redact } from "@eoforge/core"
import { Deferred, Effect, Stream } from "effect"
import { createHash } from "node:crypto"
import { gunzipSync, gzipSync } from "node:zlib"
import { intersectsRing } from "./internal/intersects.ts"
import { shared } from "./internal/shared.ts"
import * as Search from "./Search.ts"
import { StacClient, type Source } from "./StacClient.ts"
import { ItemError } from "./StacError.ts"
import type { Item } from "./StacItem.ts"
import * as StacItem from "./StacItem.ts"

/** A search function: what `StacClient.search` is, or any other item source with the same contract. */
export type SearchFn<E> = (source: Source, params: Search.SearchParams) => Stream.Stream<Item, E>

/** What `Disk.exclusive` did: ran the search itself, or found the list another process stored meanwhile. */
export type Exclusive<A> =
  | { readonly _tag: "Searched"; readonly value: A }
  | { readonly _tag: "Stored"; readonly bytes: Uint8Array }

/** Where cell lists persist between processes (a store's `.eoforge/search/`): best effort, never fails. */
export interface Disk {
  readonly read: (name: string) => Effect.Effect<Uint8Array | undefined>
  readonly write: (name: string, bytes: Uint8Array) => Effect.Effect<void>
  /**
   * Optional: run `search` (which ends by writing the list) as the only searcher of cell `name` among the
   * processes sharing this disk, or wait for the list of the process searching it and return its bytes.
   */
  readonly exclusive?: <A>(name: string, search: Effect.Effect<A>) => Effect.Effect<Exclusive<A>>
}

/** How cells are laid and how much is kept. */
export interface Options {
  /** Cell size in degrees of longitude and latitude (cells are aligned on multiples of it). */
  readonly cellDegrees: number
  /** Margin added around each cell, degrees: patches whose box leaves cell + margin are searched alone. */
  readonly marginDegrees: number
  /** Page size of cell searches. */
  readonly pageLimit: number
  /** Items kept in memory over all cells (least recently used cells are dropped first). */
  readonly maxItems: number
  /**
   * How an API matches `intersects`: `exact` polygon intersection (the STAC API specification, pgstac and
   * stac-server) or `bbox` (servers that compare bounding boxes). Static catalogues always compare boxes.
   */
  readonly intersects: "exact" | "bbox"
  /** Persistence of cell lists, shared by resumed runs and other workers of the same store. */
  readonly disk?: Disk | undefined
}

/** Defaults: 1° cells with a 0.25° margin, 500 items per page, 50,000 items in memory, exact intersects. */
export const defaultOptions: Options = {
  cellDegrees: 1,
  marginDegrees: 0.25,
  pageLimit: 500,
  maxItems: 50_000,
  intersects: "exact"
}

/** What the cache did, for reports and benchmarks. */
export interface Counts {
  /** Searches sent for whole cells. */
  readonly cellSearches: number
  /** Patch searches answered from a cell list held in memory (or shared with a search in flight). */
  readonly memoryHits: number
  /** Cell lists read back from disk. */
  readonly diskHits: number
  /** Patch searches sent as they were (no cell applies, or the cell's search failed). */
  readonly direct: number
}

/** A search function that answers patch searches from cell lists, and its counters. */
export interface Cells<E> {
  readonly search: SearchFn<E>
  readonly counts: () => Counts
  /**
   * Fetch the cell list a later `search` with these parameters will read (from disk or the catalogue), unless
   * it is held, being fetched or failed: no patch search is counted and nothing is returned, so a build can
   * search the cells of the samples it reads next while it reads the current ones. Never fails.
   */
  readonly prefetch: (source: Source, params: Search.SearchParams) => Effect.Effect<void>
}

type Box = readonly [number, number, number, number]

const boxOf = (ring: ReadonlyArray<readonly [number, number]>): Box => {
  let w = Infinity
  let s = Infinity
  let e = -Infinity
  let n = -Infinity
  for (const [x, y] of ring) {
    if (x < w) w = x
    if (x > e) e = x
    if (y < s) s = y
    if (y > n) n = y
  }
  return [w, s, e, n]
}

/** The cell box (clamped to the globe) holding a patch polygon, or undefined when none holds it. */
export const cellOf = (
  params: Search.SearchParams,
  options: Pick<Options, "cellDegrees" | "marginDegrees">
): { readonly i: number; readonly j: number; readonly box: Box } | undefined => {
  const g = params.intersects
  if (g === undefined || g.type !== "Polygon" || g.coordinates.length !== 1) return undefined
  if (params.bbox !== undefined || params.collections.length !== 1) return undefined
  const [w, s, e, n] = boxOf(g.coordinates[0])
  if (!(Number.isFinite(w) && Number.isFinite(s) && Number.isFinite(e) && Number.isFinite(n)))
    return undefined
  const d = options.cellDegrees
  const m = options.marginDegrees
  const i = Math.floor((w + e) / 2 / d)
  const j = Math.floor((s + n) / 2 / d)
  const box: Box = [
    Math.max(-180, i * d - m),
    Math.max(-90, j * d - m),
    Math.min(180, (i + 1) * d + m),
    Math.min(90, (j + 1) * d + m)
  ]
  const inside = box[0] <= w && e <= box[2] && box[1] <= s && n <= box[3]
  return inside ? { i, j, box } : undefined
}

const polygonOf = ([w, s, e, n]: Box): Search.SearchParams["intersects"] => ({
  type: "Polygon",
  coordinates: [
    [
      [w, s],
      [e, s],
      [e, n],
      [w, n],
      [w, s]
    ]
  ]
})

/**
 * Whether a cell item is one the patch search would have returned: the client's own local matching
 * (collection, box, window, cloud, equalities) and, for an API, the server's exact `intersects`.
 */
const answers = (
  item: Item,
  source: Source,
  params: Search.SearchParams,
  rule: Options["intersects"]
): boolean => {
  const collection = item.collection ?? params.collections[0]
  if (!Search.matches(item, collection, params)) return false
  if (source._tag !== "Api" || rule === "bbox" || params.intersects === undefined) return true
  const g = item.geometry
  if (g === null || (g.type !== "Polygon" && g.type !== "MultiPolygon")) return false
  try {
    return intersectsRing(g, params.intersects.coordinates[0] as never)
  } catch {
    return false
  }
}

const hasSecret = (item: Item): boolean =>
  Object.values(item.assets).some((a) => Redact.forRecord(a.href) !== a.href)

const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex")

/** Largest cell list read back from disk, bytes after decompression. */
const maxDiskBytes = 256 * 1024 * 1024

const encode = (hash: string, items: ReadonlyArray<Item>): Uint8Array =>
  gzipSync(Buffer.from(JSON.stringify({ hash, items })), { level: 6 })

const decode = (hash: string, bytes: Uint8Array): ReadonlyArray<Item> | undefined => {
  try {
    const doc = JSON.parse(
      gunzipSync(bytes, { maxOutputLength: maxDiskBytes }).toString("utf8")
    ) as { hash?: unknown; items?: unknown }
    if (doc.hash !== hash || !Array.isArray(doc.items)) return undefined
    const items: Array<Item> = []
    for (const value of doc.items) {
      const item = StacItem.validate(value, "search cache")
      if (item instanceof ItemError) return undefined
      items.push(item)
    }
    return items
  } catch {
    return undefined
  }
}

/**
 * Answer patch searches from cell searches. A cell's search carries the patch search's collection, window,
 * cloud limit and equalities with the cell box as `intersects`; its failure (of any kind) sends the patch
 * searches of that cell as they were, so a failure is the patch's own. Concurrent patches of one cell wait
 * for a single search.
 */
export const make = <E>(search: SearchFn<E>, partial: Partial<Options> = {}): Cells<E> => {
  const options: Options = { ...defaultOptions, ...partial }
  const memory = new Map<string, ReadonlyArray<Item>>()
  const failed = new Set<string>()
  const pending = new Map<string, Deferred.Deferred<ReadonlyArray<Item> | undefined>>()
  let held = 0
  let cellSearches = 0
  let memoryHits = 0
  let diskHits = 0
  let direct = 0

  const remember = (hash: string, items: ReadonlyArray<Item>): void => {
    memory.set(hash, items)
    held += items.length
    for (const [k, v] of memory) {
      if (held <= options.maxItems || k === hash) break
      memory.delete(k)
      held -= v.length
    }
  }

  const fetchCell = (
    hash: string,
    source: Source,
    cellParams: Search.SearchParams
  ): Effect.Effect<ReadonlyArray<Item> | undefined> =>
    Effect.gen(function* () {
      const stored = options.disk === undefined ? undefined : yield* options.disk.read(hash)
      const fromDisk = stored === undefined ? undefined : decode(hash, stored)
      if (fromDisk !== undefined) {
        diskHits++
        return fromDisk
      }
      const searchCell = Effect.gen(function* () {
        cellSearches++
        const items = yield* Stream.runCollect(search(source, cellParams)).pipe(
          Effect.map((xs): ReadonlyArray<Item> | undefined => xs),
          Effect.catch(() => Effect.succeed(undefined))
        )
        // Lists whose asset hrefs carry credentials (pre-signed URLs) stay in memory: nothing persisted holds a secret.
        if (items !== undefined && options.disk !== undefined && !items.some(hasSecret)) {
          yield* options.disk.write(hash, encode(hash, items))
        }
        return items
      })
      if (options.disk?.exclusive === undefined) return yield* searchCell
      const outcome = yield* options.disk.exclusive(hash, searchCell)
      if (outcome._tag === "Searched") return outcome.value
      const fromOther = decode(hash, outcome.bytes)
      if (fromOther === undefined) return yield* searchCell
      diskHits++
      return fromOther
    })

  const cellItems = (
    hash: string,
    source: Source,
    cellParams: Search.SearchParams
  ): Effect.Effect<ReadonlyArray<Item> | undefined> =>
    Effect.suspend(() => {
      const hit = memory.get(hash)
      if (hit !== undefined) {
        memory.delete(hash)
        memory.set(hash, hit)
        memoryHits++
        return Effect.succeed(hit)
      }
      if (failed.has(hash)) return Effect.succeed(undefined)
      return shared(
        pending,
        hash,
        fetchCell(hash, source, cellParams).pipe(
          Effect.tap((items) =>
            Effect.sync(() => {
              if (items === undefined) failed.add(hash)
              else remember(hash, items)
            })
          )
        ),
        // A fetch that did not end with a list (interrupted): the waiters search their patches directly.
        (exit) => Effect.succeed(exit._tag === "Success" ? exit.value : undefined),
        () => void memoryHits++
      )
    })

  // The cell of a patch search: its cache key and the search sent for the whole cell.
  const cellQuery = (
    source: Source,
    params: Search.SearchParams
  ): { readonly hash: string; readonly cellParams: Search.SearchParams } | undefined => {
    const cell = cellOf(params, options)
    if (cell === undefined) return undefined
    const key = JSON.stringify({
      v: 1,
      source: [source._tag, source.url],
      collections: params.collections,
      datetime: params.datetime ?? null,
      maxCloud: params.maxCloud ?? null,
      equals: params.equals ?? null,
      cell: [options.cellDegrees, options.marginDegrees, cell.i, cell.j],
      limit: options.pageLimit
    })
    const cellParams: Search.SearchParams = {
      collections: params.collections,
      intersects: polygonOf(cell.box),
      ...(params.datetime === undefined ? {} : { datetime: params.datetime }),
      ...(params.maxCloud === undefined ? {} : { maxCloud: params.maxCloud }),
      ...(params.equals === undefined ? {} : { equals: params.equals }),
      limit: options.pageLimit
    }
    return { hash: sha256(key), cellParams }
  }

  const cellSearch: SearchFn<E> = (source, params) => {
    const query = cellQuery(source, params)
    if (query === undefined) {
      direct++
      return search(source, params)
    }
    return Stream.unwrap(
      Effect.map(cellItems(query.hash, source, query.cellParams), (items) => {
        if (items === undefined) {
          direct++
          return search(source, params)
        }
        return Stream.fromIterable(
          items.filter((item) => answers(item, source, params, options.intersects))
        )
      })
    )
  }

  const prefetch = (source: Source, params: Search.SearchParams): Effect.Effect<void> =>
    Effect.suspend(() => {
      const query = cellQuery(source, params)
      if (query === undefined) return Effect.void
      const { hash, cellParams } = query
      if (memory.has(hash) || pending.has(hash) || failed.has(hash)) return Effect.void
      return Effect.asVoid(cellItems(hash, source, cellParams))
    })

  return {
    search: cellSearch,
    counts: () => ({ cellSearches, memoryHits, diskHits, direct }),
    prefetch
  }
}

/**
 * A client whose searches go through search cells (capabilities unchanged), the cells' counters and their
 * `prefetch`.
 */
export const withClient = (
  client: StacClient["Service"],
  options: Partial<Options> = {}
): {
  readonly client: StacClient["Service"]
  readonly counts: () => Counts
  readonly prefetch: Cells<unknown>["prefetch"]
} => {
  const cells = make(client.search, options)
  return {
    client: StacClient.of({ ...client, search: cells.search }),
    counts: cells.counts,
    prefetch: cells.prefetch
  }
}
