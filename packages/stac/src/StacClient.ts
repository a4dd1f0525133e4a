// The catalogue client: STAC API item search (POST /search with paging) and static catalogue walks.
// Retries, per-host rate and concurrency limits and timeouts apply to every request it makes.
import { Context, Effect, Layer, Option, Stream } from "effect"
import * as Http from "./internal/http.ts"
import { redactUrl } from "./internal/redact.ts"
import * as Search from "./Search.ts"
import {
  ItemError,
  NotStacError,
  type SearchError,
  StacHttpError,
  UnknownCollectionError
} from "./StacError.ts"
import type { Item, Link } from "./StacItem.ts"
import * as StacItem from "./StacItem.ts"

/** Where items come from: a STAC API root, or a static catalogue's root JSON (path or http URL). */
export type Source =
  { readonly _tag: "Api"; readonly url: string } | { readonly _tag: "Static"; readonly url: string }

/** A STAC API rooted at `url` (the landing page). */
export const api = (url: string): Source => ({ _tag: "Api", url: url.replace(/\/+$/, "") })

/** A static catalogue whose root is the `catalog.json` (or collection.json) at `url` or file path. */
export const staticCatalog = (url: string): Source => ({ _tag: "Static", url })

/** Client limits. */
export interface Options extends Http.HttpOptions {
  /** Page size sent as `limit` when the search does not set one. */
  readonly pageLimit: number
  /** Stop following `next` links after this many pages (guards against paging loops). */
  readonly maxPages: number
  /** Dialect used when a server offers both. */
  readonly prefer: "cql2-json" | "query"
}

/** Defaults: 30 s timeout, 5 attempts from 250 ms backoff, 10 requests/s and 4 in flight per host. */
export const defaultOptions: Options = {
  ...Http.defaultHttpOptions,
  pageLimit: 100,
  maxPages: 1000,
  prefer: "query"
}

/** Finds items in STAC APIs and static catalogues. */
export class StacClient extends Context.Service<
  StacClient,
  {
    /** Items matching the parameters, page by page, lazily. */
    readonly search: (
      source: Source,
      params: Search.SearchParams
    ) => Stream.Stream<Item, SearchError>
    /** The server's capabilities (cached per server). */
    readonly capabilities: (
      apiUrl: string
    ) => Effect.Effect<Search.Capabilities, StacHttpError | NotStacError>
  }
>()("@eoforge/stac/StacClient") {}

interface Page {
  readonly items: ReadonlyArray<Item>
  readonly next: Option.Option<Http.JsonRequest>
}

/** A client with explicit limits. */
export const make = (partial: Partial<Options> = {}): StacClient["Service"] => {
  const options: Options = { ...defaultOptions, ...partial }
  const http = Http.make(options)
  const caps = new Map<string, Search.Capabilities>()
  const knownCollections = new Set<string>()

  const getJson = (url: string) => http.json({ method: "GET", url })

  const capabilities = (
    apiUrl: string
  ): Effect.Effect<Search.Capabilities, StacHttpError | NotStacError> =>
    Effect.gen(function* () {
      const cached = caps.get(apiUrl)
      if (cached !== undefined) return cached
      const landing = yield* getJson(apiUrl)
      const shown = redactUrl(apiUrl)
      if (landing.json === undefined || typeof landing.json !== "object" || landing.json === null) {
        return yield* new NotStacError({ url: shown, detail: "the landing page is not JSON" })
      }
      let conformsTo = (landing.json as { conformsTo?: unknown }).conformsTo
      if (!Array.isArray(conformsTo)) {
        const conf = yield* getJson(`${apiUrl}/conformance`).pipe(
          Effect.catchTag("StacHttpError", () => Effect.succeed(undefined))
        )
        conformsTo = (conf?.json as { conformsTo?: unknown } | undefined)?.conformsTo
      }
      if (!Array.isArray(conformsTo) || !conformsTo.every((c) => typeof c === "string")) {
        return yield* new NotStacError({
          url: shown,
          detail: "no conformsTo list on the landing page nor at /conformance"
        })
      }
      const result = Search.capabilities(conformsTo as ReadonlyArray<string>, options.prefer)
      caps.set(apiUrl, result)
      return result
    })

  const checkCollection = (
    apiUrl: string,
    id: string
  ): Effect.Effect<void, StacHttpError | UnknownCollectionError> =>
    knownCollections.has(`${apiUrl}\n${id}`)
      ? Effect.void
      : getJson(`${apiUrl}/collections/${encodeURIComponent(id)}`).pipe(
          Effect.catchTag(
            "StacHttpError",
            (e): Effect.Effect<never, StacHttpError | UnknownCollectionError> =>
              e.status === 404
                ? Effect.fail(
                    new UnknownCollectionError({ collection: id, source: redactUrl(apiUrl) })
                  )
                : Effect.fail(e)
          ),
          Effect.andThen(() => Effect.sync(() => void knownCollections.add(`${apiUrl}\n${id}`)))
        )

  const page = (
    request: Http.JsonRequest,
    params: Search.SearchParams,
    local: boolean,
    seen: Set<string>
  ): Effect.Effect<Page, SearchError> =>
    Effect.gen(function* () {
      const res = yield* http.json(request)
      const json = res.json as { features?: unknown; links?: unknown } | undefined
      if (json === undefined || !Array.isArray(json.features)) {
        return yield* new StacHttpError({
          method: request.method,
          url: redactUrl(request.url),
          status: res.status,
          detail: "the response is not a STAC ItemCollection (no features array)"
        })
      }
      const items: Array<Item> = []
      for (const f of json.features) {
        const item = StacItem.validate(f, redactUrl(request.url))
        if (item instanceof ItemError) return yield* item
        const collection =
          item.collection ?? (params.collections.length === 1 ? params.collections[0] : undefined)
        if (!local || Search.matches(item, collection, params)) items.push(item)
      }
      const links = Array.isArray(json.links) ? (json.links as ReadonlyArray<Link>) : []
      const link = links.find((l) => l.rel === "next")
      if (link === undefined || seen.size >= options.maxPages) return { items, next: Option.none() }
      const next = Search.nextRequest(link, request, request.url)
      const key = `${next.url}\n${JSON.stringify(next.body ?? null)}`
      if (seen.has(key)) return { items, next: Option.none() }
      seen.add(key)
      return { items, next: Option.some(next) }
    })

  const searchApi = (
    apiUrl: string,
    params: Search.SearchParams
  ): Stream.Stream<Item, SearchError> =>
    Stream.unwrap(
      Effect.gen(function* (): Effect.fn.Return<Stream.Stream<Item, SearchError>, SearchError> {
        const c = yield* capabilities(apiUrl)
        for (const id of params.collections) yield* checkCollection(apiUrl, id)
        const withLimit = { ...params, limit: params.limit ?? options.pageLimit }
        const first: Http.JsonRequest = {
          method: "POST",
          url: `${apiUrl}/search`,
          body: Search.body(withLimit, c)
        }
        // Every page is also filtered here: servers without a dialect cannot filter, and some answer a
        // filter they do not implement with unfiltered results.
        const local = true
        const seen = new Set<string>()
        return Stream.paginate(first, (req) =>
          Effect.map(page(req, params, local, seen), (p) => [p.items, p.next] as const)
        )
      })
    )

  const searchStatic = (
    root: string,
    params: Search.SearchParams
  ): Stream.Stream<Item, SearchError> => {
    const seenCollections = new Set<string>()
    const visited = new Set<string>()
    const walk = (url: string, collection: string | undefined): Stream.Stream<Item, SearchError> =>
      Stream.unwrap(
        Effect.gen(function* (): Effect.fn.Return<Stream.Stream<Item, SearchError>, SearchError> {
          if (visited.has(url)) return Stream.empty
          visited.add(url)
          const res = yield* getJson(url)
          const doc = res.json as
            { type?: unknown; id?: unknown; links?: unknown; stac_version?: unknown } | undefined
          if (doc === undefined || typeof doc !== "object" || doc === null) {
            return yield* new NotStacError({ url: redactUrl(url), detail: "not JSON" })
          }
          if (doc.type === "Feature") {
            const item = StacItem.validate(doc, redactUrl(url))
            if (item instanceof ItemError) return yield* item
            const c = item.collection ?? collection
            if (c !== undefined) seenCollections.add(c)
            if (!Search.matches(item, c, params)) return Stream.empty
            // Asset hrefs of a static catalogue are relative to the item's own file.
            const assets = Object.fromEntries(
              Object.entries(item.assets).map(([k, a]) => [
                k,
                { ...a, href: Http.resolveHref(a.href, url) }
              ])
            )
            return Stream.succeed({ ...item, assets })
          }
          if ((doc.type !== "Catalog" && doc.type !== "Collection") || !Array.isArray(doc.links)) {
            return yield* new NotStacError({
              url: redactUrl(url),
              detail: `expected a STAC Catalog, Collection or Item, found type ${JSON.stringify(doc.type)}`
            })
          }
          let inner = collection
          if (doc.type === "Collection" && typeof doc.id === "string") {
            inner = doc.id
            seenCollections.add(inner)
            // A collection that is not searched for is skipped without reading its items.
            if (!params.collections.includes(inner)) return Stream.empty
          }
          const links = (doc.links as ReadonlyArray<Link>).filter(
            (l) => l.rel === "item" || l.rel === "child"
          )
          return Stream.fromIterable(links, { chunkSize: 1 }).pipe(
            Stream.flatMap((l) => walk(Http.resolveHref(l.href, url), inner))
          )
        })
      )
    const check = Effect.suspend(() => {
      const missing = params.collections.find((c) => !seenCollections.has(c))
      return missing === undefined
        ? Effect.void
        : Effect.fail(new UnknownCollectionError({ collection: missing, source: redactUrl(root) }))
    })
    return Stream.concat(walk(root, undefined), Stream.fromEffectDrain(check))
  }

  return StacClient.of({
    capabilities,
    search: (source, params) =>
      source._tag === "Api" ? searchApi(source.url, params) : searchStatic(source.url, params)
  })
}

/** The client with default limits. */
export const layer: Layer.Layer<StacClient> = Layer.sync(StacClient, () => make())

/** The client with the given limits (tests use short timeouts and backoff). */
export const layerWith = (options: Partial<Options>): Layer.Layer<StacClient> =>
  Layer.sync(StacClient, () => make(options))
