// Split assignment of 1,000,000 city-sampled patches: fit + assign per method, and leakage report time.
// Run: npx node tools/bench/split/run.ts [count]; target < 5 s per method for 1,000,000 samples.
import { Sampler } from "@eoforge/grid"
import { Assignment, Leakage } from "@eoforge/split"

const count = Number(process.argv[2] ?? 1_000_000)
const t0 = performance.now()
const samples = Array.from(Sampler.citiesGaussian({ seed: 1, count }), (s) => ({
  id: `s${s.index}`,
  lon: s.lon,
  lat: s.lat
}))
console.log(
  `${count.toLocaleString("en")} cities-Gaussian samples generated in ${((performance.now() - t0) / 1e3).toFixed(2)} s (not counted)`
)

const recipes: ReadonlyArray<Assignment.Recipe> = [
  { method: "banding", widthKm: 50, bearingDeg: 30 },
  { method: "blocks", seed: 3, cellKm: 100 },
  { method: "random", seed: 3 }
]
for (const recipe of recipes) {
  const t1 = performance.now()
  const fitted = Assignment.fit(samples, recipe)
  const t2 = performance.now()
  const r = Assignment.assignAll(fitted, samples)
  const t3 = performance.now()
  const leak = Leakage.report(samples, r.codes)
  const t4 = performance.now()
  const pct = (x: number) => (100 * x).toFixed(2)
  console.log(
    `${recipe.method.padEnd(8)} fit ${((t2 - t1) / 1e3).toFixed(2)} s + assign ${((t3 - t2) / 1e3).toFixed(2)} s = ${((t3 - t1) / 1e3).toFixed(2)} s; ` +
      `train/val/test ${pct(r.proportions.train)}/${pct(r.proportions.val)}/${pct(r.proportions.test)} % (guard ${r.counts.guard.toLocaleString("en")}); ` +
      `leakage report ${((t4 - t3) / 1e3).toFixed(2)} s: val min ${(leak.val.minM / 1e3).toFixed(2)} km, p5 ${(leak.val.p5M / 1e3).toFixed(2)} km, median ${(leak.val.medianM / 1e3).toFixed(2)} km`
  )
}
