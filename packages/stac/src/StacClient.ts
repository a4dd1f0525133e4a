// The catalogue client: STAC API item search (POST /search with paging) and static catalogue walks.
// Retries, per-host rate and concurrency limits, timeouts and the source's access policy apply to every
// request it makes: links and next pages the policy refuses are never followed.
import { type AccessPolicy, Redact } from "@eoforge/core"
import { Context, Deferred, Effect, Exit, Layer, Option, Stream } from "effect"
import * as Access from "./Access.ts"
import type { Guarded } from "@eoforge/access"
import * as Documents from "./internal/documents.ts"
import * as Http from "./internal/http.ts"
import { shared } from "./internal/shared.ts"
import { fileURLToPath } from "node:url"
import * as StaticCatalog from "./StaticCatalog.ts"
import * as Search from "./Search.ts"
import {
  AccessError,
  ItemError,
  NotStacError,
  type SearchError,
  StacHttpError,
  UnknownCollectionError
} from "./StacError.ts"
import type { Item, Link } from "./StacItem.ts"
import * as StacItem from "./StacItem.ts"

/**
 * Where items come from: a STAC API root, or a static catalogue's root JSON (path or http URL), with the
 * access policy its links and assets obey (default `Access.forCatalogue(url)`).
 */
export type Source =
  | {
      readonly _tag: "Api"
      readonly url: string
      readonly access?: AccessPolicy.AccessPolicy | undefined
      /** Credentials of its documents and assets (s3 keys, logins); see @eoforge/access `Auth`. */
      readonly auth?: Guarded.Authorizer | undefined
    }
  | {
      readonly _tag: "Static"
      readonly url: string
      readonly access?: AccessPolicy.AccessPolicy | undefined
      /** Folder of the document cache (a store's `.eoforge/stac-cache`); none: memory for this client. */
      readonly cache?: string | undefined
      readonly auth?: Guarded.Authorizer | undefined
    }

/** A STAC API rooted at `url` (the landing page). */
export const api = (
  url: string,
  access?: AccessPolicy.AccessPolicy,
  auth?: Guarded.Authorizer
): Source => ({
  _tag: "Api",
  url: url.replace(/\/+$/, ""),
  ...(access === undefined ? {} : { access }),
  ...(auth === undefined ? {} : { auth })
})

/**
 * A static catalogue whose root is the `catalog.json` (or collection.json) at `url` (http(s)://, s3:// or
 * file://) or file path; `withCache` keeps its remote documents in a folder across builds and workers.
 */
export const staticCatalog = (
  url: string,
  access?: AccessPolicy.AccessPolicy,
  auth?: Guarded.Authorizer
): Source => ({
  _tag: "Static",
  url: /^file:/i.test(url) ? fileURLToPath(url) : url,
  ...(access === undefined ? {} : { access }),
  ...(auth === undefined ? {} : { auth })
})

/** The same source with its remote documents cached in `folder` (static catalogues; others unchanged). */
export const withCache = (source: Source, folder: string): Source =>
  source._tag === "Static" ? { ...source, cache: folder } : source

/** The access policy of a source: its own, else the default for its catalogue URL. */
export const accessOf = (source: Source): AccessPolicy.AccessPolicy =>
  source.access ?? Access.forCatalogue(source.url)

/** Client limits. */
export interface Options extends Http.HttpOptions {
  /** Page size sent as `limit` when the search does not set one. */
  readonly pageLimit: number
  /** Stop following `next` links after this many pages (guards against paging loops). */
  readonly maxPages: number
  /** Dialect used when a server offers both. */
  readonly prefer: "cql2-json" | "query"
  /** Static catalogue documents read at once, and in flight per host. */
  readonly staticConcurrency: number
  /** Static catalogue documents requested per second per host (0 = unlimited). */
  readonly staticRequestsPerSecond: number
  /** Resolves host names for the address check (tests substitute their own; default: the system's). */
  readonly resolve?: Guarded.Resolver | undefined
  /** Credentials of s3:// catalogues and logins (access `Auth.make`); s3 is read anonymously without. */
  readonly auth?: Guarded.Authorizer | undefined
}

/**
 * Defaults: 30 s timeout, 5 attempts from 250 ms backoff, 10 requests/s and 4 in flight per API host;
 * static catalogue documents 16 in flight and 200 requests/s per host.
 */
export const defaultOptions: Options = {
  ...Http.defaultHttpOptions,
  pageLimit: 100,
  maxPages: 1000,
  prefer: "query",
  staticConcurrency: 16,
  staticRequestsPerSecond: 200
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
      apiUrl: string,
      access?: AccessPolicy.AccessPolicy
    ) => Effect.Effect<Search.Capabilities, StacHttpError | NotStacError | AccessError>
  }
>()("@eoforge/stac/StacClient") {}

interface Page {
  readonly items: ReadonlyArray<Item>
  readonly next: Option.Option<Http.JsonRequest>
}

// Asset hrefs of API items are made absolute against the page they came in: a relative or rooted href names
// a file on the server, never one on this machine.
const withAbsoluteAssets = (item: Item, pageUrl: string): Item => {
  const assets = Object.fromEntries(
    Object.entries(item.assets).map(([k, a]) => {
      try {
        return [k, { ...a, href: new URL(a.href, pageUrl).href }]
      } catch {
        return [k, a]
      }
    })
  )
  return { ...item, assets }
}

/** A client with explicit limits. */
export const make = (partial: Partial<Options> = {}): StacClient["Service"] => {
  const options: Options = { ...defaultOptions, ...partial }
  const http = Http.make(options)
  const caps = new Map<string, Search.Capabilities>()
  const knownCollections = new Set<string>()
  // Requests of documents every search needs (landing page, collection), in flight: the searches that
  // start together (every chip of a build's first samples) wait for one request instead of each sending
  // its own under the host's rate limit.
  // Keyed by the credentials too: a request sent under other credentials is not shared.
  const inFlight = new Map<string, Deferred.Deferred<unknown, unknown>>()
  const authIds = new WeakMap<Guarded.Authorizer, number>()
  let nextAuthId = 1
  const authId = (policy: AccessPolicy.AccessPolicy) => {
    const auth = credentials.get(policy) ?? options.auth
    if (auth === undefined) return 0
    let id = authIds.get(auth)
    if (id === undefined) {
      id = nextAuthId++
      authIds.set(auth, id)
    }
    return id
  }
  const once = <A, E>(key: string, run: Effect.Effect<A, E>): Effect.Effect<A, E> =>
    shared(
      inFlight as Map<string, Deferred.Deferred<A, E>>,
      key,
      run,
      // The fiber that sent it was interrupted: the others send it again themselves.
      (exit) => (Exit.hasInterrupts(exit) ? Effect.suspend(() => once(key, run)) : exit)
    )

  // A source's credentials travel with its policy object (each source resolves its own), so the walkers
  // below keep their single policy parameter.
  const credentials = new WeakMap<AccessPolicy.AccessPolicy, Guarded.Authorizer>()
  const guard = (policy: AccessPolicy.AccessPolicy) => ({
    policy,
    resolve: options.resolve,
    auth: credentials.get(policy) ?? options.auth
  })
  const getJson = (url: string, policy: AccessPolicy.AccessPolicy) =>
    http.json({ method: "GET", url }, guard(policy))

  const capabilities = (
    apiUrl: string,
    access: AccessPolicy.AccessPolicy = Access.forCatalogue(apiUrl)
  ): Effect.Effect<Search.Capabilities, StacHttpError | NotStacError | AccessError> =>
    Effect.suspend(() => {
      const cached = caps.get(apiUrl)
      return cached !== undefined
        ? Effect.succeed(cached)
        : once(`caps\n${apiUrl}\n${authId(access)}`, fetchCapabilities(apiUrl, access))
    })

  const fetchCapabilities = (
    apiUrl: string,
    access: AccessPolicy.AccessPolicy
  ): Effect.Effect<Search.Capabilities, StacHttpError | NotStacError | AccessError> =>
    Effect.gen(function* () {
      const landing = yield* getJson(apiUrl, access)
      const shown = Redact.forMessage(apiUrl)
      if (landing.json === undefined || typeof landing.json !== "object" || landing.json === null) {
        return yield* new NotStacError({ url: shown, detail: "the landing page is not JSON" })
      }
      let conformsTo = (landing.json as { conformsTo?: unknown }).conformsTo
      if (!Array.isArray(conformsTo)) {
        const conf = yield* getJson(`${apiUrl}/conformance`, access).pipe(
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
    id: string,
    access: AccessPolicy.AccessPolicy
  ): Effect.Effect<void, StacHttpError | UnknownCollectionError | AccessError> =>
    knownCollections.has(`${apiUrl}\n${id}`)
      ? Effect.void
      : once(
          `collection\n${apiUrl}\n${id}\n${authId(access)}`,
          getJson(`${apiUrl}/collections/${encodeURIComponent(id)}`, access).pipe(
            Effect.catchTag(
              "StacHttpError",
              (e): Effect.Effect<never, StacHttpError | UnknownCollectionError> =>
                e.status === 404
                  ? Effect.fail(
                      new UnknownCollectionError({
                        collection: id,
                        source: Redact.forMessage(apiUrl)
                      })
                    )
                  : Effect.fail(e)
            ),
            Effect.andThen(() => Effect.sync(() => void knownCollections.add(`${apiUrl}\n${id}`)))
          )
        )

  const page = (
    request: Http.JsonRequest,
    params: Search.SearchParams,
    local: boolean,
    seen: Set<string>,
    access: AccessPolicy.AccessPolicy
  ): Effect.Effect<Page, SearchError> =>
    Effect.gen(function* () {
      const res = yield* http.json(request, guard(access))
      const json = res.json as { features?: unknown; links?: unknown } | undefined
      if (json === undefined || !Array.isArray(json.features)) {
        return yield* new StacHttpError({
          method: request.method,
          url: Redact.forMessage(request.url),
          status: res.status,
          detail: "the response is not a STAC ItemCollection (no features array)"
        })
      }
      const items: Array<Item> = []
      for (const f of json.features) {
        const item = StacItem.validate(f, Redact.forMessage(request.url))
        if (item instanceof ItemError) return yield* item
        const collection =
          item.collection ?? (params.collections.length === 1 ? params.collections[0] : undefined)
        if (!local || Search.matches(item, collection, params))
          items.push(withAbsoluteAssets(item, request.url))
      }
      const links = Array.isArray(json.links) ? (json.links as ReadonlyArray<Link>) : []
      const link = links.find((l) => l.rel === "next")
      if (link === undefined || seen.size >= options.maxPages) return { items, next: Option.none() }
      const target = Access.check(access, link.href, request.url)
      if (target instanceof AccessError) return yield* target
      const next = Search.nextRequest({ ...link, href: target }, request, request.url)
      const key = `${next.url}\n${JSON.stringify(next.body ?? null)}`
      if (seen.has(key)) return { items, next: Option.none() }
      seen.add(key)
      return { items, next: Option.some(next) }
    })

  const searchApi = (
    apiUrl: string,
    params: Search.SearchParams,
    access: AccessPolicy.AccessPolicy
  ): Stream.Stream<Item, SearchError> =>
    Stream.unwrap(
      Effect.gen(function* (): Effect.fn.Return<Stream.Stream<Item, SearchError>, SearchError> {
        const c = yield* capabilities(apiUrl, access)
        for (const id of params.collections) yield* checkCollection(apiUrl, id, access)
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
          Effect.map(page(req, params, local, seen, access), (p) => [p.items, p.next] as const)
        )
      })
    )

  const staticHttp = Http.make({
    ...options,
    concurrency: options.staticConcurrency,
    requestsPerSecond: options.staticRequestsPerSecond
  })
  const indexes = StaticCatalog.makeIndexes()
  const documents = new Map<string, Documents.Documents>()
  const documentsOf = (cache: string | undefined): Documents.Documents => {
    const key = cache ?? ""
    let d = documents.get(key)
    if (d === undefined) {
      d = Documents.make(staticHttp, cache)
      documents.set(key, d)
    }
    return d
  }

  const searchStatic = (
    source: Extract<Source, { _tag: "Static" }>,
    params: Search.SearchParams
  ): Stream.Stream<Item, SearchError> =>
    indexes.search(source.url, params, {
      documents: documentsOf(source.cache),
      access: accessOf(source),
      resolve: options.resolve,
      auth: source.auth ?? options.auth,
      concurrency: options.staticConcurrency
    })

  return StacClient.of({
    capabilities,
    search: (source, params) => {
      const access = accessOf(source)
      if (source.auth !== undefined) credentials.set(access, source.auth)
      return source._tag === "Api"
        ? searchApi(source.url, params, access)
        : searchStatic(source, params)
    }
  })
}

/** The client with default limits. */
export const layer: Layer.Layer<StacClient> = Layer.sync(StacClient, () => make())

/** The client with the given limits (tests use short timeouts and backoff). */
export const layerWith = (options: Partial<Options>): Layer.Layer<StacClient> =>
  Layer.sync(StacClient, () => make(options))
