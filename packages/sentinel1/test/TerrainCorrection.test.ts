import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { PatchGeometry } from "@eoforge/grid"
import { Annotation, Geolocation, GrdChip, Simulate, TerrainCorrection } from "../src/index.ts"
import {
  annotation,
  calibration,
  model,
  noise,
  patchGrid,
  pol,
  scene,
  toLonLat,
  truth
} from "./scene.ts"

/** Least-squares shift (px, x and y) of `got` against the truth's gradient, and the worst dB difference. */
const compare = (got: Float32Array, want: Float64Array, width: number, mask: Uint8Array) => {
  let sxx = 0,
    syy = 0,
    sxy = 0,
    bx = 0,
    by = 0,
    worst = 0,
    n = 0
  const height = want.length / width
  for (let r = 1; r < height - 1; r++) {
    for (let c = 1; c < width - 1; c++) {
      const i = r * width + c
      if (Number.isNaN(got[i]) || mask[i] !== 0) continue
      const d = got[i] - want[i]
      worst = Math.max(worst, Math.abs(d))
      const gx = (want[i + 1] - want[i - 1]) / 2
      const gy = (want[i + width] - want[i - width]) / 2
      sxx += gx * gx
      syy += gy * gy
      sxy += gx * gy
      bx += gx * d
      by += gy * d
      n++
    }
  }
  const det = sxx * syy - sxy * sxy
  // got ≈ want + g·s ⇒ s solves the normal equations; the image content moved by s.
  return { worst, n, shiftX: (syy * bx - sxy * by) / det, shiftY: (sxx * by - sxy * bx) / det }
}

const readSimulated = (s: ReturnType<typeof scene>) => (w: Parameters<GrdChip.ReadDn<never>>[0]) =>
  Effect.sync(() => Simulate.dnWindow(model, calibration, noise, s, w))

describe("TerrainCorrection", () => {
  it.effect(
    "recovers a known σ⁰ map over relief within 0.1 dB and 0.25 px; ellipsoid-only is far off",
    () =>
      Effect.gen(function* () {
        const s = scene(true)
        const grid = patchGrid(1200)
        const { sigma, dem } = truth(grid, s)
        const out = yield* GrdChip.make(
          pol,
          grid,
          toLonLat(grid),
          { values: dem, datum: "egm96", asset: "dem.tif" },
          readSimulated(s)
        )
        const r = compare(out.values, sigma, grid.width, out.mask)
        console.log(
          `terrain-corrected: worst ${r.worst.toFixed(3)} dB over ${r.n} px, shift ${r.shiftX.toFixed(3)}, ${r.shiftY.toFixed(3)} px; layover ${out.provenance.layover}, shadow ${out.provenance.shadow}`
        )
        assert.isAbove(r.n, grid.width * grid.height * 0.9)
        assert.isBelow(r.worst, 0.1)
        assert.isBelow(Math.hypot(r.shiftX, r.shiftY), 0.25)
        assert.strictEqual(out.provenance.heights, "dem+egm96")

        // Ellipsoid-only: the same chip geocoded without heights, and where it puts each target pixel.
        const flat = yield* GrdChip.make(pol, grid, toLonLat(grid), undefined, readSimulated(s))
        const e = compare(flat.values, sigma, grid.width, flat.mask)
        const withDem = TerrainCorrection.positions(model, grid, toLonLat(grid), {
          values: dem,
          datum: "egm96"
        })
        const without = TerrainCorrection.positions(model, grid, toLonLat(grid), undefined)
        let worstPx = 0
        let minPx = Infinity
        for (let i = 0; i < dem.length; i++) {
          const d = Math.hypot(
            withDem.line[i] - without.line[i],
            withDem.pixel[i] - without.pixel[i]
          )
          worstPx = Math.max(worstPx, d)
          minPx = Math.min(minPx, d)
        }
        console.log(
          `ellipsoid-only: radar positions off by ${minPx.toFixed(1)} … ${worstPx.toFixed(1)} radar px (10 m); σ⁰ worst ${e.worst.toFixed(2)} dB`
        )
        assert.strictEqual(flat.provenance.heights, "ellipsoid-only (no DEM: slopes are misplaced)")
        assert.isAbove(worstPx - minPx, 10) // the hill's 350 m alone moves pixels by tens of metres in range
        assert.isAbove(e.worst, 1)
      })
  )

  it.effect(
    "a DEM with a hole is DemNotCovering naming the DEM; a patch off the orbit is OrbitNotCovering",
    () =>
      Effect.gen(function* () {
        const s = scene(true)
        const grid = patchGrid(200)
        const { dem } = truth(grid, s)
        dem[17] = Number.NaN
        const exit = yield* Effect.exit(
          GrdChip.make(
            pol,
            grid,
            toLonLat(grid),
            { values: dem, datum: "egm96", asset: "cop-dem.tif" },
            readSimulated(s)
          )
        )
        assert.isTrue(Exit.isFailure(exit))
        const err = Exit.isFailure(exit)
          ? exit.cause.reasons.find((x) => x._tag === "Fail")
          : undefined
        assert.strictEqual(err?._tag === "Fail" ? err.error.problem : "", "DemNotCovering")
        assert.include(err?._tag === "Fail" ? err.error.message : "", "cop-dem.tif")

        const problemAt = (northKm: number) =>
          Effect.gen(function* () {
            const moved = { ...grid, y0: grid.y0 + northKm * 1000 }
            const exit2 = yield* Effect.exit(
              GrdChip.make(pol, moved, toLonLat(grid), undefined, readSimulated(s))
            )
            const err2 = Exit.isFailure(exit2)
              ? exit2.cause.reasons.find((x) => x._tag === "Fail")
              : undefined
            return err2?._tag === "Fail" ? err2.error.problem : ""
          })
        // 400 km north: inside the orbit's 150 s but beyond the image's 25 s; 1500 km: beyond the orbit too.
        assert.strictEqual(yield* problemAt(400), "OutsideImage")
        assert.strictEqual(yield* problemAt(1500), "OrbitNotCovering")
      })
  )

  it.effect(
    "an annotation describing another image size is AnnotationMismatch naming the measurement",
    () =>
      Effect.gen(function* () {
        const grid = patchGrid(200)
        const wrong = {
          ...pol,
          measurement: { asset: "s3://b/measurement/iw-vh.tiff", width: 25000, height: 16685 }
        }
        const exit = yield* Effect.exit(
          GrdChip.make(wrong, grid, toLonLat(grid), undefined, readSimulated(scene(false)))
        )
        const err = Exit.isFailure(exit)
          ? exit.cause.reasons.find((x) => x._tag === "Fail")
          : undefined
        assert.strictEqual(err?._tag === "Fail" ? err.error.problem : "", "AnnotationMismatch")
        assert.include(err?._tag === "Fail" ? err.error.message : "", "iw-vh.tiff")
      })
  )

  it("interpolated positions stay within 0.01 px of a per-pixel exact solve over relief, steep relief and none", () => {
    const grid = patchGrid(2640)
    const f = toLonLat(grid)
    const { dem } = truth(grid, scene(true))
    // The scene's hill (350 m) and the same hill 8× higher (2.8 km, slopes beyond 60°), and no DEM.
    const steep = dem.map((v) => 300 + (v - 300) * 8)
    const ramp = dem.map((_, i) => 100 + 3 * (i % grid.width) + 2 * Math.floor(i / grid.width))
    for (const [name, values] of [
      ["hill", dem],
      ["steep", steep],
      ["ramp", ramp],
      ["none", undefined]
    ] as const) {
      const heights = values === undefined ? undefined : { values, datum: "egm96" as const }
      const fast = TerrainCorrection.positions(model, grid, f, heights)
      const exact = TerrainCorrection.positionsExact(model, grid, f, heights)
      let worst = 0
      for (let i = 0; i < exact.line.length; i++)
        worst = Math.max(
          worst,
          Math.abs(fast.line[i] - exact.line[i]),
          Math.abs(fast.pixel[i] - exact.pixel[i])
        )
      const how = fast.interpolation
      console.log(
        `${name}: interpolated vs exact worst ${worst.toExponential(2)} px (lattice ${how?.step} px, ${how?.layers} heights, ${how?.solves} exact solves for ${exact.line.length} px; checks ${how?.checkedMaxPx.toExponential(2)} px)`
      )
      assert.isDefined(how)
      assert.isBelow(worst, 0.01)
      // The checks the lattice is refined by see the same error as the full comparison.
      assert.isBelow(worst, 2 * TerrainCorrection.tolerancePx)
      assert.isBelow(how?.solves ?? Infinity, exact.line.length / 20)
      assert.deepStrictEqual(fast.window, exact.window)
      for (let i = 0; i < exact.h.length; i++) assert.closeTo(fast.h[i], exact.h[i], 0.01)
    }
  })

  it("interpolated positions stay within 0.01 px of exact solves across the slant→ground records' jumps", () => {
    // Chips spread over the real product (its 1-s range records jump by up to 134 px at far range), with
    // 1 km of relief, until three chips span two records.
    let seed = 11
    const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32
    let spanning = 0
    let worst = 0
    for (let k = 0; k < 40 && spanning < 3; k++) {
      const [lat, lon] = Geolocation.forward(
        model,
        1500 + rand() * (annotation.lines - 3000),
        1500 + rand() * (annotation.samples - 3000),
        500
      )
      const grid = PatchGeometry.make({ lon, lat, size: 1280, resolution: 10 }).grid
      const f = toLonLat(grid)
      const values = new Float32Array(grid.width * grid.height).map(
        (_, i) => 600 + 500 * Math.sin(i / 700) * Math.cos((i % grid.width) / 9)
      )
      const fast = TerrainCorrection.positions(model, grid, f, { values, datum: "egm96" })
      const t = (i: number) => Annotation.lineTime(annotation, fast.line[i])
      const first = Geolocation.conversionAt(model, t(0))
      const last = Geolocation.conversionAt(model, t(fast.line.length - 1))
      if (first === last) continue
      spanning++
      const exact = TerrainCorrection.positionsExact(model, grid, f, { values, datum: "egm96" })
      for (let i = 0; i < exact.line.length; i++)
        worst = Math.max(
          worst,
          Math.abs(fast.line[i] - exact.line[i]),
          Math.abs(fast.pixel[i] - exact.pixel[i])
        )
    }
    console.log(`${spanning} chips across two range records: worst ${worst.toExponential(2)} px`)
    assert.strictEqual(spanning, 3)
    assert.isBelow(worst, 0.01)
  })

  it("marks layover on a slope facing the sensor steeper than the incidence angle, shadow behind a cliff", () => {
    const grid = patchGrid(400)
    const f = toLonLat(grid)
    const n = grid.width * grid.height
    // A ramp rising 1 m per metre (45°) along +x (east): this descending pass looks west, so the
    // sensor-facing direction is roughly −x for a right-looking descending orbit; test both directions.
    const rampUp = new Float32Array(n)
    const rampDown = new Float32Array(n)
    for (let i = 0; i < n; i++) {
      const c = i % grid.width
      rampUp[i] = 300 + 10 * c * 1.5
      rampDown[i] = 300 + 10 * (grid.width - c) * 1.5
    }
    const up = TerrainCorrection.positions(model, grid, f, { values: rampUp, datum: "ellipsoid" })
    const down = TerrainCorrection.positions(model, grid, f, {
      values: rampDown,
      datum: "ellipsoid"
    })
    const mUp = TerrainCorrection.mask(model, grid, f, up)
    const mDown = TerrainCorrection.mask(model, grid, f, down)
    const kinds = new Set([mUp[n >> 1], mDown[n >> 1]])
    assert.isTrue(kinds.has(TerrainCorrection.MaskValue.Layover))
    assert.isTrue(kinds.has(TerrainCorrection.MaskValue.Shadow))
    const flat = TerrainCorrection.mask(
      model,
      grid,
      f,
      TerrainCorrection.positions(model, grid, f, undefined)
    )
    assert.isTrue(flat.every((v) => v === TerrainCorrection.MaskValue.Clear))
  })
})
