import { assert, describe, it } from "@effect/vitest"
import { StacItem } from "../src/index.ts"

const item = (
  properties: Record<string, unknown>,
  asset: Record<string, unknown> = {}
): StacItem.Item => ({
  type: "Feature",
  id: "x",
  geometry: null,
  properties,
  assets: { data: { href: "data.tif", type: "image/tiff; application=geotiff", ...asset } }
})

const wkt2 =
  'GEOGCRS["WGS 84",DATUM["World Geodetic System 1984",ELLIPSOID["WGS 84",6378137,298.257223563]],CS[ellipsoidal,2],AXIS["latitude",north],AXIS["longitude",east],ANGLEUNIT["degree",0.0174532925199433]]'

describe("StacItem projection (projection extension v1 and v2)", () => {
  it("carries proj:code, proj:epsg, proj:wkt2 and proj:projjson as given, asset fields first", () => {
    assert.deepStrictEqual(StacItem.projection(item({ "proj:code": "ESRI:54009" }), "data"), {
      crs: { _tag: "Code", code: "ESRI:54009" }
    })
    assert.deepStrictEqual(StacItem.projection(item({ "proj:epsg": 32633 }), "data"), {
      crs: { _tag: "Code", code: "EPSG:32633" }
    })
    assert.deepStrictEqual(
      StacItem.projection(item({ "proj:epsg": null, "proj:wkt2": wkt2 }), "data"),
      {
        crs: { _tag: "Wkt2", wkt: wkt2 }
      }
    )
    const pj = { type: "GeographicCRS", name: "WGS 84" }
    assert.deepStrictEqual(StacItem.projection(item({ "proj:projjson": pj }), "data"), {
      crs: { _tag: "ProjJson", projjson: pj }
    })
    assert.deepStrictEqual(StacItem.projection(item({ "proj:epsg": null }), "data"), {
      crs: { _tag: "None" }
    })
    assert.deepStrictEqual(
      StacItem.projection(item({ "proj:epsg": 4326 }, { "proj:code": "EPSG:32660" }), "data"),
      { crs: { _tag: "Code", code: "EPSG:32660" } }
    )
    assert.strictEqual(StacItem.epsg(item({ "proj:code": "EPSG:32660" }), "data"), 32660)
    assert.strictEqual(StacItem.epsg(item({ "proj:code": "ESRI:54009" }), "data"), undefined)
  })

  it("proj:transform and proj:shape are optional; an item with no projection fields is usable", () => {
    assert.deepStrictEqual(StacItem.projection(item({}), "data"), {})
    assert.isUndefined(StacItem.checkAsset(item({}), "data", true))
    assert.isUndefined(StacItem.checkAsset(item({ "proj:epsg": null }), "data", true))
    assert.isUndefined(StacItem.checkAsset(item({ "proj:wkt2": wkt2 }), "data", true))
    assert.isUndefined(StacItem.checkAsset(item({ "proj:code": "ESRI:54009" }), "data", true))
    const full = StacItem.projection(
      item({
        "proj:code": "EPSG:4326",
        "proj:shape": [720, 1440],
        "proj:transform": [0.25, 0, -180, 0, -0.25, 90]
      }),
      "data"
    )
    assert.deepStrictEqual(full, {
      crs: { _tag: "Code", code: "EPSG:4326" },
      transform: [0.25, 0, -180, 0, -0.25, 90],
      shape: [720, 1440]
    })
  })

  it("malformed projection fields are typed errors naming the field", () => {
    for (const [props, problem, text] of [
      [{ "proj:code": "EPSG 4326" }, "NoProjection", "proj:code"],
      [{ "proj:epsg": "4326" }, "NoProjection", "proj:epsg"],
      [{ "proj:epsg": 43.5 }, "NoProjection", "proj:epsg"],
      [{ "proj:wkt2": 7 }, "NoProjection", "proj:wkt2"],
      [{ "proj:projjson": "{}" }, "NoProjection", "proj:projjson"],
      [{ "proj:transform": [1, 2, 3] }, "NoTransform", "proj:transform"],
      [{ "proj:shape": [10] }, "NoTransform", "proj:shape"]
    ] as const) {
      const e = StacItem.checkAsset(item(props), "data", true)
      assert.strictEqual(e?.problem, problem, JSON.stringify(props))
      assert.include(e?.detail, text)
      assert.include(e?.message, "data")
    }
  })
})

describe("StacItem asset formats", () => {
  it("accepts GeoTIFF and JPEG 2000 assets (Sentinel-2 L1C is image/jp2) and refuses other media types", () => {
    const props = { "proj:code": "EPSG:32631" }
    assert.isUndefined(StacItem.checkAsset(item(props, { type: "image/jp2" }), "data", true))
    assert.isUndefined(
      StacItem.checkAsset(item(props, { href: "B04.jp2", type: undefined }), "data", true)
    )
    // Containers the raster reader opens: NetCDF-4/HDF5, HDF4, zip (by media type or by suffix).
    for (const type of [
      "application/netcdf",
      "application/x-hdf5",
      "application/x-hdf",
      "application/zip"
    ])
      assert.isUndefined(StacItem.checkAsset(item(props, { type }), "data", true), type)
    for (const href of [
      "a.nc",
      "MOD44B.hdf",
      "N48W090.SRTMGL1.hgt.zip",
      "g.h5#var=/science/grids/data/coherence"
    ])
      assert.isUndefined(
        StacItem.checkAsset(item(props, { href, type: undefined }), "data", true),
        href
      )
    const png = StacItem.checkAsset(item(props, { type: "image/png" }), "data", true)
    assert.strictEqual(png?.problem, "NotGeoTiff")
    assert.include(png?.message ?? "", "image/png")
    const noType = StacItem.checkAsset(
      item(props, { href: "x.png", type: undefined }),
      "data",
      true
    )
    assert.strictEqual(noType?.problem, "NotGeoTiff")
  })
})
