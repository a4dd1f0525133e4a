// Shared wording and orderings for the Croissant document and the dataset card, so both say the same.
import { type Band, Reason } from "@eoforge/core"
import type { BandStatistics, DatasetDescription, Product } from "../Description.ts"

/** Where a path relative to the store lies relative to the Croissant file and the card. */
export const inStore = (d: DatasetDescription, path: string): string =>
  d.store.path === "." ? path : `${d.store.path}/${path}`

/** Splits in stored-code order. */
export const splits = [
  { code: 0, name: "train", url: "cr:TrainingSplit" },
  { code: 1, name: "val", url: "cr:ValidationSplit" },
  { code: 2, name: "test", url: "cr:TestSplit" }
] as const

/** A licence as a URL: SPDX ids become their spdx.org page, URLs and free text stay. */
export const licenseUrl = (license: string): string =>
  /^https?:\/\//.test(license) || !/^[A-Za-z0-9.+-]+$/.test(license)
    ? license
    : `https://spdx.org/licenses/${license}.html`

/** Distinct licences, the dataset's first, then each source's in order (sources without one add nothing). */
export const licenses = (d: DatasetDescription): ReadonlyArray<string> => [
  ...new Set(
    [d.license, ...d.sources.flatMap((s) => (s.license === undefined ? [] : [s.license]))].map(
      licenseUrl
    )
  )
]

/** How the card names a source's licence: as given, or "licence not stated". */
export const sourceLicense = (license: string | undefined): string =>
  license ?? "licence not stated"

/** Whether a band holds class codes (it declares `classes`): never normalised with mean/std. */
export const isCategorical = (b: Band.BandSpec): boolean => b.classes !== undefined

/** The class codes of a band in ascending numeric order, with their names. */
export const classList = (b: Band.BandSpec): ReadonlyArray<readonly [string, string]> =>
  b.classes === undefined
    ? []
    : Object.keys(b.classes)
        .sort((x, y) => Number(x) - Number(y) || (x < y ? -1 : 1))
        .map((k) => [k, b.classes?.[k] ?? ""] as const)

/** The reason code of a reason name. */
export const reasonCode = (name: string): number =>
  Reason.Reason[name as keyof typeof Reason.Reason]

/** Availability rows ordered by product (description order), slot (description order), reason code. */
export const orderedAvailability = (d: DatasetDescription) => {
  const p = new Map(d.products.map((x, i) => [x.id, i]))
  const s = new Map(d.timeSlots.map((x, i) => [x.name, i]))
  return [...d.availability].sort(
    (a, b) =>
      (p.get(a.product) ?? 1e9) - (p.get(b.product) ?? 1e9) ||
      (s.get(a.slot) ?? 1e9) - (s.get(b.slot) ?? 1e9) ||
      reasonCode(a.reason) - reasonCode(b.reason) ||
      (a.product < b.product ? -1 : a.product > b.product ? 1 : 0) ||
      (a.slot < b.slot ? -1 : a.slot > b.slot ? 1 : 0)
  )
}

const splitOrder = { train: 0, val: 1, test: 2 } as const

/** Statistics ordered by product and band (description order), then split. */
export const orderedStatistics = (d: DatasetDescription): ReadonlyArray<BandStatistics> => {
  const rank = new Map<string, number>()
  d.products.forEach((p, i) =>
    p.bands.forEach((b, j) => rank.set(`${p.id}/${b.name}`, i * 1e6 + j))
  )
  const r = (s: BandStatistics) => rank.get(`${s.product}/${s.band}`) ?? 1e12
  return [...d.statistics].sort((a, b) => r(a) - r(b) || splitOrder[a.split] - splitOrder[b.split])
}

/** The train statistics of a band (present after Description.check). */
export const trainStats = (d: DatasetDescription, product: string, band: string) =>
  d.statistics.find((s) => s.product === product && s.band === band && s.split === "train")

/** Every percentile rank present in the statistics, ascending. */
export const percentRanks = (d: DatasetDescription): ReadonlyArray<number> =>
  [...new Set(d.statistics.flatMap((s) => s.percentiles.map((p) => p.percent)))].sort(
    (a, b) => a - b
  )

/** The value of a percentile rank in some statistics, or undefined. */
export const percentile = (s: BandStatistics, percent: number): number | undefined =>
  s.percentiles.find((p) => p.percent === percent)?.value

/** The finest product resolution in metres. */
export const finestResolution = (d: DatasetDescription): number =>
  Math.min(...d.products.map((p) => p.resolution))

/** Slot windows longer than this (ms) say nothing about when data was taken (e.g. an `any` slot). */
const maxWindowMs = 366 * 86_400_000

/**
 * The temporal coverage, `start/end` in ISO 8601: the first and last acquisition when known, else the
 * window covering every bounded slot; undefined when neither is known.
 */
export const temporalCoverage = (d: DatasetDescription): string | undefined => {
  if (d.acquired !== undefined) return `${d.acquired.first}/${d.acquired.last}`
  const bounded = d.timeSlots.filter(
    (t) => !(Date.parse(t.end) - Date.parse(t.start) > maxWindowMs)
  )
  if (bounded.length === 0) return undefined
  const starts = bounded.map((t) => t.start).sort()
  const ends = bounded.map((t) => t.end).sort()
  return `${starts[0]}/${ends[ends.length - 1]}`
}

/** The distinct CRS notes of the products, joined; names samples/epsg once (unless a note already does). */
export const crsNote = (d: DatasetDescription): string => {
  const notes = [...new Set(d.products.map((p) => p.crs))]
  const epsg = notes.some((n) => n.includes("samples/epsg"))
    ? []
    : ["the EPSG code of each sample's grid is stored in samples/epsg"]
  return [...notes, ...epsg, "lon/lat are WGS 84 (EPSG:4326) degrees"].join("; ")
}

/** One sentence on how a band was brought onto the patch grid. */
export const resamplingOf = (b: Band.BandSpec): string => b.resampling ?? "unspecified"

/** How samples were chosen, in one sentence. */
export const samplingSentence = (d: DatasetDescription): string =>
  `${d.sampling.rule}; seed ${d.sampling.seed}`

/** Sources, windows and cloud thresholds in one paragraph. */
export const collectionSentence = (d: DatasetDescription): string => {
  const sources = d.sources.map((s) => s.name).join(", ")
  const slots = d.timeSlots.map((t) => `${t.name} ${t.start}/${t.end}`).join(", ")
  const clouds =
    d.cloudThresholds.length === 0
      ? "no cloud threshold"
      : d.cloudThresholds
          .map((c) => `${c.product} scene cloud cover < ${c.maxCloudPercent} %`)
          .join(", ")
  return `Samples: ${samplingSentence(d)}. Sources: ${sources}. Time slots: ${slots}. Cloud thresholds: ${clouds}.`
}

/** Resampling of every band, in one paragraph. */
export const preprocessingSentence = (d: DatasetDescription): string =>
  `Every product is read onto one pixel grid per patch (${crsNote(d)}). ` +
  d.products
    .map(
      (p: Product) =>
        `${p.id} at ${p.resolution} m: ${p.bands.map((b) => `${b.name} ${resamplingOf(b)}`).join(", ")}`
    )
    .join("; ") +
  "."

/** Missing data by reason code, in one paragraph. */
export const missingSentence = (d: DatasetDescription): string => {
  const totals = new Map<string, number>()
  for (const a of d.availability) {
    if (a.reason !== "Ok") totals.set(a.reason, (totals.get(a.reason) ?? 0) + a.count)
  }
  const parts = [...totals]
    .sort((a, b) => reasonCode(a[0]) - reasonCode(b[0]))
    .map(([r, n]) => `${r} (code ${reasonCode(r)}): ${n}`)
  return `Every sample × product × time slot holds data (valid = 1, reason = 0) or a reason code in <product>/reason. Missing slots: ${parts.length === 0 ? "none" : parts.join(", ")}.`
}

/** The intended uses (given, or the default for an unlabelled EO pre-training set). */
export const uses = (d: DatasetDescription): ReadonlyArray<string> =>
  d.uses ?? [
    "Self-supervised pre-training and evaluation of Earth-observation models on co-registered multi-sensor patches.",
    "Normalise continuous bands with the train-split mean and standard deviation listed per band, never with statistics of val or test; bands with classes hold class codes and are not normalised."
  ]

/** A number printed compactly and identically on every platform (at most 6 significant digits). */
export const num = (x: number): string => {
  if (Number.isInteger(x)) return String(x)
  return String(Number(x.toPrecision(6)))
}
