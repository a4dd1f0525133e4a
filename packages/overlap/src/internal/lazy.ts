// The bulk filter's pair work over candidates sorted into cubes: near pairs found by merge walks over
// neighbouring cube columns, kept as lists of earlier neighbours, and greedy decisions taken lazily — the
// exact overlap of a pair is measured only when its earlier candidate has been accepted, and a candidate's
// tests stop at the first accepted footprint that covers too much of it.
import type { Thresholds } from "./bounds.ts"
import { convert, overlap, result, STRIDE } from "./footprints.ts"
import * as OffHeap from "./offHeap.ts"

/** Metres added to the cube side and to the float32 sphere test so that float32 rounding never drops a pair. */
export const MARGIN = 4

/** Candidates sorted into cubes: centres and radii in cube order, and the runs of equal cube keys. */
export interface Grid {
  /** (x, y, z, r) per sorted position, float32. */
  readonly sorted: Float32Array
  /** Candidate index of each sorted position. */
  readonly order: Int32Array
  /** Key of each cell (a run of one cube's candidates), ascending. */
  readonly cellKey: Float64Array
  /** First sorted position of each cell, then n. */
  readonly start: Int32Array
  readonly cells: number
  /** Cube counts along y and z (the key is (x · ry + y) · rz + z). */
  readonly ry: number
  readonly rz: number
  /** Neighbour column starts per cell, filled by `columns`. */
  readonly west: Int32Array
  readonly east: Int32Array
}

/**
 * For each cell, the first cell whose key is at least that of the cube (x − 1, y − 1, z − 1) (`west`) and
 * (x + 1, y − 1, z − 1) (`east`); the other columns of its 3 × 3 × 3 neighbourhood are found by short walks
 * from these and from the cell itself. Both arrays are views the caller gives (4 bytes per cell each).
 */
export const columns = (grid: Grid, west: Int32Array, east: Int32Array): void => {
  const { cellKey, cells, ry, rz } = grid
  const slab = ry * rz
  let w = 0
  let e = 0
  for (let c = 0; c < cells; c++) {
    const key = cellKey[c]
    while (cellKey[w] < key - slab - rz - 1) w++
    while (e < cells && cellKey[e] < key + slab - rz - 1) e++
    west[c] = w
    east[c] = e
  }
}

// The first cell of column `col` of cell c's neighbourhood (0: own column, 1: y − 1, 2: y + 1, then x − 1 and
// x + 1 with y − 1, y, y + 1), i.e. the first cell whose key is at least that column's z − 1 cube.
const columnStart = (grid: Grid, c: number, col: number): number => {
  const { cellKey, cells, ry, rz } = grid
  const key = cellKey[c]
  if (col === 0) return c > 0 && cellKey[c - 1] === key - 1 ? c - 1 : c
  if (col === 1) {
    let d = c
    while (d > 0 && cellKey[d - 1] >= key - rz - 1) d--
    return d
  }
  let d = col === 2 ? c : col < 6 ? grid.west[c] : grid.east[c]
  const dy = col === 2 ? 1 : ((col - 3) % 3) - 1
  const target = key + (col === 2 ? 0 : col < 6 ? -ry * rz : ry * rz) + dy * rz - 1
  while (d < cells && cellKey[d] < target) d++
  return d
}

// The key of column `col`'s z + 1 cube (see columnStart).
const columnLast = (grid: Grid, key: number, col: number): number => {
  if (col === 0) return key + 1
  if (col === 1) return key - grid.rz + 1
  if (col === 2) return key + grid.rz + 1
  const dy = ((col - 3) % 3) - 1
  return key + (col < 6 ? -grid.ry * grid.rz : grid.ry * grid.rz) + dy * grid.rz + 1
}

// Exact footprints by sorted position, converted on demand from the corners kept in cube order (64 bytes
// each) into a direct-mapped cache of Float64Array slots: the same conversion, so the same bits, as the
// streaming filter's.
export class Near {
  readonly blocks: Array<Float64Array>
  readonly shift: number
  readonly mask: number
  readonly cache: Float64Array
  readonly tags: Int32Array
  readonly spare = new Float64Array(STRIDE)
  /** Footprints converted so far (cache misses), for benchmarks. */
  converted = 0
  constructor(blocks: Array<Float64Array>, shift: number, bits: number) {
    this.blocks = blocks
    this.shift = shift
    this.mask = (1 << bits) - 1
    this.cache = OffHeap.float64((1 << bits) * STRIDE)
    this.tags = new Int32Array(1 << bits).fill(-1)
  }
  // Converts the footprint at sorted position k (its corners, kept in cube order) into slot s of `to`.
  copy(k: number, to: Float64Array, s: number): void {
    this.converted++
    convert(to, s, this.blocks[k >>> this.shift], (k & ((1 << this.shift) - 1)) * 8)
  }
  // The cache slot holding the footprint at sorted position k.
  slot(k: number): number {
    const s = k & this.mask
    if (this.tags[s] !== k) {
      this.copy(k, this.cache, s)
      this.tags[s] = k
    }
    return s
  }
}

// Whether the accepted footprint at sorted position `early` covers more than `limit` of the one at `late`:
// exactly the streaming filter's test of a candidate against an accepted footprint (same bounding-sphere
// test, same overlap call, same bits), so both decide identically.
const covers = (near: Near, late: number, early: number, limit: number): boolean => {
  const p = near.slot(early)
  let q: number
  let data = near.cache
  if ((late & near.mask) === p) {
    // Both positions map to one slot: the later footprint goes to a spare buffer instead.
    data = near.spare
    near.copy(late, data, 0)
    q = 0
  } else q = near.slot(late)
  const cache = near.cache
  const o = p * STRIDE
  const u = q * STRIDE
  const ex = cache[o] - data[u]
  const ey = cache[o + 1] - data[u + 1]
  const ez = cache[o + 2] - data[u + 2]
  const rr = data[u + 3] + cache[o + 3]
  if (ex * ex + ey * ey + ez * ez >= rr * rr) return false
  overlap(data, q, cache, p)
  return result[0] > limit * result[1]
}

/**
 * Work of the last `decide`, per run (for benchmarks): neighbours scanned (every sorted position read in the
 * 3 × 3 × 3 cubes), earlier unrejected ones within reach, pairs decided by the centre distance alone
 * (`Thresholds.yes`), exact tests (clip), footprints converted.
 */
export const work = new Float64Array(5)

/** `state` of a sorted position once decided. */
export const ACCEPTED = 1
export const REJECTED = 2

/**
 * The greedy decision of every sorted position into `state` (0 = undecided on entry): a candidate is accepted
 * when no accepted earlier candidate covers more than `limit` of it. Its earlier neighbours are read from the
 * 3 × 3 × 3 cubes around it (`columns`), behind a float32 bounding-sphere test widened by MARGIN (never drops a
 * touching pair); an undecided one is decided first (depth first over an explicit stack; earlier is strictly
 * earlier, so there is no cycle). So only pairs whose earlier candidate was accepted are measured exactly,
 * a candidate stops at its first blocking footprint, and no list of pairs is kept. `bounds` (bounds.ts)
 * narrows the reach to `no` and blocks without the clip below `yes` (both widened by MARGIN for float32).
 */
export const decide = (
  grid: Grid,
  near: Near,
  state: Uint8Array,
  limit: number,
  bounds: Thresholds
): void => {
  const { sorted, order, cellKey, start, cells } = grid
  const n = state.length
  const inside = bounds.yes - MARGIN
  const yes2 = inside > 0 ? inside * inside : 0
  const far = bounds.no + MARGIN
  let scanned = 0
  let within = 0
  let definite = 0
  let exact = 0
  const converted = near.converted
  // Frames of 4: sorted position, its cell, column (0 = own, 1–8 = table), next sorted position to look at.
  let stack = OffHeap.int32(4096)
  let c = 0
  for (let k = 0; k < n; k++) {
    while (start[c + 1] <= k) c++
    if (state[k] !== 0) continue
    stack[0] = k
    stack[1] = c
    stack[2] = 0
    stack[3] = -1
    let top = 4
    frames: while (top > 0) {
      const t = stack[top - 4]
      const ct = stack[top - 3]
      let col = stack[top - 2]
      let b = stack[top - 1]
      const it = order[t]
      const tx = sorted[4 * t]
      const ty = sorted[4 * t + 1]
      const tz = sorted[4 * t + 2]
      const tr = sorted[4 * t + 3] + MARGIN
      const key = cellKey[ct]
      for (; col < 9; col++) {
        // Cells of this column from its z − 1 cube to its z + 1 cube, as one run of sorted positions.
        const first = columnStart(grid, ct, col)
        const last = columnLast(grid, key, col)
        let d = first
        while (d < cells && cellKey[d] <= last) d++
        if (d === first) continue
        const end = start[d]
        if (b < start[first]) b = start[first]
        for (; b < end; b++) {
          scanned++
          // A rejected candidate blocks nobody; a later one is not this one's business.
          const s = state[b]
          if (s === REJECTED || order[b] >= it) continue
          const dx = tx - sorted[4 * b]
          const dy = ty - sorted[4 * b + 1]
          const dz = tz - sorted[4 * b + 2]
          let reach = tr + sorted[4 * b + 3]
          if (reach > far) reach = far
          const d2 = dx * dx + dy * dy + dz * dz
          if (d2 >= reach * reach) continue
          within++
          if (s === 0) {
            // Decide b first, then come back to it.
            stack[top - 2] = col
            stack[top - 1] = b
            if (top + 4 > stack.length) {
              const grown = OffHeap.int32(stack.length * 2)
              grown.set(stack)
              stack = grown
            }
            let cb = first
            while (start[cb + 1] <= b) cb++
            stack[top] = b
            stack[top + 1] = cb
            stack[top + 2] = 0
            stack[top + 3] = -1
            top += 4
            continue frames
          }
          // b is accepted here.
          if (d2 < yes2) definite++
          else {
            exact++
            if (!covers(near, t, b, limit)) continue
          }
          state[t] = REJECTED
          top -= 4
          continue frames
        }
        b = -1
      }
      state[t] = ACCEPTED
      top -= 4
    }
  }
  work[0] = scanned
  work[1] = within
  work[2] = definite
  work[3] = exact
  work[4] = near.converted - converted
}
