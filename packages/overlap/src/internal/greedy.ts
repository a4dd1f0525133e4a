// Greedy acceptance in candidate order: a candidate is blocked when an accepted footprint covers more than
// the allowed fraction of its area. Shared by the streaming and the bulk filter so both decide identically.
import { CellHash } from "./cellHash.ts"
import { overlap, result, STRIDE } from "./footprints.ts"

/** Relative slack so that footprints sharing an edge never count as overlapping through rounding. */
export const SLACK = 1e-9

/** The accepted footprints of one filter run: a spatial hash of slots in one footprint array. */
export interface Greedy {
  hash: CellHash | undefined
  /** Largest bounding radius (m) among accepted footprints. */
  rMax: number
  /** Blocking threshold: maxOverlap + SLACK. */
  readonly limit: number
  /** Expected number of accepted footprints (sizes the hash). */
  readonly expected: number
}

/** An empty run for a validated maxOverlap in [0, 1]. */
export const make = (maxOverlap: number, expected: number): Greedy => ({
  hash: undefined,
  rMax: 0,
  limit: maxOverlap + SLACK,
  expected
})

/** Whether candidate slot `c` of `data` is covered beyond the limit by an accepted slot. */
export const blocked = (g: Greedy, data: Float64Array, c: number): boolean => {
  const hash = g.hash
  if (hash === undefined) return false
  const o = c * STRIDE
  const x = data[o]
  const y = data[o + 1]
  const z = data[o + 2]
  const r = data[o + 3]
  const reach = r + g.rMax
  const next = hash.next
  const s = hash.side
  const x0 = Math.floor((x - reach) / s)
  const x1 = Math.floor((x + reach) / s)
  const y0 = Math.floor((y - reach) / s)
  const y1 = Math.floor((y + reach) / s)
  const z0 = Math.floor((z - reach) / s)
  const z1 = Math.floor((z + reach) / s)
  const limit = g.limit
  for (let ix = x0; ix <= x1; ix++) {
    for (let iy = y0; iy <= y1; iy++) {
      for (let iz = z0; iz <= z1; iz++) {
        for (let i = hash.first(ix, iy, iz); i >= 0; i = next[i]) {
          // Bounding spheres apart: cannot touch (the same test opens `overlap`, inlined here for speed).
          const p = i * STRIDE
          const dx = data[p] - x
          const dy = data[p + 1] - y
          const dz = data[p + 2] - z
          const rr = r + data[p + 3]
          if (dx * dx + dy * dy + dz * dz >= rr * rr) continue
          overlap(data, c, data, i)
          if (result[0] > limit * result[1]) return true
        }
      }
    }
  }
  return false
}

/** Records slot `c` of `data` as accepted. */
export const accept = (g: Greedy, data: Float64Array, c: number): void => {
  const o = c * STRIDE
  const r = data[o + 3]
  // Cubes twice the largest reach: a query then touches at most 2 × 2 × 2 of them.
  g.hash ??= new CellHash(Math.max(1, 4 * Math.max(r, g.rMax)), g.expected)
  if (r > g.rMax) g.rMax = r
  g.hash.insert(c, data[o], data[o + 1], data[o + 2])
}
