// Bulk greedy filtering: all near pairs found at once by sorting centres into cubes (radix sort, then merge
// walks over neighbouring cube columns), conflicts recorded as edges, then one greedy pass in candidate order.
import { overlap, result, STRIDE } from "./footprints.ts"

/**
 * Indices (ascending) of the candidates the greedy rule accepts, for footprints 0..n-1 in `data`, or undefined
 * when the cube grid would be too fine to sort (footprints of a few metres): callers then filter incrementally.
 */
export const acceptAll = (
  data: Float64Array,
  n: number,
  limit: number,
  arena: Arena
): Int32Array | undefined => {
  if (n === 0) return new Int32Array(0)
  let rMax = 0
  for (let i = 0; i < n; i++) if (data[i * STRIDE + 3] > rMax) rMax = data[i * STRIDE + 3]
  // Two footprints can touch only when their centres are closer than 2 rMax: with cubes that wide, only
  // the 3 × 3 × 3 cubes around a centre matter.
  const side = Math.max(1, 2 * rMax)
  const cx = arena.int32(n)
  const cy = arena.int32(n)
  const cz = arena.int32(n)
  let x0 = Infinity
  let y0 = Infinity
  let z0 = Infinity
  let x1 = -Infinity
  let y1 = -Infinity
  let z1 = -Infinity
  for (let i = 0; i < n; i++) {
    const o = i * STRIDE
    const x = Math.floor(data[o] / side)
    const y = Math.floor(data[o + 1] / side)
    const z = Math.floor(data[o + 2] / side)
    cx[i] = x
    cy[i] = y
    cz[i] = z
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
  for (let i = 0; i < n; i++) {
    cx[i] -= x0 - 1
    cy[i] -= y0 - 1
    cz[i] -= z0 - 1
  }
  // LSD radix sort by (x, y, z): stable counting sorts on z, then y, then x.
  const order = arena.int32(n)
  const spare = arena.int32(n)
  for (let i = 0; i < n; i++) order[i] = i
  countingSort(order, spare, cz, rz)
  countingSort(spare, order, cy, ry)
  countingSort(order, spare, cx, rx)
  order.set(spare)
  // Centres and radii (x, y, z, r) in cube order, so that the pair scans read memory in a few forward streams.
  const sorted = arena.float64(n * 4)
  // Cells: runs of equal keys; start has a sentinel n after the last cell.
  const cellKey = arena.float64(n)
  const start = arena.int32(n + 1)
  let cells = 0
  let previous = -1
  for (let k = 0; k < n; k++) {
    const i = order[k]
    const o = i * STRIDE
    sorted[4 * k] = data[o]
    sorted[4 * k + 1] = data[o + 1]
    sorted[4 * k + 2] = data[o + 2]
    sorted[4 * k + 3] = data[o + 3]
    const key = (cx[i] * ry + cy[i]) * rz + cz[i]
    if (key !== previous) {
      cellKey[cells] = key
      start[cells++] = k
      previous = key
    }
  }
  start[cells] = n

  const edges = new Edges()
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
      for (let b = a + 1; b < start[c + 1]; b++) pair(sorted, order, a, b, data, limit, edges)
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
          for (let b = start[d]; b < start[d + 1]; b++)
            pair(sorted, order, a, b, data, limit, edges)
        }
      }
    }
  }
  // Greedy in candidate order over the conflict edges (earlier → later).
  const m = edges.size
  const count = arena.int32(n + 1)
  for (let e = 0; e < m; e++) count[edges.to[e] + 1]++
  for (let j = 0; j < n; j++) count[j + 1] += count[j]
  const from = new Int32Array(m)
  const fill = arena.int32(n)
  fill.set(count.subarray(0, n))
  for (let e = 0; e < m; e++) from[fill[edges.to[e]]++] = edges.from[e]
  const accepted = arena.uint8(n)
  const out = arena.int32(n)
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

// Stable counting sort of the indices in `order` by `key`, into `out`.
const countingSort = (order: Int32Array, out: Int32Array, key: Int32Array, range: number): void => {
  const n = order.length
  const count = new Int32Array(range + 1)
  for (let k = 0; k < n; k++) count[key[order[k]] + 1]++
  for (let v = 0; v < range; v++) count[v + 1] += count[v]
  for (let k = 0; k < n; k++) {
    const i = order[k]
    out[count[key[i]]++] = i
  }
}

/** Bytes `acceptAll` takes from its arena for n candidates. */
export const arenaBytes = (n: number): number => n * 80 + 256

/**
 * Typed-array views carved out of one ArrayBuffer, 8-byte aligned. Each large allocation can start a full
 * garbage collection of the caller's heap (e.g. a million Patch objects), so the bulk filter allocates once.
 */
export class Arena {
  private readonly buffer: ArrayBuffer
  private offset = 0
  constructor(bytes: number) {
    this.buffer = new ArrayBuffer(bytes + 64)
  }
  private take(bytes: number): number {
    const at = this.offset
    this.offset += Math.ceil(bytes / 8) * 8
    if (this.offset > this.buffer.byteLength) throw new RangeError("arena exhausted")
    return at
  }
  /** A zeroed Int32Array view. */
  int32(length: number): Int32Array {
    return new Int32Array(this.buffer, this.take(length * 4), length)
  }
  /** A zeroed Float64Array view. */
  float64(length: number): Float64Array {
    return new Float64Array(this.buffer, this.take(length * 8), length)
  }
  /** A zeroed Uint8Array view. */
  uint8(length: number): Uint8Array {
    return new Uint8Array(this.buffer, this.take(length), length)
  }
}

// One candidate pair (sorted positions a, b): the later candidate is tested against the earlier one exactly as
// the streaming filter tests a candidate against an accepted footprint, so both decide on the same bits.
const pair = (
  sorted: Float64Array,
  order: Int32Array,
  a: number,
  b: number,
  data: Float64Array,
  limit: number,
  edges: Edges
): void => {
  const i = order[a]
  const j = order[b]
  const early = i < j ? a : b
  const late = i < j ? b : a
  const p = early * 4
  const q = late * 4
  const dx = sorted[p] - sorted[q]
  const dy = sorted[p + 1] - sorted[q + 1]
  const dz = sorted[p + 2] - sorted[q + 2]
  const rr = sorted[q + 3] + sorted[p + 3]
  if (dx * dx + dy * dy + dz * dz >= rr * rr) return
  const lo = i < j ? i : j
  const hi = i < j ? j : i
  overlap(data, hi, data, lo)
  if (result[0] > limit * result[1]) edges.add(lo, hi)
}

// A growable list of (from, to) conflict edges.
class Edges {
  from = new Int32Array(1024)
  to = new Int32Array(1024)
  size = 0
  add(from: number, to: number): void {
    if (this.size === this.from.length) {
      const f = new Int32Array(this.size * 2)
      f.set(this.from)
      this.from = f
      const t = new Int32Array(this.size * 2)
      t.set(this.to)
      this.to = t
    }
    this.from[this.size] = from
    this.to[this.size] = to
    this.size++
  }
}
