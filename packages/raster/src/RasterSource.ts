// The raster reading service: open a GeoTIFF/COG (path or http(s) URL) and resample it onto any PixelGrid
// exactly as GDAL's gdalwarp -et 0 does. Decoding runs on geotiff.js's worker pool, a scoped resource.
import { Guarded } from "@eoforge/access"
import { Chip, Crs, DType, GeoTransform, PixelGrid, Redact, type Band } from "@eoforge/core"
import { Clock, Context, Duration, Effect, Layer, type Scope } from "effect"
import { GeoTIFF, type Pool } from "geotiff"
import { availableParallelism } from "node:os"
import {
  defaultHttpOptions,
  HttpFailure,
  openHttp,
  openLocal,
  type ByteSource,
  type HttpOptions,
  type Timer
} from "./internal/byteSource.ts"
import { RasterAccess } from "./RasterAccess.ts"
import { approximate, exact, pointTransform } from "./internal/coordinates.ts"
import { CrsProblem, definition, resolve, type Near } from "./internal/crs.ts"
import type { Bbox } from "./internal/crsDatabase.ts"
import { readPam, type Pam } from "./internal/pam.ts"
import { centerLong, isGeographic, withWrap } from "./internal/longitudeWrap.ts"
import { limitPhrase } from "./internal/nativeDeflate.ts"
import { register as registerBoundedDecoders } from "./internal/boundedDecoders.ts"
import { makePool } from "./internal/decoderPool.ts"
import { checkTiff, defaultLimits, type RasterLimits } from "./internal/tiffCheck.ts"
import { invertGeoTransform } from "./internal/invertGeoTransform.ts"
import { targetRatio } from "./internal/overviewChoice.ts"
import { TileCache } from "./internal/tileCache.ts"
import { readWindow, type ReadBudget } from "./internal/tiles.ts"
import { chooseImage, HeaderProblem, readHeader, type Header } from "./internal/header.ts"
import {
  filterRadius,
  footprint,
  interpolate,
  maskNodata,
  nearest,
  type Window
} from "./internal/warp.ts"
import { warpChunks, type Chunk } from "./internal/warpWindow.ts"
import { RasterOpenError, RasterReadError } from "./RasterError.ts"
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
}

export { defaultLimits, type RasterLimits }

/** Default size of the decoded-tile cache: 256 MiB. */
export const defaultTileCacheBytes = 256 * 1024 * 1024

interface Handle {
  readonly id: number
  readonly tiff: GeoTIFF
  readonly header: Header
  readonly bytes: ByteSource
  readonly budget: ReadBudget
}

const isUrl = (uri: string) => /^(https?|s3):\/\//i.test(uri)

// Errors name the source without the secrets of signed URLs (core Redact).
const openFailure = (rawUri: string, error: unknown): RasterOpenError => {
  const uri = Redact.forMessage(rawUri)
  const make = (problem: RasterOpenError["problem"], what: string) =>
    new RasterOpenError({ uri, problem, message: `${uri}: ${Redact.inText(what)}`, cause: error })
  if (error instanceof Guarded.AccessRefused) return make("Refused", error.message)
  if (error instanceof Guarded.AccessDenied) return make("Denied", error.message)
  if (error instanceof HeaderProblem) return make(error.problem, error.message)
  if (error instanceof HttpFailure) {
    if (error.status === 401 || error.status === 403)
      return make(
        "Denied",
        `the server refused access (HTTP ${error.status}); if the archive needs a login, name it under access.logins in the recipe and set its token`
      )
    if (error.status === 404 || error.status === 410)
      return make("NotFound", `the server answered ${error.status}; check the URL`)
    if (error.timedOut)
      return make(
        "Timeout",
        `the server did not answer (${error.message}); check the host or raise http.timeoutMs`
      )
    return make(
      "Unreachable",
      `the request ${error.message}; check the URL and the network, then retry`
    )
  }
  const code = (error as { code?: unknown } | undefined)?.code
  if (code === "ENOENT") return make("NotFound", "no such file; check the path")
  const text = error instanceof Error ? error.message : String(error)
  if (/byte order|magic number|Invalid/i.test(text))
    return make(
      "NotTiff",
      `it is not a TIFF file (${text}); check that the path points to a GeoTIFF`
    )
  return make(
    "Truncated",
    `its header cannot be parsed (${text}); the file may be truncated, download it again`
  )
}

const readFailure = (rawUri: string, error: unknown): RasterReadError => {
  const uri = Redact.forMessage(rawUri)
  const make = (problem: RasterReadError["problem"], what: string) =>
    new RasterReadError({ uri, problem, message: `${uri}: ${Redact.inText(what)}`, cause: error })
  if (error instanceof HttpFailure)
    return error.timedOut
      ? make("Timeout", `fetching tiles ${error.message}; retry later or raise http.timeoutMs`)
      : make("Transfer", `fetching tiles ${error.message}; retry later`)
  if (error instanceof CrsProblem) return make("Crs", error.message)
  const text = error instanceof Error ? error.message : String(error)
  // Limit errors keep their phrase across the decoder threads, which pass messages only.
  if (text.includes(limitPhrase))
    return make(
      "TooLarge",
      `${text}; the file is corrupt or hostile, check it with gdalinfo -checksum`
    )
  return make(
    "Decode",
    `tiles could not be decoded (${text}); check the file with gdalinfo -checksum`
  )
}

const emptyChip = (
  grid: PixelGrid.PixelGrid,
  dtype: DType.DType,
  bands: number,
  nodata: number | undefined
): Chip.Chip => {
  const data = DType.alloc(dtype, bands * grid.width * grid.height)
  if (nodata !== undefined) data.fill(nodata)
  return { grid, dtype, bands, data, mask: new Uint8Array(grid.width * grid.height) }
}

/**
 * The integer pixel offset (ox, oy) when target pixel (i, j) is image pixel (i + ox, j + oy): same pixel size,
 * no rotation, origin on the image's pixel lattice within 1e-6 px (nearest picks the same pixel for any offset
 * within ± 0.5 px of it).
 */
const alignment = (
  dstGt: GeoTransform.GeoTransform,
  inv: GeoTransform.GeoTransform
): readonly [number, number] | undefined => {
  const sx = dstGt[1] * inv[1] + dstGt[4] * inv[2]
  const sy = dstGt[2] * inv[4] + dstGt[5] * inv[5]
  const rx = dstGt[2] * inv[1] + dstGt[5] * inv[2]
  const ry = dstGt[1] * inv[4] + dstGt[4] * inv[5]
  if (Math.abs(sx - 1) > 1e-12 || Math.abs(sy - 1) > 1e-12 || rx !== 0 || ry !== 0) return undefined
  const ox = inv[0] + dstGt[0] * inv[1] + dstGt[3] * inv[2]
  const oy = inv[3] + dstGt[0] * inv[4] + dstGt[3] * inv[5]
  const ix = Math.round(ox)
  const iy = Math.round(oy)
  return Math.abs(ox - ix) < 1e-6 && Math.abs(oy - iy) < 1e-6 ? [ix, iy] : undefined
}

/** The part of `w` inside a chunk's source window (the same arrays when it is all of `w`). */
const subWindow = (w: Window, c: Chunk): Window => {
  const [x0, y0, x1, y1] = c.window
  if (x0 === w.wx && y0 === w.wy && x1 - x0 === w.ww && y1 - y0 === w.wh) return w
  const ww = x1 - x0
  const wh = y1 - y0
  const bands = w.bands.map((band) => {
    const copy = new (band.constructor as new (n: number) => DType.TypedArray)(ww * wh)
    for (let j = 0; j < wh; j++) {
      const from = (y0 - w.wy + j) * w.ww + (x0 - w.wx)
      copy.set(band.subarray(from, from + ww), j * ww)
    }
    return copy
  })
  return { bands, wx: x0, wy: y0, ww, wh }
}

/**
 * Same CRS, same pixel size, integer offset, nearest: tile rows are copied straight into the chip (no
 * coordinates, no intermediate window), then pixels equal to nodata in any band are masked out (a pass skipped
 * when the copy saw no nodata value).
 */
const readAligned = async (
  handle: Handle,
  grid: PixelGrid.PixelGrid,
  bands: ReadonlyArray<number>,
  image: Header["images"][number],
  level: number,
  [ox, oy]: readonly [number, number],
  pool: Pool | undefined,
  cache: TileCache
): Promise<Chip.Chip> => {
  const { header } = handle
  const n = grid.width * grid.height
  const data = DType.alloc(header.dtype, bands.length * n)
  if (header.nodata !== undefined) data.fill(header.nodata)
  const out = bands.map((_, b) => data.subarray(b * n, (b + 1) * n) as DType.TypedArray)
  const mask = new Uint8Array(n)
  const c0 = Math.max(0, -ox)
  const r0 = Math.max(0, -oy)
  const c1 = Math.min(grid.width, image.getWidth() - ox)
  const r1 = Math.min(grid.height, image.getHeight() - oy)
  if (c1 > c0 && r1 > r0) {
    const seen = { nodata: false }
    await readWindow(
      image,
      handle.tiff.littleEndian,
      header.dtype,
      [c0 + ox, r0 + oy, c1 + ox, r1 + oy],
      bands,
      pool,
      handle.budget,
      { cache, owner: handle.id, image: String(level) },
      { arrays: out, stride: grid.width, dx: c0, dy: r0, nodata: header.nodata, seen }
    )
    for (let j = r0; j < r1; j++) mask.fill(1, j * grid.width + c0, j * grid.width + c1)
    if (header.nodata !== undefined && seen.nodata)
      maskNodata(out, mask, header.nodata, grid.width, c0, r0, c1, r1)
  }
  return { grid, dtype: header.dtype, bands: bands.length, data, mask }
}

/** The PAM sidecar of a local file (GDAL also looks for one beside URLs; this reader does not yet). */
const sidecar = (uri: string): Promise<Pam | undefined> =>
  isUrl(uri)
    ? Promise.resolve(undefined)
    : readPam(uri.startsWith("file://") ? new URL(uri).pathname : uri)

/** The datum shift to WGS 84 applied at the raster's centre, for provenance. */
const datumShiftNote = (h: Header): string | undefined => {
  try {
    const [x, y] = GeoTransform.apply(h.geoTransform, h.width / 2, h.height / 2)
    const xs = Float64Array.of(x)
    const ys = Float64Array.of(y)
    pointTransform(definition(h.crs), definition(Crs.wgs84))?.(xs, ys)
    if (!Number.isFinite(xs[0]) || !Number.isFinite(ys[0])) return undefined
    return resolve(h.crs, { lon: xs[0], lat: ys[0] }).note
  } catch {
    return undefined
  }
}

/** The source raster's extent in WGS 84 degrees (21 points per edge), as gdalwarp's area of interest. */
const extentLonLat = (h: Header): Bbox | undefined => {
  const n = 21
  const xs = new Float64Array(4 * n)
  const ys = new Float64Array(4 * n)
  for (let i = 0; i < n; i++) {
    const t = i / (n - 1)
    const edge: ReadonlyArray<readonly [number, number]> = [
      [t * h.width, 0],
      [t * h.width, h.height],
      [0, t * h.height],
      [h.width, t * h.height]
    ]
    for (let e = 0; e < 4; e++) {
      const [x, y] = GeoTransform.apply(h.geoTransform, edge[e][0], edge[e][1])
      xs[4 * i + e] = x
      ys[4 * i + e] = y
    }
  }
  pointTransform(definition(h.crs), definition(Crs.wgs84))?.(xs, ys)
  let w = Infinity,
    s = Infinity,
    e = -Infinity,
    nn = -Infinity
  for (let i = 0; i < xs.length; i++) {
    if (!Number.isFinite(xs[i]) || !Number.isFinite(ys[i])) continue
    w = Math.min(w, xs[i])
    e = Math.max(e, xs[i])
    s = Math.min(s, ys[i])
    nn = Math.max(nn, ys[i])
  }
  return w <= e && s <= nn ? [w, s, e, nn] : undefined
}

/** The centre of a grid in WGS 84 longitude/latitude (degrees), undefined when it cannot be computed. */
const centreLonLat = (grid: PixelGrid.PixelGrid): Near | undefined => {
  const gt = PixelGrid.geoTransform(grid)
  const [x, y] = GeoTransform.apply(gt, grid.width / 2, grid.height / 2)
  const xs = Float64Array.of(x)
  const ys = Float64Array.of(y)
  pointTransform(definition(grid.crs), definition(Crs.wgs84))?.(xs, ys)
  return Number.isFinite(xs[0]) && Number.isFinite(ys[0]) ? { lon: xs[0], lat: ys[0] } : undefined
}

/**
 * The target → source transform with GDAL's longitude wrap when the source is geographic (so that a raster
 * stored 0..360 or −180..180 is read the same across ±180°). Same-CRS reads stay transform-free unless the
 * grid leaves the wrapped range.
 */
const wrapped = (
  transform: ReturnType<typeof pointTransform>,
  srcDef: string,
  header: Header,
  grid: PixelGrid.PixelGrid
): ReturnType<typeof pointTransform> => {
  if (!isGeographic(srcDef)) return transform
  const centre = centerLong(header.geoTransform, header.width, header.height)
  if (centre === undefined) return transform
  if (transform === undefined) {
    const b = PixelGrid.bbox(grid)
    if (b.minX >= centre - 180 && b.maxX <= centre + 180) return undefined
  }
  return withWrap(transform, centre)
}

/** Resamples decoded windows of `header` onto `grid`. Pure CPU; exported for the benchmark. */
const resample = async (
  handle: Handle,
  grid: PixelGrid.PixelGrid,
  options: ReadOptions,
  pool: Pool | undefined,
  uri: string,
  cache: TileCache
): Promise<Chip.Chip> => {
  const { header } = handle
  const bands = options.bands ?? Array.from({ length: header.bands }, (_, b) => b)
  // PROJ picks a datum shift per point; one chip is small, so its centre decides for the whole chip.
  const centre = Crs.equals(grid.crs, header.crs) ? undefined : centreLonLat(grid)
  const near = centre === undefined ? undefined : { ...centre, aoi: extentLonLat(header) }
  const srcDef = definition(header.crs, near)
  const dstDef = Crs.equals(grid.crs, header.crs) ? srcDef : definition(grid.crs, near)
  const transform = wrapped(pointTransform(dstDef, srcDef), srcDef, header, grid)
  const widths = header.images.map((im) => im.getWidth())
  const fullInv = invertGeoTransform(header.geoTransform)
  const level =
    widths.length < 2 || fullInv === undefined
      ? 0
      : chooseImage(
          widths,
          targetRatio(grid.width, grid.height, PixelGrid.geoTransform(grid), fullInv, transform)
        )
  const image = header.images[level]
  const iw = image.getWidth()
  const ih = image.getHeight()
  const sx = header.width / iw
  const sy = header.height / ih
  const gt = header.geoTransform
  const imageGt: GeoTransform.GeoTransform = [
    gt[0],
    gt[1] * sx,
    gt[2] * sy,
    gt[3],
    gt[4] * sx,
    gt[5] * sy
  ]
  const inv = invertGeoTransform(imageGt)
  if (inv === undefined) throw new CrsProblem(`${uri} has a singular geotransform`)
  const dstGt = PixelGrid.geoTransform(grid)
  const aligned =
    options.resampling === "nearest" && transform === undefined ? alignment(dstGt, inv) : undefined
  if (aligned !== undefined)
    return readAligned(handle, grid, bands, image, level, aligned, pool, cache)
  const corners = options.resampling === "average" || options.resampling === "mode"
  const lattice = corners
    ? { nx: grid.width + 1, ny: grid.height + 1, start: 0 }
    : { nx: grid.width, ny: grid.height, start: 0.5 }
  const coords = (options.approximate === true ? approximate : exact)(
    lattice,
    dstGt,
    inv,
    transform
  )

  let minX = Infinity,
    minY = Infinity,
    maxX = -Infinity,
    maxY = -Infinity
  const xs = coords.x
  const ys = coords.y
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]
    const y = ys[i]
    if (x !== x || y !== y) continue
    if (x < minX) minX = x
    if (x > maxX) maxX = x
    if (y < minY) minY = y
    if (y > maxY) maxY = y
  }
  const n = grid.width * grid.height
  const data = DType.alloc(header.dtype, bands.length * n)
  if (header.nodata !== undefined) data.fill(header.nodata)
  const out = bands.map((_, b) => data.subarray(b * n, (b + 1) * n) as DType.TypedArray)
  const mask = new Uint8Array(n)
  const [lo, hi] = DType.range(header.dtype)
  const store = { integer: !DType.isFloat(header.dtype), min: lo, max: hi }
  const read = (x0: number, y0: number, x1: number, y1: number) =>
    readWindow(
      image,
      handle.tiff.littleEndian,
      header.dtype,
      [x0, y0, x1, y1],
      bands,
      pool,
      handle.budget,
      { cache, owner: handle.id, image: String(level) }
    )

  if (options.resampling === "bilinear" || options.resampling === "cubic") {
    // GDAL's own source windows and kernel scales: they decide edge clipping and widened kernels.
    const kind = options.resampling
    const chunks = warpChunks(
      grid.width,
      grid.height,
      dstGt,
      inv,
      transform,
      iw,
      ih,
      filterRadius(kind)
    )
    if (chunks !== undefined) {
      const live = chunks.filter((c) => c.window[2] > c.window[0] && c.window[3] > c.window[1])
      if (live.length > 0) {
        const ux0 = Math.min(...live.map((c) => c.window[0]))
        const uy0 = Math.min(...live.map((c) => c.window[1]))
        const ux1 = Math.max(...live.map((c) => c.window[2]))
        const uy1 = Math.max(...live.map((c) => c.window[3]))
        const raw = await read(ux0, uy0, ux1, uy1)
        const union: Window = { bands: raw, wx: ux0, wy: uy0, ww: ux1 - ux0, wh: uy1 - uy0 }
        for (const c of live) {
          const rect = { x0: c.x0, y0: c.y0, w: c.w, h: c.h, stride: grid.width }
          interpolate(
            kind,
            subWindow(union, c),
            xs,
            ys,
            header.nodata,
            store,
            out,
            mask,
            c.scale,
            rect
          )
        }
      }
      return { grid, dtype: header.dtype, bands: bands.length, data, mask }
    }
  }

  const pad = 3
  const x0 = Math.max(0, Math.floor(minX) - pad)
  const y0 = Math.max(0, Math.floor(minY) - pad)
  const x1 = Math.min(iw, Math.ceil(maxX) + pad)
  const y1 = Math.min(ih, Math.ceil(maxY) + pad)
  if (!(x1 > x0 && y1 > y0)) return emptyChip(grid, header.dtype, bands.length, header.nodata)

  const raw = await read(x0, y0, x1, y1)
  const window: Window = { bands: raw, wx: x0, wy: y0, ww: x1 - x0, wh: y1 - y0 }
  switch (options.resampling) {
    case "nearest": {
      nearest(window, xs, ys, header.nodata, out, mask)
      break
    }
    case "bilinear":
    case "cubic":
      // Edge points that fail to transform: our own window, with the scale of the points' extent.
      interpolate(options.resampling, window, xs, ys, header.nodata, store, out, mask, {
        x: Math.min(1, grid.width / Math.max(1e-9, maxX - minX + 1)),
        y: Math.min(1, grid.height / Math.max(1e-9, maxY - minY + 1))
      })
      break
    default:
      footprint(
        options.resampling,
        window,
        xs,
        ys,
        grid.width,
        grid.height,
        header.nodata,
        store,
        out,
        mask,
        {
          width: iw,
          height: ih,
          wrapsX: isGeographic(srcDef) && Math.abs(Math.abs(imageGt[1]) * iw - 360) < 1e-9,
          scale: warpChunks(grid.width, grid.height, dstGt, inv, transform, iw, ih, 0)?.[0]
            ?.scale ?? {
            x: 1,
            y: 1
          }
        }
      )
  }
  return { grid, dtype: header.dtype, bands: bands.length, data, mask }
}

/** The GeoTIFF backend as an effect: acquires the decoder pool for the lifetime of the scope. */
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
    const cache = new TileCache(options.tileCacheBytes ?? defaultTileCacheBytes)
    let nextId = 0
    // Header cache: the blocks fetched while parsing a URL's header, reused when it is opened again.
    const headerCache = new Map<
      string,
      { readonly blocks: Map<number, Uint8Array>; readonly size: number | undefined }
    >()

    const openBytes = async (
      uri: string,
      guard: Guarded.Guard,
      timer: Timer
    ): Promise<{ bytes: ByteSource; done: () => void }> => {
      if (!isUrl(uri)) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(uri) && !/^file:/i.test(uri))
          throw new Guarded.AccessRefused(
            `${uri.split(":")[0]}: URLs cannot be read (http, https, s3 and files can)`
          )
        const path = /^file:/i.test(uri) ? decodeURIComponent(new URL(uri).pathname) : uri
        return { bytes: await openLocal(path, guard), done: () => {} }
      }
      const cached = headerCache.get(uri)
      const blocks = new Map(cached?.blocks ?? [])
      const bytes = await openHttp(uri, http, blocks, cached?.size, guard, timer)
      return {
        bytes,
        done: () => {
          if (!headerCache.has(uri))
            headerCache.set(uri, { blocks: new Map(blocks), size: bytes.size() })
        }
      }
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
      const release = (h: Handle) =>
        Effect.promise(() => {
          cache.drop(h.id)
          return h.bytes.close()
        })
      // Not acquireRelease: its acquisition is uninterruptible, and opening may wait on a silent host for
      // minutes (timeouts × retries); SIGTERM must stop it. A handle opened after the interruption is closed
      // by the promise itself (the signal is aborted by then).
      const handle = yield* Effect.uninterruptibleMask((restore) =>
        restore(
          Effect.tryPromise({
            try: async (signal) => {
              const { bytes, done } = await openBytes(uri, guard, timer)
              try {
                // Our own walk of the IFD chain first: geotiff.js loops on a cyclic chain and allocates
                // whatever sizes a header declares.
                await checkTiff(bytes, limits)
                const tiff = await GeoTIFF.fromSource(bytes as never)
                const header = await readHeader(tiff, await sidecar(uri))
                if (signal.aborted) throw signal.reason
                done()
                return { id: nextId++, tiff, header, bytes, budget } satisfies Handle
              } catch (error) {
                await bytes.close()
                throw error
              }
            },
            catch: (error) => openFailure(uri, error)
          })
        ).pipe(Effect.tap((h) => Effect.addFinalizer(() => release(h))))
      )
      const h = handle.header
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
        overviews: h.images
          .slice(1)
          .map((im) => ({ width: im.getWidth(), height: im.getHeight() })),
        blockWidth: h.blockWidth,
        blockHeight: h.blockHeight,
        byteSize: handle.bytes.fileSize ?? 0
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
      return yield* Effect.tryPromise({
        try: () => resample(handle, grid, options, pool, info.uri, cache),
        catch: (error) => readFailure(info.uri, error)
      })
    })

    const transfer = (info: RasterInfo) =>
      Effect.sync((): Transfer => {
        const s = handles.get(info)?.bytes.stats
        return { requests: s?.requests ?? 0, bytes: s?.bytes ?? 0 }
      })

    return RasterSource.of({ open, read, transfer })
  })

/** The GeoTIFF backend with explicit options (worker count, HTTP retries/timeouts/concurrency). */
export const layerGeoTiffWith = (options: GeoTiffOptions): Layer.Layer<RasterSource> =>
  Layer.effect(RasterSource, makeGeoTiff(options))

/** The GeoTIFF backend with default options. */
export const layerGeoTiff: Layer.Layer<RasterSource> = layerGeoTiffWith({})
