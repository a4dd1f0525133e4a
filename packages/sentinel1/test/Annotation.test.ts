import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { Annotation, Calibration, Manifest, Noise } from "../src/index.ts"
import { files, realText } from "./real.ts"

const failureOf = <A, E>(exit: Exit.Exit<A, E>): E => {
  if (Exit.isSuccess(exit)) throw new Error("expected a failure")
  const e = exit.cause.reasons.find((r) => r._tag === "Fail")
  if (e === undefined || e._tag !== "Fail") throw new Error("expected a typed failure")
  return e.error
}

describe("Annotation", () => {
  it.effect(
    "reads image size, timing, orbit, range polynomials and the grid of a real IPF 3.31 GRD",
    () =>
      Effect.gen(function* () {
        const a = yield* Annotation.parse(realText(files.annotationVv2021), "vv.xml")
        assert.strictEqual(a.lines, 16685)
        assert.strictEqual(a.samples, 25788)
        assert.strictEqual(a.polarisation, "VV")
        assert.strictEqual(a.mode, "IW")
        assert.strictEqual(a.pass, "Descending")
        assert.strictEqual(a.projection, "Ground Range")
        assert.strictEqual(a.orbit.length, 16)
        assert.strictEqual(a.rangeConversions.length, 28)
        assert.strictEqual(a.grid.length, 210)
        assert.strictEqual(a.rangeConversions[0].srgr.length, 9)
        // productFirstLineUtcTime 05:26:23.794457, first orbit vector 05:25:19.000000
        assert.closeTo(a.orbit[0].t, -64.794457, 1e-9)
        assert.closeTo(a.lastLineTime, 24.998916, 1e-9)
        assert.closeTo(a.azimuthTimeInterval, 1.498376640333055e-3, 1e-18)
        assert.closeTo(a.grid[1].latitude, 47.1397975001534, 1e-12)
        assert.strictEqual(a.grid[1].pixel, 1290)
        assert.closeTo(a.ellipsoid.b, 6356752.314245, 1e-6)
      })
  )

  it.effect("names the asset when the product annotation asset is another document", () =>
    Effect.gen(function* () {
      const rfi = `<?xml version="1.0"?><rfi><adsHeader/></rfi>`
      const e = failureOf(
        yield* Effect.exit(Annotation.parse(rfi, "s3://b/annotation/rfi/rfi-iw-vv.xml"))
      )
      assert.strictEqual(e.problem, "AnnotationWrongKind")
      assert.include(e.message, "rfi-iw-vv.xml")
      assert.include(e.message, "<rfi>")
    })
  )

  it.effect(
    "a product annotation without its orbit list is malformed, with the element named",
    () =>
      Effect.gen(function* () {
        const text = realText(files.annotationVv2021).replace(/<orbitList[\s\S]*<\/orbitList>/, "")
        const e = failureOf(yield* Effect.exit(Annotation.parse(text, "vv.xml")))
        assert.strictEqual(e.problem, "AnnotationMalformed")
        assert.include(e.message, "orbitList")
      })
  )

  it.effect("a LUT whose count attribute disagrees with its values is malformed", () =>
    Effect.gen(function* () {
      const text = realText(files.calibrationSlc2021).replace(
        '<sigmaNought count="542">3.319230e+02 ',
        '<sigmaNought count="542">'
      )
      const e = failureOf(yield* Effect.exit(Calibration.parse(text, "cal.xml")))
      assert.strictEqual(e.problem, "AnnotationMalformed")
      assert.include(e.message, "sigmaNought")
    })
  )
})

describe("Calibration and Noise", () => {
  it.effect("reads σ⁰/β⁰/γ⁰/DN vectors", () =>
    Effect.gen(function* () {
      const c = yield* Calibration.parse(realText(files.calibrationSlc2021), "cal.xml")
      assert.strictEqual(c.vectors.length, 30)
      assert.strictEqual(c.vectors[0].line, -1042)
      assert.strictEqual(c.vectors[0].pixel.length, 542)
      assert.closeTo(c.vectors[0].sigmaNought[0], 331.923, 1e-9)
      assert.closeTo(c.vectors[0].betaNought[0], 236.9867, 1e-9)
      assert.closeTo(c.absoluteCalibrationConstant, 1.393, 1e-12)
      const old = yield* Calibration.parse(realText(files.calibration2015), "cal2015.xml")
      assert.isAbove(old.vectors.length, 10)
    })
  )

  it.effect("reads IPF ≥ 2.9 range and azimuth noise vectors and the older range-only schema", () =>
    Effect.gen(function* () {
      const n = yield* Noise.parse(realText(files.noiseSlc2021), "noise.xml")
      assert.strictEqual(n.schema, "range+azimuth")
      assert.strictEqual(n.range.length, 10)
      assert.strictEqual(n.range[0].line, -1501)
      assert.closeTo(n.range[0].lut[0], 510.7203, 1e-9)
      assert.strictEqual(n.azimuth.length, 1)
      assert.strictEqual(n.azimuth[0].swath, "IW1")
      assert.strictEqual(n.azimuth[0].lastRangeSample, 21631)
      assert.strictEqual(n.azimuth[0].line.length, 1359)
      const old = yield* Noise.parse(realText(files.noise2015), "noise2015.xml")
      assert.strictEqual(old.schema, "range")
      assert.strictEqual(old.range.length, 27)
      assert.strictEqual(old.azimuth.length, 0)
    })
  )

  it.effect(
    "the manifest's IPF version is read, and unknown versions are refused naming the asset",
    () =>
      Effect.gen(function* () {
        assert.strictEqual(yield* Manifest.ipfVersion(realText(files.manifest2021), "m"), 3.31)
        assert.strictEqual(yield* Manifest.ipfVersion(realText(files.manifest2015), "m"), 2.36)
        const future = realText(files.manifest2021).replaceAll(
          'version="003.31"',
          'version="009.10"'
        )
        const e = failureOf(
          yield* Effect.exit(Manifest.ipfVersion(future, "https://h/x/manifest.safe"))
        )
        assert.strictEqual(e.problem, "UnknownIpfVersion")
        assert.include(e.message, "https://h/x/manifest.safe")
      })
  )
})
