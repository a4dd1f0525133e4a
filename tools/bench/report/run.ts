// Report generation for a 10,000-sample store (synthetic: packages/report/test/fixtures/store.ts, four
// products of every kind, 32 px chips at 10 m, one product shifted by 2 px). The store is written first
// (not timed), then `Report.write` is timed. Last line: one JSON object.
// Usage: node --conditions=@eoforge/source tools/bench/report/run.ts [samples] [chip px]
import { Report } from "@eoforge/report"
import { Store } from "@eoforge/zarr"
import { Effect } from "effect"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { build } from "../../../packages/report/test/fixtures/store.ts"

const samples = Number(process.argv[2] ?? 10_000)
const size = Number(process.argv[3] ?? 32)
const dir = mkdtempSync(join(tmpdir(), "eoforge-bench-report-"))
const store = join(dir, "bench.zarr")
try {
  const t0 = performance.now()
  await Effect.runPromise(
    build({ samples, shardSamples: 256, size, shiftPx: 2 }).pipe(
      Effect.provide(Store.layerFileSystem(store))
    )
  )
  const storeSeconds = (performance.now() - t0) / 1e3
  console.log(
    `store of ${samples} samples (${size} px chips) written in ${storeSeconds.toFixed(1)} s (not counted)`
  )
  const cpu0 = process.cpuUsage()
  const t1 = performance.now()
  const r = await Effect.runPromise(Report.write(store))
  const seconds = (performance.now() - t1) / 1e3
  const cpu = process.cpuUsage(cpu0)
  const cpuSeconds = (cpu.user + cpu.system) / 1e6
  for (const s of r.alignment)
    console.log(
      `${s.pair.padEnd(10)} ${s.measured} measured, ${s.reliable} reliable, median ${s.medianPx.toFixed(3)} px, 95 % ${s.p95Px.toFixed(3)} px, ${s.outliers.length} > 0.5 px`
    )
  const shifted = r.alignment.find((s) => s.pair === "s2/s1")
  console.log(
    JSON.stringify({
      bench: "report",
      samples,
      chipPx: size,
      seconds: Number(seconds.toFixed(2)),
      cpuSeconds: Number(cpuSeconds.toFixed(2)),
      targetSeconds: 30,
      figures: r.files.length,
      alignedPairs: r.alignment.reduce((n, s) => n + s.measured, 0),
      shiftedMedianPx: shifted === undefined ? null : Number(shifted.medianPx.toFixed(3)),
      loadAverage: (await import("node:os")).loadavg()[0]
    })
  )
} finally {
  rmSync(dir, { recursive: true, force: true })
}
