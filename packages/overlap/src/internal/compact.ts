// Greedy acceptance keeping only the centre and radius of each accepted footprint (32 bytes): the corners of
// an accepted footprint are asked back from the caller when a candidate comes near it, and cached.
import { CellHash } from "./cellHash.ts"
import { overlap, result, STRIDE, write } from "./footprints.ts"
import * as OffHeap from "./offHeap.ts"

/** Accepted centres per block (1 MiB); a power of two, SHIFT its log2. */
const BLOCK = 1 << 15
const SHIFT = 15

/** log2 of the recalled footprints kept (direct-mapped by acceptance index): 2^12 × 128 B = 512 KiB. */
const CACHE_BITS = 12

/** The corners of accepted footprint k, exactly as they were offered (UL, UR, LR, LL; lon, lat degrees). */
export type Recall = (accepted: number) => ReadonlyArray<readonly [number, number]>

/** The accepted footprints of one run: centres (x, y, z, radius) in blocks, a spatial hash, a cache. */
export interface Compact {
  hash: CellHash | undefined
  rMax: number
  size: number
  readonly limit: number
  readonly centres: Array<Float64Array>
  readonly recall: Recall
  readonly cache: Float64Array
  readonly tags: Int32Array
}

/** An empty run for a limit (maxOverlap + slack) and the caller's recall. */
export const make = (limit: number, recall: Recall): Compact => ({
  hash: undefined,
  rMax: 0,
  size: 0,
  limit,
  centres: [],
  recall,
  cache: OffHeap.float64((1 << CACHE_BITS) * STRIDE),
  tags: OffHeap.int32(1 << CACHE_BITS).fill(-1)
})

// The cache slot holding accepted footprint k, recalled and converted when absent.
const slotOf = (c: Compact, k: number): number => {
  const s = k & ((1 << CACHE_BITS) - 1)
  if (c.tags[s] !== k) {
    if (!write(c.cache, s, c.recall(k))) {
      throw new RangeError(
        `accepted footprint ${k} was recalled with other corners than it was offered`
      )
    }
    c.tags[s] = k
  }
  return s
}

/** Whether the candidate (footprint 0 of `candidate`) is covered beyond the limit by an accepted one. */
export const blocked = (c: Compact, candidate: Float64Array): boolean => {
  const hash = c.hash
  if (hash === undefined) return false
  const x = candidate[0]
  const y = candidate[1]
  const z = candidate[2]
  const r = candidate[3]
  const reach = r + c.rMax
  const next = hash.next
  const s = hash.side
  const x0 = Math.floor((x - reach) / s)
  const x1 = Math.floor((x + reach) / s)
  const y0 = Math.floor((y - reach) / s)
  const y1 = Math.floor((y + reach) / s)
  const z0 = Math.floor((z - reach) / s)
  const z1 = Math.floor((z + reach) / s)
  for (let ix = x0; ix <= x1; ix++) {
    for (let iy = y0; iy <= y1; iy++) {
      for (let iz = z0; iz <= z1; iz++) {
        for (let i = hash.first(ix, iy, iz); i >= 0; i = next[i]) {
          // The same bounding-sphere test as the full filter's, on the same numbers.
          const data = c.centres[i >>> SHIFT]
          const p = (i & (BLOCK - 1)) * 4
          const dx = data[p] - x
          const dy = data[p + 1] - y
          const dz = data[p + 2] - z
          const rr = r + data[p + 3]
          if (dx * dx + dy * dy + dz * dz >= rr * rr) continue
          overlap(candidate, 0, c.cache, slotOf(c, i))
          if (result[0] > c.limit * result[1]) return true
        }
      }
    }
  }
  return false
}

/** Records the candidate (footprint 0 of `candidate`) as the next accepted footprint. */
export const accept = (c: Compact, candidate: Float64Array): void => {
  const k = c.size++
  const r = candidate[3]
  c.hash ??= new CellHash(Math.max(1, 4 * Math.max(r, c.rMax)), 1024)
  if (r > c.rMax) c.rMax = r
  if (k >>> SHIFT === c.centres.length) c.centres.push(OffHeap.float64(BLOCK * 4))
  const o = (k & (BLOCK - 1)) * 4
  const data = c.centres[k >>> SHIFT]
  data[o] = candidate[0]
  data[o + 1] = candidate[1]
  data[o + 2] = candidate[2]
  data[o + 3] = r
  c.hash.insert(k, candidate[0], candidate[1], candidate[2])
}
