// Truncated and corrupted NetCDF-4 files: every open and read ends as a typed error or a chip, in bounded time
// and memory, never a defect or a hang (structure sizes capped by RasterLimits, structure count capped).
import { assert, describe, it } from "@effect/vitest"
import { Crs, PixelGrid } from "@eoforge/core"
import { Effect, Exit } from "effect"
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { RasterSource } from "../src/index.ts"

const source = readFileSync(new URL("../../../fixtures/netcdf/gunw.nc", import.meta.url))
const grid = PixelGrid.make(Crs.epsg(32636), 690000, 3515000, 30, 64, 64)
const layer = RasterSource.layerGeoTiffWith({
  workers: 0,
  limits: { maxTagBytes: 1 << 20, maxReadBytes: 64 << 20, maxBlockBytes: 16 << 20 }
})

const seeded = (seed: number) => () => {
  seed = (seed * 1103515245 + 12345) % 2147483648
  return seed / 2147483648
}

/** Opens and reads `bytes`; the exit's failure, if any, must be a typed raster error. */
const trial = (bytes: Uint8Array, dir: string, name: string) =>
  Effect.gen(function* () {
    const file = join(dir, name)
    writeFileSync(file, bytes)
    const raster = yield* RasterSource.RasterSource
    const info = yield* raster.open(`${file}#var=/science/grids/data/coherence`)
    return yield* raster.read(info, grid, { resampling: "bilinear" })
  }).pipe(Effect.scoped, Effect.provide(layer), Effect.exit)

describe("hostile NetCDF-4 files", () => {
  it.effect("truncated at 40 places: each a typed error naming the file", () =>
    Effect.gen(function* () {
      const dir = mkdtempSync(join(tmpdir(), "eoforge-nc-"))
      let failures = 0
      for (let i = 1; i <= 40; i++) {
        const cut = Math.floor((source.length * i) / 41)
        const exit = yield* trial(source.subarray(0, cut), dir, `cut${i}.nc`)
        if (Exit.isFailure(exit)) {
          const error = exit.cause.reasons[0]
          assert.strictEqual(error?._tag, "Fail", `cut at ${cut}: ${String(exit.cause)}`)
          const e = (error as { error: { _tag: string; message: string } }).error
          assert.include(["RasterOpenError", "RasterReadError"], e._tag)
          assert.include(e.message, `cut${i}.nc`)
          failures++
        }
      }
      // Most cuts lose metadata or chunks the chip needs.
      assert.isAbove(failures, 30)
    })
  )

  it.effect("80 files with random bytes overwritten: typed errors or chips, never a defect", () =>
    Effect.gen(function* () {
      const dir = mkdtempSync(join(tmpdir(), "eoforge-nc-"))
      const random = seeded(16)
      let failed = 0
      for (let i = 0; i < 80; i++) {
        const bytes = Uint8Array.from(source)
        // Metadata lives in the first and last parts of the file; chunks in between.
        for (let k = 0; k < 8; k++)
          bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256)
        for (let k = 0; k < 4; k++) bytes[Math.floor(random() * 4096)] = Math.floor(random() * 256)
        const exit = yield* trial(bytes, dir, `x${i}.nc`)
        if (Exit.isFailure(exit)) {
          failed++
          assert.strictEqual(exit.cause.reasons[0]?._tag, "Fail", String(exit.cause))
        }
      }
      assert.isAbove(failed, 0)
    })
  )
})
