// The separable bilinear/cubic path (positions per column and row) against the point-by-point one it
// replaces for same-CRS grids: identical values and masks, bit for bit, on generated grids and windows.
import { assert, describe, it } from "@effect/vitest"
import type { GeoTransform } from "@eoforge/core"
import * as fc from "fast-check"
import { axes, exact } from "../src/internal/coordinates.ts"
import { invertGeoTransform } from "../src/internal/invertGeoTransform.ts"
import { interpolate, type Window } from "../src/internal/warp.ts"
import { interpolateAxes } from "../src/internal/warpAxes.ts"

type Kind = "bilinear" | "cubic"
type Dtype = "uint16" | "int16" | "float32"

const arrayOf = (dtype: Dtype, n: number) =>
  dtype === "uint16"
    ? new Uint16Array(n)
    : dtype === "int16"
      ? new Int16Array(n)
      : new Float32Array(n)

const storeOf = (dtype: Dtype) =>
  dtype === "uint16"
    ? { integer: true, min: 0, max: 65535 }
    : dtype === "int16"
      ? { integer: true, min: -32768, max: 32767 }
      : { integer: false, min: -Infinity, max: Infinity }

const bytes = (a: { buffer: ArrayBufferLike; byteOffset: number; byteLength: number }) =>
  Array.from(new Uint8Array(a.buffer, a.byteOffset, a.byteLength))

const scenario = fc.record({
  kind: fc.constantFrom<Kind>("bilinear", "cubic"),
  dtype: fc.constantFrom<Dtype>("uint16", "int16", "float32"),
  // Source pixel size over target pixel size: 10 m onto 10 m, 20 m and 60 m bands onto 10 m, and the
  // downsampling ones whose widened kernels go point by point.
  srcRes: fc.constantFrom(10, 20, 60, 10.5),
  dstRes: fc.constantFrom(10, 10, 10, 20, 30),
  // Target origin relative to the image's, in metres: anywhere, or on multiples of 5 m (rows and columns on
  // the source's pixel centres, whose weights are exactly 1 and 0).
  dx: fc.oneof(
    fc.double({ min: -400, max: 2000, noNaN: true }),
    fc.integer({ min: -80, max: 400 }).map((k) => 5 * k)
  ),
  dy: fc.oneof(
    fc.double({ min: -400, max: 2000, noNaN: true }),
    fc.integer({ min: -80, max: 400 }).map((k) => 5 * k)
  ),
  width: fc.integer({ min: 1, max: 41 }),
  height: fc.integer({ min: 1, max: 41 }),
  // The window read, in image pixels of a 64 × 48 image: clipped at its edges.
  wx: fc.integer({ min: 0, max: 40 }),
  wy: fc.integer({ min: 0, max: 30 }),
  ww: fc.integer({ min: 1, max: 64 }),
  wh: fc.integer({ min: 1, max: 48 }),
  bands: fc.integer({ min: 1, max: 3 }),
  // Nodata declared or not; present once, in a tenth of the pixels, or as NaN (floats; 0 for integers).
  nodata: fc.constantFrom<"none" | "absent" | "present" | "many" | "nan">(
    "none",
    "absent",
    "present",
    "many",
    "nan"
  ),
  seed: fc.integer({ min: 1, max: 2 ** 30 }),
  rect: fc.tuple(fc.nat(40), fc.nat(40), fc.nat(41), fc.nat(41))
})

type Scenario = typeof scenario extends fc.Arbitrary<infer S> ? S : never

/** Runs one scenario both ways and asserts identical masks and values. */
const samePointByPoint = (s: Scenario): void => {
  const src: GeoTransform.GeoTransform = [500000, s.srcRes, 0, 5000000, 0, -s.srcRes]
  const dst: GeoTransform.GeoTransform = [500000 + s.dx, s.dstRes, 0, 5000000 - s.dy, 0, -s.dstRes]
  const inv = invertGeoTransform(src)!
  const ww = Math.min(s.ww, 64 - s.wx)
  const wh = Math.min(s.wh, 48 - s.wy)
  let state = s.seed
  const random = () => {
    state = (Math.imul(state, 1103515245) + 12345) & 0x7fffffff
    return state / 0x80000000
  }
  const nodata =
    s.nodata === "none" ? undefined : s.dtype !== "float32" ? 0 : s.nodata === "nan" ? NaN : -9999
  const bands = Array.from({ length: s.bands }, () => {
    const band = arrayOf(s.dtype, ww * wh)
    for (let i = 0; i < band.length; i++) {
      // Smooth plus noise, beyond the dtype's range now and then (clamping is exercised).
      const v = 1000 * Math.sin(i / 7) + 3000 * random() + (s.dtype === "uint16" ? 3000 : 0)
      band[i] = s.dtype === "float32" ? v : Math.round(v)
      if (nodata !== undefined && band[i] === nodata) band[i] = nodata + 1
      if (s.nodata === "many" && random() < 0.1) band[i] = nodata!
    }
    if (s.nodata === "present" || s.nodata === "nan")
      band[Math.floor(random() * band.length)] = nodata!
    return band
  })
  const w: Window = { bands, wx: s.wx, wy: s.wy, ww, wh }
  const [rx, ry, rw, rh] = s.rect
  const x0 = Math.min(rx, s.width - 1)
  const y0 = Math.min(ry, s.height - 1)
  const rect = {
    x0,
    y0,
    w: Math.min(rw, s.width - x0),
    h: Math.min(rh, s.height - y0),
    stride: s.width
  }
  const scale = { x: s.dstRes < s.srcRes ? 1 : s.srcRes / s.dstRes, y: s.srcRes / s.dstRes }
  const store = storeOf(s.dtype)
  const lattice = { nx: s.width, ny: s.height, start: 0.5 }
  const run = (separable: boolean) => {
    const n = s.width * s.height
    const out = bands.map(() => arrayOf(s.dtype, n).fill(nodata ?? 7))
    const mask = new Uint8Array(n)
    if (separable) {
      const sep = axes(lattice, dst, inv, undefined)!
      interpolateAxes(s.kind, w, sep, nodata, store, out, mask, scale, rect)
    } else {
      const p = exact(lattice, dst, inv, undefined)
      interpolate(s.kind, w, p.x, p.y, nodata, store, out, mask, scale, rect)
    }
    return { out, mask }
  }
  const before = run(false)
  const after = run(true)
  assert.deepStrictEqual(bytes(after.mask), bytes(before.mask))
  for (let b = 0; b < bands.length; b++)
    assert.deepStrictEqual(bytes(after.out[b]), bytes(before.out[b]))
}

describe("interpolateAxes", () => {
  it("gives exact's positions per column and row for grids parallel to the image", () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const src: GeoTransform.GeoTransform = [500000, s.srcRes, 0, 5000000, 0, -s.srcRes]
        const dst: GeoTransform.GeoTransform = [
          500000 + s.dx,
          s.dstRes,
          0,
          5000000 - s.dy,
          0,
          -s.dstRes
        ]
        const inv = invertGeoTransform(src)!
        for (const start of [0.5, 0]) {
          const lattice = { nx: s.width, ny: s.height, start }
          const points = exact(lattice, dst, inv, undefined)
          const sep = axes(lattice, dst, inv, undefined)!
          const { x, y } = sep.points()
          for (let k = 0; k < x.length; k++) {
            if (x[k] !== points.x[k] || y[k] !== points.y[k]) return false
          }
        }
        return true
      }),
      { numRuns: 300 }
    )
  })

  it("is undefined with a transform or a rotation term", () => {
    const lattice = { nx: 3, ny: 3, start: 0.5 }
    const inv: GeoTransform.GeoTransform = [0, 0.1, 0, 10, 0, -0.1]
    assert.isUndefined(axes(lattice, [0, 10, 0.5, 100, 0, -10], inv, undefined))
    assert.isUndefined(
      axes(lattice, [0, 10, 0, 100, 0, -10], [0, 0.1, 0.01, 10, 0, -0.1], undefined)
    )
    assert.isUndefined(axes(lattice, [0, 10, 0, 100, 0, -10], inv, () => {}))
    assert.isDefined(axes(lattice, [0, 10, 0, 100, 0, -10], inv, undefined))
  })

  it("equals the point-by-point kernels bit for bit on generated grids, windows and dtypes", () => {
    let separableRuns = 0
    let nodataRuns = 0
    fc.assert(
      fc.property(scenario, (s) => {
        samePointByPoint(s)
        const withNodata = s.nodata === "present" || s.nodata === "many" || s.nodata === "nan"
        if (!withNodata && s.srcRes >= s.dstRes) separableRuns++
        if (withNodata && s.kind === "bilinear" && s.srcRes >= s.dstRes) nodataRuns++
      }),
      { numRuns: 1500 }
    )
    // Most scenarios must take the per-axis kernels themselves, not the point-by-point fallback.
    assert.isAbove(separableRuns, 400)
    assert.isAbove(nodataRuns, 150)
  })

  it("equals them on rows over the source's pixel centres, whose weights are exactly 1 and 0", () => {
    fc.assert(
      fc.property(
        scenario,
        fc.constantFrom(10, 20),
        fc.integer({ min: -10, max: 200 }),
        (s, srcRes, k) =>
          samePointByPoint({
            ...s,
            srcRes,
            dstRes: 10,
            dtype: s.dtype === "float32" ? "uint16" : s.dtype,
            // Rows on source pixel centres: 10 m multiples over 10 m pixels, 5 m + 10 m multiples over 20 m.
            dy: srcRes === 10 ? 10 * k : 5 + 10 * k,
            wx: 0,
            wy: 0,
            ww: 64,
            wh: 48
          })
      ),
      { numRuns: 300 }
    )
  })

  it("writes values where the window covers the grid (the comparison is not of two empty chips)", () => {
    const inv = invertGeoTransform([0, 20, 0, 480, 0, -20])!
    const lattice = { nx: 30, ny: 30, start: 0.5 }
    const band = new Uint16Array(24 * 24).map((_, i) => 100 + i)
    const w: Window = { bands: [band], wx: 0, wy: 0, ww: 24, wh: 24 }
    const out = [new Uint16Array(900)]
    const mask = new Uint8Array(900)
    const sep = axes(lattice, [0, 10, 0, 480, 0, -10], inv, undefined)!
    const store = { integer: true, min: 0, max: 65535 }
    interpolateAxes(
      "bilinear",
      w,
      sep,
      undefined,
      store,
      out,
      mask,
      { x: 2, y: 2 },
      {
        x0: 0,
        y0: 0,
        w: 30,
        h: 30,
        stride: 30
      }
    )
    assert.strictEqual(
      mask.reduce((a, b) => a + b, 0),
      900
    )
    // Target pixel (2, 2) is at source (1.25, 1.25): a quarter of the way between pixels 0 and 1 of each axis.
    assert.strictEqual(out[0][2 * 30 + 2], Math.floor(100 + 0.75 * 1 + 0.75 * 24 + 0.5))
  })
})
