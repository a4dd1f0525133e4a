// Static STAC catalogues (catalog.json → collections → items) on disk, over http(s) or file://: walked
// concurrently once per build into an index of items per collection, which every search then filters.
import { type AccessPolicy, Redact } from "@eoforge/core"
import type { Guarded } from "@eoforge/access"
import { Effect, Stream } from "effect"
import * as Access from "./Access.ts"
import type { Documents } from "./internal/documents.ts"
import * as Http from "./internal/http.ts"
import * as Search from "./Search.ts"
import {
  AccessError,
  ItemError,
  NotStacError,
  type SearchError,
  type StacHttpError,
  UnknownCollectionError
} from "./StacError.ts"
import type { Item, Link } from "./StacItem.ts"
import * as StacItem from "./StacItem.ts"

/** One item of the index: where its document is and what searches filter on before reading it. */
export interface Entry {
  /** The absolute URL or path of the item's document. */
  readonly url: string
  readonly collection: string | undefined
  /** Position in a depth-first walk of the links in document order: results keep this order. */
  readonly order: string
  /** The item cut down to what local filtering reads: id, bbox, datetime, eo:cloud_cover. */
  readonly stub: Item
}

/** The catalogues' documents above the collections: collections by id, items linked outside them. */
interface Skeleton {
  readonly collections: ReadonlyMap<string, { readonly url: string; readonly order: string }>
  readonly loose: ReadonlyArray<Entry>
}

/** What the walk of one catalogue needs. */
export interface WalkContext {
  readonly documents: Documents
  readonly access: AccessPolicy.AccessPolicy
  readonly resolve?: Guarded.Resolver | undefined
  /** Credentials of the documents (s3 keys, logins). */
  readonly auth?: Guarded.Authorizer | undefined
  /** Documents read at once (remote ones are further limited per host by the client). */
  readonly concurrency: number
}

type WalkError = StacHttpError | AccessError | NotStacError | ItemError

const filtered = new Set(["datetime", "start_datetime", "eo:cloud_cover"])

const stubOf = (item: Item): Item => {
  const bbox = Search.itemBBox(item)
  return {
    type: "Feature",
    id: item.id,
    geometry: null,
    ...(bbox === undefined ? {} : { bbox }),
    properties: Object.fromEntries(
      Object.entries(item.properties).filter(([k]) => filtered.has(k))
    ),
    assets: {}
  }
}

// Order keys compare as strings: six digits per level hold a million links per document.
const orderOf = (parent: string, index: number): string =>
  `${parent}${parent === "" ? "" : "."}${String(index).padStart(6, "0")}`

const sortByOrder = (entries: Array<Entry>): Array<Entry> =>
  entries.sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0))

interface Doc {
  readonly type?: unknown
  readonly id?: unknown
  readonly links?: unknown
}

const readDoc = (
  ctx: WalkContext,
  url: string
): Effect.Effect<Doc | Item, StacHttpError | AccessError | NotStacError | ItemError> =>
  Effect.gen(function* () {
    const json = yield* ctx.documents.get(url, {
      policy: ctx.access,
      resolve: ctx.resolve,
      auth: ctx.auth
    })
    const shown = Redact.forMessage(url)
    if (json === undefined || typeof json !== "object" || json === null || Array.isArray(json)) {
      return yield* new NotStacError({ url: shown, detail: "the document is not a JSON object" })
    }
    const doc = json as Doc
    if (doc.type === "Feature") {
      const item = StacItem.validate(doc, shown)
      return item instanceof ItemError ? yield* item : item
    }
    if ((doc.type !== "Catalog" && doc.type !== "Collection") || !Array.isArray(doc.links)) {
      return yield* new NotStacError({
        url: shown,
        detail: `expected a STAC Catalog, Collection or Item, found type ${JSON.stringify(doc.type)}`
      })
    }
    return doc
  })

// The child and item links of a document, resolved against the document's own URL (never its `self`
// link, which may name where the catalogue was first published) and checked by the access policy.
const linksOf = (
  ctx: WalkContext,
  doc: Doc,
  url: string
): Effect.Effect<ReadonlyArray<{ readonly rel: string; readonly target: string }>, AccessError> =>
  Effect.suspend(() => {
    const out: Array<{ rel: string; target: string }> = []
    for (const l of doc.links as ReadonlyArray<Link>) {
      if (typeof l !== "object" || l === null || (l.rel !== "item" && l.rel !== "child")) continue
      if (typeof l.href !== "string") continue
      const target = Access.check(ctx.access, l.href, url)
      if (target instanceof AccessError) return Effect.fail(target)
      out.push({ rel: l.rel, target })
    }
    return Effect.succeed(out)
  })

const loop = (url: string, target: string) =>
  new NotStacError({
    url: Redact.forMessage(url),
    detail: `its child link ${Redact.forMessage(target)} leads back to a document above it (a link loop); a catalogue's child links must form a tree`
  })

/**
 * Walk from `url` (a document at depth-first position `order`), adding items to `out`. `collection` is the
 * collection the items belong to when they do not say; collection documents met on the way are handed to
 * `onCollection` and not entered unless `enter` says so.
 */
const walk = (
  ctx: WalkContext,
  url: string,
  order: string,
  ancestors: ReadonlySet<string>,
  visited: Set<string>,
  collection: string | undefined,
  out: Array<Entry>,
  onCollection: (id: string, url: string, order: string) => boolean
): Effect.Effect<void, WalkError> =>
  Effect.gen(function* () {
    const doc = yield* readDoc(ctx, url)
    if (doc.type === "Feature") {
      const item = doc as Item
      out.push({ url, collection: item.collection ?? collection, order, stub: stubOf(item) })
      return
    }
    let inner = collection
    if (doc.type === "Collection" && typeof doc.id === "string") {
      if (!onCollection(doc.id, url, order)) return
      inner = doc.id
    }
    const links = yield* linksOf(ctx, doc as Doc, url)
    const below = new Set(ancestors).add(url)
    yield* Effect.forEach(
      links.map((l, i) => [l, i] as const),
      ([l, i]) => {
        if (below.has(l.target)) return Effect.fail(loop(url, l.target))
        // A document linked twice (two parents) is read once.
        if (visited.has(l.target)) return Effect.void
        visited.add(l.target)
        return walk(ctx, l.target, orderOf(order, i), below, visited, inner, out, onCollection)
      },
      { concurrency: ctx.concurrency, discard: true }
    )
  })

/** The catalogue above its collections: which collections it holds, and items linked outside them. */
const skeletonOf = (ctx: WalkContext, root: string): Effect.Effect<Skeleton, WalkError> =>
  Effect.gen(function* () {
    const collections = new Map<string, { url: string; order: string }>()
    const loose: Array<Entry> = []
    yield* walk(ctx, root, "", new Set(), new Set([root]), undefined, loose, (id, url, order) => {
      const known = collections.get(id)
      if (known === undefined || order < known.order) collections.set(id, { url, order })
      return false
    })
    return { collections, loose: sortByOrder(loose) }
  })

/** The items of one collection (the subtree of its document), in link order. */
const collectionIndex = (
  ctx: WalkContext,
  id: string,
  at: { readonly url: string; readonly order: string }
): Effect.Effect<ReadonlyArray<Entry>, WalkError> =>
  Effect.gen(function* () {
    const out: Array<Entry> = []
    // Collections nested in this one are their own: not entered here.
    yield* walk(
      ctx,
      at.url,
      at.order,
      new Set(),
      new Set([at.url]),
      undefined,
      out,
      (c) => c === id
    )
    return sortByOrder(out.filter((e) => e.collection === id))
  })

/** Indexes of the static catalogues one client reads, each built once and shared by every search. */
export interface Indexes {
  readonly search: (
    root: string,
    params: Search.SearchParams,
    ctx: WalkContext
  ) => Stream.Stream<Item, SearchError>
}

// A memoised effect: the first caller runs it, concurrent and later callers share its result.
const memo = <A, E>(
  map: Map<string, Effect.Effect<A, E>>,
  key: string,
  make: () => Effect.Effect<A, E>
) =>
  Effect.suspend(() => {
    let hit = map.get(key)
    if (hit === undefined) {
      // A source that failed after its retries is walked again by the next search (what was read is in
      // the cache); a catalogue that is wrong stays wrong, and its error is kept.
      const forget = Effect.sync(() => void map.delete(key))
      hit = Effect.runSync(
        Effect.cached(
          make().pipe(
            Effect.tapError((e) =>
              (e as { _tag?: unknown })?._tag === "StacHttpError" ? forget : Effect.void
            )
          )
        )
      )
      map.set(key, hit)
    }
    return hit
  })

/** Fresh indexes (one client, one build). */
export const makeIndexes = (): Indexes => {
  const skeletons = new Map<string, Effect.Effect<Skeleton, WalkError>>()
  const collections = new Map<string, Effect.Effect<ReadonlyArray<Entry>, WalkError>>()

  const load = (ctx: WalkContext, entry: Entry): Effect.Effect<Item, WalkError> =>
    Effect.flatMap(readDoc(ctx, entry.url), (doc) => {
      const item = doc as Item
      // Asset and link hrefs are relative to the item's own document (absolute ones stay as written).
      const at = (href: string) => Http.resolveHref(href, entry.url)
      const assets = Object.fromEntries(
        Object.entries(item.assets).map(([k, a]) => [k, { ...a, href: at(a.href) }])
      )
      const links = Array.isArray(item.links)
        ? item.links.map((l) =>
            typeof l === "object" && l !== null && typeof l.href === "string"
              ? { ...l, href: at(l.href) }
              : l
          )
        : undefined
      return Effect.succeed({ ...item, assets, ...(links === undefined ? {} : { links }) })
    })

  const search = (
    root: string,
    params: Search.SearchParams,
    ctx: WalkContext
  ): Stream.Stream<Item, SearchError> =>
    Stream.unwrap(
      Effect.gen(function* () {
        const skeleton = yield* memo(skeletons, root, () => skeletonOf(ctx, root))
        const candidates: Array<Entry> = []
        for (const id of params.collections) {
          const at = skeleton.collections.get(id)
          const loose = skeleton.loose.filter((e) => e.collection === id)
          if (at === undefined && loose.length === 0) {
            return yield* new UnknownCollectionError({
              collection: id,
              source: Redact.forMessage(root)
            })
          }
          candidates.push(...loose)
          if (at !== undefined)
            candidates.push(
              ...(yield* memo(collections, `${root}\n${id}`, () => collectionIndex(ctx, id, at)))
            )
        }
        // The index decides on bbox, time and cloud; the full item (read from the cache) decides the rest.
        const { equals: _equals, ...coarse } = params
        const hits = sortByOrder(
          candidates.filter((e) => Search.matches(e.stub, e.collection, coarse))
        )
        return Stream.fromIterable(hits, { chunkSize: 1 }).pipe(
          Stream.mapEffect((e) =>
            Effect.map(load(ctx, e), (item) =>
              Search.matches(item, item.collection ?? e.collection, params) ? [item] : []
            )
          ),
          Stream.flatMap((items) => Stream.fromIterable(items))
        )
      })
    )

  return { search }
}

/**
 * Read the root of a static catalogue as a build starts: unreachable (with the HTTP status), not JSON or
 * not a STAC Catalog/Collection is an error naming the URL, before anything is planned.
 */
export const checkRoot = (
  url: string,
  access: AccessPolicy.AccessPolicy = Access.forCatalogue(url),
  options: Partial<Http.HttpOptions> & {
    readonly resolve?: Guarded.Resolver | undefined
    readonly auth?: Guarded.Authorizer | undefined
  } = {}
): Effect.Effect<void, StacHttpError | AccessError | NotStacError | ItemError> =>
  Effect.gen(function* () {
    const http = Http.make({ ...Http.defaultHttpOptions, ...options })
    const documents: Documents = {
      get: (u, guard) => Effect.map(http.json({ method: "GET", url: u }, guard), (r) => r.json),
      counts: { fetched: 0, revalidated: 0, reused: 0 }
    }
    const doc = yield* readDoc(
      { documents, access, resolve: options.resolve, auth: options.auth, concurrency: 1 },
      url
    )
    if (doc.type === "Feature") {
      return yield* new NotStacError({
        url: Redact.forMessage(url),
        detail: "the root is an Item; name the catalog.json or collection.json that links it"
      })
    }
  })
