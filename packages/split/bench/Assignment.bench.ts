import { Sampler } from "@eoforge/grid"
import { test } from "vitest"
import { Assignment } from "../src/index.ts"

const samples = Array.from(Sampler.citiesGaussian({ seed: 1, count: 100_000 }), (s) => ({
  id: `s${s.index}`,
  lon: s.lon,
  lat: s.lat
}))

test("fit + assign 100,000 city-sampled patches", { timeout: 300_000 }, async ({ bench }) => {
  await bench.compare(
    bench("banding 50 km, bearing 30°", () => {
      Assignment.run(samples, { method: "banding", widthKm: 50, bearingDeg: 30 })
    }),
    bench("blocks 100 km", () => {
      Assignment.run(samples, { method: "blocks", seed: 3, cellKm: 100 })
    }),
    bench("random", () => {
      Assignment.run(samples, { method: "random", seed: 3 })
    }),
    { iterations: 8, time: 0, warmupIterations: 1, warmupTime: 0 }
  )
})
