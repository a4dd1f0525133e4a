import { assert, describe, it } from "@effect/vitest"
import { readFileSync } from "node:fs"
import { Zone } from "../src/index.ts"

const reference = readFileSync(new URL("./fixtures/proj-reference.tsv", import.meta.url), "utf8")
  .split("\n")
  .filter((line) => line.trim() !== "" && !line.startsWith("#"))
  .map((line) => line.split("\t").map(Number))

describe("Zone", () => {
  it("puts a point in the 6° UTM zone of its longitude and the hemisphere of its latitude", () => {
    assert.deepStrictEqual(Zone.zoneOf(15, 45), { epsg: 32633, kind: "utm", zone: 33, north: true })
    assert.deepStrictEqual(Zone.zoneOf(-46.6, -23.5), {
      epsg: 32723,
      kind: "utm",
      zone: 23,
      north: false
    })
    assert.strictEqual(Zone.zoneOf(-180, 0).zone, 1)
    assert.strictEqual(Zone.zoneOf(180, 0).zone, 1)
    assert.strictEqual(Zone.zoneOf(179.999, 0).zone, 60)
    assert.strictEqual(Zone.zoneOf(360 + 15, 45).epsg, 32633)
  })

  it("widens zone 32 over south-western Norway (32V)", () => {
    assert.strictEqual(Zone.zoneOf(5.32, 60.39).epsg, 32632)
    assert.strictEqual(Zone.zoneOf(3.0, 56.0).epsg, 32632)
    assert.strictEqual(Zone.zoneOf(2.99, 60).epsg, 32631)
    assert.strictEqual(Zone.zoneOf(5.32, 64.0).epsg, 32631)
    assert.strictEqual(Zone.zoneOf(5.32, 55.99).epsg, 32631)
  })

  it("uses the four Svalbard zones 31X, 33X, 35X and 37X between 72°N and 84°N", () => {
    assert.strictEqual(Zone.zoneOf(8.9, 78).zone, 31)
    assert.strictEqual(Zone.zoneOf(9.0, 78).zone, 33)
    assert.strictEqual(Zone.zoneOf(15.6, 78.2).zone, 33)
    assert.strictEqual(Zone.zoneOf(20.9, 78).zone, 33)
    assert.strictEqual(Zone.zoneOf(21.0, 78).zone, 35)
    assert.strictEqual(Zone.zoneOf(33.0, 80).zone, 37)
    assert.strictEqual(Zone.zoneOf(41.9, 72).zone, 37)
    assert.strictEqual(Zone.zoneOf(42.0, 72).zone, 38)
    assert.strictEqual(Zone.zoneOf(15.6, 71.99).zone, 33)
    assert.strictEqual(Zone.zoneOf(8.9, 71.99).zone, 32)
  })

  it("switches to UPS north beyond 84°N and UPS south beyond 80°S", () => {
    assert.deepStrictEqual(Zone.zoneOf(10, 84.01), {
      epsg: 32661,
      kind: "ups",
      zone: 0,
      north: true
    })
    assert.strictEqual(Zone.zoneOf(10, 84).kind, "utm")
    assert.deepStrictEqual(Zone.zoneOf(10, -80.01), {
      epsg: 32761,
      kind: "ups",
      zone: 0,
      north: false
    })
    assert.strictEqual(Zone.zoneOf(10, -80).kind, "utm")
    assert.strictEqual(Zone.zoneOf(0, 90).epsg, 32661)
    assert.strictEqual(Zone.zoneOf(0, -90).epsg, 32761)
  })

  it("agrees with PROJ's cs2cs to within 1 mm forward and inverse", () => {
    assert.isAtLeast(reference.length, 20)
    for (const [lon, lat, epsg, x, y] of reference) {
      const [fx, fy] = Zone.forward(epsg, lon, lat)
      assert.closeTo(fx, x, 1e-3, `x of (${lon}, ${lat}) in EPSG:${epsg}`)
      assert.closeTo(fy, y, 1e-3, `y of (${lon}, ${lat}) in EPSG:${epsg}`)
      const [ilon, ilat] = Zone.inverse(epsg, x, y)
      // 1e-8° is about 1 mm on the ground.
      assert.closeTo(ilat, lat, 1e-8, `lat of (${x}, ${y}) in EPSG:${epsg}`)
      if (Math.abs(lat) < 89) assert.closeTo(ilon, lon, 1e-8, `lon of (${x}, ${y}) in EPSG:${epsg}`)
    }
  })

  it("round-trips the zone of every point through forward and inverse", () => {
    for (let lat = -89.5; lat <= 89.5; lat += 7.3) {
      for (let lon = -179.5; lon < 180; lon += 13.1) {
        const { epsg } = Zone.zoneOf(lon, lat)
        const [x, y] = Zone.forward(epsg, lon, lat)
        const [ilon, ilat] = Zone.inverse(epsg, x, y)
        assert.closeTo(ilat, lat, 1e-9)
        assert.closeTo(ilon, lon, 1e-9)
      }
    }
  })

  it("gives proj4 definitions for WGS 84, UTM and UPS codes", () => {
    assert.strictEqual(Zone.definition(4326), "+proj=longlat +datum=WGS84 +no_defs")
    assert.match(Zone.definition(32733), /\+proj=utm \+zone=33 \+south/)
    assert.match(Zone.definition(32661), /\+proj=stere \+lat_0=90 .*\+k=0\.994/)
    assert.strictEqual(Zone.fromEpsg(32760)?.zone, 60)
    assert.isUndefined(Zone.fromEpsg(32600))
  })

  it("rejects an unknown EPSG code with an error naming it and the supported codes", () => {
    assert.throws(() => Zone.definition(3857), Zone.UnknownEpsgError)
    try {
      Zone.forward(32662, 0, 0)
      assert.fail("expected UnknownEpsgError")
    } catch (e) {
      assert.instanceOf(e, Zone.UnknownEpsgError)
      assert.strictEqual(e._tag, "UnknownEpsgError")
      assert.strictEqual(e.code, 32662)
      assert.match(e.message, /32662.*32601–32660/)
    }
  })

  it("rejects a latitude outside [-90, 90] and non-finite coordinates", () => {
    try {
      Zone.zoneOf(10, 95)
      assert.fail("expected InvalidLocationError")
    } catch (e) {
      assert.instanceOf(e, Zone.InvalidLocationError)
      assert.strictEqual(e.lat, 95)
      assert.match(e.message, /latitude 95 is outside \[-90, 90\]/)
    }
    assert.throws(() => Zone.zoneOf(Number.NaN, 0), Zone.InvalidLocationError)
    assert.throws(() => Zone.zoneOf(0, Number.POSITIVE_INFINITY), /finite/)
  })
})
