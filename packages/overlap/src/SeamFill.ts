// Closing the holes a zero-overlap filter leaves where two tilings meet (UTM zone seams): of the candidate
// tiles, the least overlapping ones that still cover ground no kept tile covers are added, exactly in metres.
import type { Patch } from "@eoforge/core"
import { CellHash } from "./internal/cellHash.ts"
import * as Footprints from "./internal/footprints.ts"
import { counterClockwise, type Polygon, signedArea, subtract } from "./internal/pieces.ts"
import { InvalidFootprintError } from "./Overlap.ts"

const STRIDE = Footprints.STRIDE
const A = 6378137
const FLAT = 1 / 298.257223563
const E2 = FLAT * (2 - FLAT)
const INV_A2 = 1 / (A * A)
const INV_B2 = 1 / (A * A * (1 - E2))

/** Options of `fill`. */
export interface Options {
  /** Uncovered ground (m²) below which a candidate adds nothing: rounding slivers along shared edges. Default 0.001. */
  readonly minAreaM2?: number | undefined
}

/** What `fill` added. */
export interface Result {
  /** Indices (into `candidates`) of the tiles added, in the order they were added. */
  readonly added: ReadonlyArray<number>
  /** Per added tile: the largest share of its area covered by one other tile of the result (kept or added), in [0, 1]. */
  readonly overlaps: Float64Array
  /** Per added tile: the ground (m²) it covered that no tile before it covered. */
  readonly uncoveredM2: Float64Array
}

/**
 * Adds to `kept` the candidates needed to cover every point that some candidate covers, preferring little
 * overlap: candidates are visited in increasing order of the largest share of their area one kept tile
 * covers (ties in candidate order), and one is added when part of it (more than `minAreaM2`) is covered by
 * no tile kept or added so far. Afterwards the union of the result is the union of kept and candidates.
 * Coverage is decided by clipping the quads exactly in the tangent plane at the candidate (the planar
 * approximation of `Overlap`). Throws InvalidFootprintError on a bad footprint.
 */
export const fill = (
  kept: ReadonlyArray<Patch.Patch>,
  candidates: ReadonlyArray<Patch.Patch>,
  options?: Options
): Result => {
  const minArea = options?.minAreaM2 ?? 0.001
  const all = [...kept, ...candidates]
  const data = new Float64Array(Math.max(1, all.length) * STRIDE)
  let rMax = 0
  all.forEach((p, i) => {
    if (!Footprints.write(data, i, p.footprint)) {
      throw new InvalidFootprintError({
        patch: String(p.id),
        footprint: JSON.stringify(p.footprint)
      })
    }
    rMax = Math.max(rMax, Footprints.radius(data, i))
  })
  const hash = new CellHash(Math.max(1, 4 * rMax), all.length)
  // live[i]: footprint i is in the result (kept, or added and not dropped again).
  const live = new Uint8Array(all.length)
  const near = (i: number) => nearLive(hash, data, live, i, rMax)
  const share = (i: number) => largestShare(data, i, near(i))
  for (let i = 0; i < kept.length; i++) {
    insert(hash, data, i)
    live[i] = 1
  }

  // Order: the largest one-tile overlap with the kept tiles, ascending; then candidate order.
  const score = candidates.map((_, c) => share(kept.length + c))
  const order = candidates.map((_, c) => c).sort((a, b) => score[a] - score[b] || a - b)

  const added: Array<number> = []
  const uncovered: Array<number> = []
  for (const c of order) {
    const i = kept.length + c
    const left = uncoveredArea(data, i, near(i), minArea)
    if (left > minArea) {
      added.push(c)
      uncovered.push(left)
      insert(hash, data, i)
      live[i] = 1
    }
  }
  // A tile added early may be covered by tiles added after it: drop those, most overlapped first.
  const byShare = added
    .map((c, k) => ({ c, k, s: share(kept.length + c) }))
    .sort((a, b) => b.s - a.s || b.k - a.k)
  for (const { c } of byShare) {
    const i = kept.length + c
    if (uncoveredArea(data, i, near(i), minArea) <= minArea) live[i] = 0
  }
  const result = added
    .map((c, k) => ({ c, u: uncovered[k] }))
    .filter((a) => live[kept.length + a.c])
  return {
    added: result.map((a) => a.c),
    overlaps: Float64Array.from(result, (a) => share(kept.length + a.c)),
    uncoveredM2: Float64Array.from(result, (a) => a.u)
  }
}

// The ground (m²) of footprint i that none of footprints `others` covers, clipped in i's tangent plane.
const uncoveredArea = (
  data: Float64Array,
  i: number,
  others: ReadonlyArray<number>,
  minArea: number
): number => {
  const frame = frameAt(data, i)
  let pieces: Array<Polygon> = [quadIn(frame, data, i)]
  for (const j of others) {
    const cut = quadIn(frame, data, j)
    pieces = pieces.flatMap((p) => subtract(p, cut, minArea))
    if (pieces.length === 0) return 0
  }
  return pieces.reduce((s, p) => s + signedArea(p), 0)
}

const insert = (hash: CellHash, data: Float64Array, i: number): void =>
  hash.insert(i, data[i * STRIDE], data[i * STRIDE + 1], data[i * STRIDE + 2])

// Every live item in the hash whose bounding sphere meets footprint i's (i itself excluded).
const nearLive = (
  hash: CellHash,
  data: Float64Array,
  live: Uint8Array,
  i: number,
  rMax: number
): Array<number> => {
  const o = i * STRIDE
  const x = data[o]
  const y = data[o + 1]
  const z = data[o + 2]
  const r = data[o + 3]
  const reach = r + rMax
  const s = hash.side
  const out: Array<number> = []
  for (let ix = Math.floor((x - reach) / s); ix <= Math.floor((x + reach) / s); ix++) {
    for (let iy = Math.floor((y - reach) / s); iy <= Math.floor((y + reach) / s); iy++) {
      for (let iz = Math.floor((z - reach) / s); iz <= Math.floor((z + reach) / s); iz++) {
        for (let j = hash.first(ix, iy, iz); j >= 0; j = hash.next[j]) {
          if (j === i || live[j] === 0) continue
          const q = j * STRIDE
          const rr = r + data[q + 3]
          const dx = data[q] - x
          const dy = data[q + 1] - y
          const dz = data[q + 2] - z
          if (dx * dx + dy * dy + dz * dz < rr * rr) out.push(j)
        }
      }
    }
  }
  // Hash order depends on insertion history; sorting makes the pieces (and so the sums) reproducible.
  return out.sort((a, b) => a - b)
}

// The largest share of footprint i's area covered by one of `others` (exactly `Overlap.fraction`).
const largestShare = (data: Float64Array, i: number, others: ReadonlyArray<number>): number => {
  let best = 0
  for (const j of others) {
    Footprints.overlap(data, i, data, j)
    const r = Footprints.result
    if (r[0] > 0) best = Math.max(best, Math.min(1, r[0] / r[1]))
  }
  return best
}

interface Frame {
  readonly cx: number
  readonly cy: number
  readonly cz: number
  readonly e1: readonly [number, number, number]
  readonly e2: readonly [number, number, number]
}

// The plane tangent to the ellipsoid under footprint i's centroid, with the axes `Footprints.overlap` uses.
const frameAt = (data: Float64Array, i: number): Frame => {
  const o = i * STRIDE
  const cx = data[o]
  const cy = data[o + 1]
  const cz = data[o + 2]
  let ux = cx * INV_A2
  let uy = cy * INV_A2
  let uz = cz * INV_B2
  const ul = 1 / Math.hypot(ux, uy, uz)
  ux *= ul
  uy *= ul
  uz *= ul
  let e1: [number, number, number]
  if (Math.abs(uz) <= Math.abs(ux) || Math.abs(uz) <= Math.abs(uy)) {
    const l = 1 / Math.hypot(ux, uy)
    e1 = [uy * l, -ux * l, 0]
  } else {
    const l = 1 / Math.hypot(uy, uz)
    e1 = [0, uz * l, -uy * l]
  }
  const e2: [number, number, number] = [
    uy * e1[2] - uz * e1[1],
    uz * e1[0] - ux * e1[2],
    ux * e1[1] - uy * e1[0]
  ]
  return { cx, cy, cz, e1, e2 }
}

// Footprint j's corners projected orthographically onto the frame, counter-clockwise.
const quadIn = (f: Frame, data: Float64Array, j: number): Polygon => {
  const o = j * STRIDE
  const dx = data[o] - f.cx
  const dy = data[o + 1] - f.cy
  const dz = data[o + 2] - f.cz
  const out: Array<number> = []
  for (let k = 0; k < 4; k++) {
    const x = dx + data[o + 4 + 3 * k]
    const y = dy + data[o + 5 + 3 * k]
    const z = dz + data[o + 6 + 3 * k]
    out.push(x * f.e1[0] + y * f.e1[1] + z * f.e1[2], x * f.e2[0] + y * f.e2[1] + z * f.e2[2])
  }
  return counterClockwise(out)
}
