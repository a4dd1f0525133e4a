// gdalwarp's default overview choice (-ovr AUTO) when the output extent and size are given, as for every
// chip (GDAL 3.6 gdalwarp_lib.cpp, GDALWarpDirect, "bFigureoutCorrespondingWindow"): the source columns
// spanned by a 10 × 10 lattice of destination pixel corners, per destination column.
import type { GeoTransform } from "@eoforge/core"
import type { PointTransform } from "./coordinates.ts"

/**
 * Source pixels per destination pixel along x: (largest − smallest source column reached by the
 * 10 × 10 lattice of points spanning the width × height destination, corners included) / width.
 * 0 when fewer than two distinct columns are reached (GDAL then reads full resolution).
 */
export const targetRatio = (
  width: number,
  height: number,
  dstGt: GeoTransform.GeoTransform,
  srcInv: GeoTransform.GeoTransform,
  transform: PointTransform | undefined
): number => {
  const n = 10
  const xs = new Float64Array(n * n)
  const ys = new Float64Array(n * n)
  for (let i = 0, k = 0; i < n; i++) {
    for (let j = 0; j < n; j++, k++) {
      const px = (width * i) / (n - 1)
      const py = (height * j) / (n - 1)
      xs[k] = dstGt[0] + px * dstGt[1] + py * dstGt[2]
      ys[k] = dstGt[3] + px * dstGt[4] + py * dstGt[5]
    }
  }
  if (transform !== undefined) transform(xs, ys)
  let min = Infinity
  let max = -Infinity
  for (let k = 0; k < xs.length; k++) {
    if (!Number.isFinite(xs[k]) || !Number.isFinite(ys[k])) continue
    const col = srcInv[0] + xs[k] * srcInv[1] + ys[k] * srcInv[2]
    min = Math.min(min, col)
    max = Math.max(max, col)
  }
  return max > min ? (max - min) / width : 0
}
