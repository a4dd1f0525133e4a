// Geodesics on the WGS 84 ellipsoid: Vincenty's direct problem (1975) and authalic latitude.
// Used to move a city by a ground offset in metres and to sample area-correctly.

/** WGS 84 semi-major axis in metres. */
export const A = 6378137
/** WGS 84 flattening. */
export const F = 1 / 298.257223563
const B = A * (1 - F)
/** WGS 84 first eccentricity squared. */
export const E2 = F * (2 - F)

const RAD = Math.PI / 180

/**
 * The point reached from (lon, lat) degrees by a geodesic of `distance` metres at azimuth `azimuth` radians
 * clockwise from north. Writes (lon, lat) degrees into `out`. Vincenty's direct formulae, iterated to 1e-12 rad.
 */
export const direct = (
  lon: number,
  lat: number,
  azimuth: number,
  distance: number,
  out: Float64Array
): void => {
  const sinA1 = Math.sin(azimuth)
  const cosA1 = Math.cos(azimuth)
  const tanU1 = (1 - F) * Math.tan(lat * RAD)
  const cosU1 = 1 / Math.sqrt(1 + tanU1 * tanU1)
  const sinU1 = tanU1 * cosU1
  const sigma1 = Math.atan2(tanU1, cosA1)
  const sinAlpha = cosU1 * sinA1
  const cos2Alpha = 1 - sinAlpha * sinAlpha
  const u2 = (cos2Alpha * (A * A - B * B)) / (B * B)
  const a = 1 + (u2 / 16384) * (4096 + u2 * (-768 + u2 * (320 - 175 * u2)))
  const b = (u2 / 1024) * (256 + u2 * (-128 + u2 * (74 - 47 * u2)))
  let sigma = distance / (B * a)
  let sinSigma = 0
  let cosSigma = 1
  let cos2SigmaM = 0
  for (let i = 0; i < 100; i++) {
    cos2SigmaM = Math.cos(2 * sigma1 + sigma)
    sinSigma = Math.sin(sigma)
    cosSigma = Math.cos(sigma)
    const c2 = cos2SigmaM * cos2SigmaM
    const deltaSigma =
      b *
      sinSigma *
      (cos2SigmaM +
        (b / 4) *
          (cosSigma * (-1 + 2 * c2) -
            (b / 6) * cos2SigmaM * (-3 + 4 * sinSigma * sinSigma) * (-3 + 4 * c2)))
    const next = distance / (B * a) + deltaSigma
    const done = Math.abs(next - sigma) < 1e-12
    sigma = next
    if (done) break
  }
  cos2SigmaM = Math.cos(2 * sigma1 + sigma)
  sinSigma = Math.sin(sigma)
  cosSigma = Math.cos(sigma)
  const tmp = sinU1 * sinSigma - cosU1 * cosSigma * cosA1
  const lat2 = Math.atan2(
    sinU1 * cosSigma + cosU1 * sinSigma * cosA1,
    (1 - F) * Math.sqrt(sinAlpha * sinAlpha + tmp * tmp)
  )
  const lambda = Math.atan2(sinSigma * sinA1, cosU1 * cosSigma - sinU1 * sinSigma * cosA1)
  const c = (F / 16) * cos2Alpha * (4 + F * (4 - 3 * cos2Alpha))
  const l =
    lambda -
    (1 - c) *
      F *
      sinAlpha *
      (sigma + c * sinSigma * (cos2SigmaM + c * cosSigma * (-1 + 2 * cos2SigmaM * cos2SigmaM)))
  let lon2 = lon + l / RAD
  if (lon2 >= 180 || lon2 < -180) lon2 = ((((lon2 + 180) % 360) + 360) % 360) - 180
  out[0] = lon2
  out[1] = lat2 / RAD
}

const E = Math.sqrt(E2)

/** Authalic function q(φ) of the ellipsoid (Snyder 1987, eq. 3-12); areas between parallels are ∝ Δq. */
export const q = (latDeg: number): number => {
  const s = Math.sin(latDeg * RAD)
  return (1 - E2) * (s / (1 - E2 * s * s) - (1 / (2 * E)) * Math.log((1 - E * s) / (1 + E * s)))
}

/** q at the pole. */
export const Q_POLE = q(90)

// Series coefficients of geodetic latitude from authalic latitude (Snyder 1987, eq. 3-18).
const e4 = E2 * E2
const e6 = e4 * E2
const C2 = E2 / 3 + (31 * e4) / 180 + (517 * e6) / 5040
const C4 = (23 * e4) / 360 + (251 * e6) / 3780
const C6 = (761 * e6) / 45360

/** Geodetic latitude (degrees) of the parallel whose q equals `value` (−Q_POLE ≤ value ≤ Q_POLE). */
export const latFromQ = (value: number): number => {
  const beta = Math.asin(Math.max(-1, Math.min(1, value / Q_POLE)))
  return (beta + C2 * Math.sin(2 * beta) + C4 * Math.sin(4 * beta) + C6 * Math.sin(6 * beta)) / RAD
}
