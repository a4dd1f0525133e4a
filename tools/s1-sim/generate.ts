// Generates small Sentinel-1 GRD test products by forward simulation over a known scene, in the SAFE layout
// with an Earth-Search-shaped STAC item: product/calibration/noise XML consistent with a real orbit, and the
// DN measurement as a GeoTIFF with ESA-style GCPs (made by GDAL's gdal_translate).
//
//   node --conditions=@eoforge/source tools/s1-sim/generate.ts [../shared/real]
//   /usr/bin/python3 tools/s1-sim/tps_golden.py        # then: the gdalwarp -tps golden of the flat product
//
// The geometry (orbit, line timing, slant↔ground range records, bistatic reference) is that of the real IPF
// 3.31 product S1B_IW_GRDH_1SDV_20210401T052623 in ../shared/real/s1, cropped to a few hundred lines and
// pixels around its line 7800, pixel 11700 (Alps, 46.6°N 10.7°E). Scenes: see `scenes` below.
import { execFileSync } from "node:child_process"
import { mkdirSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { Zone } from "@eoforge/grid"
import { Annotation, Calibration, Geolocation, Noise, Orbit, Simulate } from "@eoforge/sentinel1"
import { Effect } from "effect"
import { readFileSync } from "node:fs"
import * as Scenes from "./scenes.ts"
import * as Xml from "./xml.ts"

const real = process.argv[2] ?? "../shared/real"
const out = new URL("../../packages/sentinel1/test/fixture/", import.meta.url).pathname
const template = Effect.runSync(
  Annotation.parse(
    readFileSync(
      join(
        real,
        "s1/S1B_IW_GRDH_1SDV_20210401T052623_20210401T052648_026269_032297_ECC8.SAFE/annotation/s1b-iw-grd-vv-20210401t052623-20210401t052648-026269-032297-001.xml"
      ),
      "utf8"
    ),
    "template"
  )
)
const templateModel = Geolocation.make(template)
const [lat0, lon0] = Geolocation.forward(templateModel, 7800 + 140, 11700 + 160, 0)

const scenes = Scenes.make(lat0, lon0)

const crop = (
  polarisation: string,
  line0: number,
  pixel0: number,
  lines: number,
  samples: number,
  scene: Simulate.Scene
) => {
  const shiftUs = Math.round(Annotation.lineTime(template, line0) * 1e6)
  const dt = shiftUs / 1e6
  const dg = pixel0 * template.rangePixelSpacing
  const conversions = template.rangeConversions
    .map((c) => ({
      ...c,
      t: c.t - dt,
      srgr: Float64Array.from(c.srgr, (v, i) => (i === 0 ? v - dg : v)),
      gr0: c.gr0 - dg
    }))
    .filter((c) => c.t > -3 && c.t < lines * template.azimuthTimeInterval + 3)
  const base: Annotation.ProductAnnotation = {
    ...template,
    asset: "generated",
    polarisation,
    epochMicros: template.epochMicros + shiftUs,
    lastLineTime: Annotation.lineTime(template, lines - 1),
    lines,
    samples,
    orbit: template.orbit.map((o) => ({ ...o, t: o.t - dt })),
    rangeConversions: conversions,
    grid: []
  }
  const first = Geolocation.conversionAt(Geolocation.make(base), 0)
  const slantRangeTime =
    (2 * first.grsr.reduceRight((acc, c) => acc * (0 - first.gr0) + c, 0)) /
    Geolocation.speedOfLight
  const model0 = {
    ...Geolocation.make({ ...base, slantRangeTime }),
    bistaticReference: templateModel.bistaticReference
  }
  const grid: Array<Annotation.GridPoint> = []
  const gl = [
    0,
    Math.round(lines / 4),
    Math.round(lines / 2),
    Math.round((3 * lines) / 4),
    lines - 1
  ]
  const gp = Array.from({ length: 6 }, (_, i) => Math.round((i * (samples - 1)) / 5))
  for (const line of gl) {
    for (const pixel of gp) {
      const [latitude, longitude, height] = Simulate.groundPoint(model0, scene, line, pixel)
      const ip = Geolocation.inverse(model0, latitude, longitude, height)
      // Incidence: between the ellipsoid normal and the look vector (target → sensor).
      const sat = Orbit.at(model0.orbit, ip.t)
      const [x, y, z] = Geolocation.toEcef(model0, latitude, longitude, height)
      const phi = (latitude * Math.PI) / 180
      const lam = (longitude * Math.PI) / 180
      const nrm = [Math.cos(phi) * Math.cos(lam), Math.cos(phi) * Math.sin(lam), Math.sin(phi)]
      const look = [sat.px - x, sat.py - y, sat.pz - z]
      const cos =
        (nrm[0] * look[0] + nrm[1] * look[1] + nrm[2] * look[2]) /
        Math.hypot(look[0], look[1], look[2])
      const incidenceAngle = (Math.acos(cos) * 180) / Math.PI
      grid.push({
        t: ip.t,
        slantRangeTime: (2 * ip.slantRange) / Geolocation.speedOfLight,
        line,
        pixel,
        latitude,
        longitude,
        height,
        incidenceAngle
      })
    }
  }
  return { ...base, slantRangeTime, grid }
}

const write = (path: string, text: string | Uint8Array) => {
  mkdirSync(join(path, ".."), { recursive: true })
  writeFileSync(path, text)
}

/**
 * One SAFE folder: per polarisation the product/calibration/noise XML and the DN measurement (GeoTIFF with
 * ESA-style GCPs) of `lines` × `samples` from the template's (line0, pixel0); `zero` lines at the start and end
 * hold DN 0 (the border noise the IPF masks), and the manifest.
 */
const writeSafe = (
  dir: string,
  pols: ReadonlyArray<string>,
  line0: number,
  pixel0: number,
  lines: number,
  samples: number,
  scene: (offsetDb: number) => Simulate.Scene,
  zero: { readonly first: number; readonly last: number }
): ReadonlyArray<Annotation.GridPoint> => {
  let grid: ReadonlyArray<Annotation.GridPoint> = []
  for (const pol of pols) {
    const s = scene(pol === "VH" ? -8 : 0)
    const p = pol.toLowerCase()
    const a = crop(pol, line0, pixel0, lines, samples, s)
    const productXml = Xml.product(a)
    const parsed = Effect.runSync(Annotation.parse(productXml, "generated"))
    const model = Geolocation.make(parsed)
    const calXml = Xml.calibration(parsed, Simulate.calibrationFor(parsed))
    const noiseXml = Xml.noise(parsed, Simulate.noiseFor(parsed))
    const cal = Effect.runSync(Calibration.parse(calXml, "cal"))
    const noise = Effect.runSync(Noise.parse(noiseXml, "noise"))
    const dn = Simulate.dnWindow(model, cal, noise, s, {
      line0: 0,
      pixel0: 0,
      width: samples,
      height: lines
    })
    dn.fill(0, 0, zero.first * samples)
    dn.fill(0, (lines - zero.last) * samples)
    grid = parsed.grid
    write(join(dir, `annotation/iw-${p}.xml`), productXml)
    write(join(dir, `annotation/calibration/calibration-iw-${p}.xml`), calXml)
    write(join(dir, `annotation/calibration/noise-iw-${p}.xml`), noiseXml)
    const raw = join(dir, `measurement/iw-${p}.bin`)
    write(raw, new Uint8Array(dn.buffer))
    write(
      `${raw.slice(0, -4)}.hdr`,
      `ENVI\nsamples = ${samples}\nlines = ${lines}\nbands = 1\nheader offset = 0\nfile type = ENVI Standard\ndata type = 12\ninterleave = bsq\nbyte order = 0\n`
    )
    // ESA writes its geolocation grid as the TIFF's GCPs with the grid's (pixel, line) as they are.
    const gcps = parsed.grid.flatMap((g) => [
      "-gcp",
      String(g.pixel),
      String(g.line),
      String(g.longitude),
      String(g.latitude),
      String(g.height)
    ])
    execFileSync("gdal_translate", [
      "-q",
      "-of",
      "GTiff",
      "-co",
      "TILED=YES",
      "-co",
      "COMPRESS=DEFLATE",
      "-co",
      "BLOCKXSIZE=256",
      "-co",
      "BLOCKYSIZE=256",
      "-a_srs",
      "EPSG:4326",
      ...gcps,
      raw,
      join(dir, `measurement/iw-${p}.tiff`)
    ])
    rmSync(raw)
    rmSync(`${raw.slice(0, -4)}.hdr`)
    rmSync(`${raw}.aux.xml`, { force: true })
  }
  write(join(dir, "manifest.safe"), Xml.manifest("003.31"))
  return grid
}

/** A DEM GeoTIFF (float32 heights above EGM96 of `scene`, `size` × `size` px of `step` m from (x0, y0) in UTM). */
const writeDem = (
  path: string,
  epsg: number,
  dx0: number,
  dy0: number,
  demSize: number,
  step: number,
  s0: Simulate.Scene
) => {
  const demValues = new Float32Array(demSize * demSize)
  for (let r = 0; r < demSize; r++)
    for (let c = 0; c < demSize; c++) {
      const [lon, lat] = Zone.inverse(epsg, dx0 + (c + 0.5) * step, dy0 - (r + 0.5) * step)
      demValues[r * demSize + c] = s0.height(lat, lon)
    }
  const demRaw = `${path.slice(0, -4)}.bin`
  write(demRaw, new Uint8Array(demValues.buffer))
  write(
    `${path.slice(0, -4)}.hdr`,
    `ENVI\nsamples = ${demSize}\nlines = ${demSize}\nbands = 1\nheader offset = 0\nfile type = ENVI Standard\ndata type = 4\ninterleave = bsq\nbyte order = 0\n`
  )
  execFileSync("gdal_translate", [
    "-q",
    "-of",
    "GTiff",
    "-co",
    "COMPRESS=DEFLATE",
    "-co",
    "PREDICTOR=3",
    "-a_srs",
    `EPSG:${epsg}`,
    "-a_ullr",
    String(dx0),
    String(dy0),
    String(dx0 + demSize * step),
    String(dy0 - demSize * step),
    demRaw,
    path
  ])
  rmSync(demRaw)
  rmSync(`${path.slice(0, -4)}.hdr`)
  rmSync(`${demRaw}.aux.xml`, { force: true })
}

/**
 * Two consecutive slices of one datatake (packages/pipeline/test/fixtures/s1-slices/{a,b}): 360 lines × 240
 * pixels over the relief scene cut at line 190, overlapping by 20 lines whose ends are border noise (DN 0: the
 * last 5 lines of a, the first 8 of b), so that only the two together cover a patch across the cut; a DEM
 * (4 km at 20 m) and scene.json (the scene centre, the patch centre on the cut, each slice's first line,
 * times and GCP footprint) from which the test writes Earth-Search/Planetary-Computer-shaped items.
 */
const slices = () => {
  const dir = new URL("../../packages/pipeline/test/fixtures/s1-slices/", import.meta.url).pathname
  rmSync(dir, { recursive: true, force: true })
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
