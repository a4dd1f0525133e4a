// Seam rule figures: tiles of an AOI before and after the seam rule, overlap accepted and a lattice coverage
// check. Usage: node --conditions=@eoforge/source tools/bench/seam/run.ts [aoi.geojson] [sizeM] [stepM]
import { Coverage, Tiling } from "@eoforge/grid"
import { OverlapFilter, SeamFill } from "@eoforge/overlap"
import { readFileSync } from "node:fs"

const file = process.argv[2] ?? "packages/pipeline/recipes/netherlands-aoi.geojson"
const size = Number(process.argv[3] ?? 4480)
const stepM = Number(process.argv[4] ?? 250)
const aoi = JSON.parse(readFileSync(file, "utf8"))
const t0 = performance.now()
const filter = OverlapFilter.make({ maxOverlap: 0 })
const rejected = []
let candidates = 0
for (const t of Tiling.tiles(aoi, { size, resolution: 10 })) {
  candidates++
  if (!filter.offer(t)) rejected.push(t)
}
const kept = filter.accepted()
const spill = [...Tiling.seamTiles(aoi, { size, resolution: 10 })]
const t1 = performance.now()
const fill = SeamFill.fill(kept, [...rejected, ...spill])
const t2 = performance.now()
const all = [...rejected, ...spill]
const after = [...kept, ...fill.added.map((i) => all[i])]
const before = Coverage.check(aoi, kept, { size, stepM })
const unfiltered = Coverage.check(aoi, [...kept, ...rejected], { size, stepM })
const cov = Coverage.check(aoi, after, { size, stepM })
const o = [...fill.overlaps]
console.error({ before, unfiltered, after: cov })
console.log(
  JSON.stringify({
    aoi: file,
    size,
    candidates,
    keptBefore: kept.length,
    rejected: rejected.length,
    spillCandidates: spill.length,
    seamTiles: fill.added.length,
    fromRejected: fill.added.filter((i) => i < rejected.length).length,
    keptAfter: after.length,
    maxOverlap: Math.max(0, ...o),
    meanOverlap: o.length === 0 ? 0 : o.reduce((a, b) => a + b, 0) / o.length,
    holesBefore: before.holes,
    holesUnfiltered: unfiltered.holes,
    holesAfter: cov.holes,
    targetPoints: cov.target,
    tilingMs: Math.round(t1 - t0),
    fillMs: Math.round(t2 - t1)
  })
)
