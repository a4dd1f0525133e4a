// The compact plan: accepted patches as typed-array columns (centre, zone, grid origin, split), written once
// into the store by the coordinator, so queue workers read patches by shard instead of planning again.
import type { Patch } from "@eoforge/core"
import type { Assignment } from "@eoforge/split"
import type { Store, ZarrError } from "@eoforge/zarr"
import { Effect, Schema } from "effect"
import * as PatchColumns from "./PatchColumns.ts"
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
  const head = headerBytes(header)
  const start = head.length
  const bytes = new Uint8Array(start + 37 * n)
  bytes.set(head, 0)
  const f64 = new Float64Array(bytes.buffer, start, 4 * n)
  f64.set(columns.lon.subarray(0, n), 0)
  f64.set(columns.lat.subarray(0, n), n)
  f64.set(columns.x0.subarray(0, n), 2 * n)
  f64.set(columns.y0.subarray(0, n), 3 * n)
  new Uint32Array(bytes.buffer, start + 32 * n, n).set(columns.epsg.subarray(0, n))
  bytes.set(columns.splits.subarray(0, n), start + 36 * n)
  return bytes
}

/** The header and its bytes: magic, header length (u32 LE), header JSON, zero padding to 8. */
const headerBytes = (header: Header): Uint8Array => {
  const text = new TextEncoder().encode(JSON.stringify(header))
  const bytes = new Uint8Array(pad8(8 + 4 + text.length))
  bytes.set(new TextEncoder().encode(magic), 0)
  new DataView(bytes.buffer).setUint32(8, text.length, true)
  bytes.set(text, 12)
  return bytes
}

/**
 * The plan as pieces to write one after the other (see `fromColumns`; the same bytes): the header, then
 * views on the plan's column blocks, so writing copies nothing.
 */
export const encodeChunks = (plan: Plan.Plan, size: number): Array<Uint8Array> => {
  const c = plan.columns
  const n = c.length
  const header: Header = {
    count: n,
    size,
    resolution: n === 0 ? 0 : c.resolution,
    snap: plan.snap,
    splitFit: plan.splitFit,
    sampling: plan.sampling,
    splitCounts: plan.splitCounts
  }
  if (n > 0 && c.size !== size) {
    throw new RangeError(`the plan's patches are ${c.size} m, not ${size} m`)
  }
  return [
    headerBytes(header),
    ...PatchColumns.floatColumns.flatMap((name) => c.chunks(name)),
    ...c.chunks("epsg"),
    plan.splits.subarray(0, n)
  ]
}

/** The plan as bytes (see `fromColumns`). */
export const encode = (plan: Plan.Plan, size: number): Uint8Array => {
  const chunks = encodeChunks(plan, size)
  const bytes = new Uint8Array(chunks.reduce((t, c) => t + c.length, 0))
  let at = 0
  for (const chunk of chunks) {
    bytes.set(chunk, at)
    at += chunk.length
  }
  return bytes
}

/** Patch i of the columns: grid from zone and origin, footprint from the grid's corners (as planning does). */
const patchOf = (c: Omit<Compact, "at" | "length">, i: number): Patch.Patch =>
  PatchColumns.rebuild(
    c.header.size,
    c.header.resolution,
    c.epsg[i],
    c.x0[i],
    c.y0[i],
    c.lon[i],
    c.lat[i]
  )

const failure = (where: string) => (why: string) =>
  new PlanFileError({
    message: `${where} is not a readable EOForge plan (${why}); enqueue the build again to rewrite it`
  })

// The header length from the first 12 bytes, or why they are not a plan's.
const headerLength = (bytes: Uint8Array): number | string => {
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 8)) !== magic) {
    return "no plan signature"
  }
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true)
}

// The header from its JSON bytes, or why it is not a plan's.
const parseHeader = (text: Uint8Array): Header | string => {
  let header: Header
  try {
    header = JSON.parse(new TextDecoder().decode(text)) as Header
  } catch {
    return "header is not JSON"
  }
  const n = header.count
  if (!Number.isSafeInteger(n) || n < 0 || !(header.size > 0) || !(header.resolution > 0)) {
    return "header fields out of range"
  }
  return header
}

// UTM north 32601–32660, south 32701–32760, UPS 32661 and 32761: the zones patches are planned in.
const isZone = (c: number) => (c >= 32601 && c <= 32661) || (c >= 32701 && c <= 32761)

/** Read plan bytes (the columns are views on `bytes` when aligned: keep them unchanged). */
export const decode = (bytes: Uint8Array, where: string): Compact | PlanFileError => {
  const fail = failure(where)
  const length = headerLength(bytes)
  if (typeof length === "string") return fail(length)
  if (12 + length > bytes.length) return fail("truncated header")
  const header = parseHeader(bytes.subarray(12, 12 + length))
  if (typeof header === "string") return fail(header)
  const n = header.count
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
  for (let i = 0; i < n; i++) {
    if (!isZone(columns.epsg[i])) return fail(`patch ${i} has no UTM/UPS zone`)
  }
  return { ...columns, length: n, at: (i) => patchOf(columns, i) }
}

/** A plan read by slices: header and split column at once, the rows of a shard when it asks. */
export interface Sliced {
  readonly header: Header
  readonly splits: Uint8Array
  /** Number of patches. */
  readonly length: number
  /** Patches `start` … `end - 1`, read from the file (five small ranges). */
  readonly range: (
    start: number,
    end: number
  ) => Effect.Effect<ReadonlyArray<Patch.Patch>, PlanFileError | ZarrError.StoreError>
  /** Not available: rows are read with `range` (a defect when called). */
  readonly at: (i: number) => Patch.Patch | undefined
}

/**
 * Open the plan at `key` of `store` by slices (undefined when absent): reads the header and the split
 * column (1 byte a patch) now, rows only for the ranges asked. Needs a store with `getRange`.
 */
export const open = (
  store: Store.StoreApi,
  where: string
): Effect.Effect<Sliced | undefined, PlanFileError | ZarrError.StoreError> =>
  Effect.gen(function* () {
    const fail = failure(where)
    const getRange = store.getRange
    if (getRange === undefined) {
      const bytes = yield* store.get(key)
      if (bytes === undefined) return undefined
      const compact = decode(bytes, where)
      if (compact instanceof PlanFileError) return yield* compact
      return {
        header: compact.header,
        splits: compact.splits,
        length: compact.length,
        range: (s, e) =>
          Effect.sync(() => Array.from({ length: e - s }, (_, i) => compact.at(s + i))),
        at: compact.at
      } satisfies Sliced
    }
    const read = (offset: number, length: number) =>
      getRange(key, { offset, length }).pipe(
        Effect.flatMap((bytes) =>
          bytes === undefined || bytes.length !== length
            ? Effect.fail(fail(`truncated at byte ${offset + (bytes?.length ?? 0)}`))
            : Effect.succeed(bytes)
        )
      )
    const first = yield* getRange(key, { offset: 0, length: 12 })
    if (first === undefined) return undefined
    const length = headerLength(first)
    if (typeof length === "string") return yield* fail(length)
    const header = parseHeader(yield* read(12, length))
    if (typeof header === "string") return yield* fail(header)
    const n = header.count
    const start = pad8(12 + length)
    const splits = yield* read(start + 36 * n, n)
    // Nothing may follow the split column.
    const beyond = yield* getRange(key, { offset: start + 37 * n, length: 1 })
    if (beyond !== undefined && beyond.length > 0)
      return yield* fail(`expected ${start + 37 * n} bytes`)
    const range = (s: number, e: number) =>
      Effect.gen(function* () {
        if (!(Number.isSafeInteger(s) && Number.isSafeInteger(e) && s >= 0 && s <= e && e <= n)) {
          return yield* fail(`no patches ${s} … ${e - 1} in a plan of ${n}`)
        }
        const m = e - s
        const column = (c: number) =>
          read(start + 8 * (c * n + s), 8 * m).pipe(Effect.map(float64Of))
        const lon = yield* column(0)
        const lat = yield* column(1)
        const x0 = yield* column(2)
        const y0 = yield* column(3)
        const codes = yield* read(start + 32 * n + 4 * s, 4 * m)
        const epsg = new Uint32Array(codes.slice().buffer)
        const patches: Array<Patch.Patch> = []
        for (let i = 0; i < m; i++) {
          if (!isZone(epsg[i])) return yield* fail(`patch ${s + i} has no UTM/UPS zone`)
          patches.push(
            PatchColumns.rebuild(
              header.size,
              header.resolution,
              epsg[i],
              x0[i],
              y0[i],
              lon[i],
              lat[i]
            )
          )
        }
        return patches
      })
    return {
      header,
      splits,
      length: n,
      range,
      at: () => {
        throw new RangeError(`${where} is read by slices: ask for a range of patches`)
      }
    } satisfies Sliced
  })

// Little-endian float64 values of bytes (copied: a range read need not be aligned).
const float64Of = (bytes: Uint8Array): Float64Array => new Float64Array(bytes.slice().buffer)
