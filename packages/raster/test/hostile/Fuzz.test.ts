// Mutation fuzzing of TIFF headers: bytes, 16- and 32-bit fields of small real and generated GeoTIFFs are
// overwritten with interesting values, then opened and read. Every input must end in a chip or a typed error
// within its deadline, with RSS under 1 GB. EOFORGE_FUZZ_RUNS sets the inputs per base file (default 100).
import { assert, describe, it } from "@effect/vitest"
import { Crs, PixelGrid } from "@eoforge/core"
import { Duration, Effect } from "effect"
import fc from "fast-check"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll } from "vitest"
import * as Hostile from "../../../../tools/hostile/files.ts"
import * as Fuzz from "../../../../tools/hostile/fuzz.ts"
import { RasterSource } from "../../src/index.ts"
import { fixtures } from "../golden.ts"

const runs = Number(process.env.EOFORGE_FUZZ_RUNS ?? 100)
// Generous: a shared, loaded machine can stall a healthy input for seconds; a hang never ends.
const deadlineMs = 10_000
const dir = mkdtempSync(join(tmpdir(), "eoforge-fuzz-tiff-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

type Mutation =
  | { readonly kind: "u8"; readonly at: number; readonly value: number }
  | { readonly kind: "u16"; readonly at: number; readonly value: number }
  | { readonly kind: "u32"; readonly at: number; readonly value: number }

const interesting16 = [0, 1, 2, 3, 4, 7, 8, 12, 16, 0x7fff, 0x8000, 0xffff]
const interesting32 = (size: number) => [
  0,
  1,
  8,
  16,
  255,
  256,
  0x7fffffff,
  0x80000000,
  0xffffffff,
  size - 1,
  size,
  size + 1,
  size * 2
]

const mutations = (size: number): fc.Arbitrary<ReadonlyArray<Mutation>> => {
  // Half of the writes land in the first 2 KiB, where the header and IFDs of these files are.
  const at = fc.oneof(fc.nat({ max: Math.min(size, 2048) - 4 }), fc.nat({ max: size - 4 }))
  return fc.array(
    fc.oneof(
      fc.record({ kind: fc.constant("u8" as const), at, value: fc.nat({ max: 255 }) }),
      fc.record({
        kind: fc.constant("u16" as const),
        at,
        value: fc.oneof(fc.constantFrom(...interesting16), fc.nat({ max: 0xffff }))
      }),
      fc.record({
        kind: fc.constant("u32" as const),
        at,
        value: fc.oneof(fc.constantFrom(...interesting32(size)), fc.nat())
      })
    ),
    { minLength: 1, maxLength: 6 }
  )
}

const mutate = (base: Uint8Array, ms: ReadonlyArray<Mutation>): Uint8Array => {
  const out = base.slice()
  const view = new DataView(out.buffer)
  for (const m of ms) {
    if (m.kind === "u8") view.setUint8(m.at, m.value)
    else if (m.kind === "u16") view.setUint16(m.at, m.value, true)
    else view.setUint32(m.at, m.value >>> 0, true)
  }
  return out
}

const layer = RasterSource.layerGeoTiffWith({ workers: 0, tileCacheBytes: 4 * 1024 * 1024 })

/** Opens and reads a chip of up to 64 × 64 pixels at the image's origin. */
const openAndRead = (path: string) =>
  Effect.gen(function* () {
    const raster = yield* RasterSource.RasterSource
    const info = yield* raster.open(path)
    const gt = info.geoTransform
    const res = Math.abs(gt[1]) > 0 && Number.isFinite(gt[1]) ? Math.abs(gt[1]) : 1
    const grid = PixelGrid.make(
      info.crs ?? Crs.epsg(4326),
      gt[0],
      gt[3],
      res,
      Math.max(1, Math.min(64, info.width)),
      Math.max(1, Math.min(64, info.height))
    )
    return yield* raster.read(info, grid, { resampling: "nearest" })
  }).pipe(Effect.scoped, Effect.timeout(Duration.millis(deadlineMs)), Effect.provide(layer))

const bases: ReadonlyArray<readonly [string, () => Uint8Array]> = [
  ["generated 32 × 32 tiled", Hostile.valid],
  ["elev.tif (GDAL, int16, EPSG:4326)", () => new Uint8Array(readFileSync(`${fixtures}elev.tif`))],
  [
    "geomatrix.tif (GDAL, ModelTransformation)",
    () => new Uint8Array(readFileSync(`${fixtures}geomatrix.tif`))
  ]
]

describe("fuzzed TIFF headers", () => {
  for (const [name, load] of bases) {
    it(
      `${name}: ${runs} mutated files each open and read or fail with a typed error, within ${deadlineMs} ms, RSS < 1 GB`,
      async () => {
        const base = load()
        const path = join(dir, `${name.split(" ")[0]}.tif`)
        const tally = Fuzz.emptyTally()
        await fc.assert(
          fc.asyncProperty(mutations(base.length), async (ms) => {
            writeFileSync(path, mutate(base, ms))
            await Fuzz.trial(
              tally,
              deadlineMs,
              () => Effect.runPromiseExit(openAndRead(path)),
              (error: { _tag: string; problem?: string }) => `${error._tag}/${error.problem ?? ""}`
            )
          }),
          {
            numRuns: runs,
            seed: Number(process.env.EOFORGE_FUZZ_SEED ?? 20261206),
            endOnFailure: true
          }
        )
        process.stderr.write(`fuzz tiff ${name}: ${JSON.stringify(tally)}\n`)
        assert.strictEqual(tally.inputs, runs)
      },
      Math.max(60_000, runs * 500)
    )
  }
})
