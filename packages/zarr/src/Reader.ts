// Read a dataset store: open a directory, a Store service or an http(s) URL; read samples, chips, splits.
// Sharded `data` is read directly (cached index, one range read per chip); everything else via zarrita.
import { type DType, Split } from "@eoforge/core"
import { Effect, type Scope, Stream } from "effect"
import * as zarr from "zarrita"
import * as Codec from "./Codec.ts"
import * as ShardReader from "./internal/shardReader.ts"
import { findInCauses, findIndexError, fromReadable, toReadable } from "./internal/zarritaStore.ts"
import * as Layout from "./Layout.ts"
import { makeFileSystem, Store } from "./Store.ts"
import {
  ChipError,
  type InvalidStoreError,
  NotAStoreError,
  ShardIndexError,
  StoreError
} from "./ZarrError.ts"

/** The slots of one product for one sample: data [time, band, y, x] and per-time facts. */
export interface ProductSample {
  /** T × B × H × W values, C order. */
  readonly data: DType.TypedArray
  /** [times, bands, height, width]. */
  readonly shape: readonly [number, number, number, number]
  readonly valid: Uint8Array
  readonly reason: Uint8Array
  /** ms since 1970-01-01T00:00:00Z per time (-2^63, numpy's NaT, where no acquisition is known). */
  readonly acquired: ReadonlyArray<number>
  readonly item: ReadonlyArray<string>
  readonly cloud: Float32Array
  readonly nodata: Float32Array
  /** Products with a `count` array: valid observations per pixel of each slot, T × H × W (composites). */
  readonly count?: Uint16Array
  /** Products that declare a radiometry: each slot's source processing baseline, scale and offset. */
  readonly radiometry?: {
    readonly baseline: ReadonlyArray<string>
    readonly scale: Float64Array
    readonly offset: Float64Array
  }
  /** Products with a cloud mask: each slot's masked cloud fraction and its source (Layout.maskSources). */
  readonly cloudMask?: {
    readonly patchCloud: Float32Array
    readonly maskSource: Uint8Array
  }
}

/** One sample with its coordinates and every product. */
export interface Sample {
  readonly index: number
  readonly id: string
  readonly lon: number
  readonly lat: number
  readonly epsg: number
  readonly x0: number
  readonly y0: number
  readonly split: number
  readonly products: Readonly<Record<string, ProductSample>>
}

/** Failures of reads. */
export type ReadError = StoreError | ShardIndexError | ChipError

/** An opened store. */
export interface Dataset {
  readonly location: string
  readonly layout: Layout.Layout
  /** Product ids in store order. */
  readonly products: ReadonlyArray<string>
  /** Sample i: coordinates, and all products at all times. */
  readonly readSample: (sample: number) => Effect.Effect<Sample, ReadError>
  /** One chip [band, y, x] of (product, sample, time), reading only its index and its bytes. */
  readonly readChip: (
    product: string,
    sample: number,
    time: number
  ) => Effect.Effect<DType.TypedArray, ReadError>
  /** The sample indices of a split, in order. */
  readonly splitSamples: (split: Split.SplitName) => Effect.Effect<ReadonlyArray<number>, ReadError>
  /** The samples of a split, one at a time. */
  readonly iterateSplit: (split: Split.SplitName) => Stream.Stream<Sample, ReadError>
  /**
   * Close the shard files kept open for reading (local stores); later reads reopen them. Required after
   * `open`/`openStore` (or use `make`/`makeStore`, which close in the scope's finalizer).
   */
  readonly close: Effect.Effect<void>
}

/** Open a store from a Store back-end; keeps shard files open until `close` (see `makeStore`). */
export const openStore: Effect.Effect<
  Dataset,
  NotAStoreError | InvalidStoreError | StoreError,
  Store
> = Effect.gen(function* () {
  const store = yield* Store
  const layout = yield* Layout.read
  const root = zarr.root(toReadable(store, layout))
  const direct = ShardReader.make(store, layout)
  const arrays = new Map<string, Promise<zarr.Array<zarr.DataType, zarr.AsyncReadable>>>()
  const arrayAt = (path: string) => {
    let a = arrays.get(path)
    if (a === undefined) {
      a = zarr.open.v3(root.resolve(path), { kind: "array" })
      arrays.set(path, a)
    }
    return a
  }
  const read = <A>(
    path: string,
    sample: number,
    time: number,
    f: (a: zarr.Array<zarr.DataType, zarr.AsyncReadable>) => Promise<A>
  ) =>
    Effect.tryPromise({
      try: () => arrayAt(path).then(f),
      catch: (cause): ReadError => {
        const bad = findIndexError(cause)
        if (bad !== undefined)
          return new ShardIndexError({
            array: bad.array,
            key: bad.key,
            sample,
            message: `sample ${sample}: ${bad.message}`
          })
        // zarrita wraps codec failures; a bomb stopped by our codec is named as such.
        const bomb = findInCauses(
          cause,
          (x): x is Codec.DecodedTooLarge => x instanceof Codec.DecodedTooLarge
        )
        return new StoreError({
          key: path,
          operation: "read",
          message: `cannot read ${path} at sample ${sample} from ${store.location}: ${String((bomb ?? (cause as Error))?.message ?? cause)}`,
          cause
        })
      }
    })
  const checkSample = (array: string, sample: number, time: number) =>
    Number.isInteger(sample) && sample >= 0 && sample < layout.samples
      ? Effect.void
      : Effect.fail(
          new ChipError({
            array,
            sample,
            time,
            message: `sample ${sample} is outside 0–${layout.samples - 1} in ${array}`
          })
        )
  const row = (path: string, sample: number) =>
    read(path, sample, 0, async (a) => (await zarr.get(a, [sample, null])).data as unknown)
  const scalar = (path: string, sample: number) =>
    read(path, sample, 0, (a) => zarr.get(a, [sample]) as Promise<unknown>)

  const readChip: Dataset["readChip"] = (product, sample, time) =>
    Effect.gen(function* () {
      const p = yield* Effect.mapError(
        Layout.product(layout, product),
        (e) => new ChipError({ array: `${product}/data`, sample, time, message: e.message })
      )
      yield* checkSample(`${product}/data`, sample, time)
      if (!Number.isInteger(time) || time < 0 || time >= p.times)
        return yield* new ChipError({
          array: `${product}/data`,
          sample,
          time,
          message: `time ${time} is outside 0–${p.times - 1}`
        })
      const fast = yield* direct.chip(p, sample, time)
      if (fast !== undefined) return fast
      const chunk = yield* read(`${product}/data`, sample, time, (a) =>
        zarr.get(a, [sample, time, null, null, null])
      )
      return (chunk as { data: DType.TypedArray }).data
    })

  const readProduct = (p: Layout.ProductLayout, sample: number) =>
    Effect.gen(function* () {
      const id = p.spec.id
      const fast = yield* direct.sample(p, sample)
      const data =
        fast !== undefined
          ? { data: fast }
          : yield* read(`${id}/data`, sample, 0, (a) =>
              zarr.get(a, [sample, null, null, null, null])
            )
      const acquired = (yield* row(`${id}/acquired`, sample)) as BigInt64Array
      return {
        data: (data as { data: DType.TypedArray }).data,
        shape: [p.times, p.spec.bands.length, p.height, p.width] as const,
        valid: (yield* row(`${id}/valid`, sample)) as Uint8Array,
        reason: (yield* row(`${id}/reason`, sample)) as Uint8Array,
        acquired: Array.from(acquired, Number),
        item: (yield* row(`${id}/item`, sample)) as Array<string>,
        cloud: (yield* row(`${id}/cloud`, sample)) as Float32Array,
        nodata: (yield* row(`${id}/nodata`, sample)) as Float32Array,
        ...(p.count === true
          ? {
              count: (
                (yield* read(`${id}/count`, sample, 0, (a) =>
                  zarr.get(a, [sample, null, null, null])
                )) as { data: Uint16Array }
              ).data
            }
          : {}),
        ...(p.spec.radiometry === undefined
          ? {}
          : {
              radiometry: {
                baseline: (yield* row(`${id}/baseline`, sample)) as Array<string>,
                scale: (yield* row(`${id}/scale`, sample)) as Float64Array,
                offset: (yield* row(`${id}/offset`, sample)) as Float64Array
              }
            }),
        ...(p.spec.cloudMask === undefined
          ? {}
          : {
              cloudMask: {
                patchCloud: (yield* row(`${id}/patchCloud`, sample)) as Float32Array,
                maskSource: (yield* row(`${id}/maskSource`, sample)) as Uint8Array
              }
            })
      } satisfies ProductSample
    })

  const readSample: Dataset["readSample"] = (sample) =>
    Effect.gen(function* () {
      yield* checkSample("samples", sample, 0)
      const products: Record<string, ProductSample> = {}
      for (const p of layout.products) products[p.spec.id] = yield* readProduct(p, sample)
      return {
        index: sample,
        id: (yield* scalar("samples/id", sample)) as string,
        lon: (yield* scalar("samples/lon", sample)) as number,
        lat: (yield* scalar("samples/lat", sample)) as number,
        epsg: (yield* scalar("samples/epsg", sample)) as number,
        x0: (yield* scalar("samples/x0", sample)) as number,
        y0: (yield* scalar("samples/y0", sample)) as number,
        split: (yield* scalar("samples/split", sample)) as number,
        products
      }
    })

  const splitSamples: Dataset["splitSamples"] = (split) =>
    Effect.map(
      read("samples/split", 0, 0, async (a) => (await zarr.get(a, [null])).data as Uint8Array),
      (codes) => {
        const want = Split.Split[split]
        const out: Array<number> = []
        for (let i = 0; i < codes.length; i++) if (codes[i] === want) out.push(i)
        return out
      }
    )

  return {
    location: store.location,
    layout,
    products: layout.products.map((p) => p.spec.id),
    readSample,
    readChip,
    splitSamples,
    iterateSplit: (split) =>
      Stream.flatMap(Stream.fromEffect(splitSamples(split)), (indices) =>
        Stream.mapEffect(Stream.fromIterable(indices), readSample)
      ),
    close: direct.close
  }
})

/** A read-only back-end over any zarrita readable (e.g. zarrita's FetchStore for http URLs). */
export { fromReadable }

/**
 * Open a store at a directory path or an http(s) URL. The dataset keeps shard files open: call
 * `close` when done (or use `make`), otherwise descriptors leak until garbage collection.
 */
export const open = (
  location: string
): Effect.Effect<Dataset, NotAStoreError | InvalidStoreError | StoreError> => {
  const api = /^https?:\/\//.test(location)
    ? fromReadable(new zarr.FetchStore(location), location.replace(/\/+$/, ""))
    : makeFileSystem(location)
  return Effect.provideService(openStore, Store, api)
}

/** `open` as a scoped resource: the dataset is closed when the scope closes. */
export const make = (
  location: string
): Effect.Effect<Dataset, NotAStoreError | InvalidStoreError | StoreError, Scope.Scope> =>
  Effect.acquireRelease(open(location), (ds) => ds.close)

/** `openStore` as a scoped resource: the dataset is closed when the scope closes. */
export const makeStore: Effect.Effect<
  Dataset,
  NotAStoreError | InvalidStoreError | StoreError,
  Store | Scope.Scope
> = Effect.acquireRelease(openStore, (ds) => ds.close)
