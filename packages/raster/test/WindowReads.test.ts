// Window reads of DEFLATE tiles with the horizontal predictor, whose rows and columns are summed only as reads
// need them: seeded sequences of windows over one source (so later windows reuse, extend and widen tiles
// already in the cache), locally and over HTTP, give exactly the values of the file.
import { assert, describe, it } from "@effect/vitest"
import type { Chip } from "@eoforge/core"
import { DType } from "@eoforge/core"
import { Effect } from "effect"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll } from "vitest"
import * as GeoTiffWriter from "../src/GeoTiffWriter.ts"
import { RasterSource } from "../src/index.ts"
import * as TileBuffers from "../src/internal/tileBuffers.ts"
import { fixtures } from "./golden.ts"
import * as Server from "./server.ts"

type Window = readonly [number, number, number, number]

// Seeded windows inside width × height: small and large, starting anywhere, some repeated or nested.
const windowsOf = (width: number, height: number, count: number, seed: number) => {
  let s = seed >>> 0
  const next = (n: number) => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0
    return (s >>> 8) % n
  }
  const out: Array<Window> = []
  for (let i = 0; i < count; i++) {
    const x0 = next(width)
    const y0 = next(height)
    const x1 = x0 + 1 + next(width - x0)
    const y1 = y0 + 1 + next(height - y0)
    out.push([x0, y0, x1, y1])
  }
  return out
}

/** Band `b`'s values over `w`, cut from whole-image band arrays. */
const cut = (whole: ReadonlyArray<ArrayLike<number>>, width: number, b: number, w: Window) => {
  const [x0, y0, x1, y1] = w
  const out: Array<number> = []
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) out.push(whole[b][y * width + x])
  return out
}

// Reads `windows` in turn from one opened source (one layer, one tile cache); returns each window's bands.
const readAll = (
  uri: string,
  bands: ReadonlyArray<number>,
  windows: ReadonlyArray<Window>,
  tileCacheBytes?: number
) =>
  Effect.gen(function* () {
    const raster = yield* RasterSource.RasterSource
    const info = yield* raster.open(uri)
    const got: Array<ReadonlyArray<ArrayLike<number>>> = []
    for (const w of windows) got.push(yield* raster.readWindow(info, w, bands))
    return { info, got }
  }).pipe(
    Effect.scoped,
    Effect.provide(RasterSource.layerGeoTiffWith({ workers: 0, tileCacheBytes }))
  )

// Generated planar files (GeoTiffWriter: tiled, DEFLATE, predictor 2 for integers): 2 bands, odd sizes.
const dtypes: ReadonlyArray<DType.DType> = ["uint8", "int16", "uint16", "uint32"]
const width = 203
const height = 150
const chipOf = (dtype: DType.DType): Chip.Chip => {
  const data = DType.alloc(dtype, 2 * width * height)
  const [lo, hi] = DType.range(dtype)
  let s = 17
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0
    // A ramp with noise that wraps at the type's range, so differences wrap too.
    data[i] = lo + ((i * 37 + (s >>> 20)) % Math.min(hi - lo + 1, 2 ** 31))
  }
  return {
    grid: {
      crs: { _tag: "Epsg", code: 32633 },
      x0: 399960,
      y0: 5300040,
      resolution: 10,
      width,
      height
    },
    dtype,
    bands: 2,
    data
  }
}

let dir = ""
let server: Server.TestServer
const l7Pred2 = `${fixtures}derived/L7_ETMs_cog_pred2.tif`
const l7Plain = `${fixtures}derived/L7_ETMs_cog.tif`
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "eoforge-windows-"))
  const files: Record<string, string> = { "/l7.tif": l7Pred2 }
  for (const dtype of dtypes) {
    const path = join(dir, `${dtype}.tif`)
    writeFileSync(path, GeoTiffWriter.encodeSync(chipOf(dtype), { tileSize: 64 }))
    files[`/${dtype}.tif`] = path
  }
  // Noisy 256² tiles of ~100 KB: each holds several whole 16 KiB blocks of an HTTP source's block cache.
  const noisy = chipOf("uint16")
  let s = 3
  const big = DType.alloc("uint16", 2 * 600 * 600)
  for (let i = 0; i < big.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0
    big[i] = s >>> 16
  }
  const bigPath = join(dir, "big.tif")
  writeFileSync(
    bigPath,
    GeoTiffWriter.encodeSync(
      { ...noisy, grid: { ...noisy.grid, width: 600, height: 600 }, data: big },
      { tileSize: 256 }
    )
  )
  files["/big.tif"] = bigPath
  server = await Server.start(files)
})
afterAll(async () => {
  await server.close()
  rmSync(dir, { recursive: true, force: true })
})

describe("window reads of predictor-2 tiles summed as needed", () => {
  for (const where of ["local", "HTTP"] as const) {
    it.effect(
      `pixel-interleaved 6-band uint8 (128² tiles), ${where}: every window equals the file's values`,
      () =>
        Effect.gen(function* () {
          const bands = [0, 1, 2, 3, 4, 5]
          // The same image without the predictor, read whole, is the reference.
          const {
            info,
            got: [whole]
          } = yield* readAll(l7Plain, bands, [[0, 0, 349, 352]])
          const windows = windowsOf(info.width, info.height, 40, where === "local" ? 1 : 2)
          // Narrow then wider windows on the same tiles, rows far down first, then rows above.
          windows.unshift(
            [200, 300, 210, 352],
            [200, 300, 349, 352],
            [5, 250, 20, 260],
            [0, 0, 349, 260]
          )
          const uri = where === "local" ? l7Pred2 : server.url("/l7.tif")
          const { got } = yield* readAll(uri, [5, 0, 3], windows)
          windows.forEach((w, i) =>
            [5, 0, 3].forEach((b, j) =>
              assert.deepStrictEqual(
                Array.from(got[i][j]),
                cut(whole, 349, b, w),
                `window ${w}, band ${b}`
              )
            )
          )
        })
    )

    for (const dtype of dtypes)
      it.effect(
        `planar 2-band ${dtype} (64² tiles), ${where}: every window equals the chip written`,
        () =>
          Effect.gen(function* () {
            const chip = chipOf(dtype)
            const planes = [0, 1].map((b) =>
              chip.data.subarray(b * width * height, (b + 1) * width * height)
            )
            const windows = windowsOf(
              width,
              height,
              30,
              dtype.length * 7 + (where === "local" ? 0 : 1)
            )
            windows.unshift(
              [130, 120, 131, 150],
              [60, 100, 203, 150],
              [0, 0, 70, 10],
              [0, 0, 203, 150]
            )
            const uri = where === "local" ? join(dir, `${dtype}.tif`) : server.url(`/${dtype}.tif`)
            const { got } = yield* readAll(uri, [1, 0], windows)
            // Without a tile cache: every read inflates its tiles afresh and sums them itself.
            const { got: uncached } = yield* readAll(uri, [1, 0], windows, 0)
            assert.deepStrictEqual(uncached, got)
            windows.forEach((w, i) =>
              [1, 0].forEach((b, j) =>
                assert.deepStrictEqual(
                  Array.from(got[i][j]),
                  cut(planes, width, b, w),
                  `window ${w}, band ${b}`
                )
              )
            )
          })
      )
  }
})

describe("compressed blocks of tiles inflated whole over HTTP", () => {
  // Reads `window` twice from one opened source; the requests each read made.
  const twice = (uri: string, window: Window, tileCacheBytes?: number) =>
    Effect.gen(function* () {
      const raster = yield* RasterSource.RasterSource
      const info = yield* raster.open(uri)
      const start = (yield* raster.transfer(info)).requests
      const first = yield* raster.readWindow(info, window, [0, 1])
      const between = (yield* raster.transfer(info)).requests
      const second = yield* raster.readWindow(info, window, [0, 1])
      const end = (yield* raster.transfer(info)).requests
      return { first, second, requests: [between - start, end - between] }
    }).pipe(
      Effect.scoped,
      Effect.provide(RasterSource.layerGeoTiffWith({ workers: 0, tileCacheBytes }))
    )

  it.effect(
    "are dropped once inflated: without a tile cache a second read fetches them again",
    () =>
      Effect.gen(function* () {
        const uri = server.url("/big.tif")
        const window: Window = [0, 0, 600, 600]
        const cached = yield* twice(uri, window)
        const uncached = yield* twice(uri, window, 0)
        // With the decoded tiles cached, the second read needs no bytes; without, it fetches the tiles again
        // (the source kept none of their compressed blocks), and reads the same values.
        assert.isAbove(cached.requests[0], 0)
        assert.strictEqual(cached.requests[1], 0)
        assert.isAbove(uncached.requests[1], 0)
        assert.deepStrictEqual(uncached.second, uncached.first)
        assert.deepStrictEqual(uncached.first, cached.first)
      })
  )
})

describe("window reads of one-sample images", () => {
  it.effect(
    "a band asked for twice gets the same values in both arrays, equal to a whole-image read",
    () =>
      Effect.gen(function* () {
        const uri = `${fixtures}olinda_dem_utm25s.tif`
        const {
          info,
          got: [whole]
        } = yield* readAll(uri, [0], [[0, 0, 50, 50]])
        assert.strictEqual(info.bands, 1)
        const windows: Array<Window> = [
          [3, 4, 50, 50],
          [0, 20, 17, 21],
          [10, 0, 11, 50]
        ]
        const { got } = yield* readAll(uri, [0, 0], windows)
        windows.forEach((w, i) => {
          assert.deepStrictEqual(Array.from(got[i][0]), cut(whole, 50, 0, w))
          assert.deepStrictEqual(Array.from(got[i][1]), cut(whole, 50, 0, w))
        })
      })
  )
})

describe("tile buffers reused", () => {
  it("a buffer given back is handed out again only from the next turn of the event loop, and fits", async () => {
    const b = TileBuffers.take(10_000)
    assert.isAtLeast(b.byteLength, 10_000)
    TileBuffers.give(b)
    // Same turn: a reader may still copy from it.
    assert.notStrictEqual(TileBuffers.take(10_000), b)
    await new Promise((r) => setImmediate(r))
    // Too large for a need of a third of its size; taken for a need it fits.
    assert.notStrictEqual(TileBuffers.take(3_000), b)
    const before = TileBuffers.stats.reused
    assert.strictEqual(TileBuffers.take(9_000), b)
    assert.strictEqual(TileBuffers.stats.reused, before + 1)
    assert.notStrictEqual(TileBuffers.take(9_000), b)
  })

  for (const where of ["local", "HTTP"] as const)
    it.effect(
      `two tiles read in turn through a cache of about one, ${where}: each read gives its own tile's values`,
      () =>
        Effect.gen(function* () {
          const chip = chipOf("uint16")
          const planes = [0, 1].map((b) =>
            chip.data.subarray(b * width * height, (b + 1) * width * height)
          )
          // 64² uint16 tiles of 2 planes: 16 KiB a window; the cache holds one window's tiles.
          const windows: Array<Window> = []
          for (let i = 0; i < 12; i++)
            windows.push(i % 2 === 0 ? [0, 0, 64, 64] : [64, 64, 128, 128], [130, 10 + i, 190, 64])
          const uri = where === "local" ? join(dir, "uint16.tif") : server.url("/uint16.tif")
          const before = TileBuffers.stats.reused
          const { got } = yield* readAll(uri, [0, 1], windows, 20_000)
          assert.isAbove(TileBuffers.stats.reused, before, "buffers of evicted tiles were reused")
          windows.forEach((w, i) =>
            [0, 1].forEach((b) =>
              assert.deepStrictEqual(
                Array.from(got[i][b]),
                cut(planes, width, b, w),
                `window ${w}, band ${b}`
              )
            )
          )
        })
    )
})
