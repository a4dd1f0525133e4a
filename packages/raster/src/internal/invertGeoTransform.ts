// The inverse of a geotransform computed as GDAL does (GDALInvGeoTransform, gdaltransformer.cpp), bit for bit:
// pixel positions then match GDAL's to the last digit, which decides exact .5 ties of `average` on integers.
import type { GeoTransform } from "@eoforge/core"

/** GDAL's inverse geotransform: 1/size and −origin/size without rotation, the adjoint otherwise. */
export const invertGeoTransform = (
  gt: GeoTransform.GeoTransform
): GeoTransform.GeoTransform | undefined => {
  if (gt[2] === 0 && gt[4] === 0 && gt[1] !== 0 && gt[5] !== 0)
    return [-gt[0] / gt[1], 1 / gt[1], 0, -gt[3] / gt[5], 0, 1 / gt[5]]
  const det = gt[1] * gt[5] - gt[2] * gt[4]
  const magnitude = Math.max(Math.abs(gt[1]), Math.abs(gt[2]), Math.abs(gt[4]), Math.abs(gt[5]))
  if (!(Math.abs(det) > 1e-10 * magnitude * magnitude)) return undefined
  const inv = 1 / det
  return [
    (gt[2] * gt[3] - gt[0] * gt[5]) * inv,
    gt[5] * inv,
    -gt[2] * inv,
    (-gt[1] * gt[3] + gt[0] * gt[4]) * inv,
    -gt[4] * inv,
    gt[1] * inv
  ]
}
