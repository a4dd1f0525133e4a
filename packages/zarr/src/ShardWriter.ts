// Writes one shard of one product (its samples × all times) atomically, then a completion record.
// Chips arrive in any order, compressed on Node's thread pool; publishing renames whole files into place.
import { type Chip, DType } from "@eoforge/core"
import { Effect } from "effect"
import { createHash } from "node:crypto"
import * as Codec from "./Codec.ts"
import * as Layout from "./Layout.ts"
import * as Metadata from "./Metadata.ts"
import * as Shard from "./Shard.ts"
import { Store } from "./Store.ts"
import { ChipError, type LayoutError, type StoreError } from "./ZarrError.ts"

/** Per-slot facts recorded beside a chip (or a missing slot). */
export interface SlotInfo {
  /** Reason code (core Reason); defaults to Ok for a chip, required for a missing slot. */
  readonly reason?: number
  /** Acquisition instant, ms since 1970-01-01T00:00:00Z. */
  readonly acquired?: number
  /** Source item id(s). */
  readonly item?: string
  /** Cloud fraction 0–1. */
  readonly cloud?: number
  /** Nodata fraction 0–1. */
  readonly nodata?: number
  /** Source processing baseline, scale and offset (products declaring a radiometry). */
  readonly baseline?: string
  readonly scale?: number
  readonly offset?: number
  /** Valid observations per pixel ([y, x]) of a composite chip, for products with a `count` array. */
  readonly count?: Uint16Array
  /** Masked cloud fraction 0–1 and its source (Layout.maskSources; products with a cloud mask). */
  readonly patchCloud?: number
  readonly maskSource?: number
}

/** What a published shard wrote: every file with its size and sha256. */
export interface ShardRecord {
  readonly product: string
  readonly shard: number
  readonly samples: readonly [number, number]
  readonly files: Readonly<Record<string, { readonly bytes: number; readonly sha256: string }>>
}

/** Accumulates the chips of one (product, shard) and publishes them. */
export interface ShardWriter {
  readonly product: string
  readonly shard: number
  /** The samples [start, end) this shard holds. */
  readonly samples: readonly [number, number]
  /** Add the chip of (sample, time): band-major [band, y, x] values of the product dtype. */
  readonly add: (
    sample: number,
    time: number,
    chip: DType.TypedArray | Chip.Chip,
    info?: SlotInfo
  ) => Effect.Effect<void, ChipError>
  /** Record a slot without data and why. */
  readonly skip: (
    sample: number,
    time: number,
    reason: number,
    info?: SlotInfo
  ) => Effect.Effect<void, ChipError>
  /** Write the data shard (or chunk files), the per-slot chunks and the completion record. */
  readonly publish: Effect.Effect<ShardRecord, StoreError, Store>
}

/** The key of the completion record of a shard (`samples` for the per-sample arrays). */
export const doneKey = (product: string, shard: number): string =>
  `.eoforge/done/${product}/${shard}.json`

/** Whether a shard already has its completion record (a rerun skips it). */
export const isDone = (product: string, shard: number): Effect.Effect<boolean, StoreError, Store> =>
  Effect.gen(function* () {
    const store = yield* Store
    return (yield* store.get(doneKey(product, shard))) !== undefined
  })

const le = (a: ArrayBufferView): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength)

const sha256 = (parts: ReadonlyArray<Uint8Array>): { bytes: number; sha256: string } => {
  const h = createHash("sha256")
  let n = 0
  for (const p of parts) {
    h.update(p)
    n += p.length
  }
  return { bytes: n, sha256: h.digest("hex") }
}

const publishFiles = (
  files: ReadonlyArray<readonly [string, ReadonlyArray<Uint8Array> | undefined]>,
  doneAt: string,
  head: Omit<ShardRecord, "files">
) =>
  Effect.gen(function* () {
    const store = yield* Store
    const record: Record<string, { bytes: number; sha256: string }> = {}
    for (const [key, parts] of files) {
      if (parts === undefined) {
        yield* store.delete(key)
        continue
      }
      yield* store.set(key, parts)
      record[key] = sha256(parts)
    }
    const full: ShardRecord = { ...head, files: record }
    yield* store.set(doneAt, new TextEncoder().encode(JSON.stringify(full, null, 2) + "\n"))
    return full
  })

const scalarChunk = (
  values: ArrayBufferView | ReadonlyArray<string>
): ReadonlyArray<Uint8Array> => [
  Codec.encode(
    Codec.defaultCompression,
    Array.isArray(values) ? Layout.encodeStrings(values) : le(values as ArrayBufferView)
  )
]

/** A writer for shard `shard` of product `productId`. */
export const make = (
  layout: Layout.Layout,
  productId: string,
  shard: number
): Effect.Effect<ShardWriter, LayoutError> =>
  Effect.map(Layout.product(layout, productId), (p) => {
    const S = layout.shardSamples
    const T = p.times
    const B = p.spec.bands.length
    const values = B * p.height * p.width
    const [start, end] = Layout.shardRange(layout, shard)
    // Each chip's compressed bytes as the compressor's pieces (written back to back).
    const chunks: Array<ReadonlyArray<Uint8Array> | undefined> = new Array(S * T).fill(undefined)
    const valid = new Uint8Array(S * T)
    const reason = new Uint8Array(S * T).fill(1)
    const acquired = new BigInt64Array(S * T).fill(Metadata.int64Min)
    const item: Array<string> = new Array(S * T).fill("")
    const cloud = new Float32Array(S * T).fill(NaN)
    const nodata = new Float32Array(S * T).fill(NaN)
    const radiometry = p.spec.radiometry !== undefined
    const baseline: Array<string> = new Array(S * T).fill("")
    const scale = new Float64Array(S * T).fill(NaN)
    const offset = new Float64Array(S * T).fill(NaN)
    const masked = p.spec.cloudMask !== undefined
    const patchCloud = new Float32Array(S * T).fill(NaN)
    const maskSource = new Uint8Array(S * T)
    const dataPath = `${p.spec.id}/data`
    const counts: Array<ReadonlyArray<Uint8Array> | undefined> | undefined =
      p.count === true ? new Array(S * T).fill(undefined) : undefined

    const check = (sample: number, time: number): ChipError | undefined => {
      const fail = (message: string) => new ChipError({ array: dataPath, sample, time, message })
      if (!Number.isInteger(sample) || sample < start || sample >= end)
        return fail(
          `sample ${sample} is not in shard ${shard} of ${dataPath} (samples ${start}–${end - 1})`
        )
      if (!Number.isInteger(time) || time < 0 || time >= T)
        return fail(`time ${time} of sample ${sample} is outside 0–${T - 1} in ${dataPath}`)
      return undefined
    }
    const record = (slot: number, info: SlotInfo | undefined, code: number) => {
      reason[slot] = info?.reason ?? code
      acquired[slot] =
        info?.acquired === undefined ? Metadata.int64Min : BigInt(Math.round(info.acquired))
      item[slot] = info?.item ?? ""
      cloud[slot] = info?.cloud ?? NaN
      nodata[slot] = info?.nodata ?? NaN
      baseline[slot] = info?.baseline ?? ""
      scale[slot] = info?.scale ?? NaN
      offset[slot] = info?.offset ?? NaN
      patchCloud[slot] = info?.patchCloud ?? NaN
      maskSource[slot] = info?.maskSource ?? 0
    }

    const add: ShardWriter["add"] = (sample, time, chip, info) =>
      Effect.suspend(() => {
        const bad = check(sample, time)
        if (bad !== undefined) return Effect.fail(bad)
        const fail = (message: string) =>
          Effect.fail(new ChipError({ array: dataPath, sample, time, message }))
        const data =
          "data" in chip && !ArrayBuffer.isView(chip) ? chip.data : (chip as DType.TypedArray)
        if (!ArrayBuffer.isView(chip)) {
          const c = chip as Chip.Chip
          if (c.bands !== B || c.grid.width !== p.width || c.grid.height !== p.height)
            return fail(
              `chip of sample ${sample}, time ${time} is ${c.bands}×${c.grid.height}×${c.grid.width}, ${dataPath} expects ${B}×${p.height}×${p.width} (bands×y×x)`
            )
        }
        let dtype: string
        try {
          dtype = DType.of(data)
        } catch {
          dtype = Object.prototype.toString.call(data)
        }
        if (dtype !== p.spec.dtype)
          return fail(
            `chip of sample ${sample}, time ${time} is ${dtype}, ${dataPath} stores ${p.spec.dtype}: convert it first`
          )
        if (data.length !== values)
          return fail(
            `chip of sample ${sample}, time ${time} has ${data.length} values, ${dataPath} expects ${values} (${B}×${p.height}×${p.width})`
          )
        const count = info?.count
        if (count !== undefined && count.length !== p.height * p.width)
          return fail(
            `count of sample ${sample}, time ${time} has ${count.length} values, ${p.spec.id}/count expects ${p.height * p.width} (${p.height}×${p.width})`
          )
        const slot = (sample - start) * T + time
        // Compressed on Node's thread pool (the bytes `Codec.encode` gives), so the calling thread goes
        // on extracting other chips meanwhile.
        return Effect.promise(() =>
          Promise.all([
            Codec.encodeAsync(p.compression, le(data)),
            counts === undefined || count === undefined
              ? undefined
              : Codec.encodeAsync(p.compression, le(count))
          ])
        ).pipe(
          Effect.map(([chunk, countChunk]) => {
            if (counts !== undefined) counts[slot] = countChunk
            chunks[slot] = chunk
            valid[slot] = 1
            record(slot, info, 0)
          })
        )
      })

    const skip: ShardWriter["skip"] = (sample, time, code, info) =>
      Effect.suspend(() => {
        const bad = check(sample, time)
        if (bad !== undefined) return Effect.fail(bad)
        const slot = (sample - start) * T + time
        chunks[slot] = undefined
        if (counts !== undefined) counts[slot] = undefined
        valid[slot] = 0
        record(slot, { ...info, reason: code }, code)
        return Effect.void
      })

    const publish = Effect.suspend(() => {
      const files: Array<readonly [string, ReadonlyArray<Uint8Array> | undefined]> = []
      if (layout.sharded) {
        const key = Metadata.chunkKey(dataPath, [shard, 0, 0, 0, 0])
        files.push([key, chunks.some((c) => c !== undefined) ? Shard.encode(chunks) : undefined])
      } else {
        for (let s = start; s < end; s++) {
          for (let t = 0; t < T; t++) {
            const c = chunks[(s - start) * T + t]
            files.push([Metadata.chunkKey(dataPath, [s, t, 0, 0, 0]), c])
          }
        }
      }
      if (counts !== undefined) {
        const countPath = `${p.spec.id}/count`
        if (layout.sharded) {
          files.push([
            Metadata.chunkKey(countPath, [shard, 0, 0, 0]),
            counts.some((c) => c !== undefined) ? Shard.encode(counts) : undefined
          ])
        } else {
          for (let s = start; s < end; s++) {
            for (let t = 0; t < T; t++) {
              const c = counts[(s - start) * T + t]
              files.push([Metadata.chunkKey(countPath, [s, t, 0, 0]), c])
            }
          }
        }
      }
      const k = (name: string) => Metadata.chunkKey(`${p.spec.id}/${name}`, [shard, 0])
      files.push([k("valid"), scalarChunk(valid)])
      files.push([k("reason"), scalarChunk(reason)])
      files.push([k("acquired"), scalarChunk(acquired)])
      files.push([k("item"), scalarChunk(item)])
      files.push([k("cloud"), scalarChunk(cloud)])
      files.push([k("nodata"), scalarChunk(nodata)])
      if (radiometry) {
        files.push([k("baseline"), scalarChunk(baseline)])
        files.push([k("scale"), scalarChunk(scale)])
        files.push([k("offset"), scalarChunk(offset)])
      }
      if (masked) {
        files.push([k("patchCloud"), scalarChunk(patchCloud)])
        files.push([k("maskSource"), scalarChunk(maskSource)])
      }
      return publishFiles(files, doneKey(p.spec.id, shard), {
        product: p.spec.id,
        shard,
        samples: [start, end]
      })
    })

    return { product: p.spec.id, shard, samples: [start, end] as const, add, skip, publish }
  })

/** One row of the `samples` group. */
export interface SampleRow {
  readonly id: string
  /** Degrees east, WGS 84. */
  readonly lon: number
  /** Degrees north, WGS 84. */
  readonly lat: number
  /** EPSG code of the patch CRS (0 for a PROJ string). */
  readonly epsg: number
  /** Upper-left corner in the patch CRS, metres. */
  readonly x0: number
  readonly y0: number
  /** Split code (core Split): 0 train, 1 val, 2 test, 255 guard. */
  readonly split: number
}

/** Write the `samples/*` chunks of one shard from its rows (in sample order), then its completion record. */
export const writeSamples = (
  layout: Layout.Layout,
  shard: number,
  rows: ReadonlyArray<SampleRow>
): Effect.Effect<ShardRecord, ChipError | StoreError, Store> =>
  Effect.suspend((): Effect.Effect<ShardRecord, ChipError | StoreError, Store> => {
    const S = layout.shardSamples
    const [start, end] = Layout.shardRange(layout, shard)
    if (rows.length !== end - start)
      return Effect.fail(
        new ChipError({
          array: "samples",
          sample: start,
          time: 0,
          message: `shard ${shard} holds samples ${start}–${end - 1} (${end - start} rows), got ${rows.length} rows`
        })
      )
    const id: Array<string> = new Array(S).fill("")
    const lon = new Float64Array(S).fill(NaN)
    const lat = new Float64Array(S).fill(NaN)
    const epsg = new Int32Array(S)
    const x0 = new Float64Array(S).fill(NaN)
    const y0 = new Float64Array(S).fill(NaN)
    const split = new Uint8Array(S).fill(255)
    rows.forEach((r, i) => {
      id[i] = r.id
      lon[i] = r.lon
      lat[i] = r.lat
      epsg[i] = r.epsg
      x0[i] = r.x0
      y0[i] = r.y0
      split[i] = r.split
    })
    const k = (name: string) => Metadata.chunkKey(`samples/${name}`, [shard])
    return publishFiles(
      [
        [k("id"), scalarChunk(id)],
        [k("lon"), scalarChunk(lon)],
        [k("lat"), scalarChunk(lat)],
        [k("epsg"), scalarChunk(epsg)],
        [k("x0"), scalarChunk(x0)],
        [k("y0"), scalarChunk(y0)],
        [k("split"), scalarChunk(split)]
      ],
      doneKey("samples", shard),
      { product: "samples", shard, samples: [start, end] }
    )
  })
