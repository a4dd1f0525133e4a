// Resampling an opened raster onto a pixel grid exactly as gdalwarp -et 0 does, for every format: the level
// (overview) GDAL would pick, the aligned fast path, exact or approximate reprojection, GDAL's warp chunks
// and kernels, nodata and masks. Pure CPU once the windows are read.
import { Chip, Crs, DType, GeoTransform, PixelGrid } from "@eoforge/core"
import type { Header, Level, Opened } from "../Format.ts"
import type { ReadOptions } from "../RasterSource.ts"
import { approximate, axes, exact, pointTransform, type Axes } from "./coordinates.ts"
import { CrsProblem, definition, resolve, type Near } from "./crs.ts"
import type { Bbox } from "./crsDatabase.ts"
import { chooseImage } from "./header.ts"
import { invertGeoTransform } from "./invertGeoTransform.ts"
import { centerLong, isGeographic, withWrap } from "./longitudeWrap.ts"
import { targetRatio } from "./overviewChoice.ts"
import { filterRadius, footprint, interpolate, maskNodata, nearest, type Window } from "./warp.ts"
import { interpolateAxes } from "./warpAxes.ts"
import { chips, windows } from "./windowBuffers.ts"
import { warpChunks, type Chunk } from "./warpWindow.ts"

/** Writes `nodata` over a freshly allocated (zeroed) array; nothing to write for +0. */
const fillNodata = (data: DType.TypedArray, nodata: number | undefined): void => {
  if (nodata !== undefined && !Object.is(nodata, 0)) data.fill(nodata)
}

// A chip's data array of `length` values of `dtype` holding `nodata` (0 without one), in a buffer that
// RasterSource.recycle gives back once the caller is done with the chip: as `DType.alloc` then `fillNodata`.
const chipData = (
  dtype: DType.DType,
  length: number,
  nodata: number | undefined
): DType.TypedArray => {
  const Typed = DType.alloc(dtype, 0).constructor as new (
    b: ArrayBuffer,
    offset: number,
    length: number
  ) => DType.TypedArray
  const data = new Typed(chips.take(length * DType.byteSize(dtype)), 0, length)
  return data.fill(nodata !== undefined && !Object.is(nodata, 0) ? nodata : 0)
}

const emptyChip = (
  grid: PixelGrid.PixelGrid,
  dtype: DType.DType,
  bands: number,
  nodata: number | undefined
): Chip.Chip => {
  const data = DType.alloc(dtype, bands * grid.width * grid.height)
  fillNodata(data, nodata)
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
  header: Header,
  grid: PixelGrid.PixelGrid,
  bands: ReadonlyArray<number>,
  level: Level,
  [ox, oy]: readonly [number, number]
): Promise<Chip.Chip> => {
  const n = grid.width * grid.height
  const data = DType.alloc(header.dtype, bands.length * n)
  fillNodata(data, header.nodata)
  const out = bands.map((_, b) => data.subarray(b * n, (b + 1) * n) as DType.TypedArray)
  const mask = new Uint8Array(n)
  const c0 = Math.max(0, -ox)
  const r0 = Math.max(0, -oy)
  const c1 = Math.min(grid.width, level.width - ox)
  const r1 = Math.min(grid.height, level.height - oy)
  if (c1 > c0 && r1 > r0) {
    const seen = { nodata: false }
    await level.read([c0 + ox, r0 + oy, c1 + ox, r1 + oy], bands, {
      arrays: out,
      stride: grid.width,
      dx: c0,
      dy: r0,
      nodata: header.nodata,
      seen
    })
    for (let j = r0; j < r1; j++) mask.fill(1, j * grid.width + c0, j * grid.width + c1)
    if (header.nodata !== undefined && seen.nodata)
      maskNodata(out, mask, header.nodata, grid.width, c0, r0, c1, r1)
  }
  return { grid, dtype: header.dtype, bands: bands.length, data, mask }
}

/** The datum shift to WGS 84 applied at the raster's centre, for provenance. */
export const datumShiftNote = (h: Header): string | undefined => {
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

/** The smallest and largest finite-coordinate x and y of points (xs[i], ys[i]) (NaN points left out). */
const extentOf = (
  xs: Float64Array,
  ys: Float64Array
): readonly [number, number, number, number] => {
  let minX = Infinity,
    minY = Infinity,
    maxX = -Infinity,
    maxY = -Infinity
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]
    const y = ys[i]
    if (x !== x || y !== y) continue
    if (x < minX) minX = x
    if (x > maxX) maxX = x
    if (y < minY) minY = y
    if (y > maxY) maxY = y
  }
  return [minX, minY, maxX, maxY]
}

/** `extentOf` the points of separable positions. */
const axesExtent = (a: Axes): readonly [number, number, number, number] => {
  const [minX, , maxX] = extentOf(a.cols, a.cols)
  const [, minY, , maxY] = extentOf(a.rows, a.rows)
  return a.cols.length > 0 && a.rows.length > 0
    ? [minX, minY, maxX, maxY]
    : [Infinity, Infinity, -Infinity, -Infinity]
}

/** Resamples windows of an opened raster onto `grid` (or lets the format read the chip itself). */
export const resample = async (
  opened: Opened,
  grid: PixelGrid.PixelGrid,
  options: ReadOptions,
  uri: string
): Promise<Chip.Chip> => {
  if (opened.readChip !== undefined) return opened.readChip(grid, options)
  const { header, levels } = opened
  const bands = options.bands ?? Array.from({ length: header.bands }, (_, b) => b)
  // PROJ picks a datum shift per point; one chip is small, so its centre decides for the whole chip.
  const centre = Crs.equals(grid.crs, header.crs) ? undefined : centreLonLat(grid)
  const near = centre === undefined ? undefined : { ...centre, aoi: extentLonLat(header) }
  const srcDef = definition(header.crs, near)
  const dstDef = Crs.equals(grid.crs, header.crs) ? srcDef : definition(grid.crs, near)
  const transform = wrapped(pointTransform(dstDef, srcDef), srcDef, header, grid)
  const widths = levels.map((l) => l.width)
  const fullInv = invertGeoTransform(header.geoTransform)
  const level =
    widths.length < 2 || fullInv === undefined
      ? 0
      : chooseImage(
          widths,
          targetRatio(grid.width, grid.height, PixelGrid.geoTransform(grid), fullInv, transform)
        )
  const image = levels[level]
  const iw = image.width
  const ih = image.height
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
  if (aligned !== undefined) return readAligned(header, grid, bands, image, aligned)
  const corners = options.resampling === "average" || options.resampling === "mode"
  const lattice = corners
    ? { nx: grid.width + 1, ny: grid.height + 1, start: 0 }
    : { nx: grid.width, ny: grid.height, start: 0.5 }
  const kernel = options.resampling === "bilinear" || options.resampling === "cubic"
  // Same CRS, axes parallel: positions per column and row (bilinear and cubic), not per pixel.
  const separable = kernel ? axes(lattice, dstGt, inv, transform) : undefined
  const pointsOf = () =>
    separable?.points() ??
    (options.approximate === true ? approximate : exact)(lattice, dstGt, inv, transform)
  const coords = separable === undefined ? pointsOf() : undefined
  const [minX, minY, maxX, maxY] =
    separable === undefined ? extentOf(coords!.x, coords!.y) : axesExtent(separable)
  const n = grid.width * grid.height
  const data = chipData(header.dtype, bands.length * n, header.nodata)
  const out = bands.map((_, b) => data.subarray(b * n, (b + 1) * n) as DType.TypedArray)
  const mask = new Uint8Array(chips.take(n), 0, n).fill(0)
  const [lo, hi] = DType.range(header.dtype)
  const store = { integer: !DType.isFloat(header.dtype), min: lo, max: hi }
  const read = (x0: number, y0: number, x1: number, y1: number) =>
    image.read([x0, y0, x1, y1], bands)

  if (options.resampling === "bilinear" || options.resampling === "cubic") {
    // GDAL's own source windows and kernel scales: they decide edge clipping and widened kernels.
    const kind = options.resampling
    const xs = coords?.x
    const ys = coords?.y
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
          const sub = subWindow(union, c)
          if (separable !== undefined)
            interpolateAxes(kind, sub, separable, header.nodata, store, out, mask, c.scale, rect)
          else interpolate(kind, sub, xs!, ys!, header.nodata, store, out, mask, c.scale, rect)
        }
        windows.giveBack(raw)
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
  const { x: xs, y: ys } = coords ?? pointsOf()
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
  windows.giveBack(raw)
  return { grid, dtype: header.dtype, bands: bands.length, data, mask }
}
