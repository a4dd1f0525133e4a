// A chip: the pixels of one product at one time on one patch grid, band-major [band, y, x].
// The mask marks pixels that hold data (1) versus nodata / not covered (0).
import type { DType, TypedArray } from "./DType.ts"
import type { PixelGrid } from "./PixelGrid.ts"

/** Band-major pixels on a grid, with an optional per-pixel validity mask. */
export interface Chip {
  /** The grid the pixels sit on. */
  readonly grid: PixelGrid
  /** The pixel dtype. */
  readonly dtype: DType
  /** Number of bands. */
  readonly bands: number
  /** bands × height × width values, band-major, rows north to south. */
  readonly data: TypedArray
  /** height × width (shared by all bands) or bands × height × width; 1 = valid. Absent: all valid. */
  readonly mask?: Uint8Array | undefined
}

/** Number of values per band. */
export const pixels = (chip: Chip): number => chip.grid.width * chip.grid.height

/** The values of band `b` as a view (no copy). */
export const band = (chip: Chip, b: number): TypedArray => {
  const n = pixels(chip)
  return chip.data.subarray(b * n, (b + 1) * n) as TypedArray
}

/** Whether pixel `i` of band `b` holds data according to the mask. */
export const isValid = (chip: Chip, b: number, i: number): boolean => {
  const mask = chip.mask
  if (mask === undefined) return true
  const n = pixels(chip)
  return mask.length === n ? mask[i] === 1 : mask[b * n + i] === 1
}
