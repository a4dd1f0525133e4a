// Spherical geometry in metres: great-circle distance and the azimuthal equidistant projection.
// Mean Earth radius (IUGG R1); split geometry needs metres to ~0.5 %, not ellipsoidal millimetres.

/** Mean Earth radius in metres. */
export const radius = 6_371_008.8

const rad = Math.PI / 180

/** Great-circle distance in metres between two (lon, lat) points in degrees. */
export const haversine = (lon1: number, lat1: number, lon2: number, lat2: number): number => {
  const dLat = (lat2 - lat1) * rad
  const dLon = (lon2 - lon1) * rad
  const a =
    Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2
  return 2 * radius * Math.asin(Math.min(1, Math.sqrt(a)))
}

/** The (lon, lat) in degrees of the mean of unit vectors (correct across the antimeridian). */
export const centroid = (
  lons: ArrayLike<number>,
  lats: ArrayLike<number>
): readonly [number, number] => {
  let x = 0
  let y = 0
  let z = 0
  for (let i = 0; i < lons.length; i++) {
    const la = lats[i] * rad
    const lo = lons[i] * rad
    x += Math.cos(la) * Math.cos(lo)
    y += Math.cos(la) * Math.sin(lo)
    z += Math.sin(la)
  }
  if (x === 0 && y === 0 && z === 0) return [0, 0]
  return [Math.atan2(y, x) / rad, Math.atan2(z, Math.hypot(x, y)) / rad]
}

/**
 * Azimuthal equidistant projection centred on (lon0, lat0): writes [x east m, y north m, k] to `out`,
 * where k = c / sin c ≥ 1 is the largest local scale factor at the point (c its angular distance).
 */
export const aeqd = (
  lon0: number,
  lat0: number,
  lon: number,
  lat: number,
  out: Float64Array
): void => {
  const p0 = lat0 * rad
  const p = lat * rad
  const dl = (lon - lon0) * rad
  const sp0 = Math.sin(p0)
  const cp0 = Math.cos(p0)
  const sp = Math.sin(p)
  const cp = Math.cos(p)
  const cdl = Math.cos(dl)
  const cosc = Math.min(1, Math.max(-1, sp0 * sp + cp0 * cp * cdl))
  const c = Math.acos(cosc)
  const k = c < 1e-9 ? 1 : c / Math.sin(c)
  out[0] = radius * k * cp * Math.sin(dl)
  out[1] = radius * k * (cp0 * sp - sp0 * cp * cdl)
  out[2] = k
}
