// A header shelf shared by processes: a URL opened by one RasterSource is opened by another from the shelf
// with no header request; a file changed since (another ETag, another size) never gives the old header's
// pixels: the read fails with the `Changed` problem and the file opened again reads the new pixels.
import { assert, describe, it } from "@effect/vitest"
import { Crs, PixelGrid } from "@eoforge/core"
import { Effect, type Scope } from "effect"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { afterAll, beforeAll } from "vitest"
import { GeoTiffWriter, HeaderShelf, RasterSource } from "../src/index.ts"
import { defaultHttpOptions } from "../src/internal/byteSource.ts"
import * as HeaderBlocks from "../src/internal/headerBlocks.ts"
import { versionOf } from "../src/internal/rangeRequest.ts"

const grid = PixelGrid.make(Crs.epsg(32632), 500000, 5000000, 10, 512, 512)
const made = (value: (i: number) => number) => {
  const data = new Uint16Array(512 * 512)
  for (let i = 0; i < data.length; i++) data[i] = value(i)
  return GeoTiffWriter.encodeSync({ grid, dtype: "uint16", bands: 1, data }, { tileSize: 128 })
}
// Same size, other pixels (constant fields compress alike); and another size.
const first = made(() => 100)
const sameSize = made(() => 200)
// Pseudo-random 12-bit values: tiles far past the first 16 KiB block.
let state = 12345
const resized = made(() => {
  state ^= state << 13
  state ^= state >>> 17
  state ^= state << 5
  return (state >>> 0) & 4095
})

// path → [bytes, ETag or undefined]; changed by the tests. Counts requests per path and per range start.
const served = new Map<string, readonly [Uint8Array, string | undefined]>()
const requests = new Map<string, number>()
let server: Server
let base = ""
beforeAll(async () => {
  server = createServer((req, res) => {
    const path = req.url ?? "/"
    requests.set(path, (requests.get(path) ?? 0) + 1)
    const file = served.get(path)
    const m = /bytes=(\d+)-(\d+)/.exec(String(req.headers.range))
    if (file === undefined || m === null) return void res.writeHead(404).end()
    const [body, etag] = file
    const start = Number(m[1])
    const end = Math.min(Number(m[2]), body.length - 1)
    res
      .writeHead(206, {
        "content-range": `bytes ${start}-${end}/${body.length}`,
        "content-length": end - start + 1,
        ...(etag === undefined ? {} : { etag })
      })
      .end(body.subarray(start, end + 1))
  })
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((r) => server.close(() => r())))

// A shelf in memory, counting reads and writes.
const memoryShelf = () => {
  const entries = new Map<string, Uint8Array>()
  const counts = { reads: 0, writes: 0 }
  const shelf: HeaderShelf.Shelf = {
    read: (key) => Effect.sync(() => (counts.reads++, entries.get(key))),
    write: (key, bytes) => Effect.sync(() => void (counts.writes++, entries.set(key, bytes)))
  }
  return { shelf, entries, counts }
}

// One "process": a RasterSource of its own; reads the whole grid of `path` through `shelf`.
const readIn = (path: string, shelf: HeaderShelf.Shelf | undefined, again = false) =>
  Effect.gen(function* () {
    const raster = yield* RasterSource.RasterSource
    const once = Effect.gen(function* () {
      const info = yield* raster.open(`${base}${path}`)
      return yield* raster.read(info, grid, { resampling: "nearest" })
    }).pipe(Effect.scoped)
    if (!again) return { failed: undefined, chip: yield* once }
    // A changed file: opened again and read again (what the pipeline's opener does).
    const result = yield* Effect.result(once)
    if (result._tag === "Failure") return { failed: result.failure, chip: yield* once }
    return { failed: undefined, chip: result.success }
  }).pipe(
    (e) => (shelf === undefined ? e : HeaderShelf.withShelf(shelf)(e)),
    Effect.provide(RasterSource.layerGeoTiffWith({ workers: 0 })) as <A, E>(
      e: Effect.Effect<A, E, RasterSource.RasterSource | Scope.Scope>
    ) => Effect.Effect<A, E>
  )

const valuesOf = (bytes: Uint8Array) =>
  Effect.gen(function* () {
    const path = `/local-${Math.random()}.tif`
    served.set(path, [bytes, undefined])
    return (yield* readIn(path, undefined)).chip.data
  })

describe("header shelf", () => {
  it.live("a second process opens a shelved URL with no header request, same pixels", () =>
    Effect.gen(function* () {
      const { shelf, counts } = memoryShelf()
      served.set("/a.tif", [resized, '"v1"'])
      assert.isAbove(resized.length, 200_000)
      const one = yield* readIn("/a.tif", shelf)
      const before = requests.get("/a.tif") ?? 0
      assert.strictEqual(counts.writes, 1)
      const two = yield* readIn("/a.tif", shelf)
      const after = (requests.get("/a.tif") ?? 0) - before
      // The header's request saved: the tiles' requests only (they confirm the version).
      assert.strictEqual(after, before - 1)
      assert.deepStrictEqual(two.chip.data, one.chip.data)
      assert.deepStrictEqual(two.chip.data, yield* valuesOf(resized))
      // A process that had it from the shelf does not write it again.
      assert.strictEqual(counts.writes, 1)
    })
  )

  it.live(
    "a file changed to the same size (another ETag) reads the new pixels, never the old",
    () =>
      Effect.gen(function* () {
        assert.strictEqual(sameSize.length, first.length)
        const { shelf } = memoryShelf()
        served.set("/b.tif", [first, '"v1"'])
        const old = yield* readIn("/b.tif", shelf)
        served.set("/b.tif", [sameSize, '"v2"'])
        const now = yield* readIn("/b.tif", shelf, true)
        assert.strictEqual(now.failed?._tag, "RasterReadError")
        assert.strictEqual(now.failed?._tag === "RasterReadError" && now.failed.problem, "Changed")
        assert.deepStrictEqual(now.chip.data, yield* valuesOf(sameSize))
        assert.notDeepEqual(now.chip.data, old.chip.data)
      })
  )

  it.live(
    "a file changed to another size reads the new pixels; the shelf then holds the new header",
    () =>
      Effect.gen(function* () {
        const { shelf, counts } = memoryShelf()
        served.set("/c.tif", [first, '"v1"'])
        yield* readIn("/c.tif", shelf)
        served.set("/c.tif", [resized, '"v2"'])
        const now = yield* readIn("/c.tif", shelf, true)
        assert.strictEqual(now.failed?._tag === "RasterReadError" && now.failed.problem, "Changed")
        assert.deepStrictEqual(now.chip.data, yield* valuesOf(resized))
        assert.strictEqual(counts.writes, 2)
        // A third process: the new header from the shelf, no failure.
        const third = yield* readIn("/c.tif", shelf, true)
        assert.strictEqual(third.failed, undefined)
        assert.deepStrictEqual(third.chip.data, now.chip.data)
      })
  )

  it.live(
    "a large file changed: the first tile response names another version, the read fails",
    () =>
      Effect.gen(function* () {
        const other = made((i) => (resized[(i * 3) % resized.length] ?? 0) & 4095)
        const { shelf } = memoryShelf()
        served.set("/e.tif", [resized, '"v1"'])
        yield* readIn("/e.tif", shelf)
        served.set("/e.tif", [other, '"v2"'])
        const now = yield* readIn("/e.tif", shelf, true)
        assert.strictEqual(now.failed?._tag === "RasterReadError" && now.failed.problem, "Changed")
        assert.deepStrictEqual(now.chip.data, yield* valuesOf(other))
      })
  )

  it.live(
    "reopening a file this process read itself costs no request when its pixels are cached",
    () =>
      Effect.gen(function* () {
        // `first` fits in the header's 16 KiB block: the whole file comes with the header.
        assert.isBelow(first.length, 16384)
        served.set("/f.tif", [first, '"v1"'])
        const twice = Effect.gen(function* () {
          const raster = yield* RasterSource.RasterSource
          for (let k = 0; k < 2; k++)
            yield* Effect.scoped(
              Effect.flatMap(raster.open(`${base}/f.tif`), (info) =>
                raster.read(info, grid, { resampling: "nearest" })
              )
            )
        }).pipe(
          Effect.provide(RasterSource.layerGeoTiffWith({ workers: 0 })) as <A, E>(
            e: Effect.Effect<A, E, RasterSource.RasterSource | Scope.Scope>
          ) => Effect.Effect<A, E>
        )
        yield* twice
        assert.strictEqual(requests.get("/f.tif"), 1)
        // From a shelf, the same file's first read is confirmed by one request (a one-byte range).
        const { shelf, entries } = memoryShelf()
        yield* readIn("/f.tif", shelf)
        const before = requests.get("/f.tif")!
        yield* readIn("/f.tif", shelf)
        assert.strictEqual(entries.size, 1)
        assert.strictEqual(requests.get("/f.tif")! - before, 1)
      })
  )

  it.live("a server naming no version (no ETag, no Last-Modified) gets nothing shelved", () =>
    Effect.gen(function* () {
      const { shelf, counts } = memoryShelf()
      served.set("/d.tif", [first, undefined])
      yield* readIn("/d.tif", shelf)
      assert.strictEqual(counts.writes, 0)
      assert.isAtLeast(counts.reads, 1)
    })
  )

  it.live(
    "one process sees every change of a file, not only the first: pixels always of the file as it is",
    () =>
      Effect.gen(function* () {
        // Three large versions (tiles past the header's block), each a different size.
        const second = made((i) => (resized[(i * 3) % resized.length] ?? 0) & 2047)
        const third = made((i) => (resized[(i * 7) % resized.length] ?? 0) & 1023)
        const raster = yield* RasterSource.RasterSource
        const readOnce = Effect.scoped(
          Effect.flatMap(raster.open(`${base}/g.tif`), (info) =>
            raster.read(info, grid, { resampling: "nearest" })
          )
        )
        const readAgain = Effect.gen(function* () {
          const r = yield* Effect.result(readOnce)
          return r._tag === "Failure"
            ? { failed: r.failure, chip: yield* readOnce }
            : { failed: undefined, chip: r.success }
        })
        served.set("/g.tif", [resized, '"v1"'])
        yield* readOnce
        for (const [bytes, etag] of [
          [second, '"v2"'],
          [third, '"v3"']
        ] as const) {
          served.set("/g.tif", [bytes, etag])
          const now = yield* readAgain
          assert.strictEqual(
            now.failed?._tag === "RasterReadError" && now.failed.problem,
            "Changed",
            etag
          )
          assert.deepStrictEqual(now.chip.data, yield* valuesOf(bytes), etag)
        }
      }).pipe(
        Effect.provide(RasterSource.layerGeoTiffWith({ workers: 0 })) as <A, E>(
          e: Effect.Effect<A, E, RasterSource.RasterSource>
        ) => Effect.Effect<A, E>
      )
  )

  it.live("a shelf entry fetched before a concurrent read saw the file change is not used", () =>
    Effect.promise(async () => {
      served.set("/h.tif", [resized, '"v2"'])
      const url = `${base}/h.tif`
      const headers = HeaderBlocks.make(defaultHttpOptions, 64 * 1024 * 1024)
      // The shelf's blocks are of an older version (here: garbage of the same size).
      const shelved: HeaderShelf.Entry = {
        version: 'etag:"v1"',
        size: resized.length,
        blocks: new Map([[0, new Uint8Array(16384).fill(7)]])
      }
      headers.forget(url)
      const timer = {
        sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)),
        now: () => Date.now()
      }
      const before = requests.get("/h.tif") ?? 0
      const opened = await headers.open(url, {}, timer, shelved, false)
      const [head] = await opened.bytes.fetch([{ offset: 0, length: 64 }])
      assert.deepStrictEqual(new Uint8Array(head, 0, 64), resized.subarray(0, 64))
      assert.isAbove((requests.get("/h.tif") ?? 0) - before, 0, "read from the network")
      await opened.bytes.close()
    })
  )

  it("a weak ETag is not a version (RFC 9110 §8.8.1); Last-Modified stands in", () => {
    assert.strictEqual(versionOf({ etag: '"abc"' }), 'etag:"abc"')
    assert.strictEqual(versionOf({ etag: 'W/"abc"' }), undefined)
    const modified = "Tue, 01 Dec 2026 10:00:00 GMT"
    assert.strictEqual(
      versionOf({ etag: 'W/"abc"', "last-modified": modified }),
      `modified:${modified}`
    )
    assert.strictEqual(versionOf({}), undefined)
  })

  it("damaged or foreign entries are misses", () => {
    const blocks = new Map([[0, new Uint8Array(16384).fill(7)]])
    const bytes = HeaderShelf.encode("k", 16384, { version: "etag:x", size: 20000, blocks })!
    assert.deepStrictEqual(HeaderShelf.decode(bytes, "k", 16384)?.blocks.get(0), blocks.get(0))
    assert.strictEqual(HeaderShelf.decode(bytes, "other", 16384), undefined)
    assert.strictEqual(HeaderShelf.decode(bytes, "k", 8192), undefined)
    assert.strictEqual(
      HeaderShelf.decode(bytes.subarray(0, bytes.length - 1), "k", 16384),
      undefined
    )
    // A block past the file's end.
    const past = HeaderShelf.encode("k", 16384, { version: "etag:x", size: 100, blocks })!
    assert.strictEqual(HeaderShelf.decode(past, "k", 16384), undefined)
  })
})
