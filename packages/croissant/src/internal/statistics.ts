// The statistics record sets of the Croissant document: per split statistics, the train-only
// normalisation table, and the bands without statistics with the reason. Empty sets are left out.
import type { DatasetDescription } from "../Description.ts"
import * as D from "./describe.ts"
import { field, type Json } from "./jsonld.ts"

const pKey = (percent: number): string => `p${percent}`

const statisticsRecordSet = (d: DatasetDescription): Json => {
  const ranks = D.percentRanks(d)
  return {
    "@type": "cr:RecordSet",
    "@id": "statistics",
    name: "statistics",
    description:
      "Per product, band and split statistics of valid pixels in stored units (nodata excluded). Percentiles are from histograms. For bands with classes (class codes) mean and std are not normalisation constants.",
    field: [
      field("statistics/product", "sc:Text", "Product id."),
      field("statistics/band", "sc:Text", "Band name."),
      field("statistics/split", "sc:Text", "Split name.", {
        references: { field: { "@id": "splits/name" } }
      }),
      field("statistics/count", "sc:Integer", "Number of valid pixels."),
      field("statistics/mean", "sc:Float", "Mean."),
      field("statistics/std", "sc:Float", "Population standard deviation."),
      field("statistics/min", "sc:Float", "Minimum."),
      field("statistics/max", "sc:Float", "Maximum."),
      ...ranks.map((r) =>
        field(`statistics/${pKey(r)}`, "sc:Float", `${r}th percentile (null when not computed).`)
      )
    ],
    data: D.orderedStatistics(d).map((s) => {
      const row: Json = {
        "statistics/product": s.product,
        "statistics/band": s.band,
        "statistics/split": s.split,
        "statistics/count": s.count,
        "statistics/mean": s.mean,
        "statistics/std": s.std,
        "statistics/min": s.min,
        "statistics/max": s.max
      }
      for (const r of ranks) row[`statistics/${pKey(r)}`] = D.percentile(s, r) ?? null
      return row
    })
  }
}

const normalisationRecordSet = (d: DatasetDescription): Json => ({
  "@type": "cr:RecordSet",
  "@id": "normalisation",
  name: "normalisation",
  description:
    "Normalisation constants per continuous product band, from the train split only: (stored − mean) / std. Bands with classes hold class codes and are not normalised; they are not listed.",
  field: [
    field("normalisation/product", "sc:Text", "Product id."),
    field("normalisation/band", "sc:Text", "Band name."),
    field("normalisation/mean", "sc:Float", "Train-split mean, stored units."),
    field("normalisation/std", "sc:Float", "Train-split standard deviation, stored units.")
  ],
  data: d.products.flatMap((p) =>
    p.bands
      .filter((b) => !D.isCategorical(b))
      .flatMap((b) => {
        // A band without train statistics is listed in statisticsUnavailable instead.
        const s = D.trainStats(d, p.id, b.name)
        if (s === undefined) return []
        return [
          {
            "normalisation/product": p.id,
            "normalisation/band": b.name,
            "normalisation/mean": s.mean,
            "normalisation/std": s.std
          }
        ]
      })
  )
})

const unavailableRecordSet = (d: DatasetDescription): Json => ({
  "@type": "cr:RecordSet",
  "@id": "statisticsUnavailable",
  name: "statisticsUnavailable",
  description:
    "Product bands without train statistics and why (no chip holds data, every train pixel is nodata, no train sample). An empty band means every band of the product.",
  field: [
    field("statisticsUnavailable/product", "sc:Text", "Product id."),
    field("statisticsUnavailable/band", "sc:Text", "Band name, or empty for every band."),
    field("statisticsUnavailable/reason", "sc:Text", "Why there are no statistics.")
  ],
  data: (d.statisticsUnavailable ?? []).map((u) => ({
    "statisticsUnavailable/product": u.product,
    "statisticsUnavailable/band": u.band ?? "",
    "statisticsUnavailable/reason": u.reason
  }))
})

/**
 * The statistics, normalisation and unavailable-statistics record sets, each only when it has rows:
 * a dataset with no data or only categorical bands is described, not refused for an empty table.
 */
export const statisticsRecordSets = (d: DatasetDescription): ReadonlyArray<Json> =>
  [statisticsRecordSet(d), normalisationRecordSet(d), unavailableRecordSet(d)].filter(
    (rs) => Array.isArray(rs.data) && rs.data.length > 0
  )
