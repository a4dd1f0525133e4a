// STAC searches of an SSL4EO-S12-like build: the recipe's plan (cities, σ = 50 km, 2,640 m patches, ≤ 25 %
// overlap, seed 42), the patches inside one region at full density, four seasons × S2 L2A, L1C (same datatake)
// and S1 GRD (≤ 12 days) with 2020 as fallback, against the local catalogue of tools/bench/network. Counts
// the searches the catalogue answers through search cells, and for a sample of patches per patch too, checking
// that the selections are identical. Last line: one JSON object.
// Usage: npx node tools/bench/search/run.ts [--region w,s,e,n] [--check 300] [--cell 1] [--page 500]
import type { Patch } from "@eoforge/core"
import { PatchGeometry, Sampler } from "@eoforge/grid"
import { OverlapFilter } from "@eoforge/overlap"
import { AssetSigner, type Find, SearchCells, Ssl4eo, StacClient } from "@eoforge/stac"
import { Effect, Redacted } from "effect"
import * as Catalogue from "../network/catalogue.ts"

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? process.argv[i + 1] : fallback
}
const region = arg("region", "5,43,17,52").split(",").map(Number) as [
  number,
  number,
  number,
  number
]
const check = Number(arg("check", "300"))
const cellDegrees = Number(arg("cell", "1"))
const pageLimit = Number(arg("page", "500"))
const total = Number(arg("count", "251079"))

const t0 = performance.now()
// The plan of the ssl4eo-s12 recipe: candidates in order, greedy overlap filter, until `total` accepted.
const filter = OverlapFilter.make({ maxOverlap: 0.25 })
for (const c of Sampler.citiesGaussian({
  seed: 42,
  topN: 10000,
  sigmaKm: 50,
  weighting: "uniform"
})) {
  if (filter.counts().accepted >= total) break
  filter.offer(PatchGeometry.make({ lon: c.lon, lat: c.lat, size: 2640, resolution: 10, snap: 60 }))
}
const [w, s, e, n] = region
const patches: ReadonlyArray<Patch.Patch> = filter
  .accepted()
  .filter((p) => p.lon >= w && p.lon < e && p.lat >= s && p.lat < n)
const planS = (performance.now() - t0) / 1000
console.error(
  `${patches.length} of ${filter.counts().accepted} patches inside ${region.join(",")} (plan ${planS.toFixed(1)} s)`
)

const catalogue = await Catalogue.start({
  region: [w - 2, s - 2, e + 2, n + 2],
  years: [2020, 2021],
  seed: 7,
  maxPage: 1000
})
console.error(`catalogue: ${catalogue.items} items`)
const provider = { id: "earth-search", url: catalogue.url }
const plain = StacClient.make({ requestsPerSecond: 0, concurrency: 16 })

type Decision = string
const decide = (r: Find.Found | Find.Missing): Decision =>
  r._tag === "Missing"
    ? `${r.reason} ${r.detail}`
    : `${r.items.map((i) => i.id).join("+")} ${r.datetime} ${r.cloud} ${r.fallback} ${r.coverage} ${Object.values(
        r.assets
      )
        .flatMap((refs) => refs.map((a) => Redacted.value(a.url)))
        .join(",")}`

const run = (client: StacClient.StacClient["Service"], ps: ReadonlyArray<Patch.Patch>) =>
  Effect.runPromise(
    Effect.forEach(
      ps,
      (p) =>
        Ssl4eo.findPatch(p, { provider }).pipe(
          Effect.map((seasons) =>
            seasons.flatMap((x) => [decide(x.s2l2a), decide(x.s2l1c), decide(x.s1grd)])
          )
        ),
      { concurrency: 16 }
    ).pipe(
      Effect.provideService(StacClient.StacClient, client),
      Effect.provide(AssetSigner.layerNone)
    )
  )

const cells = SearchCells.withClient(plain, { cellDegrees, pageLimit })
const t1 = performance.now()
const viaCells = await run(cells.client, patches)
const cellsS = (performance.now() - t1) / 1000
const cellRequests = catalogue.searches()
const slots = patches.length * 12
const found = viaCells.flat().filter((d) => !/^\d/.test(d)).length

// Per patch, for every k-th patch: its own searches and the same selections.
const step = Math.max(1, Math.floor(patches.length / check))
const sample = patches.filter((_, i) => i % step === 0)
const before = catalogue.searches()
const direct = await run(plain, sample)
const perPatch = catalogue.searches() - before
let same = 0
sample.forEach((_, k) => {
  if (JSON.stringify(direct[k]) === JSON.stringify(viaCells[k * step])) same++
})
await catalogue.close()

const result = {
  region,
  patches: patches.length,
  patchProductSlots: slots,
  chipsWithAcquisition: found,
  cellDegrees,
  pageLimit,
  cellSearches: cellRequests,
  searchesPerPatchProductSlot: cellRequests / slots,
  perPatchSearchesPerPatchProductSlot: perPatch / (sample.length * 12),
  checkedPatches: sample.length,
  identicalPatches: same,
  counts: cells.counts(),
  cellsSeconds: cellsS
}
console.log(JSON.stringify(result))
