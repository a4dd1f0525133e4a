// The report's sections from what was read: maps, availability, statistics and histograms, quicklooks
// and the alignment check, each figure drawn once as a PNG that the page inlines and the folder keeps.
import { Reason } from "@eoforge/core"
import type { Layout } from "@eoforge/zarr"
import * as Alignment from "./Alignment.ts"
import * as Canvas from "./Canvas.ts"
import * as Charts from "./Charts.ts"
import type * as Collect from "./Collect.ts"
import * as Html from "./Html.ts"
import * as Maps from "./Maps.ts"
import * as Quicklook from "./Quicklook.ts"

/** Most values kept per band of each chip for the histograms (memory stays bounded for big chips). */
export const valuesPerChip = 4096

/**
 * Values of every band of every product from the samples read for histograms: at most `valuesPerChip`
 * per chip and band, evenly strided, copied out as float32 so the chips themselves are not retained.
 */
export class BandValues {
  readonly values = new Map<string, Array<Array<Float32Array>>>()
  readonly chips = new Map<string, number>()
  readonly products: ReadonlyArray<Layout.ProductLayout>
  constructor(products: ReadonlyArray<Layout.ProductLayout>) {
    this.products = products
    for (const p of products)
      this.values.set(
        p.spec.id,
        p.spec.bands.map(() => [])
      )
  }
  /** Keep a strided subset of the bands of every slot holding data. */
  add(sample: Collect.SampleChips): void {
    for (const p of this.products) {
      const n = p.width * p.height
      const stride = Math.max(1, Math.ceil(n / valuesPerChip))
      const bands = this.values.get(p.spec.id)!
      for (const chip of sample.chips[p.spec.id] ?? []) {
        if (chip === undefined) continue
        this.chips.set(p.spec.id, (this.chips.get(p.spec.id) ?? 0) + 1)
        for (let b = 0; b < p.spec.bands.length; b++) {
          const kept = new Float32Array(Math.ceil(n / stride))
          for (let i = 0, k = 0; i < n; i += stride, k++) kept[k] = Number(chip[b * n + i])
          bands[b].push(kept)
        }
      }
    }
  }
}

/** Everything the sections are drawn from. */
export interface Inputs {
  readonly layout: Layout.Layout
  readonly columns: Collect.Columns
  readonly products: ReadonlyArray<Collect.ProductFacts>
  readonly slots: Readonly<Record<string, ReadonlyArray<string>>>
  readonly rejected: Collect.Rejected | undefined
  readonly patchM: number
  readonly quick: Readonly<Record<string, ReadonlyArray<number>>>
  readonly read: ReadonlyMap<number, Collect.SampleChips>
  readonly sampled: BandValues
  readonly measurements: ReadonlyArray<Alignment.Measurement>
  readonly alignment: ReadonlyArray<Alignment.PairSummary>
}

const figure = (file: string, canvas: Canvas.Canvas, alt: string): Html.Figure => ({
  file,
  png: Canvas.toPng(canvas),
  alt
})

const splitLegend: Html.Block = {
  kind: "legend",
  items: [
    ["train", Maps.splitColours[0]],
    ["val", Maps.splitColours[1]],
    ["test", Maps.splitColours[2]],
    ["guard", Maps.splitColours[255]]
  ]
}

const maps = (i: Inputs): ReadonlyArray<Html.Section> => {
  const { lon, lat, split } = i.columns
  const world: Html.Section = {
    id: "world",
    title: "Sample locations",
    blocks: [
      {
        kind: "figure",
        figure: figure(
          "world-map.png",
          Maps.world(lon, lat, split),
          "world map of sample locations by split"
        ),
        caption:
          "Every sample's centre on Natural Earth 1:110m coastlines (plate carrée), coloured by split."
      },
      splitLegend
    ]
  }
  const rl = i.rejected?.lon ?? []
  const rla = i.rejected?.lat ?? []
  const area = Maps.densest([...Array.from(lon), ...rl], [...Array.from(lat), ...rla], i.patchM)
  if (area === undefined) return [world]
  const accepted = {
    lon,
    lat,
    colour: (k: number) =>
      Maps.splitColours[split[k] === 0 || split[k] === 1 || split[k] === 2 ? split[k] : 255]
  }
  const before = Maps.zoom(area, i.patchM, [
    { lon, lat, colour: () => [90, 90, 90] as Canvas.Rgb },
    { lon: rl, lat: rla, colour: () => Maps.rejectedColour }
  ])
  const after = Maps.zoom(area, i.patchM, [accepted])
  const where = `${Math.abs(area.lat).toFixed(3)}°${area.lat >= 0 ? "N" : "S"} ${Math.abs(area.lon).toFixed(3)}°${area.lon >= 0 ? "E" : "W"}`
  return [
    world,
    {
      id: "overlap",
      title: "Densest area before and after overlap filtering",
      blocks: [
        {
          kind: "text",
          text:
            i.rejected === undefined
              ? `The store records no rejected candidates (built before EOForge kept them in .eoforge/rejected.json): "before" shows the accepted patches only.`
              : `${i.rejected.lon.length} candidates were rejected for overlap in the whole store; ${area.count} candidates lie in the densest ${((20 * i.patchM) / 1000).toFixed(1)} km cell, around ${where}.`
        },
        {
          kind: "figure",
          figure: figure("overlap-before.png", before, "candidates before overlap filtering"),
          caption: `Before: accepted (grey) and rejected (red) candidates, ${((2 * area.halfM) / 1000).toFixed(1)} km across, patch outlines of ${i.patchM} m drawn north-up.`,
          width: 480
        },
        {
          kind: "figure",
          figure: figure("overlap-after.png", after, "accepted patches after overlap filtering"),
          caption: "After: the accepted patches, coloured by split.",
          width: 480
        },
        splitLegend
      ]
    }
  ]
}

const availability = (i: Inputs): Html.Section => {
  const rows: Array<Charts.ReasonCounts> = []
  const labels: Array<string> = []
  for (const p of i.products) {
    for (let t = 0; t < p.layout.times; t++) {
      rows.push(Charts.countReasons(p.reason, p.layout.times, t))
      labels.push(`${p.layout.spec.id} · ${i.slots[p.layout.spec.id]?.[t] ?? t}`)
    }
  }
  const used = Reason.all.filter(([, code]) => rows.some((r) => r[code] > 0))
  return {
    id: "availability",
    title: "Availability per product and slot",
    blocks: [
      {
        kind: "figure",
        figure: figure(
          "availability.png",
          Charts.availability(rows),
          "availability bars by reason"
        ),
        caption: `One bar per product · slot (${labels.join(", ")}), split by reason code.`
      },
      { kind: "legend", items: used.map(([name, code]) => [name, Charts.reasonColours[code]]) },
      {
        kind: "table",
        table: {
          head: ["product · slot", ...used.map(([n]) => n)],
          rows: rows.map((r, k) => [labels[k], ...used.map(([, code]) => r[code])])
        }
      }
    ]
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v)

/** Train 2nd–98th percentiles per band from finalized statistics, for quicklook stretches. */
const trainRanges = (p: Collect.ProductFacts): Quicklook.Ranges => {
  const stats = p.attributes.statistics
  const train =
    isRecord(stats) && isRecord(stats.splits) && Array.isArray(stats.splits.train)
      ? stats.splits.train
      : []
  return p.layout.spec.bands.map((b) => {
    const row = train.find((r) => isRecord(r) && r.band === b.name) as
      Record<string, unknown> | undefined
    return typeof row?.p2 === "number" && typeof row.p98 === "number" && row.p98 > row.p2
      ? ([row.p2, row.p98] as const)
      : undefined
  })
}

const statistics = (i: Inputs): Html.Section => {
  const blocks: Array<Html.Block> = []
  for (const p of i.products) {
    const id = p.layout.spec.id
    const stats = p.attributes.statistics
    const splits = isRecord(stats) && isRecord(stats.splits) ? stats.splits : undefined
    const rows: Array<Array<string | number>> = []
    for (const [split, list] of Object.entries(splits ?? {})) {
      if (!Array.isArray(list)) continue
      for (const r of list) {
        if (!isRecord(r)) continue
        rows.push([
          split,
          String(r.band),
          ...["count", "mean", "populationStd", "min", "max", "p2", "p98"].map((k) =>
            typeof r[k] === "number" ? (r[k] as number) : "—"
          )
        ])
      }
    }
    blocks.push({
      kind: "text",
      text: `${id} — ${p.layout.spec.title ?? id} (${p.layout.spec.dtype}, ${p.layout.spec.resolution} m)`
    })
    if (rows.length > 0)
      blocks.push({
        kind: "table",
        table: { head: ["split", "band", "count", "mean", "std", "min", "max", "p2", "p98"], rows }
      })
    else
      blocks.push({
        kind: "text",
        text: "No finalized statistics (run eoforge finalize); the histograms below come from the chips read."
      })
    const values = i.sampled.values.get(id) ?? []
    p.layout.spec.bands.forEach((b, k) => {
      const h = Charts.histogram(
        values[k] ?? [],
        b.nodata === undefined ? undefined : Math.fround(b.nodata)
      )
      if (h === undefined) return
      blocks.push({
        kind: "figure",
        figure: figure(
          `histogram-${id}-${b.name}.png`,
          Charts.histogramFigure(h),
          `histogram of ${id} ${b.name}`
        ),
        caption: `${id} ${b.name}: ${h.lo.toPrecision(4)} … ${h.hi.toPrecision(4)}${b.unit === undefined ? "" : ` ${b.unit}`}, ${i.sampled.chips.get(id) ?? 0} chips (≤ ${valuesPerChip} values each), √count scale.`
      })
    })
  }
  return { id: "statistics", title: "Statistics and histograms", blocks }
}

const cell = 96

const quicklooks = (i: Inputs): Html.Section => {
  const blocks: Array<Html.Block> = []
  const kinds = new Map(i.products.map((p) => [p.layout.spec.id, Quicklook.kindOf(p.layout.spec)]))
  const ranges = new Map(i.products.map((p) => [p.layout.spec.id, trainRanges(p)]))
  const maxTimes = Math.max(...i.products.map((p) => p.layout.times))
  for (const [split, samples] of Object.entries(i.quick)) {
    if (samples.length === 0) continue
    const sheet = Canvas.make(
      maxTimes * (cell + 4),
      samples.length * (i.products.length * (cell + 4) + 12)
    )
    samples.forEach((s, n) => {
      const sample = i.read.get(s)
      if (sample === undefined) return
      const rows = i.products.map((p, r) => {
        const { height: H, width: W, spec, times } = p.layout
        const cells = Array.from({ length: maxTimes }, (_, t) => {
          if (t >= times) return { note: "" }
          const chip = sample.chips[spec.id]?.[t]
          if (chip === undefined)
            return {
              note: `${i.slots[spec.id]?.[t] ?? t}: ${Reason.name(sample.reason[spec.id]?.[t] ?? 1)}`
            }
          const tile = Quicklook.render(
            spec,
            kinds.get(spec.id)!,
            chip,
            H,
            W,
            ranges.get(spec.id) ?? []
          )
          const scale = Math.max(1, Math.floor(cell / Math.max(H, W)))
          Canvas.blit(
            sheet,
            tile,
            t * (cell + 4),
            n * (i.products.length * (cell + 4) + 12) + r * (cell + 4),
            scale
          )
          return {
            figure: figure(
              `tile:${split}-${s}-${spec.id}-${t}`,
              tile,
              `${spec.id} ${i.slots[spec.id]?.[t] ?? t} of sample ${sample.id}`
            ),
            note: `${i.slots[spec.id]?.[t] ?? t}`
          }
        })
        const k = kinds.get(spec.id)!
        return {
          label: `${spec.id} (${k.kind === "optical" ? k.name : k.kind === "sar" ? "SAR dB" : k.kind === "classes" ? "classes" : spec.bands[k.band].name})`,
          cells
        }
      })
      blocks.push({
        kind: "grid",
        title: `${split}: sample ${sample.id} (#${s}, ${sample.lat.toFixed(4)}, ${sample.lon.toFixed(4)})`,
        columns: Array.from({ length: maxTimes }, (_, t) => `slot ${t}`),
        rows
      })
    })
    blocks.push({
      kind: "figure",
      figure: figure(`quicklooks-${split}.png`, sheet, `quicklook sheet of the ${split} split`),
      caption: `The ${split} quicklooks as one sheet: one block per sample, one row per product, one column per slot.`
    })
  }
  for (const p of i.products) {
    const k = kinds.get(p.layout.spec.id)!
    if (k.kind === "classes") {
      const band = p.layout.spec.bands[k.band]
      blocks.push({
        kind: "legend",
        items: [...k.palette].map(([v, rgb]) => [
          `${p.layout.spec.id} ${v} ${band.classes?.[String(v)] ?? ""}`,
          rgb
        ])
      })
    }
  }
  return { id: "quicklooks", title: "Quicklooks", blocks }
}

const alignment = (i: Inputs): Html.Section => {
  const blocks: Array<Html.Block> = [
    {
      kind: "text",
      text: `Phase correlation of edge images (Sobel magnitude; class boundaries for categorical layers) on the coarser product's grid, with each product's first slot holding data. Offsets are of the second product relative to the first, in its pixels; a correlation peak under ${Alignment.minPeak} means the two show no common structure and is not flagged.`
    },
    { kind: "table", table: Html.alignmentRows(i.alignment) }
  ]
  for (const s of i.alignment) {
    const mags = i.measurements
      .filter((m) => m.pair === s.pair && m.peak >= Alignment.minPeak)
      .map((m) => Math.hypot(m.dx, m.dy))
    const h = Charts.histogram([mags.concat([0])], undefined, 40)
    if (h !== undefined)
      blocks.push({
        kind: "figure",
        figure: figure(
          `alignment-${s.pair.replace("/", "-")}.png`,
          Charts.histogramFigure(h, 320, 96, [214, 39, 40]),
          `offset distribution ${s.pair}`
        ),
        caption: `${s.pair}: |offset| from 0 to ${h.hi.toFixed(2)} px.`
      })
    if (s.outliers.length > 0) {
      blocks.push({
        kind: "table",
        table: {
          head: ["outlier sample", "id", "dx px", "dy px", "peak"],
          rows: s.outliers.slice(0, 50).map((m) => [m.sample, m.id, m.dx, m.dy, m.peak])
        }
      })
    }
  }
  return { id: "alignment", title: "Alignment check", blocks }
}

/** Every section of the page, in order. */
export const all = (i: Inputs): ReadonlyArray<Html.Section> => [
  ...maps(i),
  availability(i),
  statistics(i),
  quicklooks(i),
  alignment(i)
]
