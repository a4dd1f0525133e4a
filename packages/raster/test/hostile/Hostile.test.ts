// Hostile GeoTIFFs (tools/hostile/files.ts): cyclic IFD chains, zero and absurd tile sizes, blocks outside
// the file, huge tag counts, DEFLATE and zstd bombs. Each ends in a typed error within seconds and bounded memory.
import { assert, describe, it } from "@effect/vitest"
import { Crs, PixelGrid } from "@eoforge/core"
import { Effect, Exit } from "effect"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll } from "vitest"
import * as Hostile from "../../../../tools/hostile/files.ts"
import * as Measure from "../../../../tools/hostile/measure.ts"
import { RasterSource } from "../../src/index.ts"

const dir = mkdtempSync(join(tmpdir(), "eoforge-hostile-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const write = (name: string, bytes: Uint8Array) => {
  const path = join(dir, name)
  writeFileSync(path, bytes)
  return path
}

const gridOf = (size: number) =>
  PixelGrid.make(
    Crs.epsg(Hostile.origin.epsg),
    Hostile.origin.x,
    Hostile.origin.y,
    Hostile.origin.resolution,
    size,
    size
  )

interface Outcome {
  readonly exit: Exit.Exit<
    unknown,
    { readonly _tag: string; readonly problem: string; readonly message: string }
  >
  readonly ms: number
  /** Peak growth of RSS and of ArrayBuffer memory during the call, in MiB. */
  readonly rssMiB: number
  readonly buffersMiB: number
}

/** Opens and reads `path` onto `grid`, measuring time and the peak memory growth while it runs. */
const attempt = async (path: string, workers: number, size = 32): Promise<Outcome> => {
  const { value: exit, ...cost } = await Measure.measured(() =>
    Effect.runPromiseExit(
      Effect.gen(function* () {
        const raster = yield* RasterSource.RasterSource
        const info = yield* raster.open(path)
        return yield* raster.read(info, gridOf(size), { resampling: "nearest" })
      }).pipe(Effect.scoped, Effect.provide(RasterSource.layerGeoTiffWith({ workers })))
    )
  )
  return { exit: exit as Outcome["exit"], ...cost }
}

const failure = (o: Outcome) => {
  assert.isTrue(Exit.isFailure(o.exit), "the hostile file was read without error")
  const error = Exit.isFailure(o.exit) ? o.exit.cause.reasons[0] : undefined
  assert.strictEqual(error?._tag, "Fail", `not a typed failure: ${String(error)}`)
  return (error as unknown as { error: { _tag: string; problem: string; message: string } }).error
}

const bounded = (o: Outcome, ms = 5000, mib = 200) => {
  if (process.env.EOFORGE_HOSTILE_REPORT !== undefined)
    process.stderr.write(
      `hostile: ${o.ms.toFixed(0)} ms, RSS +${o.rssMiB.toFixed(1)} MiB, ArrayBuffers +${o.buffersMiB.toFixed(1)} MiB\n`
    )
  assert.isBelow(o.ms, ms, `took ${o.ms.toFixed(0)} ms`)
  assert.isBelow(o.rssMiB, mib, `RSS grew by ${o.rssMiB.toFixed(0)} MiB`)
  assert.isBelow(o.buffersMiB, mib, `ArrayBuffers grew by ${o.buffersMiB.toFixed(0)} MiB`)
}

describe("hostile TIFF structure", () => {
  it("the generator's valid control file opens and reads (the cases below fail for their flaw only)", async () => {
    const o = await attempt(write("valid.tif", Hostile.valid()), 0)
    assert.isTrue(Exit.isSuccess(o.exit))
    const chip = Exit.isSuccess(o.exit) ? (o.exit.value as { data: Uint8Array }) : undefined
    assert.strictEqual(chip?.data[1], 1)
    assert.strictEqual(chip?.data[16], 1)
  })

  const cases: ReadonlyArray<readonly [string, () => Uint8Array, string, RegExp]> = [
    ["an IFD chain that loops back to IFD 0", Hostile.cyclicIfd, "Malformed", /IFD chain loops/],
    ["an IFD pointing to itself", Hostile.selfIfd, "Malformed", /IFD chain loops/],
    ["TileWidth 0", Hostile.tileWidthZero, "Malformed", /tiles of 0 × 16/],
    ["tiles of 2^20 × 2^20 pixels", Hostile.absurdTiles, "TooLarge", /tiles of 1048576 × 1048576/],
    ["tile offsets 1 GB past the end", Hostile.blocksOutside, "Truncated", /block 0 of IFD 0/],
    [
      "a tag declaring 2^30 doubles",
      Hostile.hugeTagCount,
      "TooLarge",
      /tag 33550 holds 8589934592 bytes/
    ]
  ]
  for (const [name, make, problem, message] of cases) {
    it(`${name}: a typed ${problem} error naming the file, fast and in bounded memory`, async () => {
      const bytes = make()
      assert.isBelow(bytes.length, 20_000)
      const path = write(`${problem}-${bytes.length}.tif`, bytes)
      const o = await attempt(path, 0)
      const error = failure(o)
      assert.strictEqual(error._tag, "RasterOpenError")
      assert.strictEqual(error.problem, problem)
      assert.match(error.message, message)
      assert.include(error.message, path)
      bounded(o, 2000, 100)
    })
  }
})

describe("decompression bombs", () => {
  const bombs: Record<string, string> = {}
  beforeAll(async () => {
    bombs.deflate261k = write("deflate-261k.tif", await Hostile.deflateBomb(261_000))
    bombs.deflate1m = write("deflate-1m.tif", await Hostile.deflateBomb(1_000_000))
    bombs.zstd = write("zstd-1g.tif", await Hostile.zstdTileBomb(2 ** 30))
  }, 60_000)

  for (const [key, label] of [
    ["deflate261k", "a 261 KB DEFLATE bomb (~270 MB inflated)"],
    ["deflate1m", "a 1 MB DEFLATE bomb (~1 GB inflated)"],
    ["zstd", "a 32 KB zstd tile bomb (1 GiB decoded)"]
  ] as const) {
    for (const workers of [0, 1]) {
      it(`${label}, ${workers === 0 ? "decoded on the calling thread" : "decoded by a worker thread"}: TooLarge, < 200 MiB, < 5 s`, async () => {
        // The whole 256 × 256 tile: every row is needed, so the stream is inflated to its declared end.
        const o = await attempt(bombs[key], workers, 256)
        const error = failure(o)
        assert.strictEqual(error._tag, "RasterReadError")
        assert.strictEqual(error.problem, "TooLarge")
        assert.include(error.message, bombs[key])
        assert.match(error.message, /past its declared size/)
        bounded(o)
      })
    }
  }

  it("a chip needing the bomb tile's first rows only inflates those rows and reads them (as GDAL would)", async () => {
    const o = await attempt(bombs.deflate1m, 0, 32)
    assert.isTrue(Exit.isSuccess(o.exit))
    const chip = Exit.isSuccess(o.exit) ? (o.exit.value as { data: Uint8Array }) : undefined
    assert.strictEqual(chip?.data.length, 32 * 32)
    bounded(o, 2000, 50)
  })
})
