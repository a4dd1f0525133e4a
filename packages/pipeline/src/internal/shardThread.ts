// A worker thread of a build (ShardThreads): builds shards taken from the coordinator's queue until none is
// left, reporting each, then what it read in all; an error is reported with its message and tag.
import { NodeServices } from "@effect/platform-node"
import { RasterSource } from "@eoforge/raster"
import { AssetSigner, StacClient } from "@eoforge/stac"
import { Store } from "@eoforge/zarr"
import { Cause, Effect, Exit } from "effect"
import { parentPort, workerData } from "node:worker_threads"
import * as Build from "../Build.ts"
import * as HeaderCache from "../HeaderCache.ts"
import * as Opener from "../Opener.ts"
import * as SearchCache from "../SearchCache.ts"
import * as Services from "../Services.ts"
import * as ShardThreads from "../ShardThreads.ts"
import * as StoredPlan from "../StoredPlan.ts"

const { spec, queue } = workerData as { spec: ShardThreads.Spec; queue: ShardThreads.Queue }
const post = (message: ShardThreads.Message) => parentPort?.postMessage(message)

const program = Effect.gen(function* () {
  const stored = yield* StoredPlan.open(spec.recipe, spec.out)
  if (!stored.matches)
    return yield* new ShardThreads.BuildThreadError({
      tag: "OutputError",
      message: `the store ${spec.out} no longer matches ${spec.recipe} (changed while the build ran); run the build again`
    })
  const open = yield* Opener.make()
  const ctx = Build.jobContext(stored.prepared, stored.layout, open, spec.concurrency, spec.out)
  const cells = SearchCache.clientFor(
    yield* StacClient.StacClient,
    stored.store,
    spec.searchCells,
    spec.out
  )
  const shelf = spec.headerCache === true ? HeaderCache.shelfOf(stored.store) : undefined
  const signer = yield* Build.signerOf(stored.prepared.loaded.recipe)
  const before = RasterSource.transferTotals()
  let chips = 0
  yield* ShardThreads.drain(queue, (k) =>
    Build.runShard(ctx, k, cells.client, cells.prefetch, [], shelf).pipe(
      Effect.provideService(AssetSigner.AssetSigner, signer),
      Effect.tap((summary) =>
        Effect.sync(() => {
          chips += summary.chips
          post({ type: "shard", shard: k, chips: summary.chips, missing: summary.missing })
        })
      )
    )
  )
  const t = Build.transferSince(before, chips)
  post({
    type: "done",
    chips,
    requests: t.requests,
    bytes: t.bytes,
    retries: t.retries,
    throttled: t.throttled,
    searches: cells.counts()
  })
}).pipe(
  Effect.scoped,
  Effect.provide(Store.layerFileSystem(spec.out)),
  Effect.provide(Services.layer),
  Effect.provide(NodeServices.layer)
)

void Effect.runPromiseExit(program).then((exit) => {
  if (Exit.isSuccess(exit)) return
  ShardThreads.stop(queue)
  const error = Cause.squash(exit.cause)
  post({
    type: "failed",
    tag: String((error as { _tag?: unknown })?._tag ?? (error as Error)?.name ?? "Error"),
    message: error instanceof Error ? error.message : String(error)
  })
})
