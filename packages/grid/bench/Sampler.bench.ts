import { test } from "vitest"
import { PatchGeometry, Sampler, Tiling } from "../src/index.ts"

// 10,000 SSL4EO-style city samples (top 10,000 cities, σ = 50 km), drawn once outside the timing.
const samples = [...Sampler.citiesGaussian({ seed: 42, count: 10_000 })]

const aoi = {
  type: "Polygon",
  coordinates: [
    [
      [11.5, 45],
      [12.5, 45],
      [12.5, 46],
      [11.5, 46],
      [11.5, 45]
    ]
  ]
}

test("patch geometry and sampling on 10,000 city samples", async ({ bench }) => {
  await bench.compare(
    bench("PatchGeometry.make × 10,000 (2,640 m, 10 m, snap 60 m)", () => {
      for (const s of samples) {
        PatchGeometry.make({ lon: s.lon, lat: s.lat, size: 2640, resolution: 10, snap: 60 })
      }
    }),
    bench("citiesGaussian: draw 10,000 samples", () => {
      let n = 0
      for (const _ of Sampler.citiesGaussian({ seed: 7, count: 10_000 })) n++
      if (n !== 10_000) throw new Error("short")
    }),
    bench("Tiling.tiles: 1° × 1° AOI across the 12°E seam (2,640 m tiles)", () => {
      let n = 0
      for (const _ of Tiling.tiles(aoi, { size: 2640, resolution: 10, snap: 60 })) n++
      if (n === 0) throw new Error("empty")
    })
  )
})
