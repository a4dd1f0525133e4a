// Buffers reused between resamples (source windows, chips given back): only buffers lent come back, each once,
// and a chip read on reused buffers equals the same chip read on new ones.
import { assert, describe, it } from "@effect/vitest"
import { type Chip, DType } from "@eoforge/core"
import { Effect } from "effect"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as GeoTiffWriter from "../src/GeoTiffWriter.ts"
import { RasterSource } from "../src/index.ts"
import * as WindowBuffers from "../src/internal/windowBuffers.ts"

describe("Lender", () => {
  it("hands a buffer given back out again, ignores arrays it did not hand out, and takes each back once", () => {
    const lender = new WindowBuffers.Lender(1 << 20)
    const a = lender.take(10_000)
    // Exactly the size asked: no slack beyond the caller's array.
    assert.strictEqual(a.byteLength, 10_000)
    lender.giveBack([new Uint16Array(a, 0, 5000), new Uint16Array(a, 0, 5000), undefined])
    lender.giveBack([new Uint8Array(10_000)])
    // Another size is not served by it.
    assert.notStrictEqual(lender.take(9000), a)
    const b = lender.take(10_000)
    assert.strictEqual(b, a)
    assert.strictEqual(lender.reused, 1)
    // Given back twice above, handed out once: the next one is new, and the foreign array was not kept.
    const c = lender.take(10_000)
    assert.notStrictEqual(c, a)
    assert.strictEqual(lender.reused, 1)
    // A buffer lent by another lender is not this one's.
    lender.giveBack([new Uint8Array(new WindowBuffers.Lender(1 << 20).take(10_000))])
    assert.notStrictEqual(lender.take(10_000), c)
    assert.strictEqual(lender.reused, 1)
  })
})

describe("resampling on reused window and chip buffers", () => {
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
            for (const resampling of ["bilinear", "cubic", "nearest"] as const) {
              const chip = yield* raster.read(info, grid, { resampling })
              // A copy is kept; the chip's own arrays go back for the next read.
              out.push({ ...chip, data: chip.data.slice(), mask: chip.mask?.slice() })
              RasterSource.recycle(chip)
            }
          return out
        }).pipe(Effect.scoped, Effect.provide(RasterSource.layerGeoTiffWith({ workers: 0 })))
        const before = WindowBuffers.windows.reused + WindowBuffers.chips.reused
        const first = yield* readAll
        const reused = WindowBuffers.windows.reused + WindowBuffers.chips.reused - before
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
        for (const c of first) assert.isTrue(c.data.some((v) => v !== 0))
      })
  )

  it.effect(
    "a chip on a reused buffer holds nodata and mask 0 beyond the file, and its buffer is exactly the chip",
    () =>
      Effect.gen(function* () {
        const dir = mkdtempSync(join(tmpdir(), "eoforge-window-buffers-"))
        const path = join(dir, "nodata.tif")
        writeFileSync(path, GeoTiffWriter.encodeSync(chip, { tileSize: 64, nodata: 65535 }))
        // Off the file's pixel grid by 3 m (so the read resamples), pixel centres 2 m inside a source pixel.
        const inside = {
          ...chip.grid,
          x0: chip.grid.x0 + 3,
          y0: chip.grid.y0 - 3,
          width: 120,
          height: 100
        }
        // Its first 60 columns lie west of the file: no data there.
        const across = { ...inside, x0: chip.grid.x0 - 597 }
        const got = yield* Effect.gen(function* () {
          const raster = yield* RasterSource.RasterSource
          const info = yield* raster.open(path)
          // A chip full of data given back first: the next read of the same size takes its buffers.
          const full = yield* raster.read(info, inside, { resampling: "nearest" })
          assert.isTrue(full.mask!.every((m) => m === 1))
          const reusedBefore = WindowBuffers.chips.reused
          RasterSource.recycle(full)
          const c = yield* raster.read(info, across, { resampling: "nearest" })
          assert.isAbove(WindowBuffers.chips.reused, reusedBefore)
          return c
        }).pipe(Effect.scoped, Effect.provide(RasterSource.layerGeoTiffWith({ workers: 0 })))
        rmSync(dir, { recursive: true, force: true })
        assert.strictEqual(got.data.buffer.byteLength, got.data.byteLength)
        assert.strictEqual(got.mask!.buffer.byteLength, got.mask!.byteLength)
        const n = across.width * across.height
        for (let b = 0; b < 3; b++)
          for (let r = 0; r < across.height; r++)
            for (let c = 0; c < across.width; c++) {
              const i = r * across.width + c
              const outside = c < 60
              assert.strictEqual(got.mask![i], outside ? 0 : 1, `mask at ${c}, ${r}`)
              if (outside) assert.strictEqual(got.data[b * n + i], 65535, `band ${b} at ${c}, ${r}`)
              else
                assert.strictEqual(
                  got.data[b * n + i],
                  chip.data[b * width * height + r * width + (c - 60)]
                )
            }
      })
  )
})
