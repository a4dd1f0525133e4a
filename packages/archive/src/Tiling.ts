// Regular latitude/longitude tilings of global archives: which tiles a footprint touches and their names.
// one-degree-sw: 1°×1° tiles named by their south-west corner (SRTMGL1: `N48W090.SRTMGL1.hgt.zip` covers
// 48–49°N, 90–89°W). one-degree-nw: named by their north-west (upper-left) corner (the Global Seasonal
// Sentinel-1 Coherence data set, ASF user guide: `N48W090` covers 47–48°N, 90–89°W). ten-degree-nw: 10°×10°
// tiles named by their north-west corner (ESA CCI Biomass AGB `N50W010_ESACCI-BIOMASS-…tif`: 40–50°N, 10°W–0°).
// ghs-mollweide and modis-sinusoidal: tiles of a projected grid (internal/projected.ts), found from the patch
// outline densified in its UTM/UPS grid and projected, not from a lon/lat box.
import type { Patch } from "@eoforge/core"
import * as Projected from "./internal/projected.ts"

/** The tilings a tiled archive can be laid out in. */
export const tilings = [
  "one-degree-sw",
  "one-degree-nw",
  "ten-degree-nw",
  "ghs-mollweide",
  "modis-sinusoidal"
] as const
/** A tiling by name. */
export type Tiling = (typeof tilings)[number]

/** The tilings in latitude/longitude. */
export type LonLatTiling = "one-degree-sw" | "one-degree-nw" | "ten-degree-nw"

/**
 * One tile: its name and its extent in degrees. For projected tilings the degrees are the patch's own box
 * (a projected tile's outline is curved in lon/lat) and `xy` is the tile's extent in metres.
 */
export interface Tile {
  readonly name: string
  readonly west: number
  readonly south: number
  readonly east: number
  readonly north: number
  readonly xy?: Projected.XYBox
}

/** A lon/lat box in degrees; `west > east` never happens (boxes across the antimeridian are split). */
export interface LonLatBox {
  readonly west: number
  readonly south: number
  readonly east: number
  readonly north: number
}

const sizeOf = (tiling: LonLatTiling): number => (tiling === "ten-degree-nw" ? 10 : 1)

const pad = (value: number, width: number): string => String(Math.abs(value)).padStart(width, "0")

// Longitudes wrap into [-180, 180).
const wrap = (lon: number): number => ((((lon + 180) % 360) + 360) % 360) - 180

/** The name of the tile whose south-west corner is (west, south). */
export const nameOf = (tiling: LonLatTiling, west: number, south: number): string => {
  const lon = wrap(west)
  const lat = tiling.endsWith("-sw") ? south : south + sizeOf(tiling)
  return `${lat < 0 ? "S" : "N"}${pad(lat, 2)}${lon < 0 ? "W" : "E"}${pad(lon, 3)}`
}

/** The tile of a tiling holding the point (lon, lat). */
export const tileAt = (tiling: LonLatTiling, lon: number, lat: number): Tile => {
  const size = sizeOf(tiling)
  const west = Math.floor(wrap(lon) / size) * size
  const south = Math.min(Math.floor(lat / size) * size, 90 - size)
  return { name: nameOf(tiling, west, south), west, south, east: west + size, north: south + size }
}

/** The lon/lat boxes of a patch footprint (two when it crosses the antimeridian). */
export const boxesOf = (footprint: Patch.Patch["footprint"]): ReadonlyArray<LonLatBox> => {
  const lats = footprint.map((p) => p[1])
  const south = Math.max(-90, Math.min(...lats))
  const north = Math.min(90, Math.max(...lats))
  const lons = footprint.map((p) => wrap(p[0]))
  const west = Math.min(...lons)
  const east = Math.max(...lons)
  if (east - west <= 180) return [{ west, south, east, north }]
  // Across the antimeridian: the corners east of it have small negative longitudes.
  const westPart = Math.max(...lons.filter((l) => l < 0))
  const eastPart = Math.min(...lons.filter((l) => l >= 0))
  return [
    { west: eastPart, south, east: 180, north },
    { west: -180, south, east: westPart, north }
  ]
}

/**
 * The tiles a footprint touches, west to east then north to south. A footprint that only touches a tile's
 * edge does not count it (tiles are half-open: [west, east) × [south, north)).
 */
export const tilesOf = (
  tiling: LonLatTiling,
  footprint: Patch.Patch["footprint"]
): ReadonlyArray<Tile> => {
  const size = sizeOf(tiling)
  const tiles: Array<Tile> = []
  for (const box of boxesOf(footprint)) {
    const firstRow = Math.min(Math.floor(box.south / size), 90 / size - 1)
    const lastRow = Math.min(Math.ceil(box.north / size) - 1, 90 / size - 1)
    const firstCol = Math.floor(box.west / size)
    const lastCol = Math.max(firstCol, Math.ceil(box.east / size) - 1)
    for (let row = lastRow; row >= firstRow; row--) {
      for (let col = firstCol; col <= lastCol; col++) {
        const west = col * size
        const south = row * size
        const name = nameOf(tiling, west, south)
        if (tiles.some((t) => t.name === name)) continue
        tiles.push({ name, west, south, east: west + size, north: south + size })
      }
    }
  }
  return tiles
}

/** The projected grid of a projected tiling. */
export const projectedGrid = (tiling: Tiling): Projected.ProjectedGrid | undefined =>
  tiling === "ghs-mollweide"
    ? Projected.ghsMollweide
    : tiling === "modis-sinusoidal"
      ? Projected.modisSinusoidal
      : undefined

/** The tiles a patch needs and the fraction of it a set of present tiles covers. */
export interface Cover {
  readonly tiles: ReadonlyArray<Tile>
  /** Fraction (0–1) of the patch's box (lon/lat, or metres for projected tilings) the given tiles cover. */
  readonly coverage: (present: ReadonlyArray<Tile>) => number
}

interface Box {
  readonly x0: number
  readonly y0: number
  readonly x1: number
  readonly y1: number
}

const overlapArea = (a: Box, b: Box): number =>
  Math.max(0, Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0)) *
  Math.max(0, Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0))

const coverageOf = (boxes: ReadonlyArray<Box>, tiles: ReadonlyArray<Box>): number => {
  const total = boxes.reduce((s, b) => s + overlapArea(b, b), 0)
  const covered = boxes.reduce((s, b) => s + tiles.reduce((t, p) => t + overlapArea(b, p), 0), 0)
  return total > 0 ? Math.min(1, covered / total) : 1
}

const ofLonLat = (b: LonLatBox): Box => ({ x0: b.west, y0: b.south, x1: b.east, y1: b.north })
const ofXY = (b: Projected.XYBox): Box => ({ x0: b.xmin, y0: b.ymin, x1: b.xmax, y1: b.ymax })

/**
 * The tiles of a tiling a patch touches (in the order of `tilesOf`, or rows north to south then columns west
 * to east for projected tilings) and how much of the patch a subset covers.
 */
export const coverOf = (tiling: Tiling, patch: Patch.Patch): Cover => {
  const grid = projectedGrid(tiling)
  const lonLat = boxesOf(patch.footprint)
  if (grid === undefined) {
    return {
      tiles: tilesOf(tiling as LonLatTiling, patch.footprint),
      coverage: (present) => coverageOf(lonLat.map(ofLonLat), present.map(ofLonLat))
    }
  }
  const boxes = Projected.boxesOf(grid, Projected.outlineOf(patch))
  const own = lonLat[0]!
  const tiles: Array<Tile> = []
  for (const box of boxes)
    for (const t of Projected.tilesOfBox(grid, box))
      if (!tiles.some((u) => u.name === t.name))
        tiles.push({
          name: t.name,
          west: own.west,
          south: own.south,
          east: lonLat[lonLat.length - 1]!.east,
          north: own.north,
          xy: t
        })
  return {
    tiles,
    coverage: (present) =>
      coverageOf(
        boxes.map(ofXY),
        present.flatMap((t) => (t.xy === undefined ? [] : [ofXY(t.xy)]))
      )
  }
}
