// The compact plan: accepted patches as typed-array columns (centre, zone, grid origin, split), written once
// into the store by the coordinator, so queue workers read patches by shard instead of planning again.
import type { Patch } from "@eoforge/core"
import { Crs } from "@eoforge/core"
import { PatchGeometry, Zone } from "@eoforge/grid"
import type { Assignment } from "@eoforge/split"
import { Schema } from "effect"
import type * as Plan from "./Plan.ts"

/** Where the plan lives in a store (removed by finalize with the other build-time files). */
export const key = ".eoforge/plan.bin"

const magic = "EOFPLAN1"

/** What the plan file records besides its columns. */
export interface Header {
  readonly count: number
  /** Patch side, metres; grids are `size / resolution` pixels square. */
  readonly size: number
  readonly resolution: number
  readonly snap: number
  readonly splitFit: Assignment.Fitted
  readonly sampling: Plan.SamplingCounts
  readonly splitCounts: Plan.Plan["splitCounts"]
}

/** A decoded plan: its header and one column per patch field; `at(i)` rebuilds patch i exactly. */
export interface Compact {
  readonly header: Header
  readonly lon: Float64Array
  readonly lat: Float64Array
  readonly x0: Float64Array
  readonly y0: Float64Array
  readonly epsg: Uint32Array
  readonly splits: Uint8Array
  /** Number of patches. */
  readonly length: number
  /** Patch i as planning made it (same id, grid and footprint). */
  readonly at: (i: number) => Patch.Patch
}

/** A plan file that cannot be read: damaged, truncated or of another version. */
export class PlanFileError extends Schema.TaggedError<PlanFileError>()("PlanFileError", {
  message: Schema.String
}) {}

const pad8 = (n: number) => (n + 7) & ~7

/** Columns of a plan being written: n rows each. */
export interface Columns {
  readonly lon: Float64Array
  readonly lat: Float64Array
  readonly x0: Float64Array
  readonly y0: Float64Array
  readonly epsg: Uint32Array
  readonly splits: Uint8Array
}

/** Header and columns as bytes: magic, header length (u32 LE), header JSON, padding to 8, then the columns. */
export const fromColumns = (header: Header, columns: Columns): Uint8Array => {
  const n = header.count
  const text = new TextEncoder().encode(JSON.stringify(header))
  const start = pad8(8 + 4 + text.length)
  const bytes = new Uint8Array(start + 37 * n)
  bytes.set(new TextEncoder().encode(magic), 0)
  new DataView(bytes.buffer).setUint32(8, text.length, true)
  bytes.set(text, 12)
  const f64 = new Float64Array(bytes.buffer, start, 4 * n)
  f64.set(columns.lon.subarray(0, n), 0)
  f64.set(columns.lat.subarray(0, n), n)
  f64.set(columns.x0.subarray(0, n), 2 * n)
  f64.set(columns.y0.subarray(0, n), 3 * n)
  new Uint32Array(bytes.buffer, start + 32 * n, n).set(columns.epsg.subarray(0, n))
  bytes.set(columns.splits.subarray(0, n), start + 36 * n)
  return bytes
}

/** The plan as bytes (see `fromColumns`); every patch must have the plan's size and resolution. */
export const encode = (plan: Plan.Plan, size: number): Uint8Array => {
  const n = plan.patches.length
  const header: Header = {
    count: n,
    size,
    resolution: plan.patches[0]?.grid.resolution ?? 0,
    snap: plan.snap,
    splitFit: plan.splitFit,
    sampling: plan.sampling,
    splitCounts: plan.splitCounts
  }
  const columns: Columns = {
    lon: new Float64Array(n),
    lat: new Float64Array(n),
    x0: new Float64Array(n),
    y0: new Float64Array(n),
    epsg: new Uint32Array(n),
    splits: plan.splits
  }
  plan.patches.forEach((p, i) => {
    if (p.grid.resolution !== header.resolution || p.grid.width * p.grid.resolution !== size) {
      throw new RangeError(
        `patch ${p.id} differs from the plan's ${size} m / ${header.resolution} m grid`
      )
    }
    columns.lon[i] = p.lon
    columns.lat[i] = p.lat
    columns.x0[i] = p.grid.x0
    columns.y0[i] = p.grid.y0
    columns.epsg[i] = Crs.epsgCode(p.grid.crs) ?? 0
  })
  return fromColumns(header, columns)
}

/** Patch i of the columns: grid from zone and origin, footprint from the grid's corners (as planning does). */
const patchOf = (c: Omit<Compact, "at" | "length">, i: number): Patch.Patch => {
  const { size, resolution } = c.header
  const code = c.epsg[i]
  const x0 = c.x0[i]
  const y0 = c.y0[i]
  const n = Math.round(size / resolution)
  const grid = { crs: Crs.epsg(code), x0, y0, resolution, width: n, height: n }
  return {
    id: PatchGeometry.id(grid),
    lon: c.lon[i],
    lat: c.lat[i],
    grid,
    footprint: [
      Zone.inverse(code, x0, y0),
      Zone.inverse(code, x0 + size, y0),
      Zone.inverse(code, x0 + size, y0 - size),
      Zone.inverse(code, x0, y0 - size)
    ]
  }
}

/** Read plan bytes (the columns are views on `bytes` when aligned: keep them unchanged). */
export const decode = (bytes: Uint8Array, where: string): Compact | PlanFileError => {
  const fail = (why: string) =>
    new PlanFileError({
      message: `${where} is not a readable EOForge plan (${why}); enqueue the build again to rewrite it`
    })
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 8)) !== magic) {
    return fail("no plan signature")
  }
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true)
  if (12 + length > bytes.length) return fail("truncated header")
  let header: Header
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + length))) as Header
  } catch {
    return fail("header is not JSON")
  }
  const n = header.count
  if (!Number.isSafeInteger(n) || n < 0 || !(header.size > 0) || !(header.resolution > 0)) {
    return fail("header fields out of range")
  }
  const start = pad8(12 + length)
  if (bytes.length !== start + 37 * n) return fail(`expected ${start + 37 * n} bytes`)
  // Views on the bytes when the columns are aligned in memory (files read whole are), else a copy.
  const aligned = (bytes.byteOffset + start) % 8 === 0
  const buffer = aligned ? bytes.buffer : bytes.slice(start).buffer
  const at0 = aligned ? bytes.byteOffset + start : 0
  const f64 = new Float64Array(buffer, at0, 4 * n)
  const columns = {
    header,
    lon: f64.subarray(0, n),
    lat: f64.subarray(n, 2 * n),
    x0: f64.subarray(2 * n, 3 * n),
    y0: f64.subarray(3 * n, 4 * n),
    epsg: new Uint32Array(buffer, at0 + 32 * n, n),
    splits: new Uint8Array(buffer, at0 + 36 * n, n)
  }
  // UTM north 32601–32660, south 32701–32760, UPS 32661 and 32761: the zones patches are planned in.
  const zone = (c: number) => (c >= 32601 && c <= 32661) || (c >= 32701 && c <= 32761)
  for (let i = 0; i < n; i++) {
    if (!zone(columns.epsg[i])) return fail(`patch ${i} has no UTM/UPS zone`)
  }
  return { ...columns, length: n, at: (i) => patchOf(columns, i) }
}
