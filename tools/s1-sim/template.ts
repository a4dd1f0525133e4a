// The real IPF 3.31 annotation the simulated Sentinel-1 products are cut from (path from the command line), the
// scene centre it gives, and the crop of its geometry to a window with a geolocation grid over a scene.
import { join } from "node:path"
import { Annotation, Geolocation, Orbit, Simulate } from "@eoforge/sentinel1"
import { Effect } from "effect"
import { readFileSync } from "node:fs"

const real = process.argv[2] ?? "../shared/real"
export const template = Effect.runSync(
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
export const templateModel = Geolocation.make(template)
export const [lat0, lon0] = Geolocation.forward(templateModel, 7800 + 140, 11700 + 160, 0)

export const crop = (
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
