// The build: recipe → plan → store → one job per shard → finalize. Resumable: finished shards are
// skipped, so a killed run started again ends with the same bytes as an uninterrupted one.
import { Redact } from "@eoforge/core"
import { HeaderShelf, RasterSource } from "@eoforge/raster"
import { AssetSigner, StacClient, StaticCatalog, type SearchCells } from "@eoforge/stac"
import { Layout, Store } from "@eoforge/zarr"
import { Clock, Effect, Redacted, Semaphore } from "effect"
import { readFile } from "node:fs/promises"
import { join, resolve } from "node:path"
import * as Finalize from "./Finalize.ts"
import * as HeaderCache from "./HeaderCache.ts"
import { InputError, messageOf } from "./internal/buildErrors.ts"
import { checkOutput, openStore, outputFailure } from "./internal/storeOpening.ts"
import { transferSince, withThreads, type Transfer } from "./internal/transfer.ts"
import * as Job from "./Job.ts"
import * as Opener from "./Opener.ts"
import * as Plan from "./Plan.ts"
import * as Products from "./Products.ts"
import * as Recipe from "./Recipe.ts"
import * as SearchCache from "./SearchCache.ts"
import * as ShardThreads from "./ShardThreads.ts"

export { InputError, OutputError } from "./internal/buildErrors.ts"
export { layoutOf, type LockRequest, type Opened, openStore } from "./internal/storeOpening.ts"
export { type Transfer, transferSince } from "./internal/transfer.ts"

/** How to run a build. */
export interface BuildOptions {
  /** A shipped recipe name or a recipe file path. */
  readonly recipe: string
  /** Output store path (default: the recipe's output.store). */
  readonly out?: string | undefined
  /** Run only partition `index` of `count` (shards k with k mod count = index); finalize separately. */
  readonly shard?: { readonly index: number; readonly count: number } | undefined
  /** Creation instant (ISO 8601) recorded in the store (default: SOURCE_DATE_EPOCH, else now). */
  readonly createdAt?: string | undefined
  /** Chips read at once (default: the recipe's concurrency). */
  readonly concurrency?: number | undefined
  /** Receives progress events. */
  readonly onEvent?: ((event: Event) => void) | undefined
  /** Rebuild finished shards that recorded transient failures (SourceError, ReadFailed). */
  readonly retryFailed?: boolean | undefined
  /** Search per area through cells cached in the store (default, options of stac `SearchCells`) or per patch (`false`). */
  readonly searchCells?: SearchCache.Setting | undefined
  /**
   * Threads building shards at once (default 1): this one and `threads − 1` worker threads, each with its own
   * raster caches, decoders and connections (ShardThreads). The store's bytes do not depend on it.
   */
  readonly threads?: number | undefined
  /**
   * Share the headers of the files read through the store's `.eoforge/headers/` when several processes or
   * threads build it (`shard` or `threads` > 1; default true): a file one of them opened costs the others no
   * header request (HeaderCache). A one-thread build keeps headers in memory only.
   */
  readonly headerCache?: boolean | undefined
}

/** Progress of a build. */
export type Event =
  | {
      readonly type: "plan"
      readonly store: string
      readonly patches: number
      readonly candidates: number
      readonly rejected: number
      readonly shards: number
      readonly todo: number
      readonly chipsPerShard: number
      readonly splits: Readonly<Record<string, number>>
      readonly resumed: boolean
    }
  | {
      readonly type: "shard"
      readonly shard: number
      readonly done: number
      readonly total: number
      readonly chips: number
      readonly missing: number
      readonly skipped: boolean
      readonly samples: number
    }
  | { readonly type: "finalize" }
  | {
      readonly type: "done"
      readonly summary: Finalize.Summary | undefined
      readonly store: string
      /** What the search cells did in this process (undefined when searching per patch). */
      readonly searches?: SearchCells.Counts | undefined
      /** Range requests and bytes of URL sources in this build's process, in all and per chip read. */
      readonly transfer?: Transfer | undefined
    }

/** A recipe resolved into products and a plan. */
export interface Prepared {
  readonly loaded: Recipe.Loaded
  readonly products: ReadonlyArray<Products.ProductPlan>
  readonly plan: Plan.Plan
}

const readInput = (file: string, what: string) =>
  Effect.tryPromise({
    try: () => readFile(file, "utf8"),
    catch: (cause) =>
      new InputError({
        message: `cannot read the ${what} ${file}: ${messageOf(cause)}; fix the path in the recipe (relative paths are relative to the recipe file)`,
        cause
      })
  })

/** What jobs and layouts need of a plan: patches by index (an array or a compact plan), splits, fit, snap. */
export interface Planned {
  readonly loaded: Recipe.Loaded
  readonly products: ReadonlyArray<Products.ProductPlan>
  readonly plan: Pick<Plan.Plan, "splits" | "splitFit" | "snap"> & { readonly patches: Job.Patches }
}

/** Load a recipe and resolve its products, without planning (workers read the plan from the store). */
export const resolveRecipe = Effect.fn("Build.resolveRecipe")(function* (recipeArg: string) {
  const loaded = yield* Recipe.load(recipeArg)
  const recipe = loaded.recipe
  const products = yield* Effect.try({
    try: () => Products.resolve(recipe, (p) => Recipe.resolvePath(loaded, p)),
    catch: (cause) => new InputError({ message: `${loaded.file}: ${messageOf(cause)}`, cause })
  })
  // Every static catalogue's root is read now: a wrong path, an unreachable or refusing server, a document
  // that is not STAC fail here with the URL and status, not as a SourceError in every chip.
  for (const [id, source] of Object.entries(recipe.sources)) {
    if (!Recipe.isStatic(source)) continue
    const plan = products.find((p) => p.rules.provider.id === id)
    const catalog = Products.catalogueOf(source.catalog, (p) => Recipe.resolvePath(loaded, p))
    const access = plan?.rules.source?.access
    const auth = plan?.rules.source?.auth
    yield* StaticCatalog.checkRoot(catalog, access, auth === undefined ? {} : { auth }).pipe(
      Effect.mapError(
        (cause) =>
          new InputError({
            message: `source ${id}: the static catalogue ${Redact.forMessage(catalog)} cannot be used: ${cause.message}; fix sources.${id}.catalog in ${loaded.file} (relative paths are relative to the recipe file)`,
            cause
          })
      )
    )
  }
  // Sources of other kinds check themselves (reachable, valid, credentials) before anything is planned.
  for (const kind of new Set(products.flatMap((p) => (p.kind === undefined ? [] : [p.kind])))) {
    if (kind.check === undefined) continue
    yield* kind.check.pipe(
      Effect.mapError(
        (cause) => new InputError({ message: `${loaded.file}: ${cause.message}`, cause })
      )
    )
  }
  return { loaded, products }
})

/** Load a recipe, resolve its products, read its input files and plan the patches. */
export const prepare = Effect.fn("Build.prepare")(function* (recipeArg: string) {
  const { loaded, products } = yield* resolveRecipe(recipeArg)
  const recipe = loaded.recipe
  const inputs: { aoi?: unknown; locations?: Plan.PlanInputs["locations"] } = {}
  if (recipe.sampling.aoi !== undefined) {
    const file = Recipe.resolvePath(loaded, recipe.sampling.aoi)
    const text = yield* readInput(file, "AOI")
    inputs.aoi = yield* Effect.try({
      try: () => JSON.parse(text) as unknown,
      catch: (cause) =>
        new InputError({ message: `the AOI ${file} is not valid JSON: ${messageOf(cause)}`, cause })
    })
  }
  if (recipe.sampling.locations !== undefined) {
    const file = Recipe.resolvePath(loaded, recipe.sampling.locations)
    const text = yield* readInput(file, "locations file")
    inputs.locations = { text, format: /\.(geo)?json$/i.test(file) ? "geojson" : "csv", file }
  }
  const plan = yield* Effect.try({
    try: () =>
      Plan.make(
        recipe,
        inputs,
        products.map((p) => p.spec.resolution)
      ),
    catch: (cause) => new InputError({ message: `${loaded.file}: ${messageOf(cause)}`, cause })
  })
  return { loaded, products, plan } satisfies Prepared
})

/** The creation instant of a build: the option, else SOURCE_DATE_EPOCH, else now (ISO 8601). */
export const createdAtOf = (options: Pick<BuildOptions, "createdAt">) =>
  Effect.gen(function* () {
    if (options.createdAt !== undefined) return options.createdAt
    const epoch = process.env.SOURCE_DATE_EPOCH
    if (epoch !== undefined && /^\d+$/.test(epoch)) {
      return new Date(Number(epoch) * 1000).toISOString()
    }
    return new Date(yield* Clock.currentTimeMillis).toISOString()
  })

// Failures a later attempt may not meet again: a catalogue or host that failed, a read that failed.
const transient = new Set(["SourceError", "ReadFailed"])

/** Where a store keeps the static catalogue documents its builds read (not part of the dataset). */
export const documentCacheKey = ".eoforge/stac-cache"

/** Where a store keeps what source kinds learn (file indexes, search answers), one folder per source key. */
export const sourceCacheKey = ".eoforge/sources"

/** What the jobs of a prepared build need, for the store `layout`. */
export const jobContext = (
  prepared: Planned,
  layout: Layout.Layout,
  open: Opener.Opener,
  concurrency?: number,
  store?: string
): Job.JobContext => ({
  layout,
  patches: prepared.plan.patches,
  splits: prepared.plan.splits,
  // Static catalogues' documents are cached in the store, for resumed builds and other workers.
  products:
    store === undefined
      ? prepared.products
      : Products.withSourceCache(
          Products.withDocumentCache(prepared.products, join(store, documentCacheKey)),
          join(store, sourceCacheKey)
        ),
  open,
  concurrency: concurrency ?? prepared.loaded.recipe.concurrency,
  permits: Semaphore.makeUnsafe(Math.max(1, concurrency ?? prepared.loaded.recipe.concurrency)),
  extractGuard: prepared.loaded.recipe.split.extractGuard
})

/**
 * The asset signer of a recipe's reads: the Planetary Computer signer when a source asks for its signing
 * (with the subscription key of the environment variable its Python SDK reads, held Redacted), else the
 * ambient one.
 */
export const signerOf = (recipe: Recipe.Recipe) =>
  Effect.gen(function* () {
    const signed = Object.values(recipe.sources).some(
      (s) => Recipe.isStacApi(s) && s.signing === "planetary-computer"
    )
    if (!signed) return yield* AssetSigner.AssetSigner
    const key = process.env.PC_SDK_SUBSCRIPTION_KEY
    return AssetSigner.makePlanetaryComputer(
      key === undefined || key === "" ? {} : { subscriptionKey: Redacted.make(key) }
    )
  })

/**
 * Build shard `k` (its old record removed first: a shard being redone is not done until its new record is
 * written, so a kill mid-retry leaves it to be rebuilt, never half old and half new). With `prefetch` (the
 * search cells' own), the cells of this shard and of `next` (shards this process builds next) are fetched
 * meanwhile (SearchCache.prefetchShards), in a fiber of the caller's scope: the next shard's chips find theirs
 * in memory. The caller closes that scope when its shards are done (before finalize clears the cell lists).
 * With `shelf`, the headers of the files it opens are shared through it (HeaderCache).
 */
export const runShard = (
  ctx: Job.JobContext,
  k: number,
  client: StacClient.StacClient["Service"],
  prefetch?: SearchCells.Cells<unknown>["prefetch"],
  next: ReadonlyArray<number> = [],
  shelf?: HeaderShelf.Shelf
) =>
  Effect.gen(function* () {
    yield* (yield* Store.Store).delete(Job.recordKey(k))
    if (prefetch !== undefined)
      yield* Effect.forkScoped(SearchCache.prefetchShards(ctx, [k, ...next], prefetch))
    const job = Job.run(ctx, k).pipe(Effect.provideService(StacClient.StacClient, client))
    return yield* shelf === undefined ? job : job.pipe(HeaderShelf.withShelf(shelf))
  })

/** Build a dataset: plan, create or resume the store, run the jobs, finalize. */
export const build = Effect.fn("Build.build")(function* (options: BuildOptions) {
  const emit = options.onEvent ?? (() => {})
  const prepared = yield* prepare(options.recipe)
  const { loaded, products, plan } = prepared
  if (plan.patches.length === 0) {
    return yield* new InputError({
      message: `${loaded.file}: the sampler produced no patch; check sampling (count, aoi, locations)`
    })
  }
  const path = resolve(options.out ?? loaded.recipe.output.store)
  // Before the store layer touches the path (it sweeps stale temporary files of dead writers).
  yield* checkOutput(path)
  const createdAt = yield* createdAtOf(options)
  const run = Effect.gen(function* () {
    const store = yield* Store.Store
    const { layout, resumed } = yield* Effect.acquireRelease(
      openStore(prepared, path, createdAt, {
        command: options.retryFailed === true ? "retry" : "build",
        partition: options.shard
      }),
      (o) => o.release
    )
    const shards = Layout.shardCount(layout)
    const partition = options.shard
    const isMine = (k: number) => partition === undefined || k % partition.count === partition.index
    const mine = Array.from({ length: shards }, (_, k) => k).filter(isMine)
    const chipsPerShard = products.reduce((n, p) => n + p.slots.length, 0) * layout.shardSamples
    const todo: Array<number> = []
    for (const k of mine) {
      if (!(yield* Job.isDone(k))) todo.push(k)
      else if (options.retryFailed === true) {
        const record = yield* Job.readRecord(k)
        if (record.failures.some((f) => transient.has(f.reason))) todo.push(k)
      }
    }
    emit({
      type: "plan",
      store: path,
      patches: plan.patches.length,
      candidates: plan.sampling.candidates,
      rejected: plan.sampling.rejected,
      shards,
      todo: todo.length,
      chipsPerShard,
      splits: plan.splitCounts,
      resumed
    })
    const open = yield* Opener.make()
    const ctx = jobContext(prepared, layout, open, options.concurrency, path)
    const cells = SearchCache.clientFor(
      yield* StacClient.StacClient,
      store,
      options.searchCells,
      path
    )
    let done = mine.length - todo.length
    const before = RasterSource.transferTotals()
    let chipsRead = 0
    const finished = (f: ShardThreads.Finished) => {
      done++
      const [start, end] = Layout.shardRange(layout, f.shard)
      emit({ type: "shard", ...f, done, total: mine.length, skipped: false, samples: end - start })
    }
    // Shards are taken from one queue by this thread and the worker threads, in plan order.
    const queue = ShardThreads.queueOf(todo)
    const threads = Math.max(1, Math.min(options.threads ?? 1, todo.length))
    const shared = options.headerCache !== false && (partition !== undefined || threads > 1)
    const shelf = shared ? HeaderCache.shelfOf(store) : undefined
    const pool =
      threads > 1
        ? yield* ShardThreads.start(
            {
              recipe: options.recipe,
              out: path,
              concurrency: options.concurrency,
              searchCells: options.searchCells,
              headerCache: shared
            },
            queue,
            threads - 1,
            finished
          )
        : undefined
    // The next shard of this process's list (with threads, often another thread's: its own prefetch then).
    const following = new Map(todo.map((k, i) => [k, todo[i + 1]]))
    // Prefetches end with the shards, before finalize clears the cell lists.
    yield* Effect.scoped(
      ShardThreads.drain(queue, (k) =>
        runShard(ctx, k, cells.client, cells.prefetch, [following.get(k) ?? -1], shelf).pipe(
          Effect.tap((summary) =>
            Effect.sync(() => {
              chipsRead += summary.chips
              finished({ shard: k, chips: summary.chips, missing: summary.missing })
            })
          )
        )
      )
    )
    const others = pool === undefined ? [] : yield* pool.join
    let summary: Finalize.Summary | undefined
    // Every shard of this partition is done now; finalize once the other partitions' are too.
    let allDone = true
    for (let k = 0; k < shards && allDone; k++) if (!isMine(k)) allDone = yield* Job.isDone(k)
    if (allDone) {
      emit({ type: "finalize" })
      summary = yield* Finalize.run()
    }
    const transfer = withThreads(transferSince(before, chipsRead), others)
    const searches = others.reduce((a, t) => SearchCache.addCounts(a, t.searches), cells.counts())
    emit({ type: "done", summary, store: path, searches, transfer })
    return { store: path, summary, layout, transfer }
  })
  const signer = yield* signerOf(loaded.recipe)
  return yield* run.pipe(
    Effect.provideService(AssetSigner.AssetSigner, signer),
    Effect.catchTag("StoreError", (e) => Effect.fail(outputFailure(path)(e))),
    Effect.scoped,
    Effect.provide(Store.layerFileSystem(path, { sweepStale: true }))
  )
})
