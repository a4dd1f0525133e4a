// A synthetic scene over the real IPF 3.31 product's geometry (its orbit, timing, range records): a hill of
// 350 m on a 300 m plateau and a σ⁰ pattern of 300 m × 400 m waves, around the product's line 8000, pixel 12000.
import { PatchGeometry, Zone } from "@eoforge/grid"
import type { PixelGrid } from "@eoforge/core"
import { Effect } from "effect"
import { Annotation, Geolocation, type GrdChip, Simulate } from "../src/index.ts"
import { files, realText } from "./real.ts"

export const annotation = Effect.runSync(
  Annotation.parse(realText(files.annotationVv2021), "iw-vv.xml")
)
export const model = Geolocation.make(annotation)

/** The scene's calibration and noise vectors, and its VV polarisation as a chip reads it. */
export const calibration = Simulate.calibrationFor(annotation)
export const noise = Simulate.noiseFor(annotation)
export const pol: GrdChip.Polarisation = {
  annotation,
  calibration,
  noise,
  measurement: { asset: "iw-vv.tiff", width: annotation.samples, height: annotation.lines }
}
const [lat0, lon0] = Geolocation.forward(model, 8000, 12000, 0)
const local = (lat: number, lon: number) => [
  (lon - lon0) * 111_320 * Math.cos((lat0 * Math.PI) / 180),
  (lat - lat0) * 110_540
]

/** A scene with relief (hill) or flat at 300 m. */
export const scene = (relief: boolean): Simulate.Scene => ({
  sigma0Db: (lat, lon) => {
    const [x, y] = local(lat, lon)
    return -10 + 3 * Math.sin((2 * Math.PI * x) / 300) * Math.cos((2 * Math.PI * y) / 400)
  },
  height: (lat, lon) => {
    if (!relief) return 300
    const [x, y] = local(lat, lon)
    return 300 + 350 * Math.exp(-((x - 300) ** 2 + (y + 200) ** 2) / (2 * 600 ** 2))
  }
})

/** The 2640 m patch at 10 m centred on the scene. */
export const patchGrid = (size = 2640): PixelGrid.PixelGrid =>
  PatchGeometry.make({ lon: lon0, lat: lat0, size, resolution: 10 }).grid

/** Grid CRS → (lon, lat) of a patch grid (UTM). */
export const toLonLat = (grid: PixelGrid.PixelGrid) => {
  const epsg = grid.crs._tag === "Epsg" ? grid.crs.code : 0
  return (x: number, y: number) => Zone.inverse(epsg, x, y)
}

/** The scene's σ⁰ (dB) and DEM height at every pixel centre of a grid. */
export const truth = (grid: PixelGrid.PixelGrid, s: Simulate.Scene) => {
  const f = toLonLat(grid)
  const sigma = new Float64Array(grid.width * grid.height)
  const dem = new Float32Array(grid.width * grid.height)
  for (let r = 0; r < grid.height; r++) {
    for (let c = 0; c < grid.width; c++) {
      const [lon, lat] = f(
        grid.x0 + (c + 0.5) * grid.resolution,
        grid.y0 - (r + 0.5) * grid.resolution
      )
      sigma[r * grid.width + c] = s.sigma0Db(lat, lon)
      dem[r * grid.width + c] = s.height(lat, lon)
    }
  }
  return { sigma, dem }
}
