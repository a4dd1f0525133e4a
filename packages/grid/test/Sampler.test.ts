import { assert, describe, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import fc from "fast-check"
import { Sampler } from "../src/index.ts"

const take = <A>(xs: Iterable<A>, n: number): Array<A> => {
  const out: Array<A> = []
  for (const x of xs) {
    if (out.length === n) break
    out.push(x)
  }
  return out
}

// Vincenty's inverse problem on WGS 84 (independent of the sampler's direct solution):
// distance in metres and initial azimuth in radians from point 1 to point 2.
const inverse = (lon1: number, lat1: number, lon2: number, lat2: number) => {
  const a = 6378137
  const f = 1 / 298.257223563
  const b = a * (1 - f)
  const rad = Math.PI / 180
  const L = (lon2 - lon1) * rad
  const U1 = Math.atan((1 - f) * Math.tan(lat1 * rad))
  const U2 = Math.atan((1 - f) * Math.tan(lat2 * rad))
  const [sinU1, cosU1, sinU2, cosU2] = [Math.sin(U1), Math.cos(U1), Math.sin(U2), Math.cos(U2)]
  let lambda = L
  let sinSigma = 0
  let cosSigma = 0
  let sigma = 0
  let cos2Alpha = 0
  let cos2SigmaM = 0
  for (let i = 0; i < 200; i++) {
    const sinL = Math.sin(lambda)
    const cosL = Math.cos(lambda)
    sinSigma = Math.hypot(cosU2 * sinL, cosU1 * sinU2 - sinU1 * cosU2 * cosL)
    cosSigma = sinU1 * sinU2 + cosU1 * cosU2 * cosL
    sigma = Math.atan2(sinSigma, cosSigma)
    const sinAlpha = sinSigma === 0 ? 0 : (cosU1 * cosU2 * sinL) / sinSigma
    cos2Alpha = 1 - sinAlpha * sinAlpha
    cos2SigmaM = cos2Alpha === 0 ? 0 : cosSigma - (2 * sinU1 * sinU2) / cos2Alpha
    const C = (f / 16) * cos2Alpha * (4 + f * (4 - 3 * cos2Alpha))
    const prev = lambda
    lambda =
      L +
      (1 - C) *
        f *
        sinAlpha *
        (sigma + C * sinSigma * (cos2SigmaM + C * cosSigma * (-1 + 2 * cos2SigmaM ** 2)))
    if (Math.abs(lambda - prev) < 1e-13) break
  }
  const u2 = (cos2Alpha * (a * a - b * b)) / (b * b)
  const A = 1 + (u2 / 16384) * (4096 + u2 * (-768 + u2 * (320 - 175 * u2)))
  const B = (u2 / 1024) * (256 + u2 * (-128 + u2 * (74 - 47 * u2)))
  const dSigma =
    B *
    sinSigma *
    (cos2SigmaM +
      (B / 4) *
        (cosSigma * (-1 + 2 * cos2SigmaM ** 2) -
          (B / 6) * cos2SigmaM * (-3 + 4 * sinSigma ** 2) * (-3 + 4 * cos2SigmaM ** 2)))
  const distance = b * A * (sigma - dSigma)
  const azimuth = Math.atan2(
    cosU2 * Math.sin(lambda),
    cosU1 * sinU2 - sinU1 * cosU2 * Math.cos(lambda)
  )
  return { distance, azimuth }
}

describe("Sampler", () => {
  it("reproduces the same samples byte for byte from the same seed, and other ones from another", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 40 }), (seed) => {
        const a = JSON.stringify(take(Sampler.citiesGaussian({ seed }), 50))
        assert.strictEqual(JSON.stringify(take(Sampler.citiesGaussian({ seed }), 50)), a)
        assert.notStrictEqual(
          JSON.stringify(take(Sampler.citiesGaussian({ seed: seed + 1 }), 50)),
          a
        )
        const u = JSON.stringify(take(Sampler.uniformSphere({ seed }), 50))
        assert.strictEqual(JSON.stringify(take(Sampler.uniformSphere({ seed }), 50)), u)
      }),
      { numRuns: 20 }
    )
  })

  it("draws sample i the same however many were drawn before it", () => {
    const all = take(Sampler.citiesGaussian({ seed: 9, weighting: "population" }), 300)
    const again = take(Sampler.citiesGaussian({ seed: 9, weighting: "population" }), 300)
    // Drawing in reverse index order through fresh samplers gives the same items.
    for (const i of [299, 150, 7, 0]) {
      const only = take(
        Sampler.citiesGaussian({ seed: 9, weighting: "population", count: i + 1 }),
        i + 1
      )
      assert.deepStrictEqual(only[i], all[i])
    }
    assert.deepStrictEqual(again, all)
    // Two interleaved iterators over one sampler do not disturb each other.
    const sampler = Sampler.citiesGaussian({ seed: 9, weighting: "population" })
    const a = sampler[Symbol.iterator]()
    const b = sampler[Symbol.iterator]()
    b.next()
    for (let i = 0; i < 20; i++) {
      assert.deepStrictEqual(a.next().value, all[i])
      assert.deepStrictEqual(b.next().value, all[i + 1])
    }
    assert.deepStrictEqual(
      all.map((s) => s.index),
      Array.from({ length: 300 }, (_, i) => i)
    )
  })

  for (const lat of [0, 45, 70]) {
    it(`offsets samples by σ = 50 km per ground axis at ${lat}° latitude, measured geodesically`, () => {
      const n = 20000
      let east = 0
      let north = 0
      let cross = 0
      for (const s of Sampler.gaussianAround([{ lon: 10, lat }], { seed: lat + 1, count: n })) {
        const { distance, azimuth } = inverse(10, lat, s.lon, s.lat)
        const e = (distance * Math.sin(azimuth)) / 1000
        const nn = (distance * Math.cos(azimuth)) / 1000
        east += e * e
        north += nn * nn
        cross += e * nn
      }
      // RMS of 20,000 normal draws is within ±1.5 % of σ at about 4 standard errors.
      assert.closeTo(Math.sqrt(east / n), 50, 0.75)
      assert.closeTo(Math.sqrt(north / n), 50, 0.75)
      assert.closeTo(cross / n / 2500, 0, 0.03)
    })
  }

  it("samples around the top cities, uniformly or weighted by population", () => {
    const uniform = take(Sampler.citiesGaussian({ seed: 1 }), 20000)
    const weighted = take(Sampler.citiesGaussian({ seed: 1, weighting: "population" }), 20000)
    const tokyo = (xs: ReadonlyArray<Sampler.Sample>) =>
      xs.filter((s) => s.city === "Tokyo, JP").length
    // Uniform: 1 in 10,000 per city; weighted: Tokyo holds about 1.3 % of the top-10,000 population.
    assert.isBelow(tokyo(uniform), 10)
    assert.isAbove(tokyo(weighted), 100)
    assert.isTrue(uniform.every((s) => Math.abs(s.lat) <= 90 && s.lon >= -180 && s.lon < 180))
  })

  it("spreads uniformSphere samples over latitude bands in proportion to their area", () => {
    const e2 = (1 / 298.257223563) * (2 - 1 / 298.257223563)
    const e = Math.sqrt(e2)
    const q = (lat: number) => {
      const s = Math.sin((lat * Math.PI) / 180)
      return (1 - e2) * (s / (1 - e2 * s * s) - (1 / (2 * e)) * Math.log((1 - e * s) / (1 + e * s)))
    }
    const edges = [-90, -60, -30, 0, 30, 60, 90]
    const counts = new Array(edges.length - 1).fill(0)
    const n = 100000
    for (const s of Sampler.uniformSphere({ seed: 5, count: n })) {
      counts[edges.findIndex((edge) => s.lat < edge) - 1]++
    }
    counts.forEach((c, i) => {
      const p = (q(edges[i + 1]) - q(edges[i])) / (2 * q(90))
      // Four binomial standard errors.
      assert.closeTo(c / n, p, 4 * Math.sqrt((p * (1 - p)) / n))
    })
  })

  it("keeps uniformInAoi samples inside the AOI and out of its holes, area-uniformly", () => {
    const aoi = {
      type: "Polygon",
      coordinates: [
        [
          [0, 0],
          [20, 0],
          [20, 60],
          [0, 60],
          [0, 0]
        ],
        [
          [5, 10],
          [15, 10],
          [15, 20],
          [5, 20],
          [5, 10]
        ]
      ]
    }
    const n = 20000
    let low = 0
    for (const s of Sampler.uniformInAoi({ seed: 3, aoi, count: n })) {
      assert.isTrue(s.lon >= 0 && s.lon <= 20 && s.lat >= 0 && s.lat <= 60)
      assert.isFalse(s.lon > 5 && s.lon < 15 && s.lat > 10 && s.lat < 20)
      if (s.lat < 30) low++
    }
    // Sphere areas: [0,30] minus the hole vs [30,60]; the ellipsoid changes this by < 0.1 %.
    const band = (a: number, b: number) =>
      Math.sin((b * Math.PI) / 180) - Math.sin((a * Math.PI) / 180)
    const lowArea = 20 * band(0, 30) - 10 * band(10, 20)
    const p = lowArea / (lowArea + 20 * band(30, 60))
    assert.closeTo(low / n, p, 4 * Math.sqrt((p * (1 - p)) / n) + 0.002)
  })

  it("reads CSV locations with lon and lat in any order and an optional id", () => {
    const csv = 'id,lat,lon\nparis,48.8566,2.3522\n\n"b,1",-33.9,151.2\n'
    const xs = [...Sampler.fromLocations(csv, "csv", "sites.csv")]
    assert.deepStrictEqual(xs, [
      { index: 0, lon: 2.3522, lat: 48.8566, id: "paris" },
      { index: 1, lon: 151.2, lat: -33.9, id: "b,1" }
    ])
    const plain = [...Sampler.fromLocations("lon,lat\r\n10,20\r\n", "csv")]
    assert.deepStrictEqual(plain, [{ index: 0, lon: 10, lat: 20 }])
  })

  it("reads GeoJSON points with their ids", () => {
    const geojson = JSON.stringify({
      type: "FeatureCollection",
      features: [
        {
          type: "Feature",
          id: "a",
          properties: {},
          geometry: { type: "Point", coordinates: [1, 2] }
        },
        { type: "Feature", properties: { id: 7 }, geometry: { type: "Point", coordinates: [3, 4] } }
      ]
    })
    assert.deepStrictEqual(
      [...Sampler.fromLocations(geojson, "geojson")],
      [
        { index: 0, lon: 1, lat: 2, id: "a" },
        { index: 1, lon: 3, lat: 4, id: "7" }
      ]
    )
  })

  it("rejects a malformed locations file naming the file, line and value", () => {
    try {
      Sampler.fromLocations("lon,lat\n1,2\n3,north\n", "csv", "sites.csv")
      assert.fail("expected LocationsParseError")
    } catch (e) {
      assert.instanceOf(e, Sampler.LocationsParseError)
      assert.strictEqual(e.file, "sites.csv")
      assert.strictEqual(e.line, 3)
      assert.strictEqual(e.value, "north")
      assert.match(e.message, /sites\.csv line 3: lat is not a number \("north"\)/)
    }
    assert.throws(
      () => Sampler.fromLocations("x,y\n1,2\n", "csv", "f.csv"),
      /f\.csv line 1: the header/
    )
    assert.throws(
      () => Sampler.fromLocations("lon,lat\n1,2,3\n", "csv"),
      /line 2: expected 2 fields/
    )
    assert.throws(() => Sampler.fromLocations("lon,lat\n1,95\n", "csv"), /outside \[-90, 90\]/)
    assert.throws(
      () => Sampler.fromLocations("{nope", "geojson", "p.geojson"),
      /p\.geojson feature 1: the text is not JSON/
    )
    assert.throws(
      () => Sampler.fromLocations('{"type":"LineString","coordinates":[[0,0],[1,1]]}', "geojson"),
      Sampler.LocationsParseError
    )
  })

  it("rejects a negative sigma and an unknown weighting", () => {
    assert.throws(
      () => Sampler.citiesGaussian({ seed: 1, sigmaKm: -1 }),
      Sampler.InvalidSamplerOptionError
    )
    assert.throws(
      () => Sampler.citiesGaussian({ seed: 1, weighting: "area" as "uniform" }),
      /weighting/
    )
  })

  it.effect("streams samples one per chunk, equal to the iterable", () =>
    Effect.gen(function* () {
      const xs = Sampler.uniformSphere({ seed: 11 })
      const streamed = yield* Stream.runCollect(Sampler.stream(xs).pipe(Stream.take(25)))
      assert.deepStrictEqual([...streamed], take(xs, 25))
    })
  )
})
