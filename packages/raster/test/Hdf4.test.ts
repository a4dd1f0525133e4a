// HDF4 / HDF-EOS2 (MODIS MOD44B-like tiles) through RasterSource: every golden case of
// tools/fixtures/make-hdf4.py (gdalwarp -et 0 of HDF4_EOS:EOS_GRID:"f.hdf":grid:field) reproduced from local
// files and over HTTP, and the typed errors of fields that are not there or not chosen, and of corrupt files.
import { assert, describe, it } from "@effect/vitest"
import { Crs, PixelGrid, type DType } from "@eoforge/core"
import { Effect, Exit } from "effect"
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fromFile } from "geotiff"
import { afterAll, beforeAll } from "vitest"
import { RasterSource } from "../src/index.ts"
import { compare, type Case } from "./golden.ts"
import * as Server from "./server.ts"

const fixtures = new URL("../../../fixtures/hdf4/", import.meta.url).pathname
const goldenDir = new URL("./golden-hdf4/", import.meta.url).pathname

interface Hdf4Case extends Case {
  readonly variable: string
}
const cases: ReadonlyArray<Hdf4Case> = JSON.parse(readFileSync(`${goldenDir}cases.json`, "utf8"))
const gridOf = (c: Hdf4Case) =>
  PixelGrid.make(Crs.epsg(c.epsg), c.x0, c.y0, c.resolution, c.width, c.height)
const readGolden = async (c: Hdf4Case) => {
  const image = await (await fromFile(`${goldenDir}${c.golden}`)).getImage()
  const rasters = (await image.readRasters({
    interleave: false
  })) as unknown as Array<DType.TypedArray>
  const alpha = rasters[rasters.length - 1]
  return { bands: rasters.slice(0, -1), mask: Uint8Array.from(alpha, (v) => (v > 0 ? 1 : 0)) }
}
const layer = RasterSource.layerGeoTiffWith({ workers: 0 })

const check = (uri: string, c: Hdf4Case) =>
  Effect.gen(function* () {
    const raster = yield* RasterSource.RasterSource
    const info = yield* raster.open(uri)
    const chip = yield* raster.read(info, gridOf(c), {
      resampling: c.resampling === "near" ? "nearest" : c.resampling
    })
    const d = compare(chip, yield* Effect.promise(() => readGolden(c)), false)
    assert.isAbove(d.validPixels, 100)
    assert.strictEqual(d.maskMismatches, 0)
    assert.strictEqual(d.maxDiff, 0)
    return yield* raster.transfer(info)
  })

describe("HDF-EOS2 conformance with GDAL from local files", () => {
  for (const c of cases)
    it.effect(
      `${c.name}: ${c.variable} matches gdalwarp -r ${c.resampling} of HDF4_EOS:EOS_GRID`,
      () =>
        check(`${fixtures}${c.source}#var=MOD44B_250m_GRID:${c.variable}`, c).pipe(
          Effect.scoped,
          Effect.provide(layer)
        )
    )
})

describe("HDF-EOS2 over HTTP range requests", () => {
  let server: Server.TestServer
  beforeAll(async () => {
    server = await Server.start({ "/t.hdf": `${fixtures}mod44b_h18v04.hdf` })
  })
  afterAll(() => server.close())
  for (const c of cases.filter((k) => k.source === "mod44b_h18v04.hdf" && k.resampling === "near"))
    it.effect(`${c.name}: the chip matches GDAL; bytes fetched reported`, () =>
      Effect.gen(function* () {
        const t = yield* check(`${server.url("/t.hdf")}#var=${c.variable}`, c)
        const size = statSync(`${fixtures}mod44b_h18v04.hdf`).size
        console.log(`${c.name}: ${t.bytes} bytes in ${t.requests} requests of a ${size}-byte file`)
        assert.isBelow(t.bytes, size)
      }).pipe(Effect.scoped, Effect.provide(layer))
    )
})

const openError = (uri: string) =>
  Effect.gen(function* () {
    const raster = yield* RasterSource.RasterSource
    return yield* Effect.flip(raster.open(uri))
  }).pipe(Effect.scoped, Effect.provide(layer))

describe("HDF4 files that cannot be read", () => {
  it.effect(
    "no #var with several fields, and a field that does not exist, are NotFound listing them",
    () =>
      Effect.gen(function* () {
        const e = yield* openError(`${fixtures}mod44b_h18v04.hdf`)
        assert.strictEqual(e.problem, "NotFound")
        assert.include(e.message, "MOD44B_250m_GRID:Percent_Tree_Cover")
        assert.include(e.message, "#var=")
        const missing = yield* openError(`${fixtures}mod44b_h18v04.hdf#var=Percent_Water`)
        assert.strictEqual(missing.problem, "NotFound")
        assert.include(missing.message, "Percent_Water")
      })
  )

  it.effect("truncated and byte-corrupted copies end as chips or typed errors, never defects", () =>
    Effect.gen(function* () {
      const source = readFileSync(`${fixtures}mod44b_h18v04.hdf`)
      const dir = mkdtempSync(join(tmpdir(), "eoforge-hdf4-"))
      let seed = 4
      const random = () => {
        seed = (seed * 1103515245 + 12345) % 2147483648
        return seed / 2147483648
      }
      const c = cases[0]
      let failed = 0
      for (let i = 0; i < 40; i++) {
        const bytes = Uint8Array.from(
          i < 20 ? source.subarray(0, Math.floor((source.length * (i + 1)) / 21)) : source
        )
        // Descriptor blocks and metadata sit at both ends of the file.
        if (i >= 20)
          for (let k = 0; k < 6; k++) {
            const at =
              random() < 0.5
                ? Math.floor(random() * 4096)
                : bytes.length - 1 - Math.floor(random() * 40000)
            bytes[at] = Math.floor(random() * 256)
          }
        const file = join(dir, `m${i}.hdf`)
        writeFileSync(file, bytes)
        const exit = yield* check(`${file}#var=${c.variable}`, c).pipe(
          Effect.scoped,
          Effect.provide(layer),
          Effect.catchDefect((d) => Effect.die(d)),
          Effect.exit
        )
        if (Exit.isFailure(exit)) {
          failed++
          const reason = exit.cause.reasons[0]
          // Assertion failures (changed values) are defects too; only crashes of the reader matter here.
          if (reason?._tag === "Die") assert.match(String(reason.defect), /AssertionError|expected/)
          else assert.strictEqual(reason?._tag, "Fail")
        }
      }
      assert.isAbove(failed, 10)
    })
  )
})
