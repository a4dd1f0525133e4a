// Dumps a store as EOForge reads it (zarrita under the hood) to JSON, for check.py to compare against.
// Usage: npx node tools/zarr-check/dump.ts <store> <out.json>
import { Reader } from "@eoforge/zarr"
import { Effect } from "effect"
import { writeFileSync } from "node:fs"

const [store, out] = process.argv.slice(2)
const program = Effect.gen(function* () {
  const ds = yield* Reader.open(store)
  const samples = []
  for (let i = 0; i < ds.layout.samples; i++) {
    const s = yield* ds.readSample(i)
    const products: Record<string, unknown> = {}
    for (const [id, p] of Object.entries(s.products)) {
      products[id] = {
        shape: p.shape,
        dtype: p.data.constructor.name,
        data: Array.from(p.data as ArrayLike<number>, (v) => (Number.isNaN(v) ? null : v)),
        valid: Array.from(p.valid),
        reason: Array.from(p.reason),
        acquired: p.acquired,
        item: p.item,
        cloud: Array.from(p.cloud, (v) => (Number.isNaN(v) ? null : v))
      }
    }
    samples.push({
      index: i,
      id: s.id,
      lon: s.lon,
      lat: s.lat,
      epsg: s.epsg,
      x0: s.x0,
      y0: s.y0,
      split: s.split,
      products
    })
  }
  return { products: ds.products, samples }
})
writeFileSync(out, JSON.stringify(await Effect.runPromise(program)))
process.stdout.write(`wrote ${out}\n`)
