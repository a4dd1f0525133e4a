// Mollweide as PROJ computes it: the cs2cs points of the conformance matrix (tools/fixtures/make-crs-matrix.py)
// are reproduced to the last bit forward, and inverted to 1e-12°.
import { assert, describe, it } from "@effect/vitest"
import { readFileSync } from "node:fs"
import proj4 from "proj4"
import { pointTransform } from "../src/internal/coordinates.ts"
import { adjlon, forwardUnit, inverseUnit } from "../src/internal/mollweide.ts"

type Point = readonly [string, number, number, number, number]
const points = (
  JSON.parse(
    readFileSync(new URL("./golden/crs/points.json", import.meta.url), "utf8")
  ) as ReadonlyArray<Point>
).filter((p) => p[0] === "mollweide")
const moll = "+proj=moll +lon_0=0 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs"
const wgs84 = "+proj=longlat +datum=WGS84 +no_defs"

describe("Mollweide as PROJ", () => {
  it("reproduces cs2cs (ESRI:54009) exactly, forward, and to 1e-12° inverse", () => {
    assert.isAbove(points.length, 20)
    const forward = pointTransform(wgs84, moll)!
    const inverse = pointTransform(moll, wgs84)!
    for (const [, lon, lat, x, y] of points) {
      const xs = Float64Array.of(lon)
      const ys = Float64Array.of(lat)
      forward(xs, ys)
      assert.strictEqual(xs[0], x)
      assert.strictEqual(ys[0], y)
      inverse(xs, ys)
      assert.closeTo(xs[0], lon, 1e-12)
      assert.closeTo(ys[0], lat, 1e-12)
    }
  })

  it("round-trips across the globe, poles and the date line included", () => {
    for (let lat = -90; lat <= 90; lat += 7.5) {
      for (let lon = -180; lon <= 180; lon += 22.5) {
        const [x, y] = forwardUnit((lon * Math.PI) / 180, (lat * Math.PI) / 180)
        assert.isTrue(Number.isFinite(x) && Number.isFinite(y), `${lon} ${lat}`)
        if (Math.abs(lat) === 90 || Math.abs(lon) === 180) continue
        const [l, p] = inverseUnit(x, y)
        assert.closeTo((l * 180) / Math.PI, lon, 1e-9)
        assert.closeTo((p * 180) / Math.PI, lat, 1e-9)
      }
    }
    // Outside the ellipse there is no point.
    assert.isNaN(inverseUnit(3, 0)[0])
  })

  it("adjusts longitudes as PROJ's adjlon: slightly past ±π kept, further wrapped", () => {
    assert.strictEqual(adjlon(Math.PI + 1e-13), Math.PI + 1e-13)
    assert.closeTo(adjlon(Math.PI + 0.5), -Math.PI + 0.5, 1e-15)
    assert.closeTo(adjlon(-3 * Math.PI - 0.25), Math.PI - 0.25, 1e-14)
  })

  it("is what proj4 uses for moll once registered (proj4js' own rounds its constants)", () => {
    pointTransform(wgs84, moll)
    const [x] = proj4(wgs84, moll, [100, 40])
    const [ux] = forwardUnit((100 * Math.PI) / 180, (40 * Math.PI) / 180)
    assert.strictEqual(x, 6378137 * ux)
  })
})
