// Finalize's statistics merge at scale: synthetic shard statistics of an SSL4EO-like store (S2 L2A 12 bands
// and L1C 13 bands uint16 with exact 16-bit histograms, S1 GRD 2 bands float32; train/val/test), stored as
// jobs store them (zstd JSON), then merged as finalize merges them — decode, parse, add to one running total
// in shard order — for N shards. Reports time per shard, bytes per shard and the process's peak RSS.
// Last line: one JSON object. Usage: npx node --conditions=@eoforge/source tools/bench/stats/finalize.ts [--shards 10000]
import type { Band } from "@eoforge/core"
import { Crs, DType, PixelGrid, type Chip } from "@eoforge/core"
import { Grouped } from "@eoforge/stats"
import { Codec } from "@eoforge/zarr"

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? Number(process.argv[i + 1]) : fallback
}
const shards = arg("shards", 10_000)
const distinct = arg("distinct", 8)

const band = (name: string): Band.BandSpec => ({ name, nodata: 0 })
const products: ReadonlyArray<Band.ProductSpec> = [
  {
    id: "s2l2a",
    dtype: "uint16",
    resolution: 10,
    bands: Array.from({ length: 12 }, (_, i) => band(`B${i}`))
  },
  {
    id: "s2l1c",
    dtype: "uint16",
    resolution: 10,
    bands: Array.from({ length: 13 }, (_, i) => band(`B${i}`))
  },
  { id: "s1grd", dtype: "float32", resolution: 10, bands: [{ name: "VV" }, { name: "VH" }] }
]

let seed = 12345
const rand = () => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff
  return seed / 0x80000000
}

const chipOf = (spec: Band.ProductSpec, size: number): Chip.Chip => {
  const n = size * size * spec.bands.length
  const data = DType.alloc(spec.dtype, n)
  for (let i = 0; i < n; i++) {
    data[i] =
      spec.dtype === "uint16"
        ? rand() < 0.02
          ? 0
          : Math.round(200 + 6000 * rand() ** 2)
        : -25 + 20 * rand()
  }
  return {
    grid: PixelGrid.make(Crs.epsg(32633), 0, 0, 10, size, size),
    dtype: spec.dtype,
    bands: spec.bands.length,
    data
  } as Chip.Chip
}

// `distinct` different shards (64 × 64 chips, a few per product and split), stored as a job stores them.
const stored: Array<Uint8Array> = []
for (let k = 0; k < distinct; k++) {
  const g = Grouped.empty(products)
  for (const p of products) {
    for (const split of Grouped.splitNames) Grouped.add(g, p.id, split, chipOf(p, 64))
  }
  stored.push(
    Codec.encode(Codec.zstd(3), new TextEncoder().encode(JSON.stringify(Grouped.toJson(g))))
  )
}
const bytesPerShard = stored.reduce((n, b) => n + b.length, 0) / stored.length

const t0 = performance.now()
const total = Grouped.empty(products)
for (let k = 0; k < shards; k++) {
  const json = JSON.parse(
    new TextDecoder().decode(Codec.decode(Codec.zstd(3), stored[k % distinct], 512 * 1024 * 1024))
  ) as unknown
  Grouped.mergeInto(total, Grouped.fromJson(products, json))
}
const reports = Grouped.finalize(total)
const seconds = (performance.now() - t0) / 1000
console.log(
  JSON.stringify({
    shards,
    bytesPerShard,
    totalStatsMB: (bytesPerShard * shards) / 1e6,
    seconds,
    msPerShard: (seconds * 1000) / shards,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
    trainMeanB0: reports[0].normalisation[0].mean
  })
)
