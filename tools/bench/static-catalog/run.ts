// A generated static STAC catalogue of N items (default 100,000) over a local web server: the acquisitions
// of P patches found as a build finds them, twice with one document cache (the second run is a resumed
// build), then the same patches through the STAC API fixture serving the same items. Counts every request.
// Usage: node --conditions=@eoforge/source tools/bench/static-catalog/run.ts [items=100000] [patches=200]
import { Crs, type Patch } from "@eoforge/core"
import { AssetSigner, Find, type Product, StacClient } from "@eoforge/stac"
import { Effect, Layer } from "effect"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Fx from "../../../packages/stac/test/fixture/stacServer.ts"
import * as Gen from "../../static-stac/generate.ts"
import * as Web from "../../static-stac/server.ts"

const items = Number(process.argv[2] ?? 100_000)
const patchCount = Number(process.argv[3] ?? 200)

const preset: Product.Preset = {
  spec: { id: "gen", dtype: "uint8", resolution: 10, bands: [{ name: "b" }] },
  bindings: { gen: { collection: "alpha", assets: { b: "data" } } },
  cloudy: true,
  projected: false,
  valueTransform: "none"
}
const patches: ReadonlyArray<Patch.Patch> = Array.from({ length: patchCount }, (_, i) => {
  const lon = 10.05 + ((i * 0.618034) % 0.9)
  const lat = 45.05 + ((i * 0.381966) % 0.9)
  const half = 0.004
  return {
    id: `p${i}`,
    lon,
    lat,
    grid: { crs: Crs.epsg(32632), x0: 0, y0: 0, resolution: 10, width: 64, height: 64 },
    footprint: [
      [lon - half, lat + half],
      [lon + half, lat + half],
      [lon + half, lat - half],
      [lon - half, lat - half]
    ]
  }
})
// Four seasonal windows of 2021, as a seasonal product's slots.
const slots = [2, 5, 8, 11].map((m) => ({
  id: `m${m}`,
  start: Date.UTC(2021, m, 1),
  end: Date.UTC(2021, m + 1, 0, 23, 59, 59, 999),
  reference: Date.UTC(2021, m, 15)
}))

const choiceOf = (r: Find.Found | Find.Missing): string =>
  r._tag === "Found"
    ? `${r.items.map((i) => i.id).join("+")}|${r.cloud}|${r.mosaic}|${r.datetime}`
    : `missing ${r.reason}`

const findAll = (rules: Find.Rules) =>
  Effect.forEach(
    patches.flatMap((p) => slots.map((s) => [p, s] as const)),
    ([p, s]) => Effect.map(Find.find(p, preset, s, rules), choiceOf),
    { concurrency: 4 }
  )

const run = <A, E>(effect: Effect.Effect<A, E, StacClient.StacClient | AssetSigner.AssetSigner>) =>
  Effect.runPromise(
    effect.pipe(
      Effect.provide(
        Layer.merge(
          StacClient.layerWith({ requestsPerSecond: 0, staticRequestsPerSecond: 0 }),
          AssetSigner.layerNone
        )
      )
    )
  )

const mem = () => Math.round(process.memoryUsage().rss / 2 ** 20)

const t0 = performance.now()
const g = Gen.generate({ items, layout: "by-month" })
const generateS = (performance.now() - t0) / 1000
const web = await Web.start({ files: g.files })
const api = await Fx.start({ items: g.items as never, dialect: "query" })
const cache = mkdtempSync(join(tmpdir(), "eoforge-bench-stac-"))
const source = StacClient.withCache(StacClient.staticCatalog(`${web.url}/catalog.json`), cache)
const rules = (s?: StacClient.Source): Find.Rules => ({
  provider: { id: "gen", url: api.url },
  select: "least-cloudy",
  maxCloud: 30,
  ...(s === undefined ? {} : { source: s })
})

const perPathMax = () => {
  const n = new Map<string, number>()
  for (const r of web.requests) n.set(r.path, (n.get(r.path) ?? 0) + 1)
  return Math.max(...n.values())
}

const t1 = performance.now()
const first = await run(findAll(rules(source)))
const firstS = (performance.now() - t1) / 1000
const firstRequests = web.requests.length
const first200 = web.count(200)
const firstMax = perPathMax()
const rssFirst = mem()

const t2 = performance.now()
const second = await run(findAll(rules(source)))
const secondS = (performance.now() - t2) / 1000
const second200 = web.count(200) - first200
const second304 = web.count(304)

const t3 = performance.now()
const viaApi = await run(findAll(rules()))
const apiS = (performance.now() - t3) / 1000
const searches = api.requests.filter((r) => r.path === "/search").length

const differ = first.filter((c, i) => c !== viaApi[i]).length
const found = first.filter((c) => String(c).includes("|")).length
await web.close()
await api.close()
rmSync(cache, { recursive: true, force: true })

const result = {
  items,
  documents: g.files.size,
  patches: patchCount,
  finds: first.length,
  found,
  generateS: +generateS.toFixed(1),
  firstBuild: {
    seconds: +firstS.toFixed(1),
    requests: firstRequests,
    fetched200: first200,
    maxRequestsPerDocument: firstMax
  },
  resumedBuild: { seconds: +secondS.toFixed(1), fetched200: second200, revalidated304: second304 },
  api: { seconds: +apiS.toFixed(1), searches },
  sameAsResumed: first.every((c, i) => c === second[i]),
  differFromApi: differ,
  rssMiB: rssFirst
}
console.log(JSON.stringify(result))
