// Composite benchmark: monthly medians of 6 scenes (13 × 264² uint16 with clouds) by EOForge's composite path
// against numpy (tools/composite-ref/reference.py: nanmedian over the same NaN-masked stack, arrays already in
// memory), both timed in the same run; the read of the 6 scenes (GeoTIFF → chip grid) timed on its own; and
// the peak memory of a 60-scene median (spilled to a store) measured in a child process.
// Run: npx node tools/bench/composite/run.ts [chips]   (needs /usr/bin/python3 with numpy)
// Last line: one JSON object { ratio, peakMiB, maxRelErr, ... }.
import { Crs, PixelGrid, type DType } from "@eoforge/core"
import { GeoTiffWriter, RasterSource } from "@eoforge/raster"
import { Composite } from "@eoforge/pipeline"
import { Store } from "@eoforge/zarr"
import { Effect } from "effect"
import { execFileSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

const size = 264
const bands = 13
const pixels = size * size

// Seeded scenes near S2 reflectance DN with 1–4 round clouds and a missing band of rows each, written into
// `into` when given (the 60-scene child reuses one buffer, so that only the compositor's memory is measured).
const scene = (
  k: number,
  dtype: "uint16" | "float32",
  into?: { readonly data: Uint16Array | Float32Array; readonly mask: Uint8Array }
) => {
  let state = 1000 + k * 7919
  const next = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 4294967296
  const data =
    into?.data ??
    (dtype === "uint16" ? new Uint16Array(bands * pixels) : new Float32Array(bands * pixels))
  for (let i = 0; i < data.length; i++)
    data[i] = dtype === "uint16" ? 500 + Math.floor(9000 * next()) : -25 + 25 * next()
  const mask = into?.mask ?? new Uint8Array(pixels)
  mask.fill(1)
  const clouds = 1 + Math.floor(next() * 4)
  for (let c = 0; c < clouds; c++) {
    const [cy, cx, r] = [next() * size, next() * size, 20 + next() * 60]
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++)
        if ((y - cy) ** 2 + (x - cx) ** 2 < r * r) mask[y * size + x] = 0
  }
  const edge = Math.floor(next() * size * 0.8)
  mask.fill(0, edge * size, (edge + 20) * size)
  return { data, mask }
}

const runEffect = <A, E>(e: Effect.Effect<A, E>) => Effect.runPromise(e)

// --- child: 60 scenes into one median chip, peak RSS measured around the compositing alone ---
if (process.argv[2] === "--child-60") {
  const dir = mkdtempSync(join(tmpdir(), "eoforge-composite-60-"))
  // FRESH=1: a new buffer per scene, as reads make them (V8 then collects the external buffers lazily).
  const reused =
    process.env.FRESH === "1"
      ? undefined
      : { data: new Uint16Array(bands * pixels), mask: new Uint8Array(pixels) }
  const status = () => readFileSync("/proc/self/status", "utf8")
  const kib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status())![1])
  ;(globalThis as { gc?: () => void }).gc?.()
  const baseline = kib("VmRSS")
  writeFileSync("/proc/self/clear_refs", "5") // resets VmHWM to the current RSS
  const t0 = performance.now()
  const c = Composite.combiner({
    rule: "median",
    dtype: "uint16",
    bands,
    width: size,
    height: size,
    layers: 60,
    spill: { store: Store.makeFileSystem(dir), prefix: "tmp/" },
    name: "chip"
  })
  await runEffect(
    Effect.gen(function* () {
      for (let k = 0; k < 60; k++) {
        const s = scene(k, "uint16", reused) // made one at a time, as reads arrive
        yield* c.add(s.data, s.mask)
        if (process.env.GC_EACH === "1") (globalThis as { gc?: () => void }).gc?.()
        if (process.env.TRACE === "1") console.error(k, JSON.stringify(process.memoryUsage()))
      }
      const r = yield* c.finish(new Array(bands).fill(0))
      yield* c.clear
      if (r.count.every((v) => v === 0)) throw new Error("no valid pixel")
    })
  )
  const peak = kib("VmHWM")
  rmSync(dir, { recursive: true, force: true })
  process.stdout.write(
    JSON.stringify({
      baselineMiB: baseline / 1024,
      peakRssMiB: peak / 1024,
      peakMiB: (peak - baseline) / 1024,
      seconds: (performance.now() - t0) / 1000
    }) + "\n"
  )
  process.exit(0)
}

const chips = Number(process.argv[2] ?? 10)
const stacks = {
  uint16: Array.from({ length: 6 }, (_, k) => scene(k, "uint16")),
  float32: Array.from({ length: 6 }, (_, k) => scene(100 + k, "float32"))
}
const ours = (dtype: "uint16" | "float32") =>
  runEffect(
    Effect.gen(function* () {
      const c = Composite.combiner({
        rule: "median",
        dtype,
        bands,
        width: size,
        height: size,
        layers: 6,
        spill: { store: Store.makeMemory(), prefix: "tmp/" },
        name: "chip"
      })
      for (const s of stacks[dtype]) yield* c.add(s.data, s.mask)
      return yield* c.finish([])
    })
  )
await ours("uint16") // warm-up
const t0 = performance.now()
const cpu0 = process.cpuUsage()
let result: DType.TypedArray = new Uint16Array(0)
for (let i = 0; i < chips; i++) result = (await ours("uint16")).data
const oursSeconds = (performance.now() - t0) / 1000 / chips
const cpu = process.cpuUsage(cpu0)
const oursCpuSeconds = (cpu.user + cpu.system) / 1e6 / chips
const floatResult = (await ours("float32")).data

const dir = mkdtempSync(join(tmpdir(), "eoforge-composite-bench-"))
try {
  for (const dtype of ["uint16", "float32"] as const) {
    const s = stacks[dtype]
    writeFileSync(
      join(dir, `${dtype}.stack`),
      Buffer.concat(s.map((x) => Buffer.from(x.data.buffer)))
    )
    writeFileSync(join(dir, `${dtype}.mask`), Buffer.concat(s.map((x) => Buffer.from(x.mask))))
  }
  const ref = join(import.meta.dirname, "../../composite-ref")
  const script = `
import sys, time, json
sys.path.insert(0, ${JSON.stringify(ref)})
import numpy as np
from reference import composite
d, chips = sys.argv[1], int(sys.argv[2])
def load(dtype):
    stack = np.fromfile(f"{d}/{dtype}.stack", dtype=dtype).reshape(6, ${bands}, ${size}, ${size})
    mask = np.fromfile(f"{d}/{dtype}.mask", dtype=np.uint8).reshape(6, ${size}, ${size})
    return stack, mask
stack, mask = load("uint16")
composite(stack, mask, "median")  # warm-up
t0, c0 = time.perf_counter(), time.process_time()
for _ in range(chips):
    out = composite(stack, mask, "median")
seconds = (time.perf_counter() - t0) / chips
cpu = (time.process_time() - c0) / chips
out.tofile(f"{d}/uint16.out")
fs, fm = load("float32")
composite(fs, fm, "median").tofile(f"{d}/float32.out")
print(json.dumps({"seconds": seconds, "cpu": cpu, "numpy": np.__version__}))
`
  const numpy = JSON.parse(
    execFileSync("/usr/bin/python3", ["-c", script, dir, String(chips)], { encoding: "utf8" })
  ) as { seconds: number; cpu: number; numpy: string }
  let maxRelErr = 0
  let differing = 0
  for (const [dtype, got] of [
    ["uint16", result],
    ["float32", floatResult]
  ] as const) {
    const bytes = readFileSync(join(dir, `${dtype}.out`))
    const want =
      dtype === "uint16"
        ? new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.length / 2)
        : new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4)
    for (let i = 0; i < want.length; i++) {
      const [g, w] = [got[i], want[i]]
      if (Number.isNaN(w) && Number.isNaN(g)) continue
      if (g !== w) differing++
      const rel = Math.abs(g - w) / Math.max(Math.abs(w), 1e-30)
      if (rel > maxRelErr || Number.isNaN(rel)) maxRelErr = Number.isNaN(rel) ? Infinity : rel
    }
  }

  // The read cost, on its own: the 6 scenes as 13-band GeoTIFFs read onto the chip grid (same CRS, nearest).
  const grid = PixelGrid.make(Crs.epsg(32633), 500_000, 4_000_000, 10, size, size)
  const files = stacks.uint16.map((s, k) => {
    const path = join(dir, `scene${k}.tif`)
    writeFileSync(path, GeoTiffWriter.encodeSync({ grid, dtype: "uint16", bands, data: s.data }))
    return path
  })
  const readSeconds = await runEffect(
    Effect.gen(function* () {
      const raster = yield* RasterSource.RasterSource
      const infos = []
      for (const f of files) infos.push(yield* raster.open(f))
      for (const info of infos) yield* raster.read(info, grid, { resampling: "nearest" })
      const start = performance.now()
      for (let i = 0; i < chips; i++)
        for (const info of infos) yield* raster.read(info, grid, { resampling: "nearest" })
      return (performance.now() - start) / 1000 / chips
    }).pipe(Effect.scoped, Effect.provide(RasterSource.layerGeoTiff))
  )

  const sixty = (fresh: boolean) =>
    JSON.parse(
      execFileSync(
        process.execPath,
        ["--expose-gc", "--conditions=@eoforge/source", import.meta.filename, "--child-60"],
        { encoding: "utf8", env: { ...process.env, FRESH: fresh ? "1" : "0" } }
      )
    ) as { baselineMiB: number; peakRssMiB: number; peakMiB: number; seconds: number }
  const child = sixty(false)
  const fresh = sixty(true)

  const line = (label: string, value: string) => console.log(`${label.padEnd(52)} ${value}`)
  line(
    "monthly median, 6 × 13 × 264² uint16 (EOForge)",
    `${(1 / oursSeconds).toFixed(1)} chips/s (${(oursSeconds * 1000).toFixed(1)} ms wall, ${(oursCpuSeconds * 1000).toFixed(1)} ms CPU)`
  )
  line(
    `numpy ${numpy.numpy} nanmedian, arrays in memory`,
    `${(1 / numpy.seconds).toFixed(1)} chips/s (${(numpy.seconds * 1000).toFixed(1)} ms wall, ${(numpy.cpu * 1000).toFixed(1)} ms CPU)`
  )
  line(
    "read of the 6 scenes (GeoTIFF → chip grid), apart",
    `${(readSeconds * 1000).toFixed(1)} ms per composite`
  )
  line(
    "values differing from numpy (uint16 + float32)",
    `${differing}, max relative error ${maxRelErr}`
  )
  line(
    "60-scene median, spilled (child process)",
    `peak RSS ${child.peakRssMiB.toFixed(1)} MiB, ${child.peakMiB.toFixed(1)} MiB above its ${child.baselineMiB.toFixed(1)} MiB baseline, ${child.seconds.toFixed(2)} s`
  )
  line(
    "  the same, a new buffer per scene (as reads make)",
    `${fresh.peakMiB.toFixed(1)} MiB above baseline (garbage V8 collects lazily)`
  )
  console.log(
    JSON.stringify({
      ratio: oursSeconds / numpy.seconds,
      cpuRatio: oursCpuSeconds / numpy.cpu,
      peakMiB: child.peakMiB,
      maxRelErr,
      oursChipsPerS: 1 / oursSeconds,
      numpyChipsPerS: 1 / numpy.seconds,
      readMsPerComposite: readSeconds * 1000,
      peakRssMiB: child.peakRssMiB,
      peakFreshBuffersMiB: fresh.peakMiB,
      baselineRssMiB: child.baselineMiB,
      sixtySceneSeconds: child.seconds,
      chips
    })
  )
} finally {
  rmSync(dir, { recursive: true, force: true })
}
