// Chips over HTTP from the network bench's simulated COGs, read with the RasterSource of the repository given
// as argv[2] (this one or another version's checkout), with a tile cache of argv[3] bytes (default 256 MiB; a
// small one makes tiles leave the cache and their buffers be reused): one hash per band and resampling and a
// total, to compare two versions byte for byte.
//   node --experimental-import-meta-resolve --conditions=@eoforge/source tools/bench/raster/hashes.ts ROOT [BYTES]
import { createHash } from "node:crypto"
import { pathToFileURL } from "node:url"
const root = process.argv[2]
const { RasterSource } = await import(pathToFileURL(`${root}/packages/raster/src/index.ts`).href)
const { PixelGrid } = await import(pathToFileURL(`${root}/packages/core/src/index.ts`).href)
const Simulator = await import("../network/simulator.ts")
const { Effect } = await import(
  import.meta.resolve("effect", pathToFileURL(`${root}/packages/raster/src/index.ts`).href)
)
const sim = await Simulator.start({
  latencyMs: 0,
  bytesPerSecond: 1e10,
  requestsPerSecond: 1e6,
  concurrency: 64,
  retryAfterS: 1
})
const total = createHash("sha256")
let s = 12345
const rnd = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32
const program = Effect.gen(function* () {
  const raster = yield* RasterSource.RasterSource
  for (const band of ["blue", "rededge1", "coastal", "nir"]) {
    const info = yield* raster.open(`${sim.url}/files/S2A_T1890_1350_20210101_L2A/${band}.tif`)
    const gt = info.geoTransform
    for (const resampling of ["bilinear", "nearest", "cubic"]) {
      const h = createHash("sha256")
      const chips = []
      for (let i = 0; i < 24; i++) {
        // 264² px 10 m grids inside the file: on the 60 m lattice (as the recipe snaps), or anywhere.
        const snap = i % 2 === 0 ? 60 : 0.37
        const x0 = gt[0] + Math.floor((rnd() * (info.width * gt[1] - 4000)) / snap) * snap + 600
        const y0 = gt[3] - Math.floor((rnd() * (info.height * -gt[5] - 4000)) / snap) * snap - 600
        const grid = PixelGrid.make(info.crs, x0, y0, 10, 264, 264)
        chips.push(raster.read(info, grid, { resampling }))
      }
      const done = yield* Effect.all(chips, { concurrency: 8 })
      for (const c of done) {
        h.update(new Uint8Array(c.data.buffer, c.data.byteOffset, c.data.byteLength))
        h.update(c.mask)
      }
      const d = h.digest("hex").slice(0, 16)
      total.update(d)
      console.log(band, resampling, d)
    }
  }
}).pipe(
  Effect.scoped,
  Effect.provide(
    RasterSource.layerGeoTiffWith({
      workers: 1,
      tileCacheBytes: Number(process.argv[3] ?? 268435456)
    })
  )
)
await Effect.runPromise(program)
const TB = await import(
  pathToFileURL(`${root}/packages/raster/src/internal/tileBuffers.ts`).href
).catch(() => undefined)
console.log("total", total.digest("hex").slice(0, 16), "reused", TB?.stats?.reused)
await sim.close()
