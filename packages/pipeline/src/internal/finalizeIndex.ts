// The patch index a finalize writes into the store: `index.geojson` (a polygon per sample, its split and per
// product the slots holding data) and the CSV indexes of samples and chips, read back one shard at a time.
import { Reason, Split } from "@eoforge/core"
import { Zone } from "@eoforge/grid"
import { Codec, Layout, Metadata, Store } from "@eoforge/zarr"
import { Effect } from "effect"
import type { FinalizeError } from "../Finalize.ts"
import * as Index from "./patchIndex.ts"

const encoder = new TextEncoder()

/** What writing the index learns on the way, for the Croissant description and the summary. */
export interface IndexFacts {
  readonly splitCounts: { train: number; val: number; test: number; guard: number }
  /** First and last acquisition instant of a chip holding data (ms since epoch; ±Infinity when none). */
  readonly firstAcquired: number
  readonly lastAcquired: number
  /** west, south, east, north (degrees) over every patch's corners. */
  readonly bbox: Array<number>
  /** The CSV index files written: samples first, then one per product. */
  readonly indexFiles: Array<string>
}

/** Write `index.geojson` and the CSV indexes of the store of the Store service. */
export const writeIndex = Effect.fnUntraced(function* (
  layout: Layout.Layout,
  named: Layout.Layout,
  slotsOf: ReadonlyMap<string, ReadonlyArray<{ readonly name: string }>>,
  fail: (message: string) => FinalizeError
) {
  const store = yield* Store.Store
  const shards = Layout.shardCount(layout)
  // The patch index, one shard at a time: a polygon per sample (grid corners back to lon/lat; RFC 7946),
  // its split, and per product how many slots hold data; beside it the sample and chip CSV indexes.
  // Written as parts, never as one giant string.
  const splitCounts = { train: 0, val: 0, test: 0, guard: 0 }
  const size = (layout.attributes.recipe as { patch: { size: number } }).patch.size
  const slotName = (id: string, t: number) => slotsOf.get(id)?.[t]?.name ?? `t${t}`
  const chunk = (array: string, coords: ReadonlyArray<number>) =>
    Effect.gen(function* () {
      const bytes = yield* store.get(Metadata.chunkKey(array, coords))
      if (bytes === undefined) return yield* fail(`${array} of shard ${coords[0]} is missing`)
      const raw = Codec.decode(Codec.defaultCompression, bytes)
      return raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength)
    })
  const parts: Array<Uint8Array> = [encoder.encode('{"type":"FeatureCollection","features":[\n')]
  const sampleRows: Array<Uint8Array> = [
    encoder.encode(
      Index.csvLine([...Index.sampleColumns, ...named.products.map((p) => `chips_${p.spec.id}`)])
    )
  ]
  const chipRows = new Map(
    named.products.map((p) => [
      p.spec.id,
      [
        encoder.encode(
          Index.csvLine([
            ...Index.chipColumns,
            ...(p.spec.cloudMask === undefined ? [] : Index.cloudMaskColumns)
          ])
        )
      ]
    ])
  )
  let firstAcquired = Infinity
  let lastAcquired = -Infinity
  const bbox = [Infinity, Infinity, -Infinity, -Infinity] // west, south, east, north (degrees)
  for (let k = 0; k < shards; k++) {
    const [start, end] = Layout.shardRange(layout, k)
    const ids = Layout.decodeStrings(new Uint8Array(yield* chunk("samples/id", [k])))
    const lon = new Float64Array(yield* chunk("samples/lon", [k]))
    const lat = new Float64Array(yield* chunk("samples/lat", [k]))
    const split = new Uint8Array(yield* chunk("samples/split", [k]))
    const epsg = new Int32Array(yield* chunk("samples/epsg", [k]))
    const x0 = new Float64Array(yield* chunk("samples/x0", [k]))
    const y0 = new Float64Array(yield* chunk("samples/y0", [k]))
    const slotData: Array<{
      readonly id: string
      readonly times: number
      readonly valid: Uint8Array
      readonly reason: Uint8Array
      readonly acquired: BigInt64Array
      readonly item: ReadonlyArray<string>
      readonly cloud: Float32Array
      readonly nodata: Float32Array
      readonly mask?: { readonly patchCloud: Float32Array; readonly source: Uint8Array }
    }> = []
    for (const p of named.products) {
      const id = p.spec.id
      slotData.push({
        id,
        times: p.times,
        valid: new Uint8Array(yield* chunk(`${id}/valid`, [k, 0])),
        reason: new Uint8Array(yield* chunk(`${id}/reason`, [k, 0])),
        acquired: new BigInt64Array(yield* chunk(`${id}/acquired`, [k, 0])),
        item: Layout.decodeStrings(new Uint8Array(yield* chunk(`${id}/item`, [k, 0]))),
        cloud: new Float32Array(yield* chunk(`${id}/cloud`, [k, 0])),
        nodata: new Float32Array(yield* chunk(`${id}/nodata`, [k, 0])),
        ...(p.spec.cloudMask === undefined
          ? {}
          : {
              mask: {
                patchCloud: new Float32Array(yield* chunk(`${id}/patchCloud`, [k, 0])),
                source: new Uint8Array(yield* chunk(`${id}/maskSource`, [k, 0]))
              }
            })
      })
    }
    const lines: Array<string> = []
    const samples: Array<string> = []
    for (let i = 0; i < end - start; i++) {
      const sample = start + i
      const splitName = Split.name(split[i])
      splitCounts[splitName]++
      const corners = [
        [x0[i], y0[i]],
        [x0[i] + size, y0[i]],
        [x0[i] + size, y0[i] - size],
        [x0[i], y0[i] - size]
      ].map(([x, y]) => Zone.inverse(epsg[i], x, y))
      for (const [x, y] of corners) {
        bbox[0] = Math.min(bbox[0], x)
        bbox[1] = Math.min(bbox[1], y)
        bbox[2] = Math.max(bbox[2], x)
        bbox[3] = Math.max(bbox[3], y)
      }
      const properties: Record<string, string | number> = { sample, split: splitName }
      for (const d of slotData) {
        let n = 0
        const rows: Array<string> = []
        for (let t = 0; t < d.times; t++) {
          const j = i * d.times + t
          n += d.valid[j]
          const ms = d.acquired[j] === Metadata.int64Min ? undefined : Number(d.acquired[j])
          if (ms !== undefined && d.valid[j] === 1) {
            firstAcquired = Math.min(firstAcquired, ms)
            lastAcquired = Math.max(lastAcquired, ms)
          }
          rows.push(
            Index.csvLine([
              sample,
              ids[i],
              splitName,
              t,
              slotName(d.id, t),
              d.valid[j],
              Reason.name(d.reason[j]),
              d.reason[j],
              ms === undefined ? "" : new Date(ms).toISOString(),
              d.item[j],
              Index.float32(d.cloud[j]),
              Index.float32(d.nodata[j]),
              ...(d.mask === undefined
                ? []
                : [Index.float32(d.mask.patchCloud[j]), d.mask.source[j]])
            ])
          )
        }
        properties[d.id] = n
        chipRows.get(d.id)!.push(encoder.encode(rows.join("")))
      }
      const feature = {
        type: "Feature",
        id: sample,
        properties,
        geometry: Index.patchGeometry(corners.map(([x, y]) => [x, y] as const))
      }
      lines.push((sample === 0 ? "" : ",\n") + JSON.stringify(feature))
      samples.push(
        Index.csvLine([
          sample,
          ids[i],
          splitName,
          lon[i],
          lat[i],
          epsg[i],
          x0[i],
          y0[i],
          ...slotData.map((d) => properties[d.id])
        ])
      )
    }
    parts.push(encoder.encode(lines.join("")))
    sampleRows.push(encoder.encode(samples.join("")))
  }
  parts.push(encoder.encode("\n]}\n"))
  yield* store.set("index.geojson", parts)
  const indexFiles = [`${Index.folder}/samples.csv`]
  yield* store.set(indexFiles[0], sampleRows)
  for (const p of named.products) {
    const key = `${Index.folder}/${p.spec.id}.csv`
    yield* store.set(key, chipRows.get(p.spec.id)!)
    indexFiles.push(key)
  }
  return { splitCounts, firstAcquired, lastAcquired, bbox, indexFiles } satisfies IndexFacts
})
