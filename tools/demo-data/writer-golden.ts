// Writes one small GeoTIFF per pixel dtype with @eoforge/raster's GeoTiffWriter and records what GDAL's
// `gdalinfo -json -stats` says about it, as goldens for the writer's tests (which do not need GDAL).
// Usage: npx node tools/demo-data/writer-golden.ts   (needs Debian gdal-bin; output: fixtures/demo/writer-golden/)
import type { Band, Chip } from "@eoforge/core"
import { DType } from "@eoforge/core"
// The writer module directly, so regenerating needs only it, not the rest of @eoforge/raster.
import * as GeoTiffWriter from "../../packages/raster/src/GeoTiffWriter.ts"
import { execFileSync } from "node:child_process"
import { createHash } from "node:crypto"
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { mulberry32 } from "./random.ts"

interface Case {
  readonly name: string
  readonly dtype: DType.DType
  readonly epsg: number
  readonly x0: number
  readonly y0: number
  readonly resolution: number
  readonly bands: number
  readonly maskEvery?: number
  readonly options: GeoTiffWriter.Options
}

const W = 70
const H = 50
const band = (name: string, extra: Partial<Band.BandSpec> = {}): Band.BandSpec => ({
  name,
  ...extra
})

/** The cases: every dtype, projected and geographic CRSs, overviews of each kind, scale/offset, masks. */
export const cases: ReadonlyArray<Case> = [
  {
    name: "uint8",
    dtype: "uint8",
    epsg: 31985,
    x0: 288776.25,
    y0: 9120760.75,
    resolution: 28.5,
    bands: 3,
    maskEvery: 97,
    options: {
      tileSize: 32,
      overviews: "average",
      nodata: 0,
      bands: [band("B1", { description: "Blue" }), band("B2"), band("B3")],
      metadata: { SOURCE: "writer golden" }
    }
  },
  {
    name: "int8",
    dtype: "int8",
    epsg: 32633,
    x0: 500000,
    y0: 5000000,
    resolution: 10,
    bands: 1,
    options: { tileSize: 16, predictor: false, bands: [band("delta")] }
  },
  {
    name: "uint16",
    dtype: "uint16",
    epsg: 32633,
    x0: 399960,
    y0: 5300040,
    resolution: 10,
    bands: 2,
    options: {
      tileSize: 32,
      overviews: "nearest",
      bands: [
        band("B04", { scale: 0.0001, offset: -0.1, unit: "reflectance", wavelengthNm: 665 }),
        band("B08", { scale: 0.0001, offset: -0.1, unit: "reflectance", wavelengthNm: 842 })
      ]
    }
  },
  {
    name: "int16",
    dtype: "int16",
    epsg: 4326,
    x0: 5.7,
    y0: 50.2,
    resolution: 0.001,
    bands: 1,
    maskEvery: 31,
    options: { tileSize: 32, nodata: -32768, bands: [band("elevation", { unit: "m" })] }
  },
  {
    name: "uint32",
    dtype: "uint32",
    epsg: 3857,
    x0: -3885000,
    y0: -890000,
    resolution: 100,
    bands: 1,
    options: { tileSize: 32, overviews: "mode", bands: [band("class")] }
  },
  {
    name: "int32",
    dtype: "int32",
    epsg: 32761,
    x0: 2000000,
    y0: 2100000,
    resolution: 250,
    bands: 1,
    options: { tileSize: 48, bands: [band("count")] }
  },
  {
    name: "float32",
    dtype: "float32",
    epsg: 31985,
    x0: 288776.25,
    y0: 9120760.75,
    resolution: 90,
    bands: 1,
    maskEvery: 53,
    options: {
      tileSize: 32,
      overviews: "average",
      nodata: -9999,
      bands: [band("dem", { unit: "m" })]
    }
  },
  {
    name: "float64",
    dtype: "float64",
    epsg: 4326,
    x0: -35.0,
    y0: -7.9,
    resolution: 0.00025,
    bands: 2,
    options: { tileSize: 64, level: 9, bands: [band("u"), band("v")] }
  }
]

/** The chip of a case: smooth waves plus seeded noise, spread over the dtype's range. */
export const chipOf = (c: Case): Chip.Chip => {
  const random = mulberry32(c.dtype.length * 1000 + c.epsg)
  const n = W * H
  const data = DType.alloc(c.dtype, c.bands * n)
  const [lo, hi] =
    c.dtype === "float32" || c.dtype === "float64" ? [-500, 3000] : DType.range(c.dtype)
  for (let b = 0; b < c.bands; b++) {
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const wave = 0.5 + 0.35 * Math.sin((x + 7 * b) / 9) * Math.cos(y / 7) + 0.15 * random()
        const v = lo + 1 + wave * (hi - lo - 2)
        data[b * n + y * W + x] = c.dtype.startsWith("float") ? v : Math.round(v)
      }
    }
  }
  const mask =
    c.maskEvery === undefined
      ? undefined
      : Uint8Array.from({ length: n }, (_, i) => (i % (c.maskEvery ?? 1) === 0 ? 0 : 1))
  return {
    grid: {
      crs: { _tag: "Epsg", code: c.epsg },
      x0: c.x0,
      y0: c.y0,
      resolution: c.resolution,
      width: W,
      height: H
    },
    dtype: c.dtype,
    bands: c.bands,
    data,
    mask
  }
}

const main = (): void => {
  const out = new URL("../../fixtures/demo/writer-golden/", import.meta.url).pathname
  mkdirSync(out, { recursive: true })
  const scratch = mkdtempSync(join(tmpdir(), "eoforge-writer-golden-"))
  try {
    for (const c of cases) {
      const bytes = GeoTiffWriter.encodeSync(chipOf(c), c.options)
      const file = join(out, `${c.name}.tif`)
      writeFileSync(file, bytes)
      // gdalinfo -stats writes an .aux.xml beside its input: run it on a scratch copy.
      const copy = join(scratch, `${c.name}.tif`)
      copyFileSync(file, copy)
      const info = JSON.parse(
        execFileSync("gdalinfo", ["-json", "-stats", copy], { encoding: "utf8" })
      ) as Record<string, unknown>
      delete info.description
      delete info.files
      const golden = {
        generator: "tools/demo-data/writer-golden.ts",
        gdal: execFileSync("gdalinfo", ["--version"], { encoding: "utf8" }).trim(),
        file: `${c.name}.tif`,
        sha256: createHash("sha256").update(bytes).digest("hex"),
        dtype: c.dtype,
        epsg: c.epsg,
        options: c.options,
        gdalinfo: info
      }
      writeFileSync(join(out, `${c.name}.json`), JSON.stringify(golden, null, 2) + "\n")
      console.log(`${c.name}.tif ${bytes.length} bytes`)
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
}

main()
