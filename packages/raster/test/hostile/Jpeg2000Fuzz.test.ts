// Mutation fuzzing of JPEG 2000 files: bytes, 16- and 32-bit big-endian fields of GDAL-written JP2s (boxes,
// GMLJP2, main header, TLM, SOT headers and tile data) are overwritten with interesting values, then opened and
// read. Every input must end in a chip or a typed error within its deadline, with RSS under 1 GB.
// EOFORGE_FUZZ_RUNS sets the inputs per base file (default 100).
import { assert, describe, it } from "@effect/vitest"
import { PixelGrid } from "@eoforge/core"
import { Duration, Effect } from "effect"
import fc from "fast-check"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll } from "vitest"
import * as Fuzz from "../../../../tools/hostile/fuzz.ts"
import { RasterSource } from "../../src/index.ts"

const runs = Number(process.env.EOFORGE_FUZZ_RUNS ?? 100)
const deadlineMs = 10_000
const golden = new URL("../golden/jp2/", import.meta.url).pathname
const dir = mkdtempSync(join(tmpdir(), "eoforge-fuzz-jp2-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

type Mutation = { readonly bytes: 1 | 2 | 4; readonly at: number; readonly value: number }

const interesting = (size: number) => [
  0,
  1,
  2,
  0x7f,
  0xff,
  0x7fff,
  0xffff,
  0xff4f,
  0xff90,
  0xffd9,
  size,
  0x7fffffff,
  0xffffffff
]

const mutations = (size: number): fc.Arbitrary<ReadonlyArray<Mutation>> => {
  // Half of the writes land in the first 3 KiB: the boxes, the GML and the codestream's main header.
  const at = fc.oneof(fc.nat({ max: 3072 }), fc.nat({ max: size - 4 }))
  return fc.array(
    fc.record({
      bytes: fc.constantFrom(1 as const, 2 as const, 4 as const),
      at,
      value: fc.oneof(fc.constantFrom(...interesting(size)), fc.nat())
    }),
    { minLength: 1, maxLength: 6 }
  )
}

const mutate = (base: Uint8Array, ms: ReadonlyArray<Mutation>): Uint8Array => {
  const out = base.slice()
  const view = new DataView(out.buffer)
  for (const m of ms) {
    if (m.bytes === 1) view.setUint8(m.at, m.value & 0xff)
    else if (m.bytes === 2) view.setUint16(m.at, m.value & 0xffff)
    else view.setUint32(m.at, m.value >>> 0)
  }
  return out
}

const layer = RasterSource.layerGeoTiffWith({ workers: 0, tileCacheBytes: 4 * 1024 * 1024 })

/** Opens and reads a 64 × 64 chip at the image's origin, then one at its centre at 4× the pixel size. */
const openAndRead = (path: string) =>
  Effect.gen(function* () {
    const raster = yield* RasterSource.RasterSource
    const info = yield* raster.open(path)
    const gt = info.geoTransform
    const res = Math.abs(gt[1]) > 0 && Number.isFinite(gt[1]) ? Math.abs(gt[1]) : 1
    yield* raster.read(info, PixelGrid.make(info.crs, gt[0], gt[3], res, 64, 64), {
      resampling: "nearest"
    })
    const cx = gt[0] + (info.width / 2) * res
    const cy = gt[3] - (info.height / 2) * res
    return yield* raster.read(info, PixelGrid.make(info.crs, cx, cy, 4 * res, 32, 32), {
      resampling: "bilinear"
    })
  }).pipe(Effect.scoped, Effect.timeout(Duration.millis(deadlineMs)), Effect.provide(layer))

describe("fuzzed JPEG 2000 files", () => {
  for (const name of ["tlm_both", "notlm_gml"]) {
    it(
      `${name}.jp2: ${runs} mutated files each open and read or fail with a typed error, within ${deadlineMs} ms, RSS < 1 GB`,
      async () => {
        const base = new Uint8Array(readFileSync(`${golden}${name}.jp2`))
        const path = join(dir, `${name}.jp2`)
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
        process.stderr.write(`fuzz jp2 ${name}: ${JSON.stringify(tally)}\n`)
        assert.strictEqual(tally.inputs, runs)
      },
      Math.max(60_000, runs * 1000)
    )
  }
})
