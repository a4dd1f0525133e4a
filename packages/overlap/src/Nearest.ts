// k-nearest-neighbour queries between points on the sphere by great-circle distance in metres.
// A static 3-D k-d tree over unit vectors: no seam at the antimeridian and no singularity at the poles.
import { Schema } from "effect"

/** Mean Earth radius (m, IUGG) used for great-circle distances. */
export const EARTH_RADIUS = 6_371_008.8

const RAD = Math.PI / 180
const LEAF = 16

/** A point given as (lon, lat) in degrees, WGS 84. */
export interface Point {
  readonly lon: number
  readonly lat: number
}

/** A position that is not a finite longitude with a latitude in [-90, 90]. */
export class InvalidPointError extends Schema.TaggedError<InvalidPointError>()(
  "InvalidPointError",
  {
    index: Schema.Number,
    lon: Schema.Number,
    lat: Schema.Number
  }
) {
  override get message(): string {
    const which = this.index < 0 ? "query point" : `point ${this.index}`
    return `${which} (lon ${this.lon}, lat ${this.lat}) is not a position: give a finite longitude in degrees east and a latitude in [-90, 90] degrees north, longitude first`
  }
}

/** A built index over a list of points. */
export interface Nearest {
  /** Number of points. */
  readonly size: number
  /** Original point indices in tree order. */
  readonly ids: Int32Array
  /** Unit vectors (x, y, z) in tree order. */
  readonly xyz: Float64Array
}

/** The k nearest points, nearest first (ties by index). */
export interface Neighbours {
  /** Indices into the list given to `make`. */
  readonly indices: Int32Array
  /** Great-circle distances in metres on a sphere of EARTH_RADIUS. */
  readonly distances: Float64Array
}

const isPosition = (lon: number, lat: number): boolean =>
  Number.isFinite(lon) && lat >= -90 && lat <= 90

/** The great-circle distance in metres between two (lon, lat) positions in degrees. */
export const distance = (lon1: number, lat1: number, lon2: number, lat2: number): number => {
  const s1 = Math.sin(((lat2 - lat1) * RAD) / 2)
  const s2 = Math.sin(((lon2 - lon1) * RAD) / 2)
  const h = s1 * s1 + Math.cos(lat1 * RAD) * Math.cos(lat2 * RAD) * s2 * s2
  return 2 * EARTH_RADIUS * Math.asin(Math.min(1, Math.sqrt(h)))
}

/** Builds the index. Throws InvalidPointError naming the first bad point. */
export const make = (points: ReadonlyArray<Point>): Nearest => {
  const n = points.length
  const ids = new Int32Array(n)
  const xyz = new Float64Array(3 * n)
  for (let i = 0; i < n; i++) {
    const { lon, lat } = points[i]
    if (!isPosition(lon, lat)) throw new InvalidPointError({ index: i, lon, lat })
    ids[i] = i
    const cp = Math.cos(lat * RAD)
    xyz[3 * i] = cp * Math.cos(lon * RAD)
    xyz[3 * i + 1] = cp * Math.sin(lon * RAD)
    xyz[3 * i + 2] = Math.sin(lat * RAD)
  }
  build(ids, xyz, 0, n - 1, 0)
  return { size: n, ids, xyz }
}

const build = (ids: Int32Array, xyz: Float64Array, lo: number, hi: number, axis: number): void => {
  if (hi - lo <= LEAF) return
  const mid = (lo + hi) >> 1
  select(ids, xyz, mid, lo, hi, axis)
  const next = axis === 2 ? 0 : axis + 1
  build(ids, xyz, lo, mid - 1, next)
  build(ids, xyz, mid + 1, hi, next)
}

// Quickselect: puts the k-th smallest along `axis` at k, smaller ones before and larger after.
const select = (
  ids: Int32Array,
  xyz: Float64Array,
  k: number,
  lo: number,
  hi: number,
  axis: number
): void => {
  while (hi > lo) {
    const pivot = xyz[3 * ((lo + hi) >> 1) + axis]
    let i = lo
    let j = hi
    while (i <= j) {
      while (xyz[3 * i + axis] < pivot) i++
      while (xyz[3 * j + axis] > pivot) j--
      if (i <= j) {
        swap(ids, xyz, i, j)
        i++
        j--
      }
    }
    if (k <= j) hi = j
    else if (k >= i) lo = i
    else return
  }
}

const swap = (ids: Int32Array, xyz: Float64Array, i: number, j: number): void => {
  const t = ids[i]
  ids[i] = ids[j]
  ids[j] = t
  for (let a = 0; a < 3; a++) {
    const v = xyz[3 * i + a]
    xyz[3 * i + a] = xyz[3 * j + a]
    xyz[3 * j + a] = v
  }
}

/**
 * The `k` points nearest to (lon, lat) in degrees, nearest first; fewer when the index holds fewer.
 * Throws InvalidPointError (index -1) when the query is not a position.
 */
export const nearest = (index: Nearest, lon: number, lat: number, k: number): Neighbours => {
  if (!isPosition(lon, lat)) throw new InvalidPointError({ index: -1, lon, lat })
  const want = Math.max(0, Math.min(index.size, Math.floor(k)))
  const heap: Heap = { d: new Float64Array(want), id: new Int32Array(want), size: 0 }
  if (want > 0) {
    const cp = Math.cos(lat * RAD)
    const q = [cp * Math.cos(lon * RAD), cp * Math.sin(lon * RAD), Math.sin(lat * RAD)] as const
    search(index, q, heap, 0, index.size - 1, 0)
  }
  // Heap sort in place: pop the farthest to the back.
  const indices = new Int32Array(want)
  const distances = new Float64Array(want)
  for (let m = heap.size - 1; m >= 0; m--) {
    indices[m] = heap.id[0]
    distances[m] = 2 * EARTH_RADIUS * Math.asin(Math.min(1, Math.sqrt(heap.d[0]) / 2))
    pop(heap)
  }
  return { indices, distances }
}

interface Heap {
  readonly d: Float64Array
  readonly id: Int32Array
  size: number
}

const search = (
  index: Nearest,
  q: readonly [number, number, number],
  heap: Heap,
  lo: number,
  hi: number,
  axis: number
): void => {
  const { xyz, ids } = index
  if (hi - lo <= LEAF) {
    for (let i = lo; i <= hi; i++) offer(heap, chord2(xyz, i, q), ids[i])
    return
  }
  const mid = (lo + hi) >> 1
  offer(heap, chord2(xyz, mid, q), ids[mid])
  const delta = q[axis] - xyz[3 * mid + axis]
  const next = axis === 2 ? 0 : axis + 1
  const [nearLo, nearHi, farLo, farHi] =
    delta <= 0 ? [lo, mid - 1, mid + 1, hi] : [mid + 1, hi, lo, mid - 1]
  search(index, q, heap, nearLo, nearHi, next)
  if (heap.size < heap.d.length || delta * delta <= heap.d[0]) {
    search(index, q, heap, farLo, farHi, next)
  }
}

const chord2 = (xyz: Float64Array, i: number, q: readonly [number, number, number]): number => {
  const dx = xyz[3 * i] - q[0]
  const dy = xyz[3 * i + 1] - q[1]
  const dz = xyz[3 * i + 2] - q[2]
  return dx * dx + dy * dy + dz * dz
}

// Max-heap on (distance, index) so that equal distances keep the lower indices.
const above = (h: Heap, i: number, j: number): boolean =>
  h.d[i] > h.d[j] || (h.d[i] === h.d[j] && h.id[i] > h.id[j])

const offer = (h: Heap, d: number, id: number): void => {
  const cap = h.d.length
  if (h.size < cap) {
    let i = h.size++
    h.d[i] = d
    h.id[i] = id
    while (i > 0) {
      const p = (i - 1) >> 1
      if (!above(h, i, p)) break
      swapHeap(h, i, p)
      i = p
    }
    return
  }
  if (cap === 0 || d > h.d[0] || (d === h.d[0] && id > h.id[0])) return
  h.d[0] = d
  h.id[0] = id
  down(h)
}

const pop = (h: Heap): void => {
  h.size--
  h.d[0] = h.d[h.size]
  h.id[0] = h.id[h.size]
  down(h)
}

const down = (h: Heap): void => {
  let i = 0
  for (;;) {
    const l = 2 * i + 1
    const r = l + 1
    let m = i
    if (l < h.size && above(h, l, m)) m = l
    if (r < h.size && above(h, r, m)) m = r
    if (m === i) return
    swapHeap(h, i, m)
    i = m
  }
}

const swapHeap = (h: Heap, i: number, j: number): void => {
  const d = h.d[i]
  h.d[i] = h.d[j]
  h.d[j] = d
  const id = h.id[i]
  h.id[i] = h.id[j]
  h.id[j] = id
}
