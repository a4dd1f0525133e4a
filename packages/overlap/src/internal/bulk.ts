// Bulk greedy filtering: every footprint converted once in candidate order, the centres sorted into cubes
// (radix sort), then the greedy decisions taken lazily over each candidate's 3 × 3 × 3 cubes (lazy.ts).
import type { Patch } from "@eoforge/core"
import { convert, read, STRIDE } from "./footprints.ts"
import * as Lazy from "./lazy.ts"
import * as OffHeap from "./offHeap.ts"

/** Footprints (8 doubles of corners) per block (1 MiB); a power of two, SHIFT its log2. */
const BLOCK = 1 << 14
const SHIFT = 14

/** log2 of the footprints kept in the near-pair cache (direct-mapped by sorted position): 2^15 × 128 B = 4 MiB. */
export const CACHE_BITS = 15

/** Bytes of the one working buffer for n candidates (41 per candidate). */
export const arenaBytes = (n: number): number => 41 * (n + 2)

/**
 * Indices (ascending) of the candidates the greedy rule accepts, or undefined when the cube grid would be too
 * fine to sort (footprints of a few metres): callers then filter incrementally. `invalid(i)` is called (and
 * must throw) for a candidate whose footprint is not a valid quad. Centres and radii in float32 drive the
 * neighbour search (41 bytes per candidate of working memory); exact footprints (128 bytes per candidate) are
 * copied into a small cache when a pair is measured, giving the same bits as the streaming filter's. All of it lives outside V8's
 * external-memory accounting (see offHeap.ts), so the call never makes V8 collect the caller's whole heap.
 */
export const acceptAll = (
  patches: ReadonlyArray<Patch.Patch>,
  limit: number,
  invalid: (i: number) => never,
  cacheBits: number = CACHE_BITS
): Int32Array | undefined => {
  const n = patches.length
  if (n === 0) return new Int32Array(0)
  const N = n + 2
  const buffer = OffHeap.buffer(arenaBytes(n))
  // Regions: [0, 16N) centres in candidate order, later cell keys, starts and west columns, at the end the
  // accepted flags and indices; [16N, 20N) order; [20N, 24N) spare, later east columns; [24N, 40N) centres
  // in cube order; [40N, 41N) decisions.
  const cent = new Float32Array(buffer, 0, 4 * n)
  const scratch = new Float64Array(STRIDE)
  const blocks: Array<Float64Array> = []
  let rMax = 0
  for (let i = 0; i < n; i++) {
    if ((i & (BLOCK - 1)) === 0) blocks.push(OffHeap.float64(BLOCK * 8))
    const block = blocks[i >>> SHIFT]
    const o = (i & (BLOCK - 1)) * 8
    if (!read(patches[i].footprint, block, o) || !convert(scratch, 0, block, o)) invalid(i)
    cent[4 * i] = scratch[0]
    cent[4 * i + 1] = scratch[1]
    cent[4 * i + 2] = scratch[2]
    cent[4 * i + 3] = scratch[3]
    if (scratch[3] > rMax) rMax = scratch[3]
  }
  // Two footprints can touch only when their centres are closer than 2 rMax: with cubes that wide (plus the
  // float32 rounding of the centres, ≤ 0.25 m per coordinate), only the 3 × 3 × 3 cubes around a centre matter.
  const side = Math.max(1, 2 * rMax + Lazy.MARGIN)
  let x0 = Infinity
  let y0 = Infinity
  let z0 = Infinity
  let x1 = -Infinity
  let y1 = -Infinity
  let z1 = -Infinity
  for (let i = 0; i < n; i++) {
    const x = Math.floor(cent[4 * i] / side)
    const y = Math.floor(cent[4 * i + 1] / side)
    const z = Math.floor(cent[4 * i + 2] / side)
    if (x < x0) x0 = x
    if (y < y0) y0 = y
    if (z < z0) z0 = z
    if (x > x1) x1 = x
    if (y > y1) y1 = y
    if (z > z1) z1 = z
  }
  // One empty cube of padding on each side so that ±1 never wraps into another row of the key.
  const rx = x1 - x0 + 3
  const ry = y1 - y0 + 3
  const rz = z1 - z0 + 3
  if (rx * ry * rz > 2 ** 52 || Math.max(rx, ry, rz) > 1 << 24) return undefined
  // LSD radix sort by (x, y, z): stable counting sorts on z, then y, then x.
  const order = new Int32Array(buffer, 16 * N, n)
  const spare = new Int32Array(buffer, 20 * N, n)
  for (let i = 0; i < n; i++) order[i] = i
  countingSort(order, spare, cent, 2, side, z0 - 1, rz)
  countingSort(spare, order, cent, 1, side, y0 - 1, ry)
  countingSort(order, spare, cent, 0, side, x0 - 1, rx)
  order.set(spare)
  // Centres and radii (x, y, z, r) in cube order, so that the pair scans read memory in a few forward streams.
  const sorted = new Float32Array(buffer, 24 * N, 4 * n)
  for (let k = 0; k < n; k++) {
    const i = order[k]
    sorted[4 * k] = cent[4 * i]
    sorted[4 * k + 1] = cent[4 * i + 1]
    sorted[4 * k + 2] = cent[4 * i + 2]
    sorted[4 * k + 3] = cent[4 * i + 3]
  }
  // Cells: runs of equal keys; start has a sentinel n after the last cell (both over the centres' region).
  const cellKey = new Float64Array(buffer, 0, n)
  const start = new Int32Array(buffer, 8 * N, n + 1)
  let cells = 0
  let previous = -1
  for (let k = 0; k < n; k++) {
    const cx = Math.floor(sorted[4 * k] / side) - x0 + 1
    const cy = Math.floor(sorted[4 * k + 1] / side) - y0 + 1
    const cz = Math.floor(sorted[4 * k + 2] / side) - z0 + 1
    const key = (cx * ry + cy) * rz + cz
    if (key !== previous) {
      cellKey[cells] = key
      start[cells++] = k
      previous = key
    }
  }
  start[cells] = n
  const west = new Int32Array(buffer, 12 * N, cells)
  const east = new Int32Array(buffer, 20 * N, cells)
  const grid: Lazy.Grid = { sorted, order, cellKey, start, cells, ry, rz, west, east }
  Lazy.columns(grid, west, east)

  // Greedy decisions by sorted position, then the accepted candidates in candidate order.
  const state = new Uint8Array(buffer, 40 * N, n)
  Lazy.decide(grid, new Lazy.Near(blocks, SHIFT, order, cacheBits), state, limit)
  const accepted = new Uint8Array(buffer, 0, n).fill(0)
  for (let k = 0; k < n; k++) if (state[k] === Lazy.ACCEPTED) accepted[order[k]] = 1
  const out = new Int32Array(buffer, 4 * N, n)
  let kept = 0
  for (let j = 0; j < n; j++) if (accepted[j] === 1) out[kept++] = j
  return out.slice(0, kept)
}

// Stable counting sort of the indices in `order` by the cube index along `axis` of their centres, into `out`.
const countingSort = (
  order: Int32Array,
  out: Int32Array,
  cent: Float32Array,
  axis: number,
  side: number,
  base: number,
  range: number
): void => {
  const n = order.length
  const count = new Int32Array(range + 1)
  for (let k = 0; k < n; k++) count[Math.floor(cent[4 * order[k] + axis] / side) - base + 1]++
  for (let v = 0; v < range; v++) count[v + 1] += count[v]
  for (let k = 0; k < n; k++) {
    const i = order[k]
    out[count[Math.floor(cent[4 * i + axis] / side) - base]++] = i
  }
}
