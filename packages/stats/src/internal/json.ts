// The JSON wire form of an accumulator, exchanged between queue workers that merge partial statistics.
// Numbers survive JSON exactly (shortest round-trip decimal); ±Infinity become null, histograms sparse.
import { DType } from "@eoforge/core"
import { Schema } from "effect"
import { InvalidStatsJson } from "../StatsError.ts"
import { occupiedSlots } from "./occupied.ts"

const NullableNumber = Schema.NullOr(Schema.Number)

const BinningJson = Schema.Union([
  Schema.Struct({ _tag: Schema.Literal("Exact"), lo: Schema.Number, bins: Schema.Number }),
  Schema.Struct({
    _tag: Schema.Literal("Linear"),
    lo: Schema.Number,
    hi: Schema.Number,
    bins: Schema.Number
  })
])

/** Schema of the JSON form. */
export const AccumulatorJson = Schema.Struct({
  format: Schema.Literal("eoforge.stats/1"),
  names: Schema.Array(Schema.String),
  dtype: DType.DType,
  nodata: Schema.Array(NullableNumber),
  binning: BinningJson,
  count: Schema.Array(Schema.Number),
  mean: Schema.Array(Schema.Number),
  m2: Schema.Array(Schema.Number),
  min: Schema.Array(NullableNumber),
  max: Schema.Array(NullableNumber),
  histogram: Schema.Array(Schema.Array(Schema.Number))
})
/** The JSON form. */
export type AccumulatorJson = typeof AccumulatorJson.Type

interface Source {
  readonly names: ReadonlyArray<string>
  readonly dtype: DType.DType
  readonly nodata: ReadonlyArray<number | undefined>
  readonly binning: AccumulatorJson["binning"]
  readonly count: Float64Array
  readonly mean: Float64Array
  readonly m2: Float64Array
  readonly min: Float64Array
  readonly max: Float64Array
  readonly histogram: Float64Array
}

const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null)

/** The JSON form of accumulator fields. */
export const encodeJson = (acc: Source): AccumulatorJson => {
  const nb = acc.names.length
  const slots = acc.histogram.length / Math.max(nb, 1)
  const histogram: Array<Array<number>> = []
  for (let b = 0; b < nb; b++) {
    const pairs: Array<number> = []
    const [first, last] = occupiedSlots(acc.binning, slots, acc.count[b], acc.min[b], acc.max[b])
    for (let i = first; i <= last; i++) {
      const c = acc.histogram[b * slots + i]
      if (c !== 0) pairs.push(i, c)
    }
    histogram.push(pairs)
  }
  return {
    format: "eoforge.stats/1",
    names: [...acc.names],
    dtype: acc.dtype,
    nodata: acc.nodata.map((v) => v ?? null),
    binning: { ...acc.binning },
    count: Array.from(acc.count),
    mean: Array.from(acc.mean),
    m2: Array.from(acc.m2),
    min: Array.from(acc.min, finiteOrNull),
    max: Array.from(acc.max, finiteOrNull),
    histogram
  }
}

const decode = Schema.decodeUnknownExit(AccumulatorJson)

/** Validates a JSON form, or throws `InvalidStatsJson`. */
export const decodeJson = (json: unknown): AccumulatorJson => {
  const exit = decode(json)
  if (exit._tag === "Failure") {
    throw new InvalidStatsJson({
      detail: "it does not match the eoforge.stats/1 schema",
      cause: exit.cause
    })
  }
  const d = exit.value
  const nb = d.names.length
  for (const [k, v] of Object.entries(d)) {
    if (Array.isArray(v) && k !== "names" && v.length !== nb) {
      throw new InvalidStatsJson({ detail: `"${k}" has ${v.length} entries for ${nb} bands` })
    }
  }
  return d
}
