// Shared helpers of the conformance tests: the GDAL golden cases and their comparison.
import { Crs, type DType, PixelGrid, type Chip } from "@eoforge/core"
import { readFileSync } from "node:fs"
import { fromFile } from "geotiff"

export const fixtures = new URL("../../../fixtures/rasters/", import.meta.url).pathname
export const goldenDir = new URL("./golden/", import.meta.url).pathname

export interface Case {
  readonly name: string
  readonly source: string
  readonly epsg: number
  readonly x0: number
  readonly y0: number
  readonly resolution: number
  readonly width: number
  readonly height: number
  readonly resampling: "near" | "bilinear" | "cubic" | "average" | "mode"
  readonly golden: string
}

export const cases: ReadonlyArray<Case> = JSON.parse(readFileSync(`${goldenDir}cases.json`, "utf8"))

export const gridOf = (c: Case): PixelGrid.PixelGrid =>
  PixelGrid.make(Crs.epsg(c.epsg), c.x0, c.y0, c.resolution, c.width, c.height)

export const resamplingOf = (c: Case) => (c.resampling === "near" ? "nearest" : c.resampling)

/** GDAL's chip: band arrays and the alpha band as a 0/1 mask. */
export const readGolden = async (c: Case) => {
  const tiff = await fromFile(`${goldenDir}${c.golden}`)
  const image = await tiff.getImage()
  const rasters = (await image.readRasters({
    interleave: false
  })) as unknown as Array<DType.TypedArray>
  const alpha = rasters[rasters.length - 1]
  const mask = Uint8Array.from(alpha, (v) => (v > 0 ? 1 : 0))
  return { bands: rasters.slice(0, -1), mask }
}

/** Differences between our chip and GDAL's: mask mismatches and the largest value difference. */
export const compare = (
  chip: Chip.Chip,
  golden: { readonly bands: ReadonlyArray<DType.TypedArray>; readonly mask: Uint8Array },
  float: boolean
) => {
  const n = chip.grid.width * chip.grid.height
  let maskMismatches = 0
  let maxDiff = 0
  let valueMismatches = 0
  let validPixels = 0
  for (let i = 0; i < n; i++) {
    const ours = chip.mask === undefined ? 1 : chip.mask[i]
    if (ours !== golden.mask[i]) maskMismatches++
    if (ours !== 1 || golden.mask[i] !== 1) continue
    validPixels++
    for (let b = 0; b < chip.bands; b++) {
      const a = chip.data[b * n + i]
      const g = golden.bands[b][i]
      const d = float ? Math.abs(a - g) / Math.max(1, Math.abs(g)) : Math.abs(a - g)
      if (d > 0) valueMismatches++
      if (d > maxDiff) maxDiff = d
    }
  }
  return { maskMismatches, maxDiff, valueMismatches, validPixels }
}
