// Tilings laid out in a projected CRS: GHSL's World Mollweide row/column tiles and MODIS's sinusoidal h/v
// tiles. Which tiles a patch needs is computed on its outline densified in its own UTM/UPS grid and projected.
import type { Patch } from "@eoforge/core"
import { Crs } from "@eoforge/core"
import { Zone } from "@eoforge/grid"

/** A regular grid of tiles in a projected CRS: origin at the upper-left corner, square tiles. */
export interface ProjectedGrid {
  /** Longitude/latitude in degrees → x/y in metres (NaN outside the projection's domain). */
  readonly forward: (lon: number, lat: number) => readonly [x: number, y: number]
  /** Upper-left corner of tile (first row, first column), metres. */
  readonly x0: number
  readonly y0: number
  /** Tile side, metres. */
  readonly size: number
  readonly rows: number
  readonly columns: number
  /** x of the antimeridian at the equator, metres: the world is [-halfWidth, halfWidth]. */
  readonly halfWidth: number
  /** The name of the tile at 0-based (row, column). */
  readonly name: (row: number, column: number) => string
}

const deg = Math.PI / 180

// Longitudes wrap into [-180, 180): a UTM zone 1 patch reaches past -180°.
const wrap = (lon: number): number => ((((lon + 180) % 360) + 360) % 360) - 180

// World Mollweide (ESRI:54009: +proj=moll +datum=WGS84, a spherical projection on radius a = 6378137) as PROJ's
// moll.cpp computes it (Newton on θ, 10 steps, 1e-7), the same formula @eoforge/raster reads Mollweide rasters with.
const mollweideRadius = 6378137
const mollCp = Math.PI + Math.sin(Math.PI)
const mollR = Math.sqrt((2 * Math.PI) / mollCp)
const mollCx = (2 * mollR) / Math.PI
const mollweide = (lon: number, lat: number): readonly [number, number] => {
  const phi = lat * deg
  const k = mollCp * Math.sin(phi)
  let t = phi
  let i = 10
  for (; i > 0; i--) {
    const v = (t + Math.sin(t) - k) / (1 + Math.cos(t))
    t -= v
    if (Math.abs(v) < 1e-7) break
  }
  t = i === 0 ? (t < 0 ? -Math.PI / 2 : Math.PI / 2) : t * 0.5
  return [
    mollweideRadius * mollCx * wrap(lon) * deg * Math.cos(t),
    mollweideRadius * mollR * Math.sin(t)
  ]
}

// The MODIS sinusoidal grid's sphere (radius 6,371,007.181 m).
const modisRadius = 6371007.181
const sinusoidal = (lon: number, lat: number): readonly [number, number] => [
  modisRadius * wrap(lon) * deg * Math.cos(lat * deg),
  modisRadius * lat * deg
]

/**
 * GHSL R2023A tiles (GHS-BUILT-S, -POP … at 10 m and 100 m): 1,000 km × 1,000 km tiles of World Mollweide
 * from the upper-left corner (-18,041,000 m, 9,000,000 m) of the global grid (36,082 km × 18,000 km), named
 * `R{row}_C{column}` counted from 1 (R1_C1 upper-left), e.g. `R4_C19` covers x −41,000…959,000 m,
 * y 5,000,000…6,000,000 m.
 */
export const ghsMollweide: ProjectedGrid = {
  forward: mollweide,
  x0: -18_041_000,
  y0: 9_000_000,
  size: 1_000_000,
  rows: 18,
  columns: 37,
  halfWidth: mollweideRadius * mollCx * Math.PI,
  name: (row, column) => `R${row + 1}_C${column + 1}`
}

/**
 * The MODIS sinusoidal tile grid (MODIS Land, LP DAAC): 36 × 18 tiles of 1,111,950.5196666666 m from the
 * upper-left corner (-20,015,109.354 m, 10,007,554.677 m) on a sphere of radius 6,371,007.181 m, named
 * `h{HH}v{VV}` counted from 0 (h00v00 upper-left), e.g. `h18v03` covers 0°–10°E at 50°–60°N.
 */
export const modisSinusoidal: ProjectedGrid = {
  forward: sinusoidal,
  x0: -20_015_109.354,
  y0: 10_007_554.677,
  size: 1_111_950.5196666666,
  rows: 18,
  columns: 36,
  halfWidth: modisRadius * Math.PI,
  name: (row, column) => `h${String(column).padStart(2, "0")}v${String(row).padStart(2, "0")}`
}

/** Points along the outline of a patch, in (lon, lat) degrees: its grid's edges densified in the grid's CRS. */
export const outlineOf = (
  patch: Patch.Patch,
  perEdge = 64
): ReadonlyArray<readonly [number, number]> => {
  const grid = (patch as Partial<Patch.Patch>).grid
  const code = grid === undefined ? undefined : Crs.epsgCode(grid.crs)
  const zone = code === undefined ? undefined : Zone.fromEpsg(code)
  const points: Array<readonly [number, number]> = []
  if (grid !== undefined && code !== undefined && zone !== undefined) {
    const w = grid.width * grid.resolution
    const h = grid.height * grid.resolution
    const corners = [
      [grid.x0, grid.y0],
      [grid.x0 + w, grid.y0],
      [grid.x0 + w, grid.y0 - h],
      [grid.x0, grid.y0 - h]
    ] as const
    for (let e = 0; e < 4; e++) {
      const [ax, ay] = corners[e]!
      const [bx, by] = corners[(e + 1) % 4]!
      for (let i = 0; i < perEdge; i++) {
        const t = i / perEdge
        points.push(Zone.inverse(code, ax + (bx - ax) * t, ay + (by - ay) * t))
      }
    }
    return points
  }
  // A patch known only by its footprint (lon/lat corners): its edges densified in longitude/latitude.
  const f = patch.footprint
  for (let e = 0; e < 4; e++) {
    const a = f[e]!
    const b = f[(e + 1) % 4]!
    let dlon = b[0] - a[0]
    if (dlon > 180) dlon -= 360
    if (dlon < -180) dlon += 360
    for (let i = 0; i < perEdge; i++) {
      const t = i / perEdge
      points.push([a[0] + dlon * t, a[1] + (b[1] - a[1]) * t])
    }
  }
  return points
}

/** A box in the projected CRS, metres. */
export interface XYBox {
  readonly xmin: number
  readonly ymin: number
  readonly xmax: number
  readonly ymax: number
}

/** The projected boxes of an outline (two when it crosses the antimeridian, each ending at the world's edge). */
export const boxesOf = (
  grid: ProjectedGrid,
  outline: ReadonlyArray<readonly [number, number]>
): ReadonlyArray<XYBox> => {
  const xs: Array<number> = []
  const ys: Array<number> = []
  for (const [lon, lat] of outline) {
    const [x, y] = grid.forward(lon, lat)
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue
    xs.push(x)
    ys.push(y)
  }
  if (xs.length === 0) return []
  const ymin = Math.min(...ys)
  const ymax = Math.max(...ys)
  const xmin = Math.min(...xs)
  const xmax = Math.max(...xs)
  if (xmax - xmin <= grid.halfWidth) return [{ xmin, ymin, xmax, ymax }]
  // Across the antimeridian: the points east of it have negative x. Each part reaches the antimeridian, whose
  // x is widest at the outline's latitude nearest the equator.
  const lats = outline.map((p) => p[1])
  const nearest = Math.max(Math.min(...lats), Math.min(0, Math.max(...lats)))
  const edge = Math.abs(grid.forward(-180, nearest)[0])
  const east = xs.filter((x) => x >= 0)
  const west = xs.filter((x) => x < 0)
  return [
    { xmin: Math.min(...east), ymin, xmax: edge, ymax },
    { xmin: -edge, ymin, xmax: Math.max(...west), ymax }
  ]
}

/** One tile of a projected grid: its name, 0-based row and column, and its extent in metres. */
export interface ProjectedTile extends XYBox {
  readonly name: string
  readonly row: number
  readonly column: number
}

/** The tiles of a projected grid a box touches (half-open tiles), rows north to south, columns west to east. */
export const tilesOfBox = (grid: ProjectedGrid, box: XYBox): ReadonlyArray<ProjectedTile> => {
  const clamp = (v: number, n: number) => Math.max(0, Math.min(n - 1, v))
  const firstColumn = clamp(Math.floor((box.xmin - grid.x0) / grid.size), grid.columns)
  const lastColumn = clamp(Math.ceil((box.xmax - grid.x0) / grid.size) - 1, grid.columns)
  const firstRow = clamp(Math.floor((grid.y0 - box.ymax) / grid.size), grid.rows)
  const lastRow = clamp(Math.ceil((grid.y0 - box.ymin) / grid.size) - 1, grid.rows)
  const tiles: Array<ProjectedTile> = []
  for (let row = firstRow; row <= Math.max(firstRow, lastRow); row++) {
    for (let column = firstColumn; column <= Math.max(firstColumn, lastColumn); column++) {
      const xmin = grid.x0 + column * grid.size
      const ymax = grid.y0 - row * grid.size
      tiles.push({
        name: grid.name(row, column),
        row,
        column,
        xmin,
        xmax: xmin + grid.size,
        ymin: ymax - grid.size,
        ymax
      })
    }
  }
  return tiles
}
