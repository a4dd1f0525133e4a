// Test footprints: squares laid out in the tangent plane of the WGS 84 ellipsoid at a chosen point, plus a
// seeded generator of SSL4EO-like clustered candidates. Independent of any map projection.
import { Crs, type Patch, PixelGrid } from "@eoforge/core"

const A = 6378137
const FLAT = 1 / 298.257223563
const E2 = FLAT * (2 - FLAT)
const RAD = Math.PI / 180

const toEcef = (lon: number, lat: number): [number, number, number] => {
  const sp = Math.sin(lat * RAD)
  const cp = Math.cos(lat * RAD)
  const n = A / Math.sqrt(1 - E2 * sp * sp)
  return [n * cp * Math.cos(lon * RAD), n * cp * Math.sin(lon * RAD), n * (1 - E2) * sp]
}

const toLonLat = (x: number, y: number, z: number): [number, number] => {
  const p = Math.hypot(x, y)
  let phi = Math.atan2(z, p * (1 - E2))
  for (let i = 0; i < 8; i++) {
    const sp = Math.sin(phi)
    const n = A / Math.sqrt(1 - E2 * sp * sp)
    phi = Math.atan2(z + E2 * n * sp, p)
  }
  return [Math.atan2(y, x) / RAD, phi / RAD]
}

/** Where a square sits: the tangent point, then an east/north shift (m) and a rotation (degrees) there. */
export interface SquareSpec {
  readonly lon: number
  readonly lat: number
  readonly size: number
  readonly east?: number
  readonly north?: number
  readonly rotation?: number
  readonly id?: string
}

/** A patch whose footprint is a `size`-metre square in the tangent plane at (lon, lat), shifted and rotated. */
export const square = (spec: SquareSpec): Patch.Patch => {
  const { lon, lat, size } = spec
  const [cx, cy, cz] = toEcef(lon, lat)
  const sl = Math.sin(lon * RAD)
  const cl = Math.cos(lon * RAD)
  const sp = Math.sin(lat * RAD)
  const cp = Math.cos(lat * RAD)
  const east = [-sl, cl, 0]
  const north = [-sp * cl, -sp * sl, cp]
  const t = (spec.rotation ?? 0) * RAD
  const h = size / 2
  const corners = [
    [-h, h],
    [h, h],
    [h, -h],
    [-h, -h]
  ].map(([u, v]) => {
    const de = u * Math.cos(t) - v * Math.sin(t) + (spec.east ?? 0)
    const dn = u * Math.sin(t) + v * Math.cos(t) + (spec.north ?? 0)
    return toLonLat(
      cx + de * east[0] + dn * north[0],
      cy + de * east[1] + dn * north[1],
      cz + de * east[2] + dn * north[2]
    )
  }) as unknown as Patch.Patch["footprint"]
  const centre = toLonLat(
    cx + (spec.east ?? 0) * east[0] + (spec.north ?? 0) * north[0],
    cy + (spec.east ?? 0) * east[1] + (spec.north ?? 0) * north[1],
    cz + (spec.east ?? 0) * east[2] + (spec.north ?? 0) * north[2]
  )
  return {
    id: spec.id ?? `sq-${lon}-${lat}-${spec.east ?? 0}-${spec.north ?? 0}-${spec.rotation ?? 0}`,
    lon: centre[0],
    lat: centre[1],
    grid: PixelGrid.make(Crs.epsg(4326), 0, 0, 10, Math.round(size / 10), Math.round(size / 10)),
    footprint: corners
  }
}

/** A seeded uniform generator in [0, 1) (mulberry32). */
export const random = (seed: number): (() => number) => {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** `n` squares of `size` m scattered Gaussian (σ m) around the given centres, rotated like UTM grids. */
export const clustered = (
  seed: number,
  n: number,
  centres: ReadonlyArray<readonly [number, number]>,
  sigma: number,
  size: number
): Array<Patch.Patch> => {
  const rnd = random(seed)
  const out: Array<Patch.Patch> = []
  for (let i = 0; i < n; i++) {
    const [lon, lat] = centres[Math.floor(rnd() * centres.length)]
    const r = sigma * Math.sqrt(-2 * Math.log(1 - rnd()))
    const a = 2 * Math.PI * rnd()
    out.push(
      square({
        lon,
        lat,
        size,
        east: r * Math.cos(a),
        north: r * Math.sin(a),
        rotation: (rnd() - 0.5) * 6,
        id: `c${i}`
      })
    )
  }
  return out
}
