// Repeated geographic banding: bands of width W perpendicular to a true bearing, in an azimuthal
// equidistant frame centred on the samples, with a guard zone around every change of split.
import { classify } from "./internal/bands.ts"
import { candidates } from "./internal/pattern.ts"
import { aeqd, centroid } from "./internal/sphere.ts"
import * as Proportions from "./Proportions.ts"
import { defaultPatchSizeM, footprintRadiusM, type Sample } from "./Sample.ts"
import { InvalidSplitParameter, NoSamples } from "./SplitError.ts"

/** What the user chooses. */
export interface Params {
  /** Band width W in km. */
  readonly widthKm: number
  /** True bearing θ of the band axis in degrees clockwise from north (0: bands run east–west). */
  readonly bearingDeg?: number
  /** Target proportions (default 60/20/20). */
  readonly proportions?: Proportions.Proportions
  /** Guard width g in km between footprints and a change of split (default: one patch side). */
  readonly guardKm?: number
  /** Patch side in metres (default 2640). */
  readonly patchSizeM?: number
}

/**
 * A fitted banding: everything an assignment depends on. Record it with the dataset; assigning later
 * samples with the same frame never moves earlier ones.
 */
export interface Frame {
  readonly method: "banding"
  /** Projection centre (the samples' spherical mean at fit time), degrees. */
  readonly centreLon: number
  readonly centreLat: number
  /** Bearing of the band axis, degrees clockwise from north. */
  readonly bearingDeg: number
  /** Band width in metres. */
  readonly widthM: number
  /** Offset of band 0 along the axis, metres. */
  readonly phaseM: number
  /** Split code (0 train, 1 val, 2 test) of each band of one period. */
  readonly pattern: ReadonlyArray<number>
  /** Guard width in metres. */
  readonly guardM: number
  /** Radius in metres of the circle holding a footprint. */
  readonly footprintM: number
  /** Target proportions. */
  readonly proportions: Proportions.Proportions
}

/** Number of phases tried per band width when fitting. */
export const phaseSteps = 64

/** Samples used to fit at most (every ⌈n / fitLimit⌉-th sample beyond that). */
export const fitLimit = 200_000

const checked = (params: Params) => {
  const widthKm = params.widthKm
  if (!Number.isFinite(widthKm) || widthKm <= 0) {
    throw new InvalidSplitParameter({
      name: "widthKm",
      value: widthKm,
      expected: "a band width > 0 km"
    })
  }
  const bearingDeg = params.bearingDeg ?? 0
  if (!Number.isFinite(bearingDeg)) {
    throw new InvalidSplitParameter({
      name: "bearingDeg",
      value: bearingDeg,
      expected: "a finite bearing in degrees"
    })
  }
  const patchSizeM = params.patchSizeM ?? defaultPatchSizeM
  if (!Number.isFinite(patchSizeM) || patchSizeM <= 0) {
    throw new InvalidSplitParameter({
      name: "patchSizeM",
      value: patchSizeM,
      expected: "a patch side > 0 m"
    })
  }
  return {
    widthM: widthKm * 1000,
    bearingDeg,
    proportions: Proportions.make(params.proportions ?? Proportions.standard),
    guardM: Proportions.guardKm(params.guardKm ?? patchSizeM / 1000) * 1000,
    footprintM: footprintRadiusM(patchSizeM)
  }
}

/** Position along the band axis and guard reach (both projected metres) of every sample. */
const project = (
  frame: Pick<Frame, "centreLon" | "centreLat" | "bearingDeg" | "guardM" | "footprintM">,
  lons: ArrayLike<number>,
  lats: ArrayLike<number>
) => {
  const n = lons.length
  const u = new Float64Array(n)
  const reach = new Float64Array(n)
  const out = new Float64Array(3)
  const sinB = Math.sin((frame.bearingDeg * Math.PI) / 180)
  const cosB = Math.cos((frame.bearingDeg * Math.PI) / 180)
  const g = frame.guardM > 0 ? frame.guardM + frame.footprintM : 0
  for (let i = 0; i < n; i++) {
    aeqd(frame.centreLon, frame.centreLat, lons[i], lats[i], out)
    u[i] = out[0] * sinB + out[1] * cosB
    // The projection stretches by up to k here, so ground distances are scaled by k to stay conservative.
    reach[i] = g * out[2]
  }
  return { u, reach }
}

/**
 * Fits the frame: projection centre at the samples' mean, then the pattern arrangement and phase whose
 * sample counts (guard excluded) are closest to the target proportions. Deterministic.
 */
export const fit = (samples: ReadonlyArray<Sample>, params: Params): Frame => {
  const p = checked(params)
  if (samples.length === 0) throw new NoSamples({ method: "banding" })
  const stride = Math.ceil(samples.length / fitLimit)
  const m = Math.ceil(samples.length / stride)
  const lons = new Float64Array(m)
  const lats = new Float64Array(m)
  for (let i = 0, j = 0; i < samples.length; i += stride, j++) {
    lons[j] = samples[i].lon
    lats[j] = samples[i].lat
  }
  const [centreLon, centreLat] = centroid(lons, lats)
  const base = { centreLon, centreLat, ...p }
  const { u, reach } = project(base, lons, lats)
  // Group candidate patterns by period length L. Per (L, phase), reduce the samples to a small table
  // counting each (own band mod L, first band in reach mod L, bands spanned); a pattern is then scored
  // from the table: a sample is kept when every band within reach has its split.
  const byLength = new Map<number, Array<ReadonlyArray<number>>>()
  for (const pattern of candidates(p.proportions)) {
    const list = byLength.get(pattern.length) ?? []
    list.push(pattern)
    byLength.set(pattern.length, list)
  }
  // same[first · (L + 1) + span] = 1 when bands first … first + span (mod L) all have one split.
  const sameTables = new Map<number, Array<Uint8Array>>()
  for (const [L, patterns] of byLength) {
    sameTables.set(
      L,
      patterns.map((pattern) => {
        const same = new Uint8Array(L * (L + 1))
        for (let j = 0; j < L; j++) {
          let ok = 1
          for (let d = 0; d <= L; d++) {
            if (pattern[(j + d) % L] !== pattern[j]) ok = 0
            same[j * (L + 1) + d] = ok
          }
        }
        return same
      })
    )
  }
  // Positions in band widths, so that each phase costs a subtraction and a floor per sample.
  // Shifted by a whole number of bands I so that every t − r ≥ 0 and `| 0` is a floor.
  const r = reach.map((x) => x / p.widthM)
  let lowest = Infinity
  for (let i = 0; i < m; i++) lowest = Math.min(lowest, u[i] / p.widthM - r[i])
  const shift = 1 - Math.floor(lowest)
  const a = u.map((x) => x / p.widthM + shift)
  let best: Frame | undefined
  let bestDev = Infinity
  const counts = new Float64Array(3)
  for (let step = 0; step < phaseSteps; step++) {
    const phaseM = (step * p.widthM) / phaseSteps
    for (const [L, patterns] of byLength) {
      const S = L + 1
      const LS = L * S
      const table = new Float64Array(L * L * S)
      const back = L - (((shift % L) + L) % L)
      const phase = step / phaseSteps
      for (let i = 0; i < m; i++) {
        const t = a[i] - phase
        const k = t | 0
        const lo = (t - r[i]) | 0
        const hi = (t + r[i]) | 0
        const span = hi - lo < L ? hi - lo : L
        table[(((k + back) % L) * L + ((lo + back) % L)) * S + span]++
      }
      // Only the non-empty table cells matter: key = own · L·S + first · S + span.
      const cells: Array<number> = []
      const weights: Array<number> = []
      for (let key = 0; key < table.length; key++) {
        if (table[key] > 0) {
          cells.push(key)
          weights.push(table[key])
        }
      }
      const sames = sameTables.get(L)!
      for (let q = 0; q < patterns.length; q++) {
        const pattern = patterns[q]
        const same = sames[q]
        counts.fill(0)
        for (let e = 0; e < cells.length; e++) {
          const c = cells[e]
          if (same[c % LS] === 1) counts[pattern[Math.floor(c / LS)]] += weights[e]
        }
        const dev = Proportions.deviation(Proportions.of(counts), p.proportions)
        if (dev < bestDev) {
          bestDev = dev
          best = { method: "banding", ...base, phaseM, pattern }
        }
      }
    }
  }
  return best!
}

/** Split codes (0/1/2, 255 guard) of samples given by longitude and latitude arrays. */
export const assignAll = (
  frame: Frame,
  lons: ArrayLike<number>,
  lats: ArrayLike<number>
): Uint8Array => {
  const { u, reach } = project(frame, lons, lats)
  const codes = new Uint8Array(u.length)
  for (let i = 0; i < u.length; i++) {
    codes[i] = classify(u[i], reach[i], frame.phaseM, frame.widthM, frame.pattern)
  }
  return codes
}

/** The split code of one position. */
export const assign = (frame: Frame, lon: number, lat: number): number =>
  assignAll(frame, [lon], [lat])[0]
