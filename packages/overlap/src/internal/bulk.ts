// Bulk greedy filtering: every footprint converted once in candidate order, the centres and corners sorted
// into cubes (radix sort), then the greedy decisions taken lazily over each candidate's 3 × 3 × 3 cubes
// (lazy.ts), reading memory in forward streams only.
import type { Patch } from "@eoforge/core"
import * as Bounds from "./bounds.ts"
import { convert, read, STRIDE } from "./footprints.ts"
import * as Lazy from "./lazy.ts"
import * as OffHeap from "./offHeap.ts"

/** Footprints (8 doubles of corners) per block (1 MiB); a power of two, SHIFT its log2. */
const BLOCK = 1 << 14
const SHIFT = 14

/** Footprints per batch of the corners' gather into cube order. */
const GATHER = 32
// The sum of the batches' first loads, kept so that the compiler cannot drop them.
const gathered = new Float64Array(1)

/** log2 of the footprints kept in the near-pair cache (direct-mapped by sorted position): 2^15 × 128 B = 4 MiB. */
export const CACHE_BITS = 15

/** Bytes of the one working buffer for n candidates (57 per candidate; the corners, 64, are apart). */
export const arenaBytes = (n: number): number => 57 * (n + 2)

/**
 * Indices (ascending) of the candidates the greedy rule accepts, or undefined when the cube grid would be too
 * fine to sort (footprints of a few metres): callers then filter incrementally. `invalid(i)` is called (and
 * must throw) for a candidate whose footprint is not a valid quad. Centres and radii in float32 drive the
 * neighbour search (57 bytes per candidate of working memory, 41 after the sort); the corners (64 bytes per
 * candidate, in cube order) are converted into a small cache of exact footprints when a pair is measured,
 * giving the same bits as the streaming filter's. All of it lives outside V8's external-memory accounting
 * (see offHeap.ts), so the call never makes V8 collect the caller's whole heap. `phase(name)` is called after
 * each step ("read", "sort", "gather", "cells", "decide", "output") for benchmarks; `useBounds` false measures
 * every pair within reach (bounds.ts not used: the same decisions, for tests and benchmarks).
 */
export const acceptAll = (
  patches: ReadonlyArray<Patch.Patch>,
  limit: number,
  invalid: (i: number) => never,
  cacheBits: number = CACHE_BITS,
  phase: (name: string) => void = () => {},
  useBounds = true
): Int32Array | undefined => {
  const n = patches.length
  if (n === 0) return new Int32Array(0)
  const N = n + 2
  const buffer = OffHeap.buffer(arenaBytes(n))
  // Regions: [0, 16N) centres in candidate order, then after the y sort, later cell keys, starts and west
  // columns, at the end the accepted flags and indices; [16N, 32N) centres after the z sort, later order
  // [16N, 20N) and east columns [20N, 24N); [32N, 40N) indices of the first two sorts; [40N, 56N) centres in
  // cube order; [56N, 57N) decisions.
  const cent = new Float32Array(buffer, 0, 4 * n)
  const scratch = new Float64Array(STRIDE)
  const blocks: Array<Float64Array> = []
  const shapes = new Bounds.Shapes()
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
    shapes.add(scratch, 0)
  }
  const bounds = useBounds ? Bounds.thresholds(shapes, rMax, limit) : Bounds.none
  phase("read")
  // Two footprints can touch only when their centres are closer than 2 rMax, and one can block the other only
  // when they are closer than `bounds.no` (bounds.ts): with cubes that wide (plus the float32 rounding of the
  // centres, ≤ 0.25 m per coordinate), only the 3 × 3 × 3 cubes around a centre matter.
  const side = Math.max(1, Math.min(2 * rMax, bounds.no) + Lazy.MARGIN)
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
  // LSD radix sort by (x, y, z): stable counting sorts on z, then y, then x, each carrying the centre and the
  // candidate index along, so that every pass reads its input in one forward stream (reading the centres by
  // index instead, at random, cost ~1.6× more per candidate at 5M than at 1M: cache and TLB misses).
  const passA = new Float32Array(buffer, 16 * N, 4 * n)
  const indexA = new Int32Array(buffer, 32 * N, n)
  const indexB = new Int32Array(buffer, 36 * N, n)
  const sorted = new Float32Array(buffer, 40 * N, 4 * n)
  const order = new Int32Array(buffer, 16 * N, n)
  countingSort(cent, undefined, passA, indexA, 2, side, z0 - 1, rz)
  countingSort(passA, indexA, cent, indexB, 1, side, y0 - 1, ry)
  countingSort(cent, indexB, sorted, order, 0, side, x0 - 1, rx)
  phase("sort")
  // The corners in cube order too, after which the pair work reads them in forward streams. They are read
  // at random (candidate order), so in batches: first one load per footprint of the batch, independent loads
  // that the processor overlaps, then the copies, which find them in its cache (measured on a random
  // permutation: 0.07–0.11 µs per candidate at 1M and 5M against 0.12–0.65 copying straight away).
  const near: Array<Float64Array> = []
  let touched = 0
  for (let k0 = 0; k0 < n; k0 += GATHER) {
    const k1 = Math.min(n, k0 + GATHER)
    for (let k = k0; k < k1; k++) {
      const i = order[k]
      touched += blocks[i >>> SHIFT][(i & (BLOCK - 1)) * 8]
    }
    for (let k = k0; k < k1; k++) {
      if ((k & (BLOCK - 1)) === 0) near.push(OffHeap.float64(BLOCK * 8))
      const i = order[k]
      const from = blocks[i >>> SHIFT]
      const to = near[k >>> SHIFT]
      const o = (i & (BLOCK - 1)) * 8
      const p = (k & (BLOCK - 1)) * 8
      for (let q = 0; q < 8; q++) to[p + q] = from[o + q]
    }
  }
  gathered[0] = touched
  blocks.length = 0
  phase("gather")
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

  phase("cells")
  // Greedy decisions by sorted position, then the accepted candidates in candidate order.
  const state = new Uint8Array(buffer, 56 * N, n)
  Lazy.decide(grid, new Lazy.Near(near, SHIFT, cacheBits), state, limit, bounds)
  phase("decide")
  const accepted = new Uint8Array(buffer, 0, n).fill(0)
  for (let k = 0; k < n; k++) if (state[k] === Lazy.ACCEPTED) accepted[order[k]] = 1
  const out = new Int32Array(buffer, 4 * N, n)
  let kept = 0
  for (let j = 0; j < n; j++) if (accepted[j] === 1) out[kept++] = j
  const result = out.slice(0, kept)
  phase("output")
  return result
}

// Stable counting sort of the centres (x, y, z, r) in `from` (candidate indices `index`, or the identity) by
// their cube index along `axis`, into `to` and `toIndex`.
const countingSort = (
  from: Float32Array,
  index: Int32Array | undefined,
  to: Float32Array,
  toIndex: Int32Array,
  axis: number,
  side: number,
  base: number,
  range: number
): void => {
  const n = toIndex.length
  const count = new Int32Array(range + 1)
  for (let k = 0; k < n; k++) count[Math.floor(from[4 * k + axis] / side) - base + 1]++
  for (let v = 0; v < range; v++) count[v + 1] += count[v]
  for (let k = 0; k < n; k++) {
    const p = count[Math.floor(from[4 * k + axis] / side) - base]++
    to[4 * p] = from[4 * k]
    to[4 * p + 1] = from[4 * k + 1]
    to[4 * p + 2] = from[4 * k + 2]
    to[4 * p + 3] = from[4 * k + 3]
    toIndex[p] = index === undefined ? k : index[k]
  }
}
