// Generates small Sentinel-1 GRD test products by forward simulation over a known scene, in the SAFE layout
// with an Earth-Search-shaped STAC item: product/calibration/noise XML consistent with a real orbit, and the
// DN measurement as a GeoTIFF with ESA-style GCPs (made by GDAL's gdal_translate).
//
//   node --conditions=@eoforge/source tools/s1-sim/generate.ts [../shared/real]
//   /usr/bin/python3 tools/s1-sim/tps_golden.py        # then: the gdalwarp -tps golden of the flat product
//
// The geometry (orbit, line timing, slant↔ground range records, bistatic reference) is that of the real IPF
// 3.31 product S1B_IW_GRDH_1SDV_20210401T052623 in ../shared/real/s1, cropped to a few hundred lines and
// pixels around its line 7800, pixel 11700 (Alps, 46.6°N 10.7°E). Scenes: see scenes.ts.
import { rmSync } from "node:fs"
import { join } from "node:path"
import { Zone } from "@eoforge/grid"
import { Annotation, Geolocation, Simulate } from "@eoforge/sentinel1"
import { write, writeDem, writeSafe } from "./safe.ts"
import * as Scenes from "./scenes.ts"
import { lat0, lon0, template, templateModel } from "./template.ts"

const out = new URL("../../packages/sentinel1/test/fixture/", import.meta.url).pathname

const scenes = Scenes.make(lat0, lon0)

/**
 * Two consecutive slices of one datatake (packages/pipeline/test/fixtures/s1-slices/{a,b}): 360 lines × 240
 * pixels over the relief scene cut at line 190, overlapping by 20 lines whose ends are border noise (DN 0: the
 * last 5 lines of a, the first 8 of b), so that only the two together cover a patch across the cut; a DEM
 * (4 km at 20 m) and scene.json (the scene centre, the patch centre on the cut, each slice's first line,
 * times and GCP footprint) from which the test writes Earth-Search/Planetary-Computer-shaped items.
 */
const slices = () => {
  const dir = new URL("../../packages/pipeline/test/fixtures/s1-slices/", import.meta.url).pathname
  // What this writes, not the folder: its README.md (provenance) stays.
  for (const name of ["a", "b", "dem.tif", "scene.json"])
    rmSync(join(dir, name), { recursive: true, force: true })
  const lines = 360
  const samples = 240
  const line0 = 7800 + 140 - lines / 2
  const pixel0 = 11700 + 160 - samples / 2
  const cut = 190
  const overlap = 20
  const parts = [
    { name: "a", first: line0, lines: cut, zero: { first: 0, last: 5 } },
    {
      name: "b",
      first: line0 + cut - overlap,
      lines: lines - cut + overlap,
      zero: { first: 8, last: 0 }
    }
  ]
  const described = parts.map((p) => {
    const grid = writeSafe(
      join(dir, p.name),
      ["VV", "VH"],
      p.first,
      pixel0,
      p.lines,
      samples,
      scenes.relief,
      p.zero
    )
    const start = template.epochMicros / 1000 + Annotation.lineTime(template, p.first) * 1000
    const end = start + Annotation.lineTime(template, p.lines - 1) * 1000
    // The footprint: the GCPs of the first and last lines, in order around the image.
    const firstLine = grid.filter((g) => g.line === 0)
    const lastLine = grid.filter((g) => g.line === p.lines - 1).reverse()
    const ring = [...firstLine, ...lastLine, firstLine[0]].map((g) => [g.longitude, g.latitude])
    return { name: p.name, line0: p.first - line0, lines: p.lines, start, end, footprint: ring }
  })
  const [latC, lonC] = Geolocation.forward(
    templateModel,
    line0 + cut - overlap / 2,
    pixel0 + samples / 2,
    300
  )
  const { epsg } = Zone.zoneOf(lonC, latC)
  const [cx, cy] = Zone.forward(epsg, lonC, latC)
  writeDem(
    join(dir, "dem.tif"),
    epsg,
    Math.round(cx / 20) * 20 - 2000,
    Math.round(cy / 20) * 20 + 2000,
    200,
    20,
    scenes.relief(0)
  )
  write(
    join(dir, "scene.json"),
    JSON.stringify(
      { lat0, lon0, patchCentre: [lonC, latC], demEpsg: epsg, slices: described },
      null,
      2
    ) + "\n"
  )
  return dir
}

const product = (
  name: string,
  scene: (offsetDb: number) => Simulate.Scene,
  lines: number,
  samples: number,
  pols: ReadonlyArray<string>
) => {
  const dir = join(out, name)
  rmSync(dir, { recursive: true, force: true })
  const line0 = 7800 + 140 - Math.round(lines / 2)
  const pixel0 = 11700 + 160 - Math.round(samples / 2)
  writeSafe(dir, pols, line0, pixel0, lines, samples, scene, { first: 0, last: 0 })
  // A patch grid for the tests: 1280 m at 10 m around the scene centre, in its UTM zone.
  const { epsg } = Zone.zoneOf(lon0, lat0)
  const [cx, cy] = Zone.forward(epsg, lon0, lat0)
  const grid = {
    epsg,
    x0: Math.round(cx / 10) * 10 - 640,
    y0: Math.round(cy / 10) * 10 + 640,
    resolution: 10,
    width: 128,
    height: 128
  }
  write(join(dir, "grid.json"), JSON.stringify(grid, null, 2) + "\n")
  // The truth on that grid (float32, row-major, σ⁰ dB per polarisation) and a DEM (EGM96 heights, 20 m,
  // 3 km square) as a GeoTIFF, for the end-to-end tests.
  for (const pol of pols) {
    const s = scene(pol === "VH" ? -8 : 0)
    const t = new Float32Array(grid.width * grid.height)
    for (let r = 0; r < grid.height; r++)
      for (let c = 0; c < grid.width; c++) {
        const [lon, lat] = Zone.inverse(epsg, grid.x0 + (c + 0.5) * 10, grid.y0 - (r + 0.5) * 10)
        t[r * grid.width + c] = s.sigma0Db(lat, lon)
      }
    write(join(dir, `truth-${pol.toLowerCase()}.f32`), new Uint8Array(t.buffer))
  }
  writeDem(join(dir, "dem.tif"), epsg, grid.x0 - 860, grid.y0 + 860, 150, 20, scene(0))
  // An item shaped like Earth Search's sentinel-1-grd items: schema-product-* points at the RFI report (as
  // theirs do), proj:transform is derived from the bounding box (as theirs is) and must not be used.
  const assets: Record<string, unknown> = {
    "safe-manifest": { href: "./manifest.safe", type: "application/xml", roles: ["metadata"] }
  }
  for (const pol of pols) {
    const p = pol.toLowerCase()
    assets[p] = {
      href: `./measurement/iw-${p}.tiff`,
      type: "image/tiff; application=geotiff; profile=cloud-optimized",
      roles: ["data"]
    }
    assets[`schema-product-${p}`] = {
      href: `./annotation/rfi/rfi-iw-${p}.xml`,
      type: "application/xml",
      roles: ["metadata"]
    }
    assets[`schema-calibration-${p}`] = {
      href: `./annotation/calibration/calibration-iw-${p}.xml`,
      type: "application/xml",
      roles: ["metadata"]
    }
    assets[`schema-noise-${p}`] = {
      href: `./annotation/calibration/noise-iw-${p}.xml`,
      type: "application/xml",
      roles: ["metadata"]
    }
  }
  const item = {
    type: "Feature",
    stac_version: "1.0.0",
    id: `S1B_IW_GRDH_1S${pols.length > 1 ? "DV" : "SV"}_SIM_${name.toUpperCase()}`,
    collection: "sentinel-1-grd",
    bbox: [lon0 - 0.03, lat0 - 0.03, lon0 + 0.03, lat0 + 0.03],
    geometry: {
      type: "Polygon",
      coordinates: [
        [
          [lon0 - 0.03, lat0 - 0.03],
          [lon0 + 0.03, lat0 - 0.03],
          [lon0 + 0.03, lat0 + 0.03],
          [lon0 - 0.03, lat0 + 0.03],
          [lon0 - 0.03, lat0 - 0.03]
        ]
      ]
    },
    properties: {
      datetime: new Date(template.epochMicros / 1000).toISOString(),
      "sar:instrument_mode": "IW",
      "sar:product_type": "GRD",
      "sar:polarizations": pols,
      "sat:orbit_state": "descending",
      "sat:relative_orbit": 22,
      "proj:epsg": 4326,
      "proj:transform": [0.0002, 0, lon0 - 0.03, 0, -0.0002, lat0 + 0.03]
    },
    assets,
    links: []
  }
  write(join(dir, "item.json"), JSON.stringify(item, null, 2) + "\n")
  return { dir, grid }
}

product("relief", scenes.relief, 240, 300, ["VV", "VH"])
product("flat", scenes.flat, 240, 300, ["VV"])
const slicesDir = slices()
console.log(`wrote ${out}relief, ${out}flat and ${slicesDir}`)
