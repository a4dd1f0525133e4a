// Block splits: cells of the global reference grid assigned to splits by a salted hash of the cell id,
// with the salt chosen once so that sample counts meet the target proportions.
import { ReferenceGrid } from "@eoforge/grid"
import { unit } from "./internal/hash.ts"
import { radius } from "./internal/sphere.ts"
import * as Proportions from "./Proportions.ts"
import { defaultPatchSizeM, footprintRadiusM, type Sample } from "./Sample.ts"
import { InvalidSplitParameter, NoSamples } from "./SplitError.ts"

/** What the user chooses. */
export interface Params {
  /** Reference grid cell size in km (default 100). */
  readonly cellKm?: number
  /** Seed of the salt search. */
  readonly seed: number
  /** Target proportions (default 60/20/20). */
  readonly proportions?: Proportions.Proportions
  /** Guard width g in km (default: one patch side). */
  readonly guardKm?: number
  /** Patch side in metres (default 2640). */
  readonly patchSizeM?: number
}

/** A fitted block split; record it so later samples are assigned with the same salt. */
export interface Fitted {
  readonly method: "blocks"
  /** Reference grid cell size in km. */
  readonly cellKm: number
  /** Hash salt of the cell ids. */
  readonly salt: string
  /** Guard width in metres. */
  readonly guardM: number
  /** Radius in metres of the circle holding a footprint. */
  readonly footprintM: number
  /** Target proportions. */
  readonly proportions: Proportions.Proportions
}

/** Salts tried when fitting. */
export const saltCandidates = 64

/** Samples used to fit at most. */
export const fitLimit = 200_000

const rad = Math.PI / 180

/**
 * Calls `f` with the id of every reference cell meeting the lon/lat box that holds the circle of
 * `reach` metres around (lon, lat), own cell first.
 */
const cellsNear = (
  grid: ReferenceGrid.ReferenceGrid,
  lon: number,
  lat: number,
  reach: number,
  f: (id: string) => boolean
): void => {
  const own = ReferenceGrid.cellOf(grid, lon, lat)
  if (!f(own.id) || reach <= 0) return
  const dLat = reach / radius / rad
  const latA = Math.max(-90, lat - dLat)
  const latB = Math.min(90, lat + dLat)
  const cosMin = Math.cos(Math.max(Math.abs(latA), Math.abs(latB)) * rad)
  const dLon = cosMin < 1e-12 ? 360 : reach / (radius * cosMin) / rad
  const rowA = Math.max(-grid.rows, Math.floor(latA / grid.dLat))
  const rowB = Math.min(grid.rows - 1, Math.floor(latB / grid.dLat))
  for (let row = rowA; row <= rowB; row++) {
    const n = ReferenceGrid.columns(grid, row)
    let c0 = 0
    let c1 = n - 1
    if (2 * dLon < 360) {
      const x = ((((lon + 180) % 360) + 360) % 360) / 360
      c0 = Math.floor((x - dLon / 360) * n)
      c1 = Math.floor((x + dLon / 360) * n)
      if (c1 - c0 >= n) {
        c0 = 0
        c1 = n - 1
      }
    }
    for (let c = c0; c <= c1; c++) {
      const col = ((c % n) + n) % n
      if (row === own.row && col === own.col) continue
      if (!f(`r${row}c${col}`)) return
    }
  }
}

const checked = (params: Params) => {
  const cellKm = params.cellKm ?? 100
  if (!Number.isFinite(cellKm) || cellKm <= 0) {
    throw new InvalidSplitParameter({
      name: "cellKm",
      value: cellKm,
      expected: "a cell size > 0 km"
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
    cellKm,
    proportions: Proportions.make(params.proportions ?? Proportions.standard),
    guardM: Proportions.guardKm(params.guardKm ?? patchSizeM / 1000) * 1000,
    footprintM: footprintRadiusM(patchSizeM)
  }
}

const reachOf = (f: Pick<Fitted, "guardM" | "footprintM">) =>
  f.guardM > 0 ? f.guardM + f.footprintM : 0

/** Fits the salt: of `saltCandidates` salts derived from the seed, the one whose counts best meet the targets. */
export const fit = (samples: ReadonlyArray<Sample>, params: Params): Fitted => {
  const p = checked(params)
  if (samples.length === 0) throw new NoSamples({ method: "blocks" })
  const grid = ReferenceGrid.make(p.cellKm)
  const reach = reachOf(p)
  const stride = Math.ceil(samples.length / fitLimit)
  // Intern the cells each fitting sample touches (own cell first).
  const cellIndex = new Map<string, number>()
  const cellIds: Array<string> = []
  const starts: Array<number> = [0]
  const touched: Array<number> = []
  for (let i = 0; i < samples.length; i += stride) {
    cellsNear(grid, samples[i].lon, samples[i].lat, reach, (id) => {
      let k = cellIndex.get(id)
      if (k === undefined) {
        k = cellIds.length
        cellIndex.set(id, k)
        cellIds.push(id)
      }
      touched.push(k)
      return true
    })
    starts.push(touched.length)
  }
  const splitOf = new Uint8Array(cellIds.length)
  const counts = new Float64Array(3)
  let best: Fitted | undefined
  let bestDev = Infinity
  for (let s = 0; s < saltCandidates; s++) {
    const salt = `${params.seed}/${s}`
    for (let c = 0; c < cellIds.length; c++)
      splitOf[c] = Proportions.pick(p.proportions, unit(salt, cellIds[c]))
    counts.fill(0)
    for (let j = 0; j + 1 < starts.length; j++) {
      const own = splitOf[touched[starts[j]]]
      let guard = false
      for (let t = starts[j] + 1; t < starts[j + 1]; t++) {
        if (splitOf[touched[t]] !== own) {
          guard = true
          break
        }
      }
      if (!guard) counts[own]++
    }
    const dev = Proportions.deviation(Proportions.of(counts), p.proportions)
    if (dev < bestDev) {
      bestDev = dev
      best = { method: "blocks", ...p, salt }
    }
  }
  return best!
}

/** Split codes (0/1/2, 255 guard) of samples given by longitude and latitude arrays. */
export const assignAll = (
  fitted: Fitted,
  lons: ArrayLike<number>,
  lats: ArrayLike<number>
): Uint8Array => {
  const grid = ReferenceGrid.make(fitted.cellKm)
  const reach = reachOf(fitted)
  const cache = new Map<string, number>()
  const splitOf = (id: string): number => {
    let s = cache.get(id)
    if (s === undefined) {
      s = Proportions.pick(fitted.proportions, unit(fitted.salt, id))
      cache.set(id, s)
    }
    return s
  }
  const codes = new Uint8Array(lons.length)
  for (let i = 0; i < lons.length; i++) {
    let own = -1
    let code = 0
    cellsNear(grid, lons[i], lats[i], reach, (id) => {
      const s = splitOf(id)
      if (own === -1) {
        own = s
        code = s
        return true
      }
      if (s !== own) {
        code = 255
        return false
      }
      return true
    })
    codes[i] = code
  }
  return codes
}

/** The split code of one position. */
export const assign = (fitted: Fitted, lon: number, lat: number): number =>
  assignAll(fitted, [lon], [lat])[0]
