// The exact transverse Mercator (Krüger series, order n⁶) against proj4 over a UTM zone ± 6°, and which CRS
// pairs take it (TM/UTM/geographic without a datum shift) or fall back to proj4.
import { assert, describe, it } from "@effect/vitest"
import fc from "fast-check"
import proj4 from "proj4"
import { epsgDefinition } from "../src/internal/crs.ts"
import { transverseMercator } from "../src/internal/transverseMercator.ts"

const def = (code: number) => epsgDefinition(code) as string

/** Largest distance between our transform and proj4's over the given points (metres, or degrees × 111 km). */
const worst = (from: string, to: string, points: ReadonlyArray<readonly [number, number]>) => {
  const t = transverseMercator(from, to)
  assert.isDefined(t)
  const xs = Float64Array.from(points, (p) => p[0])
  const ys = Float64Array.from(points, (p) => p[1])
  t!(xs, ys)
  const convert = proj4(from, to)
  const scale = to.includes("longlat") ? 111_320 : 1
  let max = 0
  points.forEach(([x, y], i) => {
    const [ex, ey] = convert.forward([x, y])
    max = Math.max(max, Math.hypot(xs[i] - ex, ys[i] - ey) * scale)
  })
  return max
}

// Geographic points within ± 6° of zone 31's central meridian (3° E), 80° S to 84° N.
const lonLat = fc.tuple(
  fc.double({ min: -9, max: 15, noNaN: true }),
  fc.double({ min: -80, max: 84, noNaN: true })
)

describe("exact transverse Mercator", () => {
  it("UTM 31N → 32N agrees with proj4 within 1e-6 m over the zone ± 6°", () => {
    fc.assert(
      fc.property(fc.array(lonLat, { minLength: 1, maxLength: 200 }), (geo) => {
        const utm = geo.map(
          ([lon, lat]) => proj4(def(4326), def(32631), [lon, lat]) as [number, number]
        )
        assert.isAtMost(worst(def(32631), def(32632), utm), 1e-6)
      }),
      { numRuns: 50 }
    )
  })

  it("WGS 84 ↔ UTM (north and south) agrees with proj4 within 1e-6 m over the zone ± 6°", () => {
    fc.assert(
      fc.property(fc.array(lonLat, { minLength: 1, maxLength: 200 }), (geo) => {
        assert.isAtMost(worst(def(4326), def(32631), geo), 1e-6)
        const south = geo.map(([lon, lat]) => [lon - 150, -Math.abs(lat)] as const)
        assert.isAtMost(worst(def(4326), def(32705), south), 1e-6)
        const utm = south.map(
          ([lon, lat]) => proj4(def(4326), def(32705), [lon, lat]) as [number, number]
        )
        assert.isAtMost(worst(def(32705), def(4326), utm), 1e-6)
      }),
      { numRuns: 50 }
    )
  })

  it("a TM with a latitude of origin, foot units and a GRS80 zone agrees with proj4 within 1e-6 m", () => {
    const tm =
      "+proj=tmerc +lat_0=40 +lon_0=5 +k=0.9999 +x_0=1000 +y_0=-2000 +datum=WGS84 +to_meter=0.3048 +no_defs"
    fc.assert(
      fc.property(fc.array(lonLat, { minLength: 1, maxLength: 100 }), (geo) => {
        const utm = geo.map(
          ([lon, lat]) => proj4(def(4326), def(32631), [lon, lat]) as [number, number]
        )
        assert.isAtMost(worst(def(32631), tm, utm), 1e-6)
        assert.isAtMost(worst(def(32631), def(25831), utm), 1e-6)
      }),
      { numRuns: 30 }
    )
  })

  it("pairs with a datum shift or another projection are left to proj4", () => {
    assert.isUndefined(transverseMercator(def(32631), def(3857)))
    assert.isUndefined(transverseMercator(def(3035), def(4326)))
    assert.isUndefined(
      transverseMercator(
        def(32631),
        "+proj=utm +zone=31 +ellps=intl +towgs84=-87,-98,-121 +units=m +no_defs"
      )
    )
    assert.isDefined(transverseMercator(def(32631), def(32632)))
  })
})
