import { assert, describe, it } from "@effect/vitest"
import { readFileSync } from "node:fs"
import { Effect } from "effect"
import { Calibration, Noise, Radiometry } from "../src/index.ts"
import { realText } from "./real.ts"

// Golden values from tools/s1-radiometry/reference.py (numpy, written from ESA's formulas) on the real XML.
interface GoldenWindow {
  readonly window: readonly [number, number, number, number]
  readonly dn: ReadonlyArray<number>
  readonly eta: ReadonlyArray<number>
  readonly [key: string]: ReadonlyArray<number | null> | readonly [number, number, number, number]
}
const golden = JSON.parse(
  readFileSync(new URL("./golden/radiometry.json", import.meta.url), "utf8")
) as {
  readonly cases: ReadonlyArray<{
    readonly name: string
    readonly calibration: string
    readonly noise: string
    readonly windows: ReadonlyArray<GoldenWindow>
  }>
}

const relative = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(b), 1e-30)

describe("Radiometry against the independent numpy reference", () => {
  let worst = 0
  for (const c of golden.cases) {
    it.effect(`${c.name}: LUTs, noise and σ⁰/β⁰/γ⁰ within 1e-6 relative`, () =>
      Effect.gen(function* () {
        const cal = yield* Calibration.parse(realText(c.calibration), c.calibration)
        const noise = yield* Noise.parse(realText(c.noise), c.noise)
        let clamped = 0
        let masked = 0
        for (const g of c.windows) {
          const [line0, pixel0, height, width] = g.window
          const w = { line0, pixel0, height, width }
          const eta = Radiometry.noisePower(noise, w)
          g.eta.forEach((v, i) => (worst = Math.max(worst, relative(eta[i], v))))
          for (const target of ["sigma0", "beta0", "gamma0"] as const) {
            const lut = Radiometry.calibrationLut(cal, target, w)
            ;(g[`lut_${target}`] as ReadonlyArray<number>).forEach(
              (v, i) => (worst = Math.max(worst, relative(lut[i], v)))
            )
            for (const denoise of [true, false]) {
              const out = Radiometry.calibrate(g.dn, w, cal, noise, { target, denoise, db: false })
              const want = g[denoise ? target : `${target}Noisy`] as ReadonlyArray<number | null>
              want.forEach((v, i) => {
                if (v === null) {
                  assert.isTrue(Number.isNaN(out[i]), `DN 0 at ${i} is no data`)
                  masked++
                } else if (v === 0) {
                  assert.strictEqual(out[i], 0)
                  clamped++
                } else worst = Math.max(worst, relative(out[i], v))
              })
            }
          }
        }
        console.log(
          `radiometry ${c.name}: worst relative difference ${worst.toExponential(2)}, ${clamped} clamped, ${masked} masked`
        )
        assert.isBelow(worst, 1e-6)
        // The DN pattern puts the IPF 3.31 noise (≈ 500 DN²) above the signal somewhere.
        if (noise.schema === "range+azimuth") assert.isAbove(clamped, 0)
        assert.isAbove(masked, 0)
      })
    )
  }

  it.effect(
    "dB output is 10·log10 of the linear value, floored where noise exceeds the signal",
    () =>
      Effect.gen(function* () {
        const c = golden.cases[0]
        const cal = yield* Calibration.parse(realText(c.calibration), c.calibration)
        const noise = yield* Noise.parse(realText(c.noise), c.noise)
        const g = c.windows[1]
        const [line0, pixel0, height, width] = g.window
        const w = { line0, pixel0, height, width }
        const lin = Radiometry.calibrate(g.dn, w, cal, noise, { db: false })
        const db = Radiometry.calibrate(g.dn, w, cal, noise, { minDb: -40 })
        for (let i = 0; i < lin.length; i++) {
          if (Number.isNaN(lin[i])) assert.isTrue(Number.isNaN(db[i]))
          else if (lin[i] === 0) assert.strictEqual(db[i], -40)
          else assert.closeTo(db[i], Math.max(10 * Math.log10(lin[i]), -40), 1e-4)
        }
      })
  )

  it.effect("noise removal lowers σ⁰ by exactly η/A² (range LUT × azimuth LUT)", () =>
    Effect.gen(function* () {
      const c = golden.cases[0]
      const cal = yield* Calibration.parse(realText(c.calibration), c.calibration)
      const noise = yield* Noise.parse(realText(c.noise), c.noise)
      const w = { line0: 5000, pixel0: 7000, height: 4, width: 5 }
      const dn = new Array(20).fill(900)
      const noisy = Radiometry.calibrate(dn, w, cal, noise, { db: false, denoise: false })
      const clean = Radiometry.calibrate(dn, w, cal, noise, { db: false })
      const a = Radiometry.calibrationLut(cal, "sigma0", w)
      const eta = Radiometry.noisePower(noise, w)
      const azimuthOnly = Radiometry.noisePower({ ...noise, azimuth: [] }, w)
      for (let i = 0; i < 20; i++) {
        // float32 outputs: their difference carries ~1e-4 relative rounding
        assert.closeTo((noisy[i] - clean[i]) / (eta[i] / (a[i] * a[i])), 1, 1e-3)
        assert.notStrictEqual(eta[i], azimuthOnly[i]) // the azimuth LUT is applied
      }
    })
  )

  it.effect(
    "writes into the caller's buffer when it is long enough, the same values as a new array",
    () =>
      Effect.gen(function* () {
        const c = golden.cases[0]
        const cal = yield* Calibration.parse(realText(c.calibration), c.calibration)
        const noise = yield* Noise.parse(realText(c.noise), c.noise)
        const w = { line0: 5000, pixel0: 7000, height: 4, width: 5 }
        const dn = Array.from({ length: 20 }, (_, i) => (i === 3 ? 0 : 300 + 37 * i))
        const fresh = Radiometry.calibrate(dn, w, cal, noise, { db: false })
        const buffer = new Float32Array(64).fill(7)
        const into = Radiometry.calibrate(dn, w, cal, noise, { db: false }, buffer)
        assert.strictEqual(into.buffer, buffer.buffer)
        assert.strictEqual(into.length, 20)
        assert.deepStrictEqual(into, fresh)
        assert.strictEqual(buffer[20], 7)
        // Too short: a new array, the buffer untouched.
        const short = new Float32Array(19).fill(7)
        const other = Radiometry.calibrate(dn, w, cal, noise, { db: false }, short)
        assert.notStrictEqual(other.buffer, short.buffer)
        assert.deepStrictEqual(other, fresh)
        assert.isTrue(short.every((v) => v === 7))
      })
  )
})
