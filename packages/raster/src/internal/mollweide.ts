// Mollweide (spherical, radius a) as PROJ 9 computes it, registered in proj4 in place of proj4js' own: proj4js
// rounds the constants (0.900316316158 for 2√2/π, 1.4142135623731 for √2) and iterates to another tolerance,
// which moves source positions by ~2e-10 px on 50 km pixels — enough to flip float32 bilinear results by one
// unit in the last place against gdalwarp. Constants, Newton iteration (10 steps, 1e-7 tolerance, on 2θ from
// k = C_p·sin φ) and longitude adjustment follow PROJ's moll.cpp/adjlon.cpp (setup with p = π/2).
import proj4 from "proj4"

const halfPi = Math.PI / 2
const twoPi = 2 * Math.PI
const p2 = Math.PI // p + p for p = π/2
const r = Math.sqrt((twoPi * Math.sin(halfPi)) / (p2 + Math.sin(p2)))
const cx = (2 * r) / Math.PI
const cy = r / Math.sin(halfPi)
const cp = p2 + Math.sin(p2)
const maxIter = 10
const loopTol = 1e-7

/** PROJ's adjlon: longitudes slightly past ±π are kept (no spurious sign switch at the date line). */
export const adjlon = (lon: number): number => {
  if (Math.abs(lon) < Math.PI + 1e-12) return lon
  let l = lon + Math.PI
  l -= twoPi * Math.floor(l / twoPi)
  return l - Math.PI
}

/** asin clamped as PROJ's aasin (|v| ≤ 1 + 1e-14 accepted as ±1); NaN beyond. */
const aasin = (v: number): number => {
  const av = Math.abs(v)
  if (av >= 1) return av > 1 + 1e-14 ? NaN : v < 0 ? -halfPi : halfPi
  return Math.asin(v)
}

/** Forward on the unit sphere: (λ − λ0, φ) in radians → (x, y). */
export const forwardUnit = (lam: number, phi: number): readonly [number, number] => {
  const k = cp * Math.sin(phi)
  let t = phi
  let i = maxIter
  for (; i > 0; i--) {
    const v = (t + Math.sin(t) - k) / (1 + Math.cos(t))
    t -= v
    if (Math.abs(v) < loopTol) break
  }
  t = i === 0 ? (t < 0 ? -halfPi : halfPi) : t * 0.5
  return [cx * lam * Math.cos(t), cy * Math.sin(t)]
}

/** Inverse on the unit sphere: (x, y) → (λ − λ0, φ) in radians; NaN outside the ellipse. */
export const inverseUnit = (x: number, y: number): readonly [number, number] => {
  let phi = aasin(y / cy)
  const lam = x / (cx * Math.cos(phi))
  if (!(Math.abs(lam) < Math.PI)) return [NaN, NaN]
  phi += phi
  return [lam, aasin((phi + Math.sin(phi)) / cp)]
}

interface MollProj {
  a: number
  long0?: number
  x0?: number
  y0?: number
  over?: boolean
}

let registered = false

/** Registers PROJ's Mollweide in proj4 under its names (`moll`, `Mollweide`); idempotent. */
export const register = (): void => {
  if (registered) return
  registered = true
  proj4.Proj.projections.add(
    {
      names: ["Mollweide", "moll"],
      init(this: MollProj) {
        this.x0 ??= 0
        this.y0 ??= 0
        this.long0 ??= 0
      },
      forward(this: MollProj, p: { x: number; y: number }) {
        let lam = p.x - (this.long0 ?? 0)
        if (this.over !== true) lam = adjlon(lam)
        const [x, y] = forwardUnit(lam, p.y)
        p.x = this.a * x + (this.x0 ?? 0)
        p.y = this.a * y + (this.y0 ?? 0)
        return p
      },
      inverse(this: MollProj, p: { x: number; y: number }) {
        const [lam, phi] = inverseUnit(
          (p.x - (this.x0 ?? 0)) / this.a,
          (p.y - (this.y0 ?? 0)) / this.a
        )
        let lon = lam + (this.long0 ?? 0)
        if (this.over !== true) lon = adjlon(lon)
        p.x = lon
        p.y = phi
        return p
      }
    } as never,
    0
  )
}
