// The bounded decoders (LZW, PackBits, zstd, DEFLATE with and without predictor) read what GDAL writes exactly
// as the DEFLATE original reads, on the calling thread and on a worker thread. The files are made from the
// real L7_ETMs.tif with gdal_translate when it is installed (skipped, loudly, when it is not).
import { assert, describe, it } from "@effect/vitest"
import { type Chip, PixelGrid } from "@eoforge/core"
import { Effect } from "effect"
import { execFileSync } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll } from "vitest"
import { RasterSource } from "../../src/index.ts"
import { fixtures } from "../golden.ts"

const hasGdal = (() => {
  try {
    execFileSync("gdal_translate", ["--version"], { stdio: "ignore" })
    return true
  } catch {
    return false
  }
})()
const dir = mkdtempSync(join(tmpdir(), "eoforge-codecs-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const readAll = (path: string, workers: number): Promise<Chip.Chip> =>
  Effect.runPromise(
    Effect.gen(function* () {
      const raster = yield* RasterSource.RasterSource
      const info = yield* raster.open(path)
      const gt = info.geoTransform
      const grid = PixelGrid.make(info.crs, gt[0], gt[3], gt[1], info.width, info.height)
      return yield* raster.read(info, grid, { resampling: "nearest" })
    }).pipe(Effect.scoped, Effect.provide(RasterSource.layerGeoTiffWith({ workers })))
  )

const variants: ReadonlyArray<readonly [string, ReadonlyArray<string>]> = [
  ["lzw", ["-co", "TILED=YES", "-co", "COMPRESS=LZW"]],
  ["lzw-predictor", ["-co", "TILED=YES", "-co", "COMPRESS=LZW", "-co", "PREDICTOR=2"]],
  ["packbits-strips", ["-co", "COMPRESS=PACKBITS"]],
  ["zstd", ["-co", "TILED=YES", "-co", "COMPRESS=ZSTD"]],
  ["deflate-strips", ["-co", "COMPRESS=DEFLATE"]]
]

describe("bounded decoders on GDAL's files", () => {
  for (const [name, options] of variants) {
    it.skipIf(!hasGdal)(
      hasGdal
        ? `${name}: every value identical to the DEFLATE original, on the calling thread and a worker`
        : `SKIPPED — gdal_translate is not installed, so no ${name} file can be made`,
      async () => {
        const path = join(dir, `${name}.tif`)
        execFileSync("gdal_translate", ["-q", ...options, `${fixtures}L7_ETMs.tif`, path])
        const reference = await readAll(`${fixtures}L7_ETMs.tif`, 0)
        for (const workers of [0, 1]) {
          const chip = await readAll(path, workers)
          assert.strictEqual(chip.data.length, reference.data.length)
          let differing = 0
          for (let i = 0; i < chip.data.length; i++)
            if (chip.data[i] !== reference.data[i]) differing++
          assert.strictEqual(differing, 0, `${name}, workers ${workers}`)
        }
      }
    )
  }
})
