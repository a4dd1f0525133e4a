// Regular latitude/longitude tilings of global archives: which tiles a footprint touches and their names.
// one-degree-sw: 1°×1° tiles named by their south-west corner (SRTMGL1: `N48W090.SRTMGL1.hgt.zip` covers
// 48–49°N, 90–89°W). one-degree-nw: named by their north-west (upper-left) corner (the Global Seasonal
// Sentinel-1 Coherence data set, ASF user guide: `N48W090` covers 47–48°N, 90–89°W). ten-degree-nw: 10°×10°
// tiles named by their north-west corner (ESA CCI Biomass AGB `N50W010_ESACCI-BIOMASS-…tif`: 40–50°N, 10°W–0°).
import type { Patch } from "@eoforge/core"

/** The tilings a tiled archive can be laid out in. */
export const tilings = ["one-degree-sw", "one-degree-nw", "ten-degree-nw"] as const
/** A tiling by name. */
export type Tiling = (typeof tilings)[number]

/** One tile: its name and its extent in degrees. */
export interface Tile {
  readonly name: string
  readonly west: number
  readonly south: number
  readonly east: number
  readonly north: number
}

/** A lon/lat box in degrees; `west > east` never happens (boxes across the antimeridian are split). */
export interface LonLatBox {
  readonly west: number
  readonly south: number
  readonly east: number
  readonly north: number
}

const sizeOf = (tiling: Tiling): number => (tiling === "ten-degree-nw" ? 10 : 1)

const pad = (value: number, width: number): string => String(Math.abs(value)).padStart(width, "0")

// Longitudes wrap into [-180, 180).
const wrap = (lon: number): number => ((((lon + 180) % 360) + 360) % 360) - 180

/** The name of the tile whose south-west corner is (west, south). */
export const nameOf = (tiling: Tiling, west: number, south: number): string => {
  const lon = wrap(west)
  const lat = tiling.endsWith("-sw") ? south : south + sizeOf(tiling)
  return `${lat < 0 ? "S" : "N"}${pad(lat, 2)}${lon < 0 ? "W" : "E"}${pad(lon, 3)}`
}

/** The tile of a tiling holding the point (lon, lat). */
export const tileAt = (tiling: Tiling, lon: number, lat: number): Tile => {
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
  tiling: Tiling,
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
