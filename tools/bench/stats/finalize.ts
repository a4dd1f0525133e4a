// Finalize's statistics merge at scale: synthetic shard statistics of an SSL4EO-like store (S2 L2A 12 bands
// and L1C 13 bands uint16 with exact 16-bit histograms, S1 GRD 2 bands float32; train/val/test), stored as
// jobs store them (zstd binary form; the zstd JSON form of earlier versions is measured for its size), then
// merged as finalize merges them — decompress, add to a fan-in-16 merge tree in shard order — for N shards.
// Reports time per shard, bytes per shard (both forms) and the process's peak RSS. Last line: one JSON
// object. Usage: npx node --conditions=@eoforge/source tools/bench/stats/finalize.ts [--shards 10000]
//   [--distinct 8] [--chips 4] [--size 128] [--form packed|json]
import type { Band } from "@eoforge/core"
import { Crs, DType, PixelGrid, type Chip } from "@eoforge/core"
import { Grouped, MergeTree, Packed } from "@eoforge/stats"
import { Codec } from "@eoforge/zarr"

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? Number(process.argv[i + 1]) : fallback
}
const shards = arg("shards", 10_000)
const distinct = arg("distinct", 8)
const chipsPerGroup = arg("chips", 4)
const size = arg("size", 128)
const form = process.argv.includes("--form")
  ? process.argv[process.argv.indexOf("--form") + 1]
  : "packed"

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

// `distinct` different shards (a few chips per product and split), stored in both forms.
const packed: Array<Uint8Array> = []
const json: Array<Uint8Array> = []
for (let k = 0; k < distinct; k++) {
  const g = Grouped.empty(products)
  for (const p of products) {
    for (const split of Grouped.splitNames) {
      for (let c = 0; c < chipsPerGroup; c++) Grouped.add(g, p.id, split, chipOf(p, size))
    }
  }
  packed.push(Codec.encode(Codec.zstd(3), Packed.encode(g)))
  json.push(
    Codec.encode(Codec.zstd(3), new TextEncoder().encode(JSON.stringify(Grouped.toJson(g))))
  )
}
const mean = (xs: ReadonlyArray<Uint8Array>) => xs.reduce((n, b) => n + b.length, 0) / xs.length
const bytesPerShard = mean(form === "json" ? json : packed)

const t0 = performance.now()
const c0 = process.cpuUsage()
const tree = MergeTree.make(products)
for (let k = 0; k < shards; k++) {
  const raw = Codec.decode(
    Codec.zstd(3),
    (form === "json" ? json : packed)[k % distinct],
    512 << 20
  )
  if (form === "json") {
    MergeTree.add(tree, Grouped.fromJson(products, JSON.parse(new TextDecoder().decode(raw))))
  } else MergeTree.addPacked(tree, raw)
}
const reports = Grouped.finalize(MergeTree.result(tree))
const seconds = (performance.now() - t0) / 1000
const c1 = process.cpuUsage(c0)
const cpuSeconds = (c1.user + c1.system) / 1e6
console.log(
  JSON.stringify({
    shards,
    form,
    valuesPerBandAndSplit: chipsPerGroup * size * size,
    bytesPerShard,
    bytesPerShardPacked: mean(packed),
    bytesPerShardJson: mean(json),
    totalStatsMB: (bytesPerShard * shards) / 1e6,
    seconds,
    msPerShard: (seconds * 1000) / shards,
    cpuSeconds,
    cpuMsPerShard: (cpuSeconds * 1000) / shards,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
    trainMeanB0: reports[0].normalisation[0].mean
  })
)
