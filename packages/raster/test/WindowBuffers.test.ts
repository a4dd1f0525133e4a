// Source-window buffers reused between resamples: only buffers handed out come back, each once, and a chip
// read on reused buffers equals the same chip read on new ones.
import { assert, describe, it } from "@effect/vitest"
import { type Chip, DType } from "@eoforge/core"
import { Effect } from "effect"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as GeoTiffWriter from "../src/GeoTiffWriter.ts"
import { RasterSource } from "../src/index.ts"
import * as WindowBuffers from "../src/internal/windowBuffers.ts"

describe("windowBuffers", () => {
  it("hands a buffer given back out again, ignores arrays it did not hand out, and takes each back once", () => {
    const a = WindowBuffers.take(10_000)
    assert.isAtLeast(a.byteLength, 10_000)
    WindowBuffers.giveBack([new Uint16Array(a, 0, 5000), new Uint16Array(a, 0, 5000)])
    WindowBuffers.giveBack([new Uint8Array(16_384)])
    const before = WindowBuffers.stats.reused
    const b = WindowBuffers.take(9000)
    assert.strictEqual(b, a)
    assert.strictEqual(WindowBuffers.stats.reused, before + 1)
    // Given back twice above, handed out once: the next one is new.
    const c = WindowBuffers.take(9000)
    assert.notStrictEqual(c, a)
    WindowBuffers.giveBack([new Uint8Array(b), new Uint8Array(c)])
  })
})

describe("resampling on reused window buffers", () => {
  const width = 300
  const height = 260
  const chip: Chip.Chip = (() => {
    const data = DType.alloc("uint16", 3 * width * height)
    let s = 5
    for (let i = 0; i < data.length; i++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0
      data[i] = ((i % width) * 97 + Math.floor(i / width) * 13 + (s >>> 25)) & 0xffff
    }
    const grid = {
      crs: { _tag: "Epsg" as const, code: 32633 },
      x0: 399960,
      y0: 5300040,
      resolution: 10,
      width,
      height
    }
    return { grid, dtype: "uint16", bands: 3, data }
  })()

  it.effect(
    "reads every chip the same as with new buffers, and reuses buffers from the second read on",
    () =>
      Effect.gen(function* () {
        const dir = mkdtempSync(join(tmpdir(), "eoforge-window-buffers-"))
        const path = join(dir, "a.tif")
        writeFileSync(path, GeoTiffWriter.encodeSync(chip, { tileSize: 64 }))
        const grids = [0, 1, 2, 0].map((k) => ({
          ...chip.grid,
          x0: chip.grid.x0 + 333 + 170 * k,
          y0: chip.grid.y0 - 417 - 90 * k,
          resolution: 7.5,
          width: 101,
          height: 93
        }))
        const readAll = Effect.gen(function* () {
          const raster = yield* RasterSource.RasterSource
          const info = yield* raster.open(path)
          const out: Array<Chip.Chip> = []
          for (const grid of grids)
            for (const resampling of ["bilinear", "cubic", "nearest"] as const)
              out.push(yield* raster.read(info, grid, { resampling }))
          return out
        }).pipe(Effect.scoped, Effect.provide(RasterSource.layerGeoTiffWith({ workers: 0 })))
        const before = WindowBuffers.stats.reused
        const first = yield* readAll
        const reused = WindowBuffers.stats.reused - before
        const second = yield* readAll
        rmSync(dir, { recursive: true, force: true })
        assert.isAbove(reused, 0)
        // The last grid repeats the first: same chips whatever buffers they were read through.
        for (let r = 0; r < 3; r++) assert.deepStrictEqual(first[9 + r].data, first[r].data)
        first.forEach((c, i) => {
          assert.deepStrictEqual(second[i].data, c.data)
          assert.deepStrictEqual(second[i].mask, c.mask)
        })
        // The grids lie inside the file: every chip holds data.
        assert.isAbove(first.filter((c) => c.data.some((v) => v !== 0)).length, first.length - 1)
      })
  )
})
