// Orbit interpolation from annotated state vectors: Lagrange polynomials over the nearest vectors,
// positions and velocities interpolated separately (as SNAP and sarsen do), times in seconds after an epoch.
import type { StateVector } from "./Annotation.ts"

/** Position, velocity and acceleration at one time (Earth-fixed, metres and seconds). */
export interface OrbitState {
  readonly px: number
  readonly py: number
  readonly pz: number
  readonly vx: number
  readonly vy: number
  readonly vz: number
  readonly ax: number
  readonly ay: number
  readonly az: number
}

/** An interpolable orbit. */
export interface Orbit {
  readonly vectors: ReadonlyArray<StateVector>
  /** First and last state vector times (seconds after the epoch). */
  readonly start: number
  readonly end: number
  /** Number of vectors each interpolation uses. */
  readonly order: number
}

/** An orbit from state vectors sorted by time (at least 2). `order` vectors are used per evaluation. */
export const make = (vectors: ReadonlyArray<StateVector>, order = 8): Orbit => ({
  vectors,
  start: vectors[0].t,
  end: vectors[vectors.length - 1].t,
  order: Math.min(order, vectors.length)
})

/** True when `t` lies within the state vectors (interpolation, not extrapolation). */
export const covers = (o: Orbit, t: number): boolean => t >= o.start && t <= o.end

const firstOf = (o: Orbit, t: number): number => {
  const v = o.vectors
  let lo = 0
  let hi = v.length - 1
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1
    if (v[mid].t <= t) lo = mid
    else hi = mid
  }
  // Centre the window of `order` vectors on t.
  const first = lo - ((o.order >> 1) - 1)
  return Math.max(0, Math.min(v.length - o.order, first))
}

/** Number of values `atInto` writes: px, py, pz, vx, vy, vz, ax, ay, az. */
export const stateLength = 9

/**
 * The state at `t` written into `out` (px, py, pz, vx, vy, vz, ax, ay, az) without allocating: Lagrange
 * interpolation of positions and of velocities; the acceleration is the derivative of the velocity polynomial.
 */
export const atInto = (o: Orbit, t: number, out: Float64Array): void => {
  const v = o.vectors
  const n = o.order
  const first = firstOf(o, t)
  let px = 0,
    py = 0,
    pz = 0,
    vx = 0,
    vy = 0,
    vz = 0,
    ax = 0,
    ay = 0,
    az = 0
  for (let i = 0; i < n; i++) {
    const ti = v[first + i].t
    let w = 1
    let dw = 0
    for (let j = 0; j < n; j++) {
      if (j === i) continue
      const tj = v[first + j].t
      const d = ti - tj
      // d/dt Π (t − tj)/(ti − tj) by the product rule, accumulated alongside the product.
      dw = (dw * (t - tj) + w) / d
      w = (w * (t - tj)) / d
    }
    const s = v[first + i]
    px += w * s.x
    py += w * s.y
    pz += w * s.z
    vx += w * s.vx
    vy += w * s.vy
    vz += w * s.vz
    ax += dw * s.vx
    ay += dw * s.vy
    az += dw * s.vz
  }
  out[0] = px
  out[1] = py
  out[2] = pz
  out[3] = vx
  out[4] = vy
  out[5] = vz
  out[6] = ax
  out[7] = ay
  out[8] = az
}

/**
 * The state at `t` (seconds after the epoch): Lagrange interpolation of positions and of velocities;
 * the acceleration is the derivative of the velocity polynomial.
 */
export const at = (o: Orbit, t: number): OrbitState => {
  const s = new Float64Array(stateLength)
  atInto(o, t, s)
  return {
    px: s[0],
    py: s[1],
    pz: s[2],
    vx: s[3],
    vy: s[4],
    vz: s[5],
    ax: s[6],
    ay: s[7],
    az: s[8]
  }
}
