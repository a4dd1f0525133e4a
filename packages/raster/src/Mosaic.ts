// Mosaics: one chip drawn from several opened sources on the same grid.
// The first source (in the caller's order) with a valid pixel wins that pixel.
import type { Chip, PixelGrid } from "@eoforge/core"
import { Effect } from "effect"
import type { RasterReadError } from "./RasterError.ts"
import type { RasterInfo } from "./RasterInfo.ts"
import { RasterSource, type ReadOptions } from "./RasterSource.ts"

/** Reads every source onto `grid` and keeps, per pixel, the first valid value in `sources` order. */
export const read = Effect.fn("Mosaic.read")(function* (
  sources: ReadonlyArray<RasterInfo>,
  grid: PixelGrid.PixelGrid,
  options: ReadOptions
): Effect.fn.Return<Chip.Chip, RasterReadError, RasterSource> {
  const raster = yield* RasterSource
  // One source (the common case): its chip as read, its mask or every pixel valid.
  if (sources.length === 1) {
    const chip = yield* raster.read(sources[0], grid, options)
    return { ...chip, mask: chip.mask ?? new Uint8Array(grid.width * grid.height).fill(1) }
  }
  let result: Chip.Chip | undefined
  let filled: Uint8Array | undefined
  const n = grid.width * grid.height
  for (const info of sources) {
    const chip = yield* raster.read(info, grid, options)
    if (result === undefined || filled === undefined) {
      result = chip
      filled = chip.mask === undefined ? new Uint8Array(n).fill(1) : Uint8Array.from(chip.mask)
    } else {
      if (chip.dtype !== result.dtype || chip.bands !== result.bands) {
        continue
      }
      const mask = chip.mask
      for (let i = 0; i < n; i++) {
        if (filled[i] === 1 || (mask !== undefined && mask[i] === 0)) continue
        filled[i] = 1
        for (let b = 0; b < chip.bands; b++) result.data[b * n + i] = chip.data[b * n + i]
      }
    }
    if (filled.every((v) => v === 1)) break
  }
  if (result === undefined || filled === undefined) {
    return yield* Effect.die(new RangeError("Mosaic.read needs at least one source"))
  }
  return { ...result, mask: filled }
})
