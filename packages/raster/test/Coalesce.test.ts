// Network-bound reading: adjacent tile ranges of a window fetched as one request, the same pixels as
// without coalescing and as the local file; a host's queue does not eat into a request's time limit.
import { assert, describe, it } from "@effect/vitest"
import { Crs, PixelGrid } from "@eoforge/core"
import { Effect, type Scope } from "effect"
import { afterAll, beforeAll } from "vitest"
import { RasterSource } from "../src/index.ts"
import { defaultHttpOptions, openHttp } from "../src/internal/byteSource.ts"
import { fixtures } from "./golden.ts"
import * as Server from "./server.ts"

const cog = `${fixtures}derived/L7_ETMs_cog.tif`
let server: Server.TestServer
beforeAll(async () => {
  server = await Server.start({ "/merged.tif": cog, "/apart.tif": cog, "/queued.tif": cog })
})
afterAll(() => server.close())

const readWith = (
  http: Partial<RasterSource.HttpOptions>,
  uri: string,
  grids: ReadonlyArray<PixelGrid.PixelGrid>
) =>
  Effect.gen(function* () {
    const raster = yield* RasterSource.RasterSource
    const info = yield* raster.open(uri)
    const chips = yield* Effect.forEach(
      grids,
      (g) => raster.read(info, g, { resampling: "bilinear" }),
      { concurrency: "unbounded" }
    )
    return { chips, transfer: yield* raster.transfer(info) }
  }).pipe(
    Effect.scoped,
    Effect.provide(RasterSource.layerGeoTiffWith({ workers: 0, http })) as <A, E>(
      e: Effect.Effect<A, E, RasterSource.RasterSource | Scope.Scope>
    ) => Effect.Effect<A, E>
  )

// The whole 349 × 352 image (3 × 3 tiles of 128², pixel-interleaved, 6 bands) and two smaller windows.
const x0 = 288776.250000803149305
const y0 = 9120760.750028736889362
const px = 28.499999999274539
const grids = [
  PixelGrid.make(Crs.epsg(31985), x0, y0, px, 349, 352),
  PixelGrid.make(Crs.epsg(31985), x0 + 100 * px, y0 - 40 * px, 30, 90, 60),
  PixelGrid.make(Crs.epsg(31985), x0 + 20 * px, y0 - 200 * px, 20, 120, 64)
]

describe("coalesced range requests", () => {
  it.live(
    "adjacent tiles come in fewer requests than one per tile, and every chip is the local file's",
    () =>
      Effect.gen(function* () {
        const local = yield* readWith({}, cog, grids)
        const merged = yield* readWith({}, server.url("/merged.tif"), grids)
        const apart = yield* readWith({ coalesceGapBytes: -1 }, server.url("/apart.tif"), grids)
        for (const [k, chip] of local.chips.entries()) {
          assert.deepStrictEqual(merged.chips[k].data, chip.data, `merged chip ${k}`)
          assert.deepStrictEqual(merged.chips[k].mask, chip.mask, `merged mask ${k}`)
          assert.deepStrictEqual(apart.chips[k].data, chip.data, `apart chip ${k}`)
        }
        const m = server.requests.get("/merged.tif") ?? 0
        const a = server.requests.get("/apart.tif") ?? 0
        assert.strictEqual(merged.transfer.requests, m)
        assert.strictEqual(apart.transfer.requests, a)
        // The header, then tiles: apart, one request per run of missing blocks of each tile.
        assert.isBelow(m, a)
        assert.isAtMost(m, 3)
        // Coalescing fetches at most the gaps between the tiles on top of what is needed.
        assert.isAtMost(
          server.sent.get("/merged.tif") ?? 0,
          (server.sent.get("/apart.tif") ?? 0) + 64 * 1024
        )
      })
  )

  it.live("time spent waiting for a slot of the host does not count against the time limit", () =>
    Effect.gen(function* () {
      // One request in flight at a time, each answered after 250 ms, a 1 s limit and no retry: the
      // queue is longer than the limit, yet no request may time out.
      const r = yield* readWith(
        { perHostConcurrency: 1, timeoutMs: 1000, coalesceGapBytes: -1, maxAttempts: 1 },
        server.url("/slow/250/queued.tif"),
        grids
      )
      assert.strictEqual(r.chips.length, 3)
      assert.isAbove(r.transfer.requests, 4)
    })
  )
})

describe("HTTP byte source", () => {
  it.live(
    "gives a tile's bytes as a view of the response that brought them, a copy across responses, up to the file's end",
    () =>
      Effect.promise(async () => {
        const { readFileSync } = await import("node:fs")
        const whole = new Uint8Array(readFileSync(cog))
        const source = await openHttp(
          server.url("/merged.tif"),
          { ...defaultHttpOptions, blockSize: 1024 },
          new Map(),
          undefined
        )
        const [head] = await source.fetch([{ offset: 0, length: 64 }])
        assert.deepStrictEqual(new Uint8Array(head), whole.subarray(0, 64))
        const before = source.stats.requests
        // Two ranges asked at once (one request), and one past the end of the file.
        const ranges = [
          { offset: 20_000, length: 9_000 },
          { offset: 31_000, length: 5_000 },
          { offset: whole.byteLength - 100, length: 1_000 }
        ]
        const got = await Promise.all(ranges.map((r) => source.view!(r)))
        ranges.forEach((r, i) =>
          assert.deepStrictEqual(
            got[i],
            whole.subarray(r.offset, Math.min(r.offset + r.length, whole.byteLength))
          )
        )
        assert.strictEqual(got[2].byteLength, 100)
        assert.strictEqual(source.stats.requests - before, 2)
        // The first two came in one response: views of one buffer, no copy.
        assert.strictEqual(got[0].buffer, got[1].buffer)
        // A range across two responses' blocks is copied, the same bytes.
        const across = await source.view!({ offset: 15_000, length: 10_000 })
        assert.deepStrictEqual(across, whole.subarray(15_000, 25_000))
        assert.notStrictEqual(across.buffer, got[0].buffer)
      })
  )
})
