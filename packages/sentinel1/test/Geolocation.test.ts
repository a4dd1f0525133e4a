import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { Annotation, Geolocation, Orbit } from "../src/index.ts"
import { files, realText } from "./real.ts"

/** Worst residuals of the inverse and forward model over every point of an annotation's geolocation grid. */
const residuals = (a: Annotation.ProductAnnotation) => {
  const m = Geolocation.make(a)
  let line = 0
  let pixel = 0
  let metres = 0
  for (const g of a.grid) {
    const ip = Geolocation.inverse(m, g.latitude, g.longitude, g.height)
    line = Math.max(line, Math.abs(ip.line - g.line))
    pixel = Math.max(pixel, Math.abs(ip.pixel - g.pixel))
    const [lat, lon, h] = Geolocation.forward(m, g.line, g.pixel, g.height)
    const p = Geolocation.toEcef(m, lat, lon, h)
    const q = Geolocation.toEcef(m, g.latitude, g.longitude, g.height)
    metres = Math.max(metres, Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]))
    assert.closeTo(h, g.height, 1e-3)
  }
  return { line, pixel, metres }
}

describe("Geolocation", () => {
  for (const [name, file] of [
    ["VV", files.annotationVv2021],
    ["VH", files.annotationVh2021]
  ] as const) {
    it.effect(
      `reproduces every point of ESA's geolocation grid (IPF 3.31 ${name}): inverse ≤ 0.05 px, forward ≤ 0.5 m`,
      () =>
        Effect.gen(function* () {
          const a = yield* Annotation.parse(realText(file), file)
          assert.strictEqual(a.grid.length, 210)
          const r = residuals(a)
          console.log(
            `geolocation ${name}: worst inverse ${r.line.toFixed(5)} lines, ${r.pixel.toFixed(5)} px; forward ${r.metres.toFixed(4)} m`
          )
          assert.isBelow(r.line, 0.05)
          assert.isBelow(r.pixel, 0.05)
          assert.isBelow(r.metres, 0.5)
        })
    )
  }

  it.effect(
    "the zero-Doppler time and slant range of every grid point match ESA's to 1 µs and 1 mm",
    () =>
      Effect.gen(function* () {
        const a = yield* Annotation.parse(realText(files.annotationVv2021), "vv")
        const m = Geolocation.make(a)
        for (const g of a.grid) {
          const ip = Geolocation.inverse(m, g.latitude, g.longitude, g.height)
          assert.closeTo(ip.t, g.t, 1.1e-6) // the annotation rounds times to 1 µs
          assert.closeTo(ip.slantRange, (g.slantRangeTime * Geolocation.speedOfLight) / 2, 1e-3)
        }
      })
  )

  it.effect(
    "the line stamp has the bistatic slope: the fitted reference range time lies inside the swath",
    () =>
      Effect.gen(function* () {
        const a = yield* Annotation.parse(realText(files.annotationVv2021), "vv")
        const m = Geolocation.make(a)
        const far = a.grid.reduce((x, g) => Math.max(x, g.slantRangeTime), 0)
        assert.isAbove(m.bistaticReference, a.slantRangeTime)
        assert.isBelow(m.bistaticReference, far)
      })
  )

  it("interpolates the orbit between vectors to within 1 mm of a held-out vector", () => {
    const a = Effect.runSync(Annotation.parse(realText(files.annotationVv2021), "vv"))
    for (const k of [5, 8, 10]) {
      const held = a.orbit[k]
      const o = Orbit.make(a.orbit.filter((_, i) => i !== k))
      const s = Orbit.at(o, held.t)
      assert.isBelow(Math.hypot(s.px - held.x, s.py - held.y, s.pz - held.z), 1e-3)
      assert.isBelow(Math.hypot(s.vx - held.vx, s.vy - held.vy, s.vz - held.vz), 1e-4)
    }
  })

  it("a point whose zero-Doppler time is outside the orbit's span has no image coordinates", () => {
    const a = Effect.runSync(Annotation.parse(realText(files.annotationVv2021), "vv"))
    const m = Geolocation.make(a)
    const ip = Geolocation.inverse(m, 10, 12.4, 0) // 37° of latitude south of the scene
    assert.isTrue(Number.isNaN(ip.line))
  })

  it.effect("IPF 2.36 (2015): the zero-Doppler solve still matches its grid's slant ranges", () =>
    Effect.gen(function* () {
      const a = yield* Annotation.parse(realText(files.annotation2015), "2015")
      const m = Geolocation.make(a)
      const r = residuals(a)
      console.log(
        `geolocation IPF 2.36: worst inverse ${r.line.toFixed(3)} lines, ${r.pixel.toFixed(3)} px; forward ${r.metres.toFixed(2)} m (its grid times disagree with its orbit)`
      )
      for (const g of a.grid) {
        const ip = Geolocation.inverse(m, g.latitude, g.longitude, g.height)
        assert.closeTo(ip.slantRange, (g.slantRangeTime * Geolocation.speedOfLight) / 2, 1e-2)
      }
    })
  )
})
