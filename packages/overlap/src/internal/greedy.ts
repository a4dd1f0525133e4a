// Greedy acceptance in candidate order: a candidate is blocked when an accepted footprint covers more than
// the allowed fraction of its area. Shared by the streaming and the bulk filter so both decide identically.
import { CellHash } from "./cellHash.ts"
import { BLOCK, overlap, put, result, SHIFT, type Store, STRIDE } from "./footprints.ts"

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

/** Whether the candidate (footprint 0 of `candidate`) is covered beyond the limit by an accepted slot. */
export const blocked = (g: Greedy, store: Store, candidate: Float64Array): boolean => {
  const hash = g.hash
  if (hash === undefined) return false
  const blocks = store.blocks
  const x = candidate[0]
  const y = candidate[1]
  const z = candidate[2]
  const r = candidate[3]
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
          const data = blocks[i >>> SHIFT]
          const p = (i & (BLOCK - 1)) * STRIDE
          const dx = data[p] - x
          const dy = data[p + 1] - y
          const dz = data[p + 2] - z
          const rr = r + data[p + 3]
          if (dx * dx + dy * dy + dz * dz >= rr * rr) continue
          overlap(candidate, 0, data, i & (BLOCK - 1))
          if (result[0] > limit * result[1]) return true
        }
      }
    }
  }
  return false
}

/** Records the candidate (footprint 0 of `candidate`) as accepted in `slot` of the store. */
export const accept = (g: Greedy, store: Store, slot: number, candidate: Float64Array): void => {
  const data = candidate
  const o = 0
  const r = data[o + 3]
  // Cubes twice the largest reach: a query then touches at most 2 × 2 × 2 of them.
  g.hash ??= new CellHash(Math.max(1, 4 * Math.max(r, g.rMax)), g.expected)
  if (r > g.rMax) g.rMax = r
  put(store, slot, candidate)
  g.hash.insert(slot, data[o], data[o + 1], data[o + 2])
}
