// Where a source's CRS comes from and what happens when it cannot be used: the EPSG/ESRI database, WKT1/WKT2
// and PROJJSON, PAM sidecars (SRS, nodata, class names), datum-shift provenance and typed refusals.
import { assert, describe, it } from "@effect/vitest"
import { Crs, PixelGrid } from "@eoforge/core"
import { Effect } from "effect"
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import proj4 from "proj4"
import { RasterSource } from "../src/index.ts"
import { definition, resolve } from "../src/internal/crs.ts"
import { datumShift } from "../src/internal/crsDatabase.ts"
import { fromGeoKeys } from "../src/internal/geoKeys.ts"
import { parsePam } from "../src/internal/pam.ts"
import { fixtures } from "./golden.ts"
import { start } from "./server.ts"

const dir = new URL("./golden/crs/", import.meta.url).pathname
const layer = RasterSource.layerGeoTiffWith({ workers: 0 })
const open = (path: string) =>
  Effect.gen(function* () {
    const raster = yield* RasterSource.RasterSource
    return yield* raster.open(path)
  }).pipe(Effect.scoped, Effect.provide(layer))

// PROJ's own WKT2 and PROJJSON of EPSG:2056 (projinfo 9.1), and a WKT2 of no EPSG CRS.
const lv95Wkt2 =
  'PROJCRS["CH1903+ / LV95",BASEGEOGCRS["CH1903+",DATUM["CH1903+",ELLIPSOID["Bessel 1841",6377397.155,299.1528128,LENGTHUNIT["metre",1]]],PRIMEM["Greenwich",0,ANGLEUNIT["degree",0.0174532925199433]],ID["EPSG",4150]],CONVERSION["Swiss Oblique Mercator 1995",METHOD["Hotine Oblique Mercator (variant B)",ID["EPSG",9815]],PARAMETER["Latitude of projection centre",46.9524055555556,ANGLEUNIT["degree",0.0174532925199433],ID["EPSG",8811]],PARAMETER["Longitude of projection centre",7.43958333333333,ANGLEUNIT["degree",0.0174532925199433],ID["EPSG",8812]],PARAMETER["Azimuth of initial line",90,ANGLEUNIT["degree",0.0174532925199433],ID["EPSG",8813]],PARAMETER["Angle from Rectified to Skew Grid",90,ANGLEUNIT["degree",0.0174532925199433],ID["EPSG",8814]],PARAMETER["Scale factor on initial line",1,SCALEUNIT["unity",1],ID["EPSG",8815]],PARAMETER["Easting at projection centre",2600000,LENGTHUNIT["metre",1],ID["EPSG",8816]],PARAMETER["Northing at projection centre",1200000,LENGTHUNIT["metre",1],ID["EPSG",8817]]],CS[Cartesian,2],AXIS["(E)",east,ORDER[1],LENGTHUNIT["metre",1]],AXIS["(N)",north,ORDER[2],LENGTHUNIT["metre",1]],USAGE[SCOPE["Cadastre, engineering survey, topographic mapping (large and medium scale)."],AREA["Liechtenstein; Switzerland."],BBOX[45.82,5.96,47.81,10.49]],ID["EPSG",2056]]'

describe("CRS database and text forms", () => {
  it("an ESRI code resolves through the database (World Mollweide)", () => {
    const crs = Crs.fromCode("esri:54009")!
    assert.deepStrictEqual(crs, { _tag: "Code", authority: "ESRI", code: 54009 })
    // cs2cs EPSG:4326 ESRI:54009 of (46.9 N, 7.5 E): 592859.06 5545076.68
    const [x, y] = proj4(definition(Crs.wgs84), definition(crs), [7.5, 46.9])
    assert.closeTo(x, 592859.06, 0.01)
    assert.closeTo(y, 5545076.68, 0.01)
  })
  it("WKT2 and PROJJSON naming an EPSG code read like the code, with its datum shift", () => {
    const near = { lon: 7.5, lat: 46.9 }
    const byCode = definition(Crs.epsg(2056), near)
    assert.strictEqual(definition(Crs.fromWkt(lv95Wkt2), near), byCode)
    const json = {
      type: "ProjectedCRS",
      name: "CH1903+ / LV95",
      id: { authority: "EPSG", code: 2056 }
    }
    assert.strictEqual(definition(Crs.fromProjJson(json), near), byCode)
    // cs2cs EPSG:4326 EPSG:2056 of (46.9 N, 7.5 E): 2604676.04 1194322.89
    const [x, y] = proj4(definition(Crs.wgs84), byCode, [7.5, 46.9])
    assert.closeTo(x, 2604676.04, 0.01)
    assert.closeTo(y, 1194322.89, 0.01)
  })
  it("a WKT2 without a code is parsed (Equal Earth)", () => {
    const aux = readFileSync(`${dir}src/wkt2_eqearth.tif.aux.xml`, "utf8")
    const srs = parsePam(aux).srs!
    assert.notMatch(srs, /ID\["EPSG",\d+\]\]$/)
    const def = definition(Crs.fromWkt(srs))
    const [x] = proj4(definition(Crs.wgs84), def, [150, 0])
    assert.closeTo(x, 0, 1e-6)
  })
  it("a made-up code and malformed WKT or PROJJSON are typed problems that name what is wrong", () => {
    assert.throws(
      () => definition(Crs.epsg(999999)),
      /EPSG:999999 is not in the EPSG\/ESRI database/
    )
    assert.throws(() => definition(Crs.fromCode("ESRI:1")!), /ESRI:1 is not in/)
    assert.throws(
      () => definition(Crs.fromWkt('PROJCS["broken",GEOGCS[')),
      /WKT\/PROJJSON cannot be parsed/
    )
    assert.throws(() => definition(Crs.fromProjJson("{ not json")), /PROJJSON is not JSON/)
  })
})

describe("datum shifts as PROJ picks them without grids", () => {
  it("NAD27 in Minnesota takes the CONUS-west Helmert PROJ ranks first there and names the missing grid", () => {
    const shift = datumShift(4267, -93, 45)!
    assert.include(shift.note, "EPSG:1175")
    assert.include(shift.note, "us_noaa_conus.tif")
  })
  it("ED50 in Spain, OSGB36 in England and Tokyo in Japan use the EPSG Helmert sets PROJ uses", () => {
    assert.deepStrictEqual(
      datumShift(4277, -1.5, 52.5)!.towgs84,
      [446.448, -125.157, 542.06, 0.15, 0.247, 0.842, -20.489]
    )
    assert.include(datumShift(4301, 139.7, 35.7)!.note, "Tokyo to WGS 84")
    assert.include(datumShift(4230, 2.17, 41.39)!.note, "ED50 to WGS 84")
  })
  it.effect("a raster on NAD27 records the shift applied at its centre", () =>
    Effect.gen(function* () {
      const info = yield* open(`${dir}src/nad27_utm.tif`)
      assert.include(info.datumShift ?? "", "EPSG:4267 to WGS 84")
      const wgs = yield* open(`${dir}src/webmerc.tif`)
      assert.isUndefined(wgs.datumShift)
    })
  )
  it("a datum shift is chosen per chip: the resolved definition carries the chosen towgs84", () => {
    const at = (lon: number, lat: number) => resolve(Crs.epsg(4267), { lon, lat }).def
    assert.include(at(-93, 45), "+towgs84=-8,159,175")
    assert.notStrictEqual(at(-93, 45), at(-75, 45))
  })
})

describe("PAM sidecars", () => {
  it.effect("the raster attribute table's class names are carried by band", () =>
    Effect.gen(function* () {
      const info = yield* open(`${fixtures}lc.tif`)
      assert.strictEqual(info.classes[0]?.["11"], "Open Water")
      assert.strictEqual(info.classes[0]?.["95"], "Emergent Herbaceuous Wetlands")
      assert.strictEqual(Object.keys(info.classes[0] ?? {}).length, 16)
    })
  )
  it.effect("SRS, geotransform and nodata come from the sidecar of a file that has none", () =>
    Effect.gen(function* () {
      const info = yield* open(`${dir}src/pam_laea.tif`)
      assert.strictEqual(info.crs._tag, "Wkt")
      assert.include(definition(info.crs), "+proj=laea")
      const tmp = mkdtempSync(join(tmpdir(), "eoforge-pam-"))
      copyFileSync(`${dir}src/pam_laea.tif`, join(tmp, "a.tif"))
      const aux = readFileSync(`${dir}src/pam_laea.tif.aux.xml`, "utf8").replace(
        "</PAMDataset>",
        '<PAMRasterBand band="1"><NoDataValue>7</NoDataValue></PAMRasterBand></PAMDataset>'
      )
      writeFileSync(join(tmp, "a.tif.aux.xml"), aux)
      const withNodata = yield* open(join(tmp, "a.tif"))
      assert.strictEqual(withNodata.nodata, 7)
      assert.deepStrictEqual(withNodata.geoTransform, info.geoTransform)
    })
  )
  it.effect(
    "a malformed SRS in the sidecar is UnsupportedCrs naming the file and the sidecar",
    () =>
      Effect.gen(function* () {
        const tmp = mkdtempSync(join(tmpdir(), "eoforge-pam-"))
        const path = join(tmp, "b.tif")
        copyFileSync(`${dir}src/pam_laea.tif`, path)
        const aux = readFileSync(`${dir}src/pam_laea.tif.aux.xml`, "utf8")
        const broken = aux.replace(/<SRS[^>]*>[^<]*<\/SRS>/, "<SRS>PROJCRS[&quot;oops&quot;,</SRS>")
        writeFileSync(`${path}.aux.xml`, broken)
        const error = yield* Effect.flip(open(path))
        assert.strictEqual(error.problem, "UnsupportedCrs")
        assert.include(error.message, path)
        assert.include(error.message, ".aux.xml")
      })
  )
})

describe("PAM sidecars beside URLs", () => {
  const openWith = (url: string, sidecars: boolean) =>
    Effect.gen(function* () {
      const raster = yield* RasterSource.RasterSource
      return yield* raster.open(url)
    }).pipe(
      Effect.scoped,
      Effect.provide(RasterSource.layerGeoTiffWith({ workers: 0, http: { sidecars } }))
    )

  it.effect(
    "with http.sidecars, a URL's .aux.xml gives SRS and class names as a local one does",
    () =>
      Effect.gen(function* () {
        const server = yield* Effect.promise(() =>
          start({
            "/lc.tif": `${fixtures}lc.tif`,
            "/lc.tif.aux.xml": `${fixtures}lc.tif.aux.xml`,
            "/pam_laea.tif": `${dir}src/pam_laea.tif`,
            "/pam_laea.tif.aux.xml": `${dir}src/pam_laea.tif.aux.xml`,
            "/bare.tif": `${fixtures}lc.tif`
          })
        )
        try {
          const local = yield* open(`${fixtures}lc.tif`)
          const remote = yield* openWith(server.url("/lc.tif"), true)
          assert.deepStrictEqual(remote.classes, local.classes)
          assert.strictEqual(remote.classes[0]?.["11"], "Open Water")
          const laea = yield* openWith(server.url("/pam_laea.tif"), true)
          const laeaLocal = yield* open(`${dir}src/pam_laea.tif`)
          assert.deepStrictEqual(laea.crs, laeaLocal.crs)
          assert.deepStrictEqual(laea.geoTransform, laeaLocal.geoTransform)
          // No sidecar on the server (404): opened as the file alone, not an error.
          const bare = yield* openWith(server.url("/bare.tif"), true)
          assert.isUndefined(bare.classes[0])
          assert.strictEqual(server.requests.get("/bare.tif.aux.xml"), 1)
        } finally {
          yield* Effect.promise(() => server.close())
        }
      })
  )

  it.effect("by default no sidecar is requested beside a URL (GDAL_DISABLE_READDIR_ON_OPEN)", () =>
    Effect.gen(function* () {
      const server = yield* Effect.promise(() =>
        start({ "/lc.tif": `${fixtures}lc.tif`, "/lc.tif.aux.xml": `${fixtures}lc.tif.aux.xml` })
      )
      try {
        const remote = yield* openWith(server.url("/lc.tif"), false)
        assert.isUndefined(remote.classes[0])
        assert.isUndefined(server.requests.get("/lc.tif.aux.xml"))
      } finally {
        yield* Effect.promise(() => server.close())
      }
    })
  )
})

describe("GeoKey combinations GDAL refuses are refused, naming the key", () => {
  const refused: ReadonlyArray<{ name: string; source: string; key: number; gdalwarp: string }> =
    JSON.parse(readFileSync(`${dir}refused.json`, "utf8"))
  const keyName: Record<number, string> = {
    3075: "ProjCoordTransGeoKey",
    3072: "ProjectedCSTypeGeoKey"
  }
  for (const r of refused)
    it.effect(`${r.name}: GDAL reads an engineering CRS and gdalwarp fails (${r.gdalwarp})`, () =>
      Effect.gen(function* () {
        const error = yield* Effect.flip(open(dir + r.source))
        assert.strictEqual(error.problem, "UnsupportedCrs")
        assert.include(error.message, dir + r.source)
        assert.include(error.message, keyName[r.key])
      })
    )
  it.effect("a grid in a made-up code fails the read with a typed error naming the code", () =>
    Effect.gen(function* () {
      const raster = yield* RasterSource.RasterSource
      const info = yield* raster.open(`${dir}src/lv95.tif`)
      const grid = PixelGrid.make(Crs.epsg(999999), 0, 0, 10, 4, 4)
      const error = yield* Effect.flip(raster.read(info, grid, { resampling: "nearest" }))
      assert.strictEqual(error.problem, "Crs")
      assert.include(error.message, "EPSG:999999")
    }).pipe(Effect.scoped, Effect.provide(layer))
  )
})

describe("GeoKeys GDAL would read differently from the code are refused or honoured, never ignored", () => {
  it("a linear unit override keeps the false easting in ground metres and reads coordinates in feet", () => {
    const crs = fromGeoKeys({
      GTModelTypeGeoKey: 1,
      ProjectedCSTypeGeoKey: 26915,
      ProjLinearUnitsGeoKey: 9003
    })
    assert.strictEqual(crs._tag, "Proj")
    const def = definition(crs)
    assert.include(def, `+to_meter=${1200 / 3937}`)
    // GDAL: 1640416.667 US ft east of the central meridian's false origin is 500000 m.
    const [x] = proj4(definition(Crs.wgs84), def, [-93, 45])
    const [xm] = proj4(definition(Crs.wgs84), definition(Crs.epsg(26915)), [-93, 45])
    assert.closeTo(x * (1200 / 3937), xm, 1e-6)
  })
  it("the same unit as the code's keeps the code", () => {
    const keys = { GTModelTypeGeoKey: 1, ProjectedCSTypeGeoKey: 2263, ProjLinearUnitsGeoKey: 9003 }
    assert.deepStrictEqual(fromGeoKeys(keys), Crs.epsg(2263))
  })
  it("angular units other than degrees on a geographic CRS, unknown unit codes and missing sizes are refused", () => {
    const geog = { GTModelTypeGeoKey: 2, GeographicTypeGeoKey: 4326 }
    assert.throws(
      () => fromGeoKeys({ ...geog, GeogAngularUnitsGeoKey: 9105 }),
      /GeogAngularUnitsGeoKey/
    )
    const utm = { GTModelTypeGeoKey: 1, ProjectedCSTypeGeoKey: 32633 }
    assert.throws(
      () => fromGeoKeys({ ...utm, ProjLinearUnitsGeoKey: 1234 }),
      /ProjLinearUnitsGeoKey/
    )
    assert.throws(
      () => fromGeoKeys({ ...utm, ProjLinearUnitsGeoKey: 32767 }),
      /ProjLinearUnitSizeGeoKey/
    )
    assert.throws(() => fromGeoKeys({ GTModelTypeGeoKey: 3 }), /GTModelTypeGeoKey/)
  })
})
