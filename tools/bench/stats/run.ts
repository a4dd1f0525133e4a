// Statistics throughput of @eoforge/stats against numpy mean/std on the same 264×264×13 uint16 chips.
// Run: npx node tools/bench/stats/run.ts [chips]; spawns /usr/bin/python3 with numpy in the same run.
import { execFileSync } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Crs, PixelGrid, type Chip } from "@eoforge/core"
import { Accumulator } from "@eoforge/stats"

const chips = Number(process.argv[2] ?? 24)
const size = 264
const bands = 13
const n = size * size

// Seeded LCG data near S2 reflectance DN (~1,000–12,000), a 10 % nodata mask in blocks.
let state = 12345
const next = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 4294967296
const data = new Uint16Array(chips * bands * n)
for (let i = 0; i < data.length; i++) data[i] = 1000 + Math.floor(11000 * next() * next())
const masks = new Uint8Array(chips * n)
for (let c = 0; c < chips; c++) {
  const r0 = Math.floor(next() * size * 0.9)
  for (let i = 0; i < n; i++) {
    const row = Math.floor(i / size)
    masks[c * n + i] = row >= r0 && row < r0 + size * 0.1 ? 0 : 1
  }
}
const grid = PixelGrid.make(Crs.epsg(32633), 500_000, 4_000_000, 10, size, size)
const chipList: Array<Chip.Chip> = Array.from({ length: chips }, (_, c) => ({
  grid,
  dtype: "uint16",
  bands,
  data: data.subarray(c * bands * n, (c + 1) * bands * n),
  mask: masks.subarray(c * n, (c + 1) * n)
}))

const runOnce = () => {
  const acc = Accumulator.empty(bands, { dtype: "uint16", nodata: 0 })
  const t0 = process.hrtime.bigint()
  for (const c of chipList) Accumulator.add(acc, c)
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9
  return { acc, seconds }
}
runOnce() // warm-up: JIT and histogram pages
const runs = Array.from({ length: 5 }, runOnce)
const best = Math.min(...runs.map((r) => r.seconds))
const values = chips * bands * n
const tsRate = values / best

const dir = mkdtempSync(join(tmpdir(), "eoforge-stats-bench-"))
try {
  writeFileSync(join(dir, "data.u16"), data)
  writeFileSync(join(dir, "mask.u8"), masks)
  const script = `
import numpy as np, time, sys
chips, bands, size = ${chips}, ${bands}, ${size}
data = np.fromfile(sys.argv[1] + "/data.u16", dtype=np.uint16).reshape(chips, bands, size * size)
mask = np.fromfile(sys.argv[1] + "/mask.u8", dtype=np.uint8).reshape(chips, size * size).astype(bool)
def once():
    t0 = time.perf_counter()
    out = []
    for c in range(chips):
        v = data[c][:, mask[c]]
        out.append((v.mean(axis=1), v.std(axis=1)))
    return time.perf_counter() - t0, out
once()
best = min(once()[0] for _ in range(5))
_, out = once()
print(best, float(out[0][0][0]), float(out[0][1][0]), np.__version__)
`
  const [npSeconds, npMean0, npStd0, npVersion] = execFileSync(
    "/usr/bin/python3",
    ["-c", script, dir],
    { encoding: "utf8" }
  )
    .trim()
    .split(" ")
  const npRate = values / Number(npSeconds)
  const first = Accumulator.finalize(
    Accumulator.add(Accumulator.empty(bands, { dtype: "uint16", nodata: 0 }), chipList[0])
  )[0]
  console.log(
    `chips: ${chips} × ${bands} × ${size} × ${size} uint16, 10 % masked (${values.toLocaleString("en")} values)`
  )
  console.log(
    `@eoforge/stats add (count, mean, M2, min, max, 65,536-bin histogram): ${(tsRate / 1e6).toFixed(1)} M values/s (best of 5: ${(best * 1e3).toFixed(1)} ms)`
  )
  console.log(
    `numpy ${npVersion} v = chip[:, mask]; v.mean(1), v.std(1):                ${(npRate / 1e6).toFixed(1)} M values/s (best of 5: ${(Number(npSeconds) * 1e3).toFixed(1)} ms)`
  )
  console.log(
    `ratio eoforge time / numpy time: ${(best / Number(npSeconds)).toFixed(2)}× (target ≤ 2×)`
  )
  console.log(
    `check chip 0 band 0: mean ${first.mean} vs numpy ${npMean0}; std ${first.populationStd} vs numpy ${npStd0}`
  )
} finally {
  rmSync(dir, { recursive: true, force: true })
}
