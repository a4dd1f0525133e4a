// The raster reading service: open a raster (path or http(s) URL) in any registered format — GeoTIFF/COG
// built in — and resample it onto any PixelGrid exactly as GDAL's gdalwarp -et 0 does. Decoding runs on
// geotiff.js's worker pool, a scoped resource; decoded tiles of every format share one LRU cache.
import type { Guarded } from "@eoforge/access"
import { PixelGrid, Redact, type Band, type Chip, type DType } from "@eoforge/core"
import { Clock, Context, Duration, Effect, Layer, type Scope } from "effect"
import { availableParallelism } from "node:os"
import {
  defaultHttpOptions,
  SourceChanged,
  type ByteSource,
  type HttpOptions,
  type Timer,
  totals
} from "./internal/byteSource.ts"
import { splitUri, type Format, type Opened } from "./Format.ts"
import { RasterAccess } from "./RasterAccess.ts"
import * as HeaderShelf from "./HeaderShelf.ts"
import { hgt } from "./internal/archive/hgt.ts"
import { zip } from "./internal/archive/zip.ts"
import { geotiff } from "./internal/geotiffFormat.ts"
import { hdf4 } from "./internal/hdf4/hdf4Format.ts"
import { hdf5 } from "./internal/hdf5/hdf5Format.ts"
import * as HeaderBlocks from "./internal/headerBlocks.ts"
import { jpeg2000 } from "./internal/jp2/jp2Format.ts"
import { isUrl, openFailure, readFailure, readHead, sidecar } from "./internal/openSupport.ts"
import type { Pam } from "./internal/pam.ts"
import { register as registerBoundedDecoders } from "./internal/boundedDecoders.ts"
import { makePool } from "./internal/decoderPool.ts"
import { defaultLimits, type RasterLimits } from "./internal/tiffCheck.ts"
import { TileCache } from "./internal/tileCache.ts"
import type { ReadBudget } from "./internal/tiles.ts"
import { HeaderProblem } from "./internal/header.ts"
import { datumShiftNote, resample } from "./internal/resample.ts"
import { chips } from "./internal/windowBuffers.ts"
import { type RasterOpenError, RasterReadError } from "./RasterError.ts"
import type { RasterInfo } from "./RasterInfo.ts"

/** How to read a chip. */
export interface ReadOptions {
  /** Resampling rule, as gdalwarp -r (nearest = near). */
  readonly resampling: Band.Resampling
  /** 0-based band indices to read, in output order; all bands when absent. */
  readonly bands?: ReadonlyArray<number> | undefined
  /** Interpolate the reprojection from a sparse lattice (≤ 0.125 source px error) instead of exact per pixel. */
  readonly approximate?: boolean | undefined
}

/** Bytes and requests a source has fetched since it was opened. */
export interface Transfer {
  readonly requests: number
  readonly bytes: number
}

/** Reading rasters onto pixel grids. */
export class RasterSource extends Context.Service<
  RasterSource,
  {
    /** Opens a local path, http(s) or s3 URL; the handle closes with the scope. */
    readonly open: (uri: string) => Effect.Effect<RasterInfo, RasterOpenError, Scope.Scope>
    /** Resamples the raster onto `grid`; the chip's mask marks pixels with data. */
    readonly read: (
      info: RasterInfo,
      grid: PixelGrid.PixelGrid,
      options: ReadOptions
    ) => Effect.Effect<Chip.Chip, RasterReadError>
    /** What has been fetched for an opened source so far. */
    /**
     * The pixels of a window [x0, y0, x1) × [y0, y1) of the full-resolution image, band by band, without
     * any georeferencing: for sensor-geometry readers (open such files as `uri#georeferencing=ignore`).
     */
    readonly readWindow: (
      info: RasterInfo,
      window: readonly [number, number, number, number],
      bands: ReadonlyArray<number>
    ) => Effect.Effect<ReadonlyArray<DType.TypedArray>, RasterReadError>
    readonly transfer: (info: RasterInfo) => Effect.Effect<Transfer>
  }
>()("@eoforge/raster/RasterSource") {}

/** Options of the GeoTIFF backend. */
export interface GeoTiffOptions {
  /** Decoder worker threads; 0 decodes on the calling thread. Default: min(4, cores). */
  readonly workers?: number | undefined
  /** HTTP behaviour for URLs. */
  readonly http?: Partial<HttpOptions> | undefined
  /** Bytes of decoded tiles kept (least recently used evicted), shared by the layer's sources. Default 256 MiB. */
  readonly tileCacheBytes?: number | undefined
  /** Size and count limits of headers, blocks and reads (`defaultLimits` for those not given). */
  readonly limits?: Partial<RasterLimits> | undefined
  /** Bytes of file headers kept for URLs opened again (least recently used evicted). Default 64 MiB. */
  readonly headerCacheBytes?: number | undefined
  /** Formats tried (by their first bytes) before the built-in ones (zip, .hgt, GeoTIFF, JPEG 2000, HDF5, HDF4). */
  readonly formats?: ReadonlyArray<Format> | undefined
}

export { defaultHttpOptions, defaultLimits, type HttpOptions, type RasterLimits }

/** Default size of the header cache: 64 MiB (about 4,000 COG headers of 16 KiB). */
export const defaultHeaderCacheBytes = 64 * 1024 * 1024

/**
 * Requests, bytes and retries of every URL source of this process so far, the requests refused as too many
 * (429, 503), and the summed wall time of the requests in ms (builds report them per chip; dry runs
 * estimate from them).
 */
export const transferTotals = (): Transfer & {
  readonly retries: number
  readonly throttled: number
  readonly requestMs: number
} => ({ ...totals })

/**
 * Gives the arrays of a chip read here back for later reads to reuse, once nothing reads or writes them any
 * more (optional: a chip never given back is collected as usual; arrays not from a read are left alone).
 */
export const recycle = (chip: Chip.Chip): void => chips.giveBack([chip.data, chip.mask])

/** Default size of the decoded-tile cache: 256 MiB. */
export const defaultTileCacheBytes = 256 * 1024 * 1024

interface Handle {
  readonly id: number
  readonly opened: Opened
  readonly bytes: ByteSource
  /** The URL without its fragment, and the version its header bytes were of (undefined: none named). */
  readonly location: string
  readonly version: string | undefined
}

/** The raster service as an effect (GeoTIFF and `options.formats`): acquires the decoder pool for the scope. */
export const makeGeoTiff = (
  options: GeoTiffOptions = {}
): Effect.Effect<RasterSource["Service"], never, Scope.Scope> =>
  Effect.gen(function* () {
    const http: HttpOptions = { ...defaultHttpOptions, ...options.http }
    const workers = options.workers ?? Math.min(4, availableParallelism())
    const limits: RasterLimits = { ...defaultLimits, ...options.limits }
    const budget: ReadBudget = {
      maxReadBytes: limits.maxReadBytes,
      maxBlockBytes: limits.maxBlockBytes
    }
    registerBoundedDecoders()
    const pool = yield* Effect.acquireRelease(
      Effect.sync(() => (workers > 0 ? makePool(workers) : undefined)),
      (p) => Effect.promise(async () => p?.destroy())
    )
    const handles = new WeakMap<RasterInfo, Handle>()
    const formats: ReadonlyArray<Format> = [
      ...(options.formats ?? []),
      zip,
      hgt,
      geotiff,
      jpeg2000,
      hdf5,
      hdf4
    ]
    const cache = new TileCache(options.tileCacheBytes ?? defaultTileCacheBytes)
    let nextId = 0
    const headers = HeaderBlocks.make(http, options.headerCacheBytes ?? defaultHeaderCacheBytes)

    // The first format whose sniff accepts the file's first bytes opens it (nested: a zip member).
    const openFormat = async (
      uri: string,
      bytes: ByteSource,
      id: number,
      pam: Pam | undefined
    ): Promise<Opened> => {
      const head = await readHead(bytes)
      const format = formats.find((f) => f.sniff(head, uri))
      if (format === undefined)
        throw new HeaderProblem(
          "NotTiff",
          `it is not a raster format EOForge reads (${formats.map((f) => f.name).join(", ")}); check that the path points to one`
        )
      return format.open({
        uri,
        bytes,
        head,
        limits,
        budget,
        cache,
        owner: id,
        pool,
        pam,
        openNested: (inner, nested) => openFormat(inner, nested, id, undefined)
      })
    }

    // Pixels only from bytes of the file as it is now: reused header bytes confirmed by a response, after
    // which this process's cached header of that version needs no confirming request again.
    const confirm = async (handle: Handle) => {
      await handle.bytes.verify?.()
      headers.confirmed(handle.location, handle.version)
    }

    const open = Effect.fn("RasterSource.open")(function* (uri: string) {
      const access = yield* RasterAccess
      const clock = yield* Clock.Clock
      const timer: Timer = {
        sleep: (ms) => Effect.runPromise(clock.sleep(Duration.millis(ms))),
        now: () => clock.currentTimeMillisUnsafe()
      }
      const guard: Guarded.Guard = {
        policy: access.policy,
        resolve: access.resolve,
        auth: access.auth
      }
      // A header shelf's entry, when this process holds none for the URL and has not seen it change.
      const shelf = yield* HeaderShelf.HeaderShelf
      const { location } = splitUri(uri)
      const shelfKey =
        shelf === undefined || !isUrl(location) ? undefined : HeaderShelf.keyOf(location)
      const shelved =
        shelf === undefined || shelfKey === undefined || headers.known(location)
          ? undefined
          : HeaderShelf.decode(yield* shelf.read(shelfKey), shelfKey, http.blockSize)
      const release = (h: Handle) =>
        Effect.promise(async () => {
          cache.drop(h.id)
          await h.opened.close?.()
          return h.bytes.close()
        })
      // Not acquireRelease: its acquisition is uninterruptible, and opening may wait on a silent host for
      // minutes (timeouts × retries); SIGTERM must stop it. A handle opened after the interruption is closed
      // by the promise itself (the signal is aborted by then).
      const handle = yield* Effect.uninterruptibleMask((restore) =>
        restore(
          Effect.tryPromise({
            try: async (signal) => {
              const attempt = async (fresh: boolean) => {
                const { bytes, done, version } = await headers.open(
                  location,
                  guard,
                  timer,
                  shelved,
                  fresh
                )
                try {
                  const id = nextId++
                  const opened = await openFormat(
                    uri,
                    bytes,
                    id,
                    await sidecar(location, http, guard)
                  )
                  if (signal.aborted) {
                    await opened.close?.()
                    throw signal.reason
                  }
                  const handle: Handle = { id, opened, bytes, location, version: version() }
                  return { handle, shelve: done() }
                } catch (error) {
                  await bytes.close()
                  throw error
                }
              }
              // Reused header bytes of a file that has changed: opened again from the network.
              return attempt(false).catch((error: unknown) => {
                if (!(error instanceof SourceChanged)) throw error
                headers.forget(location)
                return attempt(true)
              })
            },
            catch: (error) => openFailure(uri, error)
          })
        ).pipe(Effect.tap(({ handle: h }) => Effect.addFinalizer(() => release(h))))
      ).pipe(
        Effect.tap(({ shelve }) => {
          if (shelf === undefined || shelfKey === undefined || shelve === undefined)
            return Effect.void
          const bytes = HeaderShelf.encode(shelfKey, http.blockSize, shelve)
          return bytes === undefined ? Effect.void : shelf.write(shelfKey, bytes)
        }),
        Effect.map(({ handle: h }) => h)
      )
      const h = handle.opened.header
      const info: RasterInfo = {
        uri,
        width: h.width,
        height: h.height,
        bands: h.bands,
        dtype: h.dtype,
        crs: h.crs,
        geoTransform: h.geoTransform,
        nodata: h.nodata,
        scale: h.scale,
        offset: h.offset,
        descriptions: h.descriptions,
        classes: h.classes,
        datumShift: datumShiftNote(h),
        overviews: handle.opened.levels.slice(1).map((l) => ({ width: l.width, height: l.height })),
        blockWidth: h.blockWidth,
        blockHeight: h.blockHeight,
        byteSize: handle.bytes.fileSize ?? 0,
        ...(h.dateTime === undefined ? {} : { dateTime: h.dateTime })
      }
      handles.set(info, handle)
      return info
    })

    const read = Effect.fn("RasterSource.read")(function* (
      info: RasterInfo,
      grid: PixelGrid.PixelGrid,
      options: ReadOptions
    ) {
      const handle = handles.get(info)
      if (handle === undefined)
        return yield* new RasterReadError({
          uri: Redact.forMessage(info.uri),
          problem: "Request",
          message: `${Redact.forMessage(info.uri)}: this RasterInfo was not opened by this RasterSource (or its scope has closed); open it again`
        })
      const bad = (options.bands ?? []).find(
        (b) => !Number.isInteger(b) || b < 0 || b >= info.bands
      )
      if (bad !== undefined)
        return yield* new RasterReadError({
          uri: Redact.forMessage(info.uri),
          problem: "Request",
          message: `${Redact.forMessage(info.uri)}: band index ${bad} does not exist; the file has bands 0–${info.bands - 1}`
        })
      if (handle.opened.header.pixelsOnly === true)
        return yield* new RasterReadError({
          uri: Redact.forMessage(info.uri),
          problem: "Request",
          message: `${Redact.forMessage(info.uri)}: it has no georeferencing (opened with #georeferencing=ignore), so it cannot be placed on a grid; read windows of it instead`
        })
      return yield* Effect.tryPromise({
        try: () =>
          resample(handle.opened, grid, options, info.uri).then(async (chip) => {
            await confirm(handle)
            return chip
          }),
        catch: (error) => {
          if (error instanceof SourceChanged) headers.forget(splitUri(info.uri).location)
          return readFailure(info.uri, error)
        }
      })
    })

    const readWindow = Effect.fn("RasterSource.readWindow")(function* (
      info: RasterInfo,
      window: readonly [number, number, number, number],
      bands: ReadonlyArray<number>
    ) {
      const handle = handles.get(info)
      const [x0, y0, x1, y1] = window
      const bad =
        handle === undefined
          ? "this RasterInfo was not opened by this RasterSource (or its scope has closed); open it again"
          : !(x0 >= 0 && y0 >= 0 && x1 <= info.width && y1 <= info.height && x1 > x0 && y1 > y0) ||
              ![x0, y0, x1, y1].every(Number.isInteger)
            ? `window [${window.join(", ")}] is not inside its ${info.width} × ${info.height} pixels`
            : bands.find((b) => !Number.isInteger(b) || b < 0 || b >= info.bands) !== undefined
              ? `band indices ${bands.join(", ")} are not all among 0–${info.bands - 1}`
              : undefined
      if (bad !== undefined || handle === undefined)
        return yield* new RasterReadError({
          uri: Redact.forMessage(info.uri),
          problem: "Request",
          message: `${Redact.forMessage(info.uri)}: ${bad}`
        })
      return yield* Effect.tryPromise({
        try: () =>
          handle.opened.levels[0].read(window, bands).then(async (values) => {
            await confirm(handle)
            return values
          }),
        catch: (error) => {
          if (error instanceof SourceChanged) headers.forget(splitUri(info.uri).location)
          return readFailure(info.uri, error)
        }
      })
    })

    const transfer = (info: RasterInfo) =>
      Effect.sync((): Transfer => {
        const s = handles.get(info)?.bytes.stats
        return { requests: s?.requests ?? 0, bytes: s?.bytes ?? 0 }
      })

    return RasterSource.of({ open, read, readWindow, transfer })
  })

/** The raster service with explicit options (formats, worker count, HTTP retries/timeouts/concurrency). */
export const layerGeoTiffWith = (options: GeoTiffOptions): Layer.Layer<RasterSource> =>
  Layer.effect(RasterSource, makeGeoTiff(options))

/** The raster service with default options (GeoTIFF only). */
export const layerGeoTiff: Layer.Layer<RasterSource> = layerGeoTiffWith({})
