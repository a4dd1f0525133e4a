// Writing the simulated products' files: a SAFE folder (product, calibration and noise XML, the DN measurement
// as a GeoTIFF with ESA-style GCPs, the manifest) and DEM GeoTIFFs, both through GDAL's gdal_translate.
import { execFileSync } from "node:child_process"
import { mkdirSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { Zone } from "@eoforge/grid"
import { Annotation, Calibration, Geolocation, Noise, Simulate } from "@eoforge/sentinel1"
import { Effect } from "effect"
import { crop } from "./template.ts"
import * as Xml from "./xml.ts"

export const write = (path: string, text: string | Uint8Array) => {
  mkdirSync(join(path, ".."), { recursive: true })
  writeFileSync(path, text)
}

/**
 * One SAFE folder: per polarisation the product/calibration/noise XML and the DN measurement (GeoTIFF with
 * ESA-style GCPs) of `lines` × `samples` from the template's (line0, pixel0); `zero` lines at the start and end
 * hold DN 0 (the border noise the IPF masks), and the manifest.
 */
export const writeSafe = (
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
export const writeDem = (
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
