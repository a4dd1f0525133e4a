// A process searching through a store's search cells, for SearchClaim.test.ts: waits until a given instant
// (so that several start together), runs each patch search, prints the item ids found and its counters.
// Usage: node cellSearcher.ts <store dir> <STAC API url> <start at, epoch ms> <JSON array of SearchParams>
import { type Search, StacClient } from "@eoforge/stac"
import { Store } from "@eoforge/zarr"
import { Effect, Stream } from "effect"
import { SearchCache, Services } from "../src/index.ts"

const [root, url, startAt, queries] = process.argv.slice(2)
const params = JSON.parse(queries) as ReadonlyArray<Search.SearchParams>

await new Promise((ok) => setTimeout(ok, Math.max(0, Number(startAt) - Date.now())))
const result = await Effect.runPromise(
  Effect.gen(function* () {
    const cells = SearchCache.clientFor(
      yield* StacClient.StacClient,
      Store.makeFileSystem(root),
      {},
      root
    )
    const ids = yield* Effect.forEach(
      params,
      (p) =>
        Stream.runCollect(cells.client.search(StacClient.api(url), p)).pipe(
          Effect.map((items) => items.map((item) => item.id))
        ),
      { concurrency: "unbounded" }
    )
    return { ids, counts: cells.counts() }
  }).pipe(Effect.provide(Services.layer))
)
process.stdout.write(JSON.stringify(result) + "\n")
