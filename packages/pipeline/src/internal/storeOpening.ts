// The store of a build: its layout from a prepared plan, and its creation (atomic, with the build record,
// rejected candidates and compact plan) or validation for a resume, under the store lock (Build.openStore).
import { Cities } from "@eoforge/grid"
import { Codec, Creation, Layout, Store, StoreLock } from "@eoforge/zarr"
import { Effect } from "effect"
import { readdir, stat } from "node:fs/promises"
import type { Planned, Prepared } from "../Build.ts"
import * as Finalize from "../Finalize.ts"
import * as Plan from "../Plan.ts"
import * as PlanFile from "../PlanFile.ts"
import * as Products from "../Products.ts"
import { version } from "../Version.ts"
import { buildRecord } from "./buildRecord.ts"
import { messageOf, OutputError } from "./buildErrors.ts"

/** The store layout a prepared build writes. */
export const layoutOf = (prepared: Planned, createdAt: string) => {
  const { loaded, products, plan } = prepared
  const recipe = loaded.recipe
  const compression = recipe.output.codec === "gzip" ? Codec.gzip() : Codec.zstd()
  const licences = products.map((p) => ({
    source: p.spec.source ?? p.spec.id,
    license: p.spec.license ?? "not stated",
    ...(p.spec.attribution === undefined ? {} : { attribution: p.spec.attribution })
  }))
  if (recipe.sampling.sampler === "cities") {
    licences.push({
      source: Cities.attribution.name,
      license: Cities.attribution.license,
      attribution: Cities.attribution.text
    })
  }
  return Layout.make({
    samples: Math.max(1, plan.patches.length),
    ...(recipe.output.shardSamples === undefined
      ? {}
      : { shardSamples: recipe.output.shardSamples }),
    sharded: recipe.output.sharded,
    products: products.map((p) => ({
      spec: p.spec,
      times: p.slots.length,
      height: Math.round(recipe.patch.size / p.spec.resolution),
      width: Math.round(recipe.patch.size / p.spec.resolution),
      compression,
      ...(p.composite?.validCount === true ? { count: true } : {})
    })),
    attributes: {
      eoforgeVersion: version,
      recipe: {
        ...recipe,
        sources: Products.sourcesForRecord(recipe.sources),
        snap: plan.snap,
        split: { ...recipe.split, fitted: plan.splitFit }
      },
      seed: recipe.seed,
      createdAt,
      licences
    }
  })
}

const sameLayout = (a: Layout.Layout, b: Layout.Layout): boolean => {
  const strip = (l: Layout.Layout) =>
    JSON.stringify({ ...l, attributes: { ...l.attributes, createdAt: "" } })
  return strip(a) === strip(b)
}

/** Whether `path` exists as a directory (fails when it is a file or cannot be inspected). */
export const checkOutput = (path: string) =>
  Effect.tryPromise({
    try: async () => {
      const s = await stat(path).catch((e: NodeJS.ErrnoException) => {
        if (e.code === "ENOENT") return undefined
        throw e
      })
      return s
    },
    catch: (cause) =>
      new OutputError({ path, message: `cannot inspect ${path}: ${messageOf(cause)}`, cause })
  }).pipe(
    Effect.flatMap((s) =>
      s !== undefined && !s.isDirectory()
        ? Effect.fail(
            new OutputError({
              path,
              message: `the output path ${path} is a file, not a store directory; choose a path such as out/name.zarr`
            })
          )
        : Effect.succeed(s !== undefined)
    )
  )

const encoder = new TextEncoder()

/** The OutputError of a store write that failed. */
export const outputFailure = (path: string) => (cause: { readonly message: string }) =>
  new OutputError({
    path,
    message: `cannot write the store ${path}: ${cause.message}; check that the directory is writable and the disk has room — shards already written are kept and a rerun resumes`,
    cause
  })

/** What `openStore` found or made, and the store lock it took (a no-op release without one). */
export interface Opened {
  readonly layout: Layout.Layout
  readonly resumed: boolean
  /** The store's `.eoforge/build.json` was missing (a creation interrupted by an older version) and was rewritten. */
  readonly repaired: boolean
  readonly release: Effect.Effect<void>
}

/** The lock `openStore` takes: the command for other writers' messages, and the partition if any. */
export interface LockRequest {
  readonly command: string
  readonly partition?: { readonly index: number; readonly count: number } | undefined
}

const isEmptyDirectory = (path: string) =>
  Effect.tryPromise({
    try: () => readdir(path).then((names) => names.length === 0),
    catch: (cause) =>
      new OutputError({ path, message: `cannot list ${path}: ${messageOf(cause)}`, cause })
  })

/**
 * Create the store of a prepared build at `path` (the Store service's location), or validate the
 * store already there and resume it: same recipe, seed and version, whatever its creation instant.
 * A new store is published whole (staging sibling + rename): a kill leaves no store or a complete
 * skeleton, and of two builds racing for one new path exactly one creates it. With `lock`, the store's
 * lock is taken before the first write (planted in a new store's skeleton); call `release` when done.
 */
export const openStore = Effect.fn("Build.openStore")(function* (
  prepared: Prepared,
  path: string,
  createdAt: string,
  lock?: LockRequest
) {
  const exists = yield* checkOutput(path)
  const fresh = yield* layoutOf(prepared, createdAt)
  const request =
    lock === undefined ? undefined : { ...lock, recipeHash: Layout.fingerprint(fresh) }
  const record = (at: string) => encoder.encode(JSON.stringify(buildRecord(prepared, at)) + "\n")
  const planBytes = () => PlanFile.encodeChunks(prepared.plan, prepared.loaded.recipe.patch.size)
  const store = yield* Store.Store
  const opened = Effect.gen(function* () {
    if (!exists || (yield* isEmptyDirectory(path))) {
      const holder = request === undefined ? undefined : yield* StoreLock.holderOf(request)
      const created = yield* Creation.create(path, (staging) =>
        Effect.gen(function* () {
          const api = Store.makeFileSystem(staging)
          yield* Layout.create(fresh).pipe(Effect.provideService(Store.Store, api))
          yield* api.set(Finalize.buildRecordKey, record(fresh.attributes.createdAt))
          yield* api.set(Plan.rejectedKey, Plan.rejectedRecord(prepared.plan))
          yield* api.set(PlanFile.key, planBytes())
          if (holder !== undefined) yield* StoreLock.plant(staging, holder)
        })
      ).pipe(Effect.onError(() => (holder === undefined ? Effect.void : StoreLock.forget(holder))))
      if (created) {
        const release =
          holder === undefined ? Effect.void : (yield* StoreLock.adopt(path, holder)).release
        return { layout: fresh, resumed: false, repaired: false, release } satisfies Opened
      }
      // Another build published a store here first: validate it like any existing store.
      if (holder !== undefined) yield* StoreLock.forget(holder)
    }
    // Read before locking: a directory that is not an EOForge store must receive no lock file either.
    const existing = yield* Layout.read.pipe(
      Effect.catchTag("NotAStoreError", () =>
        Effect.fail(
          new OutputError({
            path,
            message: `${path} exists and is not an EOForge store; refusing to write into it — choose a new output path`
          })
        )
      ),
      Effect.catchTag("InvalidStoreError", (e) =>
        Effect.fail(new OutputError({ path, message: e.message, cause: e }))
      )
    )
    const held = request === undefined ? undefined : yield* StoreLock.take(path, request)
    const release = held?.release ?? Effect.void
    return yield* Effect.gen(function* () {
      const hasRecord = (yield* store.get(Finalize.buildRecordKey)) !== undefined
      if (!sameLayout(existing, fresh)) {
        if (hasRecord) {
          return yield* new OutputError({
            path,
            message: `${path} holds a store built from a different recipe, seed or version; remove it or choose another output path`
          })
        }
        const shards = (yield* store.list(".eoforge/jobs")).length
        return yield* new OutputError({
          path,
          message: `${path} is an unfinished store: its creation was interrupted (the root zarr.json exists, .eoforge/build.json does not; older EOForge versions could leave this) and it was started from a different recipe, seed or version, so it cannot be completed by this one. ${shards === 0 ? "It holds no finished shard: nothing is lost by deleting it." : `It holds ${shards} finished shards of that other recipe.`} Delete the directory ${path} and run the build again, or choose another output path`
        })
      }
      if (!hasRecord) {
        // Same recipe: the skeleton is rewritten with the bytes it would have had, then the record.
        yield* Layout.create(existing)
        yield* store.set(Plan.rejectedKey, Plan.rejectedRecord(prepared.plan))
        yield* store.set(Finalize.buildRecordKey, record(existing.attributes.createdAt))
      }
      // Stores of earlier versions, and finalized ones, hold no plan: workers read it from here.
      if ((yield* store.get(PlanFile.key)) === undefined)
        yield* store.set(PlanFile.key, planBytes())
      return { layout: existing, resumed: true, repaired: !hasRecord, release } satisfies Opened
    }).pipe(Effect.onError(() => release))
  })
  return yield* opened.pipe(
    Effect.catchTag("StoreError", (e) => Effect.fail(outputFailure(path)(e)))
  )
})
