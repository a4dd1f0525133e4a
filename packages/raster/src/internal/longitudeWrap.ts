// Longitude wrapping of geographic sources as GDAL does it (gdaltransformer.cpp InsertCenterLong, ogrct.cpp
// "Wrap source/target"): transformed longitudes are folded into the 360° centred on the raster's middle.
import type { GeoTransform } from "@eoforge/core"
import proj4 from "proj4"
import type { PointTransform } from "./coordinates.ts"

const geographic = new Map<string, boolean>()

/** Whether a proj4 definition is a geographic (longitude, latitude) CRS. */
export const isGeographic = (definition: string): boolean => {
  let g = geographic.get(definition)
  if (g === undefined) {
    try {
      g = (proj4.Proj(definition) as unknown as { projName?: string }).projName === "longlat"
    } catch {
      g = false
    }
    geographic.set(definition, g)
  }
  return g
}

/**
 * GDAL's CENTER_LONG of a geographic raster of width × height pixels: the middle of its corners' smallest
 * and largest longitude, as printed with "%g" (six significant digits) and read back. Undefined when the
 * raster spans more than 360° (GDAL then does not wrap).
 */
export const centerLong = (
  gt: GeoTransform.GeoTransform,
  width: number,
  height: number
): number | undefined => {
  const xs = [
    gt[0],
    gt[0] + width * gt[1],
    gt[0] + height * gt[2],
    gt[0] + width * gt[1] + height * gt[2]
  ]
  const min = Math.min(...xs)
  const max = Math.max(...xs)
  if (max - min > 360) return undefined
  return Number(((max + min) / 2).toPrecision(6))
}

/**
 * `transform` followed by OGRCT's wrap of its output longitudes (x) into [centre − 180°, centre + 180°]: one
 * turn added below, one removed above. NaN (failed) points stay NaN.
 */
export const withWrap = (transform: PointTransform | undefined, centre: number): PointTransform => {
  const lo = centre - 180
  const hi = centre + 180
  return (xs, ys) => {
    if (transform !== undefined) transform(xs, ys)
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i]
      if (x < lo) xs[i] = x + 360
      else if (x > hi) xs[i] = x - 360
    }
  }
}
