// gdalwarp's source windows and kernel scales: the scale that decides whether bilinear/cubic widen their
// kernel, GDAL's snapping to 1/n, and the chunking of chips that run far off the raster.
import { assert, describe, it } from "@effect/vitest"
import type { GeoTransform } from "@eoforge/core"
import { warpChunks } from "../src/internal/warpWindow.ts"

// A 28.5 m image of 400 × 400 pixels with its origin at (0, 4000 · 28.5); inverse geotransform.
const res = 28.5
const inv: GeoTransform.GeoTransform = [0, 1 / res, 0, 400, 0, -1 / res]
const grid = (x0: number, y0: number, r: number): GeoTransform.GeoTransform => [x0, r, 0, y0, 0, -r]

describe("warpChunks", () => {
  it("gives a 30 m chip inside the image one chunk whose kernel scale is destination over source pixels", () => {
    const chunks = warpChunks(96, 96, grid(1000, 10000, 30), inv, undefined, 400, 400, 1)
    assert.isDefined(chunks)
    assert.strictEqual(chunks!.length, 1)
    const c = chunks![0]
    assert.closeTo(c.scale.x, 28.5 / 30, 1e-12)
    assert.closeTo(c.scale.y, 28.5 / 30, 1e-12)
    assert.isBelow(c.scale.x, 0.95)
    // Padded by the widened radius ceil(1 / 0.95) = 2 around the covered pixels.
    const [x0, , x1] = c.window
    assert.strictEqual(x0, Math.floor(1000 / res) - 2)
    assert.strictEqual(x1, Math.ceil((1000 + 96 * 30) / res) + 2)
  })

  it("snaps a scale whose reciprocal is within 0.05 of an integer to exactly 1/n", () => {
    const chunks = warpChunks(
      50,
      50,
      grid(1000, 10000, 2 * res * 1.01),
      inv,
      undefined,
      400,
      400,
      2
    )
    assert.strictEqual(chunks![0].scale.x, 0.5)
    assert.strictEqual(chunks![0].scale.y, 0.5)
  })

  it("gives a scale above 1 when upsampling, so the kernel keeps its radius", () => {
    const chunks = warpChunks(96, 96, grid(1000, 10000, 10), inv, undefined, 400, 400, 2)
    assert.closeTo(chunks![0].scale.x, 2.85, 1e-9)
    assert.closeTo(chunks![0].scale.y, 2.85, 1e-9)
  })

  it("halves a chip over 100 px whose padded source window lies mostly off the image", () => {
    // 128 × 128 at 30 m starting 60 px before the image's right edge: most of it is off the image.
    const chunks = warpChunks(128, 128, grid(340 * res, 10000, 30), inv, undefined, 400, 400, 1)
    assert.isAbove(chunks!.length, 1)
    const covered = chunks!.reduce((n, c) => n + c.w * c.h, 0)
    assert.strictEqual(covered, 128 * 128)
    for (const c of chunks!)
      assert.isTrue(c.fill === 0 || c.fill >= 0.5 || (c.w <= 100 && c.h <= 100))
  })

  it("leaves the window to the caller when an edge point does not transform", () => {
    const failing = (xs: Float64Array, ys: Float64Array) => {
      xs[0] = NaN
      ys[0] = NaN
    }
    assert.isUndefined(warpChunks(96, 96, grid(1000, 10000, 30), inv, failing, 400, 400, 1))
  })
})
