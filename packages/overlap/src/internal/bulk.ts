// Bulk greedy filtering: all near pairs found at once by sorting centres into cubes (radix sort, then merge
// walks over neighbouring cube columns), conflicts recorded as edges, then one greedy pass in candidate order.
import type { Patch } from "@eoforge/core"
import { overlap, result, STRIDE, write } from "./footprints.ts"
import * as OffHeap from "./offHeap.ts"

/** Footprints per block (1 MiB); a power of two, SHIFT its log2. */
const BLOCK = 1 << 13
const SHIFT = 13

/** log2 of the footprints kept in the near-pair cache (direct-mapped by sorted position): 2^15 × 128 B = 4 MiB. */
export const CACHE_BITS = 15

/** Metres added to the cube side and to the float32 sphere test so that float32 rounding never drops a pair. */
const MARGIN = 4

/** Bytes of the one working buffer for n candidates (40 per candidate). */
export const arenaBytes = (n: number): number => 40 * (n + 2)

/**
 * Indices (ascending) of the candidates the greedy rule accepts, or undefined when the cube grid would be too
 * fine to sort (footprints of a few metres): callers then filter incrementally. `invalid(i)` is called (and
 * must throw) for a candidate whose footprint is not a valid quad. Centres and radii in float32 drive the pair
 * scan (40 bytes per candidate of working memory); exact footprints (128 bytes per candidate) are copied for
 * near pairs into a small cache, giving the same bits as the streaming filter's. All of it lives outside V8's
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
  // Regions: [0, 16N) centres in candidate order, later cell keys + starts, later the greedy arrays;
  // [16N, 20N) order; [20N, 24N) spare; [24N, 40N) centres in cube order.
  const cent = new Float32Array(buffer, 0, 4 * n)
  const scratch = new Float64Array(STRIDE)
  const blocks: Array<Float64Array> = []
  let rMax = 0
  for (let i = 0; i < n; i++) {
    if (!write(scratch, 0, patches[i].footprint)) invalid(i)
    if ((i & (BLOCK - 1)) === 0) blocks.push(OffHeap.float64(BLOCK * STRIDE))
    const block = blocks[i >>> SHIFT]
    const o = (i & (BLOCK - 1)) * STRIDE
    for (let t = 0; t < STRIDE; t++) block[o + t] = scratch[t]
    cent[4 * i] = scratch[0]
    cent[4 * i + 1] = scratch[1]
    cent[4 * i + 2] = scratch[2]
    cent[4 * i + 3] = scratch[3]
    if (scratch[3] > rMax) rMax = scratch[3]
  }
  // Two footprints can touch only when their centres are closer than 2 rMax: with cubes that wide (plus the
  // float32 rounding of the centres, ≤ 0.25 m per coordinate), only the 3 × 3 × 3 cubes around a centre matter.
  const side = Math.max(1, 2 * rMax + MARGIN)
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

  const edges = new Edges()
  const near = new Near(blocks, order, cacheBits)
  // Forward neighbour columns (dx, dy) whose cubes come after (x, y, ·) in key order; (0, 0) is the own column.
  const columns = [
    [0, 0],
    [0, 1],
    [1, -1],
    [1, 0],
    [1, 1]
  ] as const
  const pointer = new Int32Array(columns.length)
  for (let c = 0; c < cells; c++) {
    const key = cellKey[c]
    // Pairs inside the cell.
    for (let a = start[c]; a < start[c + 1]; a++) {
      for (let b = a + 1; b < start[c + 1]; b++) pair(near, sorted, a, b, limit, edges)
    }
    for (let col = 0; col < columns.length; col++) {
      const offset = columns[col][0] * ry * rz + columns[col][1] * rz
      // The own column needs only the cube above (z + 1); the others z - 1, z and z + 1.
      const first = col === 0 ? key + 1 : key + offset - 1
      const last = key + offset + 1
      let p = Math.max(pointer[col], col === 0 ? c + 1 : 0)
      while (p < cells && cellKey[p] < first) p++
      pointer[col] = p
      for (let d = p; d < cells && cellKey[d] <= last; d++) {
        for (let a = start[c]; a < start[c + 1]; a++) {
          for (let b = start[d]; b < start[d + 1]; b++) pair(near, sorted, a, b, limit, edges)
        }
      }
    }
  }
  // Greedy in candidate order over the conflict edges (earlier → later).
  const m = edges.size
  // Over the first region, free again once the scan is done.
  const count = new Int32Array(buffer, 0, n + 1).fill(0)
  for (let e = 0; e < m; e++) count[edges.to[e] + 1]++
  for (let j = 0; j < n; j++) count[j + 1] += count[j]
  const from = OffHeap.int32(m)
  const fill = new Int32Array(buffer, 4 * N, n)
  fill.set(count.subarray(0, n))
  for (let e = 0; e < m; e++) from[fill[edges.to[e]]++] = edges.from[e]
  const accepted = new Uint8Array(buffer, 8 * N, n).fill(0)
  const out = new Int32Array(buffer, 12 * N, n)
  let kept = 0
  for (let j = 0; j < n; j++) {
    let blocked = false
    for (let e = count[j]; e < count[j + 1] && !blocked; e++) blocked = accepted[from[e]] === 1
    if (blocked) continue
    accepted[j] = 1
    out[kept++] = j
  }
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

// Exact footprints of candidates by sorted position, copied on demand from the candidate-order blocks into a
// direct-mapped cache of Float64Array slots (the form `overlap` reads, as in the streaming filter).
class Near {
  readonly blocks: Array<Float64Array>
  readonly order: Int32Array
  readonly mask: number
  readonly cache: Float64Array
  readonly tags: Int32Array
  readonly spare = new Float64Array(STRIDE)
  constructor(blocks: Array<Float64Array>, order: Int32Array, bits: number) {
    this.blocks = blocks
    this.order = order
    this.mask = (1 << bits) - 1
    this.cache = OffHeap.float64((1 << bits) * STRIDE)
    this.tags = new Int32Array(1 << bits).fill(-1)
  }
  // Copies the footprint at sorted position k into slot s of `to`.
  copy(k: number, to: Float64Array, s: number): void {
    const i = this.order[k]
    const block = this.blocks[i >>> SHIFT]
    const o = (i & (BLOCK - 1)) * STRIDE
    const u = s * STRIDE
    for (let t = 0; t < STRIDE; t++) to[u + t] = block[o + t]
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

// One candidate pair (sorted positions a, b): after a float32 pre-test that never drops a touching pair, the
// later candidate is tested against the earlier one exactly as the streaming filter tests a candidate against
// an accepted footprint (same bounding-sphere test, same overlap call, same bits), so both decide identically.
const pair = (
  near: Near,
  sorted: Float32Array,
  a: number,
  b: number,
  limit: number,
  edges: Edges
): void => {
  const dx = sorted[4 * a] - sorted[4 * b]
  const dy = sorted[4 * a + 1] - sorted[4 * b + 1]
  const dz = sorted[4 * a + 2] - sorted[4 * b + 2]
  const reach = sorted[4 * a + 3] + sorted[4 * b + 3] + MARGIN
  if (dx * dx + dy * dy + dz * dz >= reach * reach) return
  const order = near.order
  const i = order[a]
  const j = order[b]
  const early = i < j ? a : b
  const late = i < j ? b : a
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
  if (ex * ex + ey * ey + ez * ez >= rr * rr) return
  overlap(data, q, cache, p)
  if (result[0] > limit * result[1]) edges.add(i < j ? i : j, i < j ? j : i)
}

// A growable list of (from, to) conflict edges.
class Edges {
  from = OffHeap.int32(1024)
  to = OffHeap.int32(1024)
  size = 0
  add(from: number, to: number): void {
    if (this.size === this.from.length) {
      const f = OffHeap.int32(this.size * 2)
      f.set(this.from)
      this.from = f
      const t = OffHeap.int32(this.size * 2)
      t.set(this.to)
      this.to = t
    }
    this.from[this.size] = from
    this.to[this.size] = to
    this.size++
  }
}
