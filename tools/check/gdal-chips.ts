// End-to-end co-registration check of a built store against GDAL: for every sample, product and slot
// with data, `gdalwarp -et 0` of the source item onto the patch grid must give the stored chip.
// Usage: npx node tools/check/gdal-chips.ts out/demo.zarr [--samples 12]   (needs Debian gdal-bin)
import { Reader } from "@eoforge/zarr"
import { Effect } from "effect"
import { execFileSync } from "node:child_process"
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"

const store = resolve(process.argv[2] ?? "out/demo.zarr")
const i = process.argv.indexOf("--samples")
const limit = i >= 0 ? Number(process.argv[i + 1]) : 12
const root = resolve(import.meta.dirname, "../..")

// Item id → source file, from the demo's static catalogue layout (data/<collection>/<item>.tif).
const files = new Map<string, string>()
for (const collection of readdirSync(join(root, "fixtures/demo/data"))) {
  for (const f of readdirSync(join(root, "fixtures/demo/data", collection))) {
    files.set(f.replace(/\.tif$/, ""), join(root, "fixtures/demo/data", collection, f))
  }
}

const gdalResampling: Record<string, string> = {
  nearest: "near",
  bilinear: "bilinear",
  cubic: "cubic",
  average: "average",
  mode: "mode"
}

const ds = await Effect.runPromise(Reader.open(store))
const tmp = mkdtempSync(join(tmpdir(), "eoforge-gdal-"))
let chips = 0
let maxDiff = 0
let differing = 0
let pixels = 0
const perProduct: Record<string, { chips: number; differing: number; maxDiff: number }> = {}
for (let s = 0; s < Math.min(limit, ds.layout.samples); s++) {
  const sample = await Effect.runPromise(ds.readSample(s))
  for (const p of ds.layout.products) {
    const ps = sample.products[p.spec.id]
    const n = p.width * p.height
    const B = p.spec.bands.length
    for (let t = 0; t < p.times; t++) {
      if (ps.valid[t] !== 1) continue
      const src = files.get(ps.item[t])
      if (src === undefined) throw new Error(`no source file for item ${ps.item[t]}`)
      const out = join(tmp, `${p.spec.id}-${s}-${t}.bin`)
      const te = [
        sample.x0,
        sample.y0 - p.height * p.spec.resolution,
        sample.x0 + p.width * p.spec.resolution,
        sample.y0
      ]
      execFileSync("gdalwarp", [
        "-q",
        "-overwrite",
        "-et",
        "0",
        "-of",
        "ENVI",
        "-t_srs",
        `EPSG:${sample.epsg}`,
        "-te",
        ...te.map(String),
        "-tr",
        String(p.spec.resolution),
        String(p.spec.resolution),
        "-r",
        gdalResampling[p.spec.bands[0].resampling ?? "nearest"],
        "-ot",
        p.spec.dtype === "uint8" ? "Byte" : p.spec.dtype === "float32" ? "Float32" : "UInt16",
        src,
        out
      ])
      const bytes = readFileSync(out)
      const ref =
        p.spec.dtype === "float32"
          ? new Float32Array(bytes.buffer, bytes.byteOffset, B * n)
          : p.spec.dtype === "uint16"
            ? new Uint16Array(bytes.buffer, bytes.byteOffset, B * n)
            : new Uint8Array(bytes.buffer, bytes.byteOffset, B * n)
      const mine = ps.data.subarray(t * B * n, (t + 1) * B * n)
      const row = (perProduct[p.spec.id] ??= { chips: 0, differing: 0, maxDiff: 0 })
      row.chips++
      for (let k = 0; k < B * n; k++) {
        const d = Math.abs(Number(mine[k]) - Number(ref[k]))
        const rel = p.spec.dtype === "float32" ? d / Math.max(1, Math.abs(Number(ref[k]))) : d
        if (rel > 0) {
          differing++
          row.differing++
        }
        if (rel > maxDiff) maxDiff = rel
        if (rel > row.maxDiff) row.maxDiff = rel
      }
      pixels += B * n
      chips++
    }
  }
}
rmSync(tmp, { recursive: true, force: true })
const result = { store, chips, values: pixels, differing, maxDiff, perProduct }
console.log(JSON.stringify(result))
if (maxDiff > 1e-4 && maxDiff > 1) process.exitCode = 1
