// End-to-end pipeline benchmark: builds the demo sources at several patch counts and reports
// patches/s and peak RSS of the whole `eoforge build` process, measured in one run.
// Usage: npx node tools/bench/pipeline/run.ts [--sizes 1000,20000] [--keep]
import { spawnSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"

const root = resolve(import.meta.dirname, "../../..")
const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? process.argv[i + 1] : fallback
}
const sizes = arg("sizes", "1000,20000").split(",").map(Number)
const keep = process.argv.includes("--keep")

// The demo recipe with overlap allowed (the demo area holds ~50 disjoint patches) and the real
// Landsat scene + DEM only, so that large counts stay within minutes on a 2-core machine.
const recipe = (count: number, store: string): string =>
  readFileSync(join(root, "packages/pipeline/recipes/demo.yaml"), "utf8")
    .replace(/count: \d+/, `count: ${count}`)
    .replace(/maxCandidates: \d+/, `maxCandidates: ${count * 2}`)
    .replace(/maxOverlap: [\d.]+/, "maxOverlap: 1")
    .replace(/catalog: .*/, `catalog: ${join(root, "fixtures/demo/stac/catalog.json")}`)
    .replace(/localRoots: .*/, `localRoots: [${join(root, "fixtures/demo")}]`)
    .replace(/aoi: .*/, `aoi: ${join(root, "packages/pipeline/recipes/olinda-aoi.geojson")}`)
    .replace(/store: .*/, `store: ${store}`)
    .replace(/shardSamples: \d+/, "shardSamples: 64")
    .replace(/products:\n[\s\S]*?\n  - id: ls7\n/, "products:\n  - id: ls7\n")

const rows: Array<Record<string, number | string>> = []
for (const count of sizes) {
  const dir = mkdtempSync(join(tmpdir(), "eoforge-bench-"))
  const store = join(dir, "bench.zarr")
  const file = join(dir, "bench.yaml")
  writeFileSync(file, recipe(count, store))
  const t0 = performance.now()
  const r = spawnSync(
    "/usr/bin/time",
    [
      "-v",
      process.execPath,
      join(root, "packages/cli/src/bin.ts"),
      "build",
      file,
      "--log-format",
      "json",
      "--json"
    ],
    {
      encoding: "utf8",
      env: { ...process.env, SOURCE_DATE_EPOCH: "1767225600" },
      maxBuffer: 1 << 28
    }
  )
  const seconds = (performance.now() - t0) / 1000
  if (r.status !== 0) {
    console.error(r.stderr.slice(-4000))
    throw new Error(`build of ${count} patches failed with exit ${r.status}`)
  }
  const rssKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1] ?? NaN)
  const summary = JSON.parse(r.stdout).summary
  const chips = Object.values(summary.availability as Record<string, Record<string, number>>)
    .flatMap((x) => Object.values(x))
    .reduce((a, b) => a + b, 0)
  rows.push({
    patches: summary.samples,
    chips,
    seconds: Number(seconds.toFixed(1)),
    patchesPerSecond: Number((summary.samples / seconds).toFixed(1)),
    peakRssMiB: Number((rssKb / 1024).toFixed(0))
  })
  if (!keep) rmSync(dir, { recursive: true, force: true })
  else console.error(`kept ${store}`)
}
console.table(rows)
console.log(JSON.stringify({ rows, loadavg: (await import("node:os")).loadavg() }))
