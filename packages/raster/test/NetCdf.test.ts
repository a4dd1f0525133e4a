// NetCDF-4/HDF5 through RasterSource: every golden case of tools/fixtures/make-netcdf.py (gdalwarp -et 0 of
// NETCDF:"f.nc":var) reproduced from local files and over HTTP ranges (bytes per chip measured), and the
// typed errors of files that cannot be read (no coordinates, szip, several variables, corrupt structures).
import { assert, describe, it } from "@effect/vitest"
import { Crs, PixelGrid } from "@eoforge/core"
import { Effect } from "effect"
import { readFileSync, statSync } from "node:fs"
import { afterAll, beforeAll } from "vitest"
import { RasterSource } from "../src/index.ts"
import { compare, type Case } from "./golden.ts"
import * as Server from "./server.ts"
import { fromFile } from "geotiff"
import type { DType } from "@eoforge/core"

const fixtures = new URL("../../../fixtures/netcdf/", import.meta.url).pathname
const goldenDir = new URL("./golden-netcdf/", import.meta.url).pathname

interface NetCdfCase extends Case {
  readonly variable: string
}

const cases: ReadonlyArray<NetCdfCase> = JSON.parse(readFileSync(`${goldenDir}cases.json`, "utf8"))

const gridOf = (c: NetCdfCase) =>
  PixelGrid.make(Crs.epsg(c.epsg), c.x0, c.y0, c.resolution, c.width, c.height)

const readGolden = async (c: NetCdfCase) => {
  const image = await (await fromFile(`${goldenDir}${c.golden}`)).getImage()
  const rasters = (await image.readRasters({
    interleave: false
  })) as unknown as Array<DType.TypedArray>
  const alpha = rasters[rasters.length - 1]
  return { bands: rasters.slice(0, -1), mask: Uint8Array.from(alpha, (v) => (v > 0 ? 1 : 0)) }
}

const uriOf = (base: string, c: NetCdfCase) => `${base}#var=${encodeURIComponent(c.variable)}`

const layer = RasterSource.layerGeoTiffWith({ workers: 0 })

describe("NetCDF-4 conformance with GDAL from local files", () => {
  for (const c of cases) {
    it.effect(
      `${c.name}: ${c.variable} matches gdalwarp -r ${c.resampling} of NETCDF:${c.source}`,
      () =>
        Effect.gen(function* () {
          const raster = yield* RasterSource.RasterSource
          const info = yield* raster.open(uriOf(fixtures + c.source, c))
          const chip = yield* raster.read(info, gridOf(c), {
            resampling: c.resampling === "near" ? "nearest" : c.resampling
          })
          const golden = yield* Effect.promise(() => readGolden(c))
          const float = info.dtype.startsWith("float")
          const d = compare(chip, golden, float)
          assert.isAbove(d.validPixels, 100)
          assert.strictEqual(d.maskMismatches, 0)
          assert.isAtMost(d.maxDiff, float && c.resampling !== "near" ? 1e-4 : 0)
        }).pipe(Effect.scoped, Effect.provide(layer))
    )
  }
})

describe("NetCDF-4 over HTTP range requests", () => {
  let server: Server.TestServer
  const path = fixtures + "gunw.nc"
  beforeAll(async () => {
    server = await Server.start({ "/gunw.nc": path })
  })
  afterAll(() => server.close())

  for (const c of cases.filter((k) => k.source === "gunw.nc" && k.resampling === "near")) {
    it.effect(
      `${c.name}: the chip matches GDAL and fetches only the metadata and chunks it needs`,
      () =>
        Effect.gen(function* () {
          const raster = yield* RasterSource.RasterSource
          const info = yield* raster.open(uriOf(server.url("/gunw.nc"), c))
          const chip = yield* raster.read(info, gridOf(c), { resampling: "nearest" })
          const transfer = yield* raster.transfer(info)
          const d = compare(
            chip,
            yield* Effect.promise(() => readGolden(c)),
            info.dtype !== "int16"
          )
          assert.strictEqual(d.maskMismatches, 0)
          assert.strictEqual(d.maxDiff, 0)
          const size = statSync(path).size
          // Reported in the README: bytes and requests per chip over HTTP (16 KiB blocks).
          console.log(
            `${c.name}: ${transfer.bytes} bytes in ${transfer.requests} requests of a ${size}-byte file`
          )
          assert.isBelow(transfer.bytes / size, 0.3)
        }).pipe(Effect.scoped, Effect.provide(layer))
    )
  }
})

const openError = (uri: string) =>
  Effect.gen(function* () {
    const raster = yield* RasterSource.RasterSource
    return yield* Effect.flip(raster.open(uri))
  }).pipe(Effect.scoped, Effect.provide(layer))

describe("NetCDF-4 files that cannot be read are typed errors naming the file, the variable and the fix", () => {
  it.effect("a variable without coordinate variables is NoGeoreferencing", () =>
    Effect.gen(function* () {
      const e = yield* openError(fixtures + "nocoords.nc")
      assert.strictEqual(e.problem, "NoGeoreferencing")
      assert.include(e.message, "nocoords.nc")
      assert.include(e.message, "/band")
      assert.include(e.message, "gdal_translate -a_srs")
    })
  )

  it.effect(
    "an szip-compressed variable is UnsupportedCodec with the nccopy command that fixes it",
    () =>
      Effect.gen(function* () {
        const e = yield* openError(fixtures + "szip.nc")
        assert.strictEqual(e.problem, "UnsupportedCodec")
        assert.include(e.message, "szip.nc")
        assert.include(e.message, "/data")
        assert.include(e.message, "szip")
        assert.include(e.message, "nccopy -d 4")
      })
  )

  it.effect("a file with several 2-D variables and no #var lists them", () =>
    Effect.gen(function* () {
      const e = yield* openError(fixtures + "gunw.nc")
      assert.strictEqual(e.problem, "NotFound")
      for (const v of ["unwrappedPhase", "coherence", "connectedComponents", "amplitude"])
        assert.include(e.message, `/science/grids/data/${v}`)
      assert.include(e.message, "#var=")
      const missing = yield* openError(fixtures + "gunw.nc#var=/science/grids/data/nothing")
      assert.strictEqual(missing.problem, "NotFound")
      assert.include(missing.message, "/science/grids/data/nothing")
    })
  )
})

describe("HDF5 1.10 chunk indexes of datasets with unlimited dimensions (tools/fixtures/make-hdf5-indexes.py)", () => {
  const files = [
    ["agb_h5py_earray.h5", "EAHD", "extensible array, filtered"],
    ["agb_h5py_earray_plain.h5", "EAHD", "extensible array, unfiltered"],
    ["agb_h5py_earray_cols.h5", "EAHD", "extensible array, unlimited columns"],
    ["agb_h5py_btree2.h5", "BTHD", "version 2 B-tree, record type 11"],
    ["agb_h5py_btree2_plain.h5", "BTHD", "version 2 B-tree, record type 10"]
  ] as const
  for (const [file, signature, what] of files)
    for (const c of cases.filter((k) => k.source === "agb.nc" && k.variable === "agb"))
      it.effect(`${file} (${what}) ${c.name}: GDAL's chip of agb.nc`, () =>
        Effect.gen(function* () {
          // The fixture holds the index it claims (and, per the generator, a super block / internal node).
          assert.include(readFileSync(fixtures + file).toString("latin1"), signature)
          const raster = yield* RasterSource.RasterSource
          const info = yield* raster.open(`${fixtures}${file}#var=/agb`)
          const chip = yield* raster.read(info, gridOf(c), {
            resampling: c.resampling === "near" ? "nearest" : c.resampling
          })
          const d = compare(chip, yield* Effect.promise(() => readGolden(c)), true)
          assert.isAbove(d.validPixels, 100)
          assert.strictEqual(d.maskMismatches, 0)
          assert.strictEqual(d.maxDiff, 0)
        }).pipe(Effect.scoped, Effect.provide(layer))
      )
})

describe("HDF5 1.10 structures written by h5py (libver latest, fixed-array chunk index, no dimension scales)", () => {
  for (const c of cases.filter((k) => k.source === "agb.nc" && k.variable === "agb"))
    it.effect(`${c.name}: the same values rewritten by h5py give GDAL's chip of agb.nc`, () =>
      Effect.gen(function* () {
        const raster = yield* RasterSource.RasterSource
        const info = yield* raster.open(`${fixtures}agb_h5py_latest.h5#var=/agb`)
        assert.strictEqual(info.nodata, -9999)
        const chip = yield* raster.read(info, gridOf(c), {
          resampling: c.resampling === "near" ? "nearest" : c.resampling
        })
        const d = compare(chip, yield* Effect.promise(() => readGolden(c)), true)
        assert.isAbove(d.validPixels, 100)
        assert.strictEqual(d.maskMismatches, 0)
        assert.strictEqual(d.maxDiff, 0)
      }).pipe(Effect.scoped, Effect.provide(layer))
    )
})
