// A global grid of ≈ D km cells with stable ids, laid out as ESA's Major TOM grid: equal-latitude rows,
// and per row as many columns as fit D km along the row's widest parallel (∝ cos latitude).
import { BBox } from "@eoforge/core"
import { Schema } from "effect"
import * as Zone from "./Zone.ts"

/** Mean Earth radius in kilometres (IUGG R1), used for the D km spacing. */
export const EARTH_RADIUS_KM = 6371.0088

/** A reference grid of ≈ dKm cells. */
export interface ReferenceGrid {
  /** Nominal cell size, kilometres. */
  readonly dKm: number
  /** Row height, degrees of latitude (dKm on the mean sphere). */
  readonly dLat: number
  /** Rows run from −rows to rows − 1; row r covers latitudes [r·dLat, (r+1)·dLat), clamped to ±90. */
  readonly rows: number
}

/** A cell: its id and integer coordinates. */
export interface Cell {
  /** `r{row}c{col}`, e.g. `r12c345`, `r-1c0` (row signed from the equator, col from 180°W eastward). */
  readonly id: string
  /** Row: 0 is the first row north of the equator, −1 the first south of it. */
  readonly row: number
  /** Column: 0 starts at 180°W, increasing eastward. */
  readonly col: number
}

/** A cell size that is not a positive distance below half the Earth's circumference. */
export class InvalidCellSizeError extends Schema.TaggedError<InvalidCellSizeError>()(
  "InvalidCellSizeError",
  { dKm: Schema.Number }
) {
  override get message(): string {
    return `invalid reference grid cell size ${this.dKm} km: give a finite size between 0.001 and 10000 km`
  }
}

/** A cell id or (row, col) that the grid does not have. */
export class UnknownCellError extends Schema.TaggedError<UnknownCellError>()("UnknownCellError", {
  cell: Schema.String,
  dKm: Schema.Number
}) {
  override get message(): string {
    return `no cell ${this.cell} in the ${this.dKm} km reference grid: ids are r{row}c{col} with row in [-rows, rows) and col in [0, columns(row))`
  }
}

/** The grid of ≈ dKm cells. */
export const make = (dKm: number): ReferenceGrid => {
  if (!Number.isFinite(dKm) || dKm < 0.001 || dKm > 10000) throw new InvalidCellSizeError({ dKm })
  const dLat = ((dKm / EARTH_RADIUS_KM) * 180) / Math.PI
  return { dKm, dLat, rows: Math.ceil(90 / dLat) }
}

/** The number of columns of a row: D km cells along the row's parallel nearest the equator, at least 1. */
export const columns = (grid: ReferenceGrid, row: number): number => {
  const edge = row >= 0 ? row * grid.dLat : (row + 1) * grid.dLat
  const circumference = 2 * Math.PI * EARTH_RADIUS_KM * Math.cos((Math.abs(edge) * Math.PI) / 180)
  return Math.max(1, Math.ceil(circumference / grid.dKm - 1e-9))
}

const idOf = (row: number, col: number): string => `r${row}c${col}`

/** The cell holding (lon, lat) degrees; cells include their west and south edges, the poles fall in the last rows. */
export const cellOf = (grid: ReferenceGrid, lon: number, lat: number): Cell => {
  Zone.validate(lon, lat)
  let row = Math.floor(lat / grid.dLat)
  // The quotient can round across a row edge; the footprint's edges decide.
  if (lat < row * grid.dLat) row--
  else if (lat >= (row + 1) * grid.dLat) row++
  // `+ 0` turns −0 (latitudes like −1e-320) into row 0's plain zero.
  row = Math.max(-grid.rows, Math.min(grid.rows - 1, row)) + 0
  const n = columns(grid, row)
  const l = Zone.normalizeLon(lon)
  let col = Math.floor(((l + 180) / 360) * n)
  if (l < -180 + (360 * col) / n) col--
  else if (l >= -180 + (360 * (col + 1)) / n) col++
  col = Math.max(0, Math.min(n - 1, col)) + 0
  return { id: idOf(row, col), row, col }
}

const parse = (
  grid: ReferenceGrid,
  cell: string | { readonly row: number; readonly col: number }
) => {
  const m = typeof cell === "string" ? /^r(-?\d+)c(\d+)$/.exec(cell) : null
  const row = typeof cell === "string" ? (m ? Number(m[1]) : Number.NaN) : cell.row
  const col = typeof cell === "string" ? (m ? Number(m[2]) : Number.NaN) : cell.col
  if (
    !Number.isInteger(row) ||
    !Number.isInteger(col) ||
    row < -grid.rows ||
    row >= grid.rows ||
    col < 0 ||
    col >= columns(grid, row)
  ) {
    const text = typeof cell === "string" ? cell : `{ row: ${cell.row}, col: ${cell.col} }`
    throw new UnknownCellError({ cell: text, dKm: grid.dKm })
  }
  return { row, col }
}

/** The (lon, lat) degree box of a cell; rows next to the poles stop at ±90, columns tile [−180, 180] exactly. */
export const footprint = (
  grid: ReferenceGrid,
  cell: string | { readonly row: number; readonly col: number }
): BBox.BBox => {
  const { row, col } = parse(grid, cell)
  const n = columns(grid, row)
  return BBox.make(
    -180 + (360 * col) / n,
    Math.max(-90, row * grid.dLat),
    col === n - 1 ? 180 : -180 + (360 * (col + 1)) / n,
    Math.min(90, (row + 1) * grid.dLat)
  )
}

/** Every cell, lazily: rows south to north, columns west to east. */
export const cells = (grid: ReferenceGrid): Iterable<Cell> => ({
  *[Symbol.iterator]() {
    for (let row = -grid.rows; row < grid.rows; row++) {
      const n = columns(grid, row)
      for (let col = 0; col < n; col++) yield { id: idOf(row, col), row, col }
    }
  }
})
