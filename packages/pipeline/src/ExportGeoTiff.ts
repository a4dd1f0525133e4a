// Export of a store as single-band GeoTIFFs, in EOForge's layout (<out>/<product>/<sample id>/<slot>/) or in
// the published SSL4EO-S12 layout torchgeo reads (<out>/<s1|s2c|s2a>/<7-digit sample>/<scene id>/<band>.tif).
import { Crs, PixelGrid, SafeName } from "@eoforge/core"
import { GeoTiffWriter } from "@eoforge/raster"
import { Layout, Reader, Store, ZarrError } from "@eoforge/zarr"
import { Effect, Schema } from "effect"
import { mkdir, readFile } from "node:fs/promises"
import { join } from "node:path"
import { buildRecordKey, type BuildRecord } from "./Finalize.ts"
import { recordKey } from "./Job.ts"
import * as Ssl4eoLayout from "./internal/ssl4eoLayout.ts"

/** What to export. */
export interface ExportOptions {
  /** The store directory. */
  readonly store: string
  /** The output directory. */
  readonly out: string
  /** Only these products (default: all). */
  readonly products?: ReadonlyArray<string> | undefined
  /** Only the first N samples (default: all). */
  readonly limit?: number | undefined
  /**
   * `eoforge` (default): <product>/<sample id>/<slot>/. `ssl4eo-s12`: the published SSL4EO-S12 tree that
   * torchgeo's SSL4EOS12 loads — product folders s1/s2c/s2a (for s1grd/s2l1c/s2l2a; other products keep
   * their id), 7-digit sample folders, one folder per acquisition named by its scene (item) id, and
   * center_coords.csv (index, lon, lat) at the root.
   */
  readonly layout?: "eoforge" | "ssl4eo-s12" | undefined
  /** Receives the number of samples written so far. */
  readonly onSample?: ((done: number, total: number) => void) | undefined
}

/** An export that could not write its files. */
export class ExportError extends Schema.TaggedError<ExportError>()("ExportError", {
  path: Schema.String,
  message: Schema.String,
  cause: Schema.optional(Schema.Defect())
}) {}

// Sample ids and slot names become folder names: from a store written by someone else they must be
// safe path segments (product and band names were checked when the store was opened).
const safeSegment = (store: string, key: string, what: string, value: unknown) => {
  const problem = SafeName.problem(value)
  return problem === undefined
    ? Effect.succeed(value as string)
    : Effect.fail(
        new ZarrError.InvalidStoreError({
          location: store,
          key,
          message: `${store}: ${what} ${JSON.stringify(String(value).slice(0, 80))} ${problem}; it cannot become a folder name, so the store is refused`
        })
      )
}

// The samples of the shards that were built (job records listed), in order: a store's metadata may
// claim far more samples than it holds.
const builtSamples = (store: string, layout: Layout.Layout) =>
  Store.makeFileSystem(store)
    .list(".eoforge/jobs")
    .pipe(
      Effect.map((keys) => {
        const built = new Set(keys)
        const out: Array<readonly [number, number]> = []
        for (let k = 0; k < Layout.shardCount(layout); k++) {
          if (built.has(recordKey(k))) out.push(Layout.shardRange(layout, k))
          if (out.length === built.size) break
        }
        return out
      }),
      Effect.orElseSucceed(() => [[0, layout.samples] as const])
    )

/** Export chips as single-band GeoTIFFs; returns the number of files written. */
export const run = Effect.fn("ExportGeoTiff.run")(function* (options: ExportOptions) {
  const ds = yield* Reader.make(options.store)
  const layout = ds.layout
  const products = layout.products.filter(
    (p) => options.products === undefined || options.products.includes(p.spec.id)
  )
  // Slot names come from the build record; a store without one falls back to t0, t1, …
  const record = yield* Effect.promise(() =>
    readFile(join(options.store, buildRecordKey), "utf8").then(
      (t) => JSON.parse(t) as Pick<BuildRecord, "products">,
      () => undefined
    )
  )
  const recorded = Array.isArray(record?.products) ? record.products : []
  const slotNames = new Map<string, ReadonlyArray<string>>()
  for (const p of products) {
    const found = recorded.find((r) => r?.id === p.spec.id)?.slots
    const slots = Array.isArray(found) ? found.map((s) => s?.id) : undefined
    const names =
      slots?.length === p.times ? slots : Array.from({ length: p.times }, (_, t) => `t${t}`)
    for (const name of names) {
      yield* safeSegment(options.store, buildRecordKey, `the slot name of ${p.spec.id}`, name)
    }
    slotNames.set(p.spec.id, names as ReadonlyArray<string>)
  }
  yield* Effect.tryPromise({
    try: () => mkdir(options.out, { recursive: true }),
    catch: (cause) =>
      new ExportError({
        path: options.out,
        message: `cannot create ${options.out}: ${(cause as Error).message}`,
        cause
      })
  })
  // Every file goes through a store rooted at --out: keys cannot leave it, directories below it must
  // be real (no symbolic link leads a write elsewhere), and each file is a temporary renamed into place.
  const target = Store.makeFileSystem(options.out)
  const ranges = yield* builtSamples(options.store, layout)
  const indices: Array<number> = []
  const limit = options.limit ?? Infinity
  for (const [start, end] of ranges) {
    for (let i = start; i < end && indices.length < limit; i++) indices.push(i)
  }
  const total = indices.length
  const ssl4eo = options.layout === "ssl4eo-s12"
  let files = 0
  let done = 0
  const write = (key: string, bytes: Uint8Array | string) =>
    target.set(key, typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes).pipe(
      Effect.mapError(
        (cause) =>
          new ExportError({
            path: join(options.out, key),
            message: `cannot write ${join(options.out, key)}: ${cause.message}`,
            cause
          })
      )
    )
  for (const i of indices) {
    const sample = yield* ds.readSample(i)
    const sampleId = yield* safeSegment(
      options.store,
      "samples/id",
      `the id of sample ${i}`,
      sample.id
    )
    for (const p of products) {
      const ps = sample.products[p.spec.id]
      const grid = PixelGrid.make(
        sample.epsg === 0 ? Crs.wgs84 : Crs.epsg(sample.epsg),
        sample.x0,
        sample.y0,
        p.spec.resolution,
        p.width,
        p.height
      )
      const n = p.width * p.height
      const chipValues = p.spec.bands.length * n
      for (let t = 0; t < p.times; t++) {
        if (ps.valid[t] !== 1) continue
        const slot = slotNames.get(p.spec.id)![t]
        const dir = ssl4eo
          ? `${Ssl4eoLayout.folderOf(p.spec.id)}/${Ssl4eoLayout.sampleFolder(i)}/${Ssl4eoLayout.sceneFolder(ps.item[t], slot, t)}`
          : `${p.spec.id}/${sampleId}/${slot}`
        const values = ps.data.subarray(t * chipValues, (t + 1) * chipValues)
        for (let b = 0; b < p.spec.bands.length; b++) {
          const band = p.spec.bands[b]
          const bytes = yield* GeoTiffWriter.encode(
            {
              grid,
              dtype: p.spec.dtype,
              bands: 1,
              data: values.subarray(b * n, (b + 1) * n) as typeof values
            },
            {
              bands: [band],
              tileSize: Math.ceil(Math.max(p.width, p.height) / 16) * 16,
              ...(band.nodata === undefined ? {} : { nodata: band.nodata })
            }
          )
          yield* write(`${dir}/${band.name}.tif`, bytes)
          files++
        }
        const cloud = Number.isNaN(ps.cloud[t]) ? null : ps.cloud[t]
        const nodataFraction = Number.isNaN(ps.nodata[t]) ? null : ps.nodata[t]
        const metadata = ssl4eo
          ? Ssl4eoLayout.metadata({
              item: ps.item[t],
              acquired: ps.acquired[t],
              cloud,
              nodataFraction,
              sample: i,
              id: sample.id,
              product: p.spec.id,
              slot,
              lon: sample.lon,
              lat: sample.lat,
              epsg: sample.epsg,
              split: sample.split
            })
          : {
              id: sample.id,
              sample: i,
              product: p.spec.id,
              slot,
              coords: [sample.lon, sample.lat],
              epsg: sample.epsg,
              x0: sample.x0,
              y0: sample.y0,
              resolution_m: p.spec.resolution,
              split: sample.split,
              acquired: new Date(ps.acquired[t]).toISOString(),
              item: ps.item[t],
              cloud_fraction: cloud,
              nodata_fraction: nodataFraction,
              ...(ps.cloudMask === undefined
                ? {}
                : {
                    patch_cloud: Number.isNaN(ps.cloudMask.patchCloud[t])
                      ? null
                      : ps.cloudMask.patchCloud[t],
                    mask_source: ps.cloudMask.maskSource[t]
                  }),
              bands: p.spec.bands.map((b) => b.name)
            }
        yield* write(`${dir}/metadata.json`, JSON.stringify(metadata, null, 2) + "\n")
        files++
      }
    }
    options.onSample?.(++done, total)
  }
  if (ssl4eo) {
    const rows: Array<string> = []
    for (const i of indices) {
      const s = yield* ds.readSample(i)
      rows.push(`${i},${s.lon},${s.lat}\n`)
    }
    yield* write("center_coords.csv", rows.join(""))
    files++
  }
  return files
}, Effect.scoped)
