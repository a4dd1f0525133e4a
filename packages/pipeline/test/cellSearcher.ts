// A process searching through a store's search cells, for SearchClaim.test.ts: loads its modules, prints
// "ready" and waits for a "go" line on stdin (so that several start searching together, whatever their
// loading took), runs each patch search, prints the item ids found and its counters as one JSON line.
// Usage: node cellSearcher.ts <store dir> <STAC API url> <JSON array of SearchParams> [nolock]
// (`nolock`: the cells' lists are kept in the store but not claimed, to show what the locks prevent).
import { type Search, StacClient } from "@eoforge/stac"
import { Store } from "@eoforge/zarr"
import { Effect, Stream } from "effect"
import { createInterface } from "node:readline"
import { SearchCache, Services } from "../src/index.ts"

const [root, url, queries, mode] = process.argv.slice(2)
const params = JSON.parse(queries) as ReadonlyArray<Search.SearchParams>

process.stdout.write("ready\n")
const lines = createInterface({ input: process.stdin })
await new Promise<void>((ok) => lines.on("line", (line) => line.trim() === "go" && ok()))
lines.close()
const result = await Effect.runPromise(
  Effect.gen(function* () {
    const cells = SearchCache.clientFor(
      yield* StacClient.StacClient,
      Store.makeFileSystem(root),
      {},
      mode === "nolock" ? undefined : root
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
