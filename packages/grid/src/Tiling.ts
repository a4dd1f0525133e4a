// AOI tiling: S-metre squares laid out on each UTM/UPS zone's own lattice, kept where the centre is in the AOI.
// A tile belongs to the zone of its centre, so wide AOIs keep every tile undistorted and nothing is tiled twice.
import { Crs, type Patch, type PixelGrid } from "@eoforge/core"
import * as Aoi from "./Aoi.ts"
import * as PatchGeometry from "./PatchGeometry.ts"
import * as Zone from "./Zone.ts"

export { InvalidAoiError } from "./Aoi.ts"

/** Tile layout: side, finest pixel size and snap unit in metres (size a multiple of both). */
export interface TilingOptions {
  /** Side of each square tile in metres. */
  readonly size: number
  /** Finest pixel size in metres. */
  readonly resolution: number
  /** Snap unit in metres (default: resolution); tile origins are multiples of `size`, hence of `snap`. */
  readonly snap?: number | undefined
  /** centre (default): tiles whose centre is in the AOI; cover: tiles that share any ground with it. */
  readonly edge?: "centre" | "cover" | undefined
}

interface ZoneWindow {
  readonly zone: Zone.Zone
  readonly lonMin: number
  readonly lonMax: number
  readonly latMin: number
  readonly latMax: number
}

// The (lon, lat) window of each zone that may hold tile centres of the AOI; a superset of the zone's true band.
const windows = (b: {
  minX: number
  minY: number
  maxX: number
  maxY: number
}): Array<ZoneWindow> => {
  const out: Array<ZoneWindow> = []
  const push = (epsg: number, lo: number, hi: number, latMin: number, latMax: number) => {
    const lonMin = Math.max(lo, b.minX)
    const lonMax = Math.min(hi, b.maxX)
    const la = Math.max(latMin, b.minY)
    const lb = Math.min(latMax, b.maxY)
    if (lonMin <= lonMax && la <= lb) {
      out.push({ zone: Zone.fromEpsg(epsg)!, lonMin, lonMax, latMin: la, latMax: lb })
    }
  }
  for (let z = 1; z <= 60; z++) {
    let lo = -180 + 6 * (z - 1)
    let hi = lo + 6
    // Norway (32V) and Svalbard (31X–37X) widen or shift these zones north of 56°N.
    if (b.maxY >= 56 && b.minY < 64 && z === 32) lo = 3
    if (b.maxY >= 72 && b.minY <= 84) {
      if (z === 31) hi = 9
      if (z === 33) [lo, hi] = [9, 21]
      if (z === 35) [lo, hi] = [21, 33]
      if (z === 37) [lo, hi] = [33, 42]
    }
    push(32600 + z, lo, hi, 0, 84)
    push(32700 + z, lo, hi, -80, 0)
  }
  push(32661, -180, 180, 84, 90)
  push(32761, -180, 180, -90, -80)
  return out
}

// Metric bounds of a (lon, lat) window in its zone, from a densified outline (extremes lie on the outline).
const metricBounds = (w: ZoneWindow, pad: number) => {
  let minX = Infinity
  let minY = Infinity
  let maxX = -Infinity
  let maxY = -Infinity
  const steps = 64
  const visit = (lon: number, lat: number) => {
    const [x, y] = Zone.forward(w.zone.epsg, lon, lat)
    if (x < minX) minX = x
    if (x > maxX) maxX = x
    if (y < minY) minY = y
    if (y > maxY) maxY = y
  }
  for (let i = 0; i <= steps; i++) {
    const t = i / steps
    const lon = w.lonMin + t * (w.lonMax - w.lonMin)
    const lat = w.latMin + t * (w.latMax - w.latMin)
    visit(lon, w.latMin)
    visit(lon, w.latMax)
    visit(w.lonMin, lat)
    visit(w.lonMax, lat)
  }
  return { minX: minX - pad, minY: minY - pad, maxX: maxX + pad, maxY: maxY + pad }
}

interface Range {
  readonly k0: number
  readonly k1: number
  readonly rowTop: number
  readonly rowBottom: number
}

// Per zone, the lattice ranges to scan: one per AOI polygon, so a MultiPolygon's far-apart parts stay cheap.
const ranges = (
  aoi: Aoi.Aoi,
  size: number
): Map<number, Array<Range & { readonly w: ZoneWindow }>> => {
  const byZone = new Map<number, Array<Range & { readonly w: ZoneWindow }>>()
  for (const polygon of aoi.polygons) {
    const outer = polygon[0]
    let minX = Infinity
    let minY = Infinity
    let maxX = -Infinity
    let maxY = -Infinity
    for (let i = 0; i < outer.length; i += 2) {
      minX = Math.min(minX, outer[i])
      maxX = Math.max(maxX, outer[i])
      minY = Math.min(minY, outer[i + 1])
      maxY = Math.max(maxY, outer[i + 1])
    }
    for (const w of windows({ minX, minY, maxX, maxY })) {
      const m = metricBounds(w, size)
      const list = byZone.get(w.zone.epsg) ?? []
      list.push({
        w,
        k0: Math.floor(m.minX / size),
        k1: Math.ceil(m.maxX / size),
        rowTop: Math.ceil(m.maxY / size),
        rowBottom: Math.floor(m.minY / size)
      })
      byZone.set(w.zone.epsg, list)
    }
  }
  return byZone
}

// `spill`: instead of the tiles owned by each zone, the zone's lattice cells whose centre lies in the AOI but in
// another zone while a corner lies in this one (the cells that reach across a seam into the zone).
function* tilesOf(
  aoi: Aoi.Aoi,
  size: number,
  resolution: number,
  spill: boolean,
  cover: boolean
): Generator<Patch.Patch> {
  const n = Math.round(size / resolution)
  const byZone = ranges(aoi, size)
  for (const epsg of [...byZone.keys()].sort((a, b) => a - b)) {
    const list = byZone.get(epsg)!
    const crs = Crs.epsg(epsg)
    for (let r = 0; r < list.length; r++) {
      const { w, k0, k1, rowTop, rowBottom } = list[r]
      // Rows north to south, columns west to east: the order of a raster.
      for (let row = rowTop; row > rowBottom; row--) {
        const y0 = row * size
        for (let k = k0; k < k1; k++) {
          // A cell already scanned for an earlier polygon of this zone is not visited twice.
          let seen = false
          for (let q = 0; q < r && !seen; q++) {
            const o = list[q]
            seen = k >= o.k0 && k < o.k1 && row <= o.rowTop && row > o.rowBottom
          }
          if (seen) continue
          const x0 = k * size
          const [lon, lat] = Zone.inverse(epsg, x0 + size / 2, y0 - size / 2)
          if (!Number.isFinite(lon) || !Number.isFinite(lat) || lat < -90 || lat > 90) continue
          // The window holds every centre in the AOI's box; covering tiles may have theirs just outside it.
          if (!spill && !cover) {
            if (lon < w.lonMin || lon > w.lonMax || lat < w.latMin || lat > w.latMax) continue
          }
          if ((Zone.zoneOf(lon, lat).epsg === epsg) === spill) continue
          const centreIn = Aoi.contains(aoi, lon, lat)
          if (!centreIn && !cover) continue
          const footprint: Patch.Patch["footprint"] = [
            Zone.inverse(epsg, x0, y0),
            Zone.inverse(epsg, x0 + size, y0),
            Zone.inverse(epsg, x0 + size, y0 - size),
            Zone.inverse(epsg, x0, y0 - size)
          ]
          if (!centreIn && !Aoi.intersectsQuad(aoi, footprint)) continue
          if (spill && !footprint.some((c) => inZone(c, epsg))) continue
          const grid: PixelGrid.PixelGrid = { crs, x0, y0, resolution, width: n, height: n }
          yield { id: PatchGeometry.id(grid), lon, lat, grid, footprint }
        }
      }
    }
  }
}

/**
 * Every tile of an AOI, lazily: for each zone the AOI meets, the squares [k·S, (k+1)·S] × [(m−1)·S, m·S] of that zone
 * whose centre lies in the AOI and in the zone. Zones in EPSG order, then rows north to south, columns west to east.
 * Validates eagerly (InvalidAoiError, InvalidPatchSizeError); `PatchGeometry.make` at a tile's centre gives the same tile.
 */
export const tiles = (aoi: unknown, options: TilingOptions): Iterable<Patch.Patch> => {
  const { size, resolution } = options
  PatchGeometry.validateSize(size, resolution, options.snap ?? resolution)
  const validated = isAoi(aoi) ? aoi : Aoi.fromGeoJson(aoi)
  const cover = options.edge === "cover"
  return { [Symbol.iterator]: () => tilesOf(validated, size, resolution, false, cover) }
}

/**
 * The tiles that reach across a zone seam: for each zone the AOI meets, the cells of that zone's lattice whose
 * centre lies in the AOI but in another zone, and a corner in this zone. With `tiles` they cover every point
 * whose own zone's cell has its centre in the AOI (tiles alone leave slivers at seams uncovered); the seam
 * rule of a plan picks the few of them it needs. Same order and validation as `tiles`.
 */
export const seamTiles = (aoi: unknown, options: TilingOptions): Iterable<Patch.Patch> => {
  const { size, resolution } = options
  PatchGeometry.validateSize(size, resolution, options.snap ?? resolution)
  const validated = isAoi(aoi) ? aoi : Aoi.fromGeoJson(aoi)
  const cover = options.edge === "cover"
  return { [Symbol.iterator]: () => tilesOf(validated, size, resolution, true, cover) }
}

const inZone = (c: readonly [number, number], epsg: number): boolean =>
  Number.isFinite(c[0]) && c[1] >= -90 && c[1] <= 90 && Zone.zoneOf(c[0], c[1]).epsg === epsg

const isAoi = (u: unknown): u is Aoi.Aoi =>
  typeof u === "object" && u !== null && "polygons" in u && "bbox" in u && !("type" in u)
