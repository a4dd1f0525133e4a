// Candidate sets of the bulk filter's benchmarks (gc.ts, phases.ts): SSL4EO-like city Gaussians, and uniform
// candidates in five congruent spherical caps, 200,000 per cap for the 1M set and 1,000,000 for the 5M set, at
// equal density and over the same spread of the globe.
import type { Patch } from "@eoforge/core"
import { PatchGeometry, Sampler } from "@eoforge/grid"

const patch = (lon: number, lat: number): Patch.Patch =>
  PatchGeometry.make({ lon, lat, size: 2640, resolution: 10, snap: 60 })

/** `count` SSL4EO-like candidates: a uniform city of the 10,000 most populated, σ km on the ground (seed 42). */
export const cities = (sigmaKm: number, count: number): Array<Patch.Patch> => {
  const list: Array<Patch.Patch> = []
  for (const s of Sampler.citiesGaussian({ seed: 42, topN: 10_000, sigmaKm, count })) {
    list.push(patch(s.lon, s.lat))
  }
  return list
}

/** Candidates per km² of the uniform sets (rejects about as many as the 1M city set: see README). */
export const UNIFORM_PER_KM2 = 0.04

const EARTH_KM = 6371.0088

// Cap axes (unit ECEF directions): the equator at 0°, 90°E, 180°, 90°W and the North Pole. Each is mapped onto
// the first by a quarter turn about an axis, which maps the filter's cube grid (cubes aligned with the ECEF
// axes, one corner at the Earth's centre) onto itself; the four on the equator are 15 UTM zones apart, so
// their patch grids are congruent too. The polar cap (63.4°N–90°N) has UTM patches of the same size
// (UPS above 84°N).
const AXES: ReadonlyArray<readonly [number, number, number]> = [
  [1, 0, 0],
  [0, 1, 0],
  [-1, 0, 0],
  [0, -1, 0],
  [0, 0, 1]
]

/**
 * `count` candidates uniform by area (sphere) in `caps` (≤ 5) spherical caps of `perCap` / UNIFORM_PER_KM2 km²
 * each (26.6° radius for 1M, 11.9° for 200,000), at least 90° apart, so no footprint of one meets another's.
 * Candidate k falls in cap k mod caps (seeded, mulberry32).
 */
export const caps = (count: number, caps: number, perCap: number): Array<Patch.Patch> => {
  if (caps > AXES.length) throw new Error(`at most ${AXES.length} caps`)
  const area = perCap / UNIFORM_PER_KM2
  const cosMax = 1 - area / (2 * Math.PI * EARTH_KM * EARTH_KM)
  let s = 42
  const random = () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const list: Array<Patch.Patch> = []
  for (let k = 0; k < count; k++) {
    const cosT = 1 - random() * (1 - cosMax)
    const sinT = Math.sqrt(1 - cosT * cosT)
    const phi = 2 * Math.PI * random()
    // Around axis a, with two unit vectors u, v ⊥ a: cos θ · a + sin θ (cos φ · u + sin φ · v).
    const [ax, ay, az] = AXES[k % caps]
    const [ux, uy, uz] = az === 0 ? [-ay, ax, 0] : [1, 0, 0]
    const [vx, vy, vz] = az === 0 ? [0, 0, 1] : [0, 1, 0]
    const p = sinT * Math.cos(phi)
    const q = sinT * Math.sin(phi)
    const x = cosT * ax + p * ux + q * vx
    const y = cosT * ay + p * uy + q * vy
    const z = cosT * az + p * uz + q * vz
    list.push(patch((Math.atan2(y, x) * 180) / Math.PI, (Math.asin(z) * 180) / Math.PI))
  }
  return list
}
