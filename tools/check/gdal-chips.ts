// Whole-store check against GDAL, for any store built from any catalogue: for every sample, product and slot
// with data, the chip's items are looked up in the product's catalogue (recipe recorded in the store), the
// assets of its bands warped with `gdalwarp -et 0 -dstalpha` onto the patch grid, and values and masks compared.
// Usage: npx node tools/check/gdal-chips.ts STORE [--samples N] [--recipe-dir DIR] [--json]
//   --recipe-dir: folder the recipe's relative catalogue paths start from (default: the shipped recipes'
//   folder when the path exists from there, else the current folder). Needs Debian gdal-bin.
// Prints one row per product and resampling rule; exits 1 when a rule exceeds its tolerance: nearest and
// mode identical (zero tolerance on integers and floats), other rules ≤ 1 DN on integers, ≤ 1e-4 relative
// on floats; masks always identical (a pixel is masked in the store when every band holds the band's nodata).
import { Products, type Recipe } from "@eoforge/pipeline"
import { Product, StacClient, type StacItem } from "@eoforge/stac"
import { Reader } from "@eoforge/zarr"
import { Effect, Stream } from "effect"
import { execFileSync } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { isAbsolute, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? process.argv[i + 1] : undefined
}
const store = resolve(process.argv[2] ?? "out/demo.zarr")
const limit = Number(arg("samples") ?? Infinity)
const root = resolve(import.meta.dirname, "../..")
const shipped = join(root, "packages/pipeline/recipes")

const attributes = JSON.parse(readFileSync(join(store, "zarr.json"), "utf8")).attributes as {
  readonly recipe: Recipe.Recipe
}
const recipe = attributes.recipe
const recipeDir = (path: string): string => {
  const given = arg("recipe-dir")
  if (given !== undefined) return resolve(given, path)
  if (isAbsolute(path) || /^[a-z]+:\/\//i.test(path)) return path
  return existsSync(resolve(shipped, path)) ? resolve(shipped, path) : resolve(path)
}
const plans = Products.resolve(recipe, recipeDir)

const gdalResampling: Record<string, string> = {
  nearest: "near",
  bilinear: "bilinear",
  cubic: "cubic",
  average: "average",
  mode: "mode"
}
const gdalType: Record<string, string> = {
  uint8: "Byte",
  int8: "Int8",
  uint16: "UInt16",
  int16: "Int16",
  uint32: "UInt32",
  int32: "Int32",
  float32: "Float32",
  float64: "Float64"
}
const arrayOf = (dtype: string, bytes: Buffer, n: number) => {
  const b = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)
  switch (dtype) {
    case "float32":
      return new Float32Array(b, 0, n)
    case "float64":
      return new Float64Array(b, 0, n)
    case "uint16":
      return new Uint16Array(b, 0, n)
    case "int16":
      return new Int16Array(b, 0, n)
    case "uint32":
      return new Uint32Array(b, 0, n)
    case "int32":
      return new Int32Array(b, 0, n)
    case "int8":
      return new Int8Array(b, 0, n)
    default:
      return new Uint8Array(b, 0, n)
  }
}

/** An item's local path or URL for gdal (file:// → path, http(s) through /vsicurl/). */
const gdalPath = (href: string): string =>
  href.startsWith("file://")
    ? fileURLToPath(href)
    : /^https?:\/\//i.test(href)
      ? `/vsicurl/${href}`
      : href

const program = Effect.gen(function* () {
  const ds = yield* Reader.open(store)
  const client = yield* StacClient.StacClient
  const n = Math.min(limit, ds.layout.samples)
  const samples = []
  for (let s = 0; s < n; s++) samples.push(yield* ds.readSample(s))

  // The items each product's chips were cut from, looked up in the product's own catalogue.
  const items = new Map<string, Map<string, StacItem.Item>>()
  for (const [pi, plan] of plans.entries()) {
    const id = recipe.products[pi].id
    const wanted = new Set<string>()
    for (const s of samples)
      for (const [t, v] of s.products[id].valid.entries())
        if (v === 1) for (const i of s.products[id].item[t].split("+")) wanted.add(i)
    const binding =
      Product.binding(plan.preset, plan.rules.provider.id) ?? Object.values(plan.preset.bindings)[0]
    const source = plan.rules.source ?? StacClient.api(plan.rules.provider.url)
    const found = new Map<string, StacItem.Item>()
    yield* client.search(source, { collections: [binding.collection] }).pipe(
      Stream.filter((i) => wanted.has(i.id)),
      Stream.runForEach((i) => Effect.sync(() => found.set(i.id, i)))
    )
    items.set(id, found)
  }

  const tmp = mkdtempSync(join(tmpdir(), "eoforge-gdal-"))
  type Row = {
    product: string
    rule: string
    dtype: string
    chips: number
    values: number
    differing: number
    maxDiff: number
    maskMismatches: number
    tolerance: number
  }
  const rows = new Map<string, Row>()
  for (const s of samples) {
    for (const plan of plans) {
      const spec = plan.spec
      const id = spec.id
      const ps = s.products[id]
      const size = ds.layout.products.find((p) => p.spec.id === id)!
      const w = size.width
      const h = size.height
      const npx = w * h
      const B = spec.bands.length
      const binding =
        Product.binding(plan.preset, plan.rules.provider.id) ??
        Object.values(plan.preset.bindings)[0]
      for (let t = 0; t < ps.valid.length; t++) {
        if (ps.valid[t] !== 1) continue
        const chipItems = ps.item[t].split("+").map((i) => {
          const it = items.get(id)?.get(i)
          if (it === undefined) throw new Error(`item ${i} of ${id} is not in its catalogue`)
          return it
        })
        const te = [s.x0, s.y0 - h * spec.resolution, s.x0 + w * spec.resolution, s.y0]
        const mine = ps.data.subarray(t * B * npx, (t + 1) * B * npx)
        // One warp per asset and resampling rule (gdalwarp 3.6 has no -b): every band of the asset, then alpha.
        const warped = new Map<string, { data: ReturnType<typeof arrayOf>; count: number }>()
        for (let b = 0; b < B; b++) {
          const band = spec.bands[b]
          const rule = band.resampling ?? "nearest"
          const key = binding.assets[band.name]
          const cacheKey = `${key}\u0000${rule}`
          let got = warped.get(cacheKey)
          if (got === undefined) {
            // GDAL paints later sources over earlier ones: the best item goes last.
            const sources = chipItems.map((i) => gdalPath(i.assets[key].href)).reverse()
            const out = join(tmp, "c.bin")
            execFileSync("gdalwarp", [
              "-q",
              "-overwrite",
              "-et",
              "0",
              "-of",
              "ENVI",
              "-t_srs",
              `EPSG:${s.epsg}`,
              "-te",
              ...te.map(String),
              "-tr",
              String(spec.resolution),
              String(spec.resolution),
              "-r",
              gdalResampling[rule],
              "-dstalpha",
              "-ot",
              gdalType[spec.dtype],
              ...sources,
              out
            ])
            const info = JSON.parse(execFileSync("gdalinfo", ["-json", out]).toString()) as {
              bands: ReadonlyArray<unknown>
            }
            const count = info.bands.length
            got = { data: arrayOf(spec.dtype, readFileSync(out), count * npx), count }
            warped.set(cacheKey, got)
          }
          const all = got.data
          const alpha = (got.count - 1) * npx
          const offset = plan.bandIndex[b] * npx
          const float = spec.dtype.startsWith("float")
          const rowKey = `${id}\u0000${rule}`
          const row =
            rows.get(rowKey) ??
            ({
              product: id,
              rule,
              dtype: spec.dtype,
              chips: 0,
              values: 0,
              differing: 0,
              maxDiff: 0,
              maskMismatches: 0,
              tolerance: rule === "nearest" || rule === "mode" ? 0 : float ? 1e-4 : 1
            } satisfies Row)
          rows.set(rowKey, row)
          if (b === 0) row.chips++
          const nodata = band.nodata
          for (let k = 0; k < npx; k++) {
            const gdalValid = all[alpha + k] > 0
            const v = Number(mine[b * npx + k])
            const oursMasked =
              nodata !== undefined && (v === nodata || (Number.isNaN(nodata) && Number.isNaN(v)))
            const g = Number(all[offset + k])
            if (!gdalValid) {
              if (nodata !== undefined && !oursMasked) row.maskMismatches++
              continue
            }
            row.values++
            if (oursMasked && !(v === g)) {
              row.maskMismatches++
              continue
            }
            const d = float ? Math.abs(v - g) / Math.max(1, Math.abs(g)) : Math.abs(v - g)
            if (d > 0 || Number.isNaN(d) !== Number.isNaN(0)) row.differing++
            if (d > row.maxDiff) row.maxDiff = d
          }
        }
      }
    }
  }
  rmSync(tmp, { recursive: true, force: true })
  return [...rows.values()]
})

const rows = await Effect.runPromise(
  program.pipe(Effect.scoped, Effect.provide(StacClient.layer), Effect.orDie)
)
const failed = rows.filter((r) => r.maskMismatches > 0 || r.maxDiff > r.tolerance)
if (process.argv.includes("--json")) {
  console.log(JSON.stringify({ store, rows, ok: failed.length === 0 }))
} else {
  const head = [
    "product",
    "rule",
    "dtype",
    "chips",
    "values",
    "differing",
    "max diff",
    "mask ≠",
    "tolerance",
    ""
  ]
  const body = rows.map((r) => [
    r.product,
    r.rule,
    r.dtype,
    String(r.chips),
    String(r.values),
    String(r.differing),
    r.maxDiff.toPrecision(3),
    String(r.maskMismatches),
    String(r.tolerance),
    failed.includes(r) ? "FAIL" : "ok"
  ])
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)))
  for (const line of [head, ...body])
    console.log(line.map((c, i) => c.padEnd(widths[i])).join("  "))
  console.log(`${store}: ${rows.reduce((s, r) => s + r.differing, 0)} differing values`)
}
if (failed.length > 0) process.exitCode = 1
// A store with no chip to compare proves nothing: say so and fail rather than report "0 differing".
if (rows.reduce((s, r) => s + r.chips, 0) === 0) {
  console.log(
    `${store}: no chip holds data, nothing was compared (see .eoforge/jobs/*.json for why)`
  )
  process.exitCode = 1
}
