// The dataset card (`README.md` beside the store): Hugging Face front matter and the "Datasheets for
// Datasets" questions a build can answer, with the train-split statistics table. Deterministic text.
import * as Description from "./Description.ts"
import * as D from "./internal/describe.ts"
import * as FrontMatter from "./internal/frontMatter.ts"

/** The file name the card is written to, beside the store. */
export const fileName = "README.md"

/** The Hugging Face licence id of a licence: lower-case SPDX id, `other` for URLs and free text. */
export const hfLicense = FrontMatter.hfLicense
/** The Hugging Face size category of a sample count. */
export const sizeCategory = FrontMatter.sizeCategory
/** Task ids the Hugging Face Hub accepts in `task_categories` (its pipeline types, @huggingface/tasks). */
export const hubTasks = FrontMatter.hubTasks
/** Default task of an unlabelled EO set: representation learning on image patches. */
export const defaultTasks = FrontMatter.defaultTasks
/** The Hub split name of an index file: all rows in one split; the `split` column holds ours. */
export const hubSplit = FrontMatter.hubSplit

const cell = (s: string): string => s.replace(/\|/g, "\\|").replace(/\n/g, " ")

const table = (head: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string =>
  [
    `| ${head.map(cell).join(" | ")} |`,
    `| ${head.map(() => "---").join(" | ")} |`,
    ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`)
  ].join("\n")

const opt = (x: number | string | undefined): string =>
  x === undefined ? "—" : typeof x === "number" ? D.num(x) : x
/** How to read the store: the indexes with `datasets`, the pixels with xarray. */
const howToLoad = (d: Description.DatasetDescription): string => {
  const p = d.products[0]
  const store = d.store.path === "." ? "." : d.store.path
  return [
    "## How to load",
    "",
    `The pixels are a Zarr v3 store (consolidated metadata in its root \`zarr.json\`); open each product group with xarray (≥ 2024.10, zarr-python ≥ 3). Coordinates: \`band\` (names), \`time\` (centre of each slot's window; NaT for an unbounded slot), \`slot\` (names); nodata is declared as \`_FillValue\`, so xarray masks it to NaN.`,
    "",
    "```python",
    "import xarray as xr",
    "",
    `store = "${store}"  # this folder, or its URL`,
    `samples = xr.open_zarr(store, group="samples", zarr_format=3)`,
    `${p.id} = xr.open_zarr(store, group="${p.id}", zarr_format=3)`,
    `chips = ${p.id}.data.isel(sample=samples.split.values == 0)  # train split (codes in flag_meanings)`,
    `${p.id}.data.sel(band="${p.bands[0].name}").isel(sample=0, time=0)  # one band of one chip`,
    `${p.id}.acquired  # acquisition instants (NaT where the slot has no chip)`,
    "```",
    "",
    `The sample and chip tables are CSV files for \`datasets\` (and Croissant): \`${D.inStore(d, d.index.samples)}\` has one row per sample, \`${D.inStore(d, d.index.products[p.id])}\` one row per sample × time slot with the reason code of missing chips. All rows are in the split "${hubSplit}"; the \`split\` column says train, val, test or guard.`,
    "",
    "```python",
    "from datasets import load_dataset",
    "",
    `samples = load_dataset("<user>/<dataset>", "samples", split="${hubSplit}")`,
    `train = samples.filter(lambda r: r["split"] == "train")`,
    "```"
  ].join("\n")
}

const composition = (d: Description.DatasetDescription): string => {
  const s = d.samples
  const splits = table(
    ["split", "samples"],
    [
      ["train", String(s.train)],
      ["val", String(s.val)],
      ["test", String(s.test)],
      ["guard (no split)", String(s.guard)],
      ["total", String(s.count)]
    ]
  )
  const products = table(
    ["product", "title", "dtype", "resolution (m)", "shape [sample, time, band, y, x]", "bands"],
    d.products.map((p) => [
      p.id,
      p.title ?? p.id,
      p.dtype,
      D.num(p.resolution),
      `[${p.shape.join(", ")}]`,
      p.bands.map((b) => b.name).join(", ")
    ])
  )
  // A product has a slot when availability lists that product × slot (with any reason); "—" otherwise.
  const okBySlot = table(
    ["product", ...d.timeSlots.map((t) => t.name)],
    d.products.map((p) => [
      p.id,
      ...d.timeSlots.map((t) => {
        const rows = d.availability.filter((a) => a.product === p.id && a.slot === t.name)
        return rows.length === 0
          ? "—"
          : String(rows.filter((a) => a.reason === "Ok").reduce((n, a) => n + a.count, 0))
      })
    ])
  )
  const missing = D.orderedAvailability(d).filter((a) => a.reason !== "Ok")
  const missingTable =
    missing.length === 0
      ? "No slot is missing."
      : table(
          ["product", "time slot", "reason", "code", "count"],
          missing.map((a) => [
            a.product,
            a.slot,
            a.reason,
            String(D.reasonCode(a.reason)),
            String(a.count)
          ])
        )
  return [
    "## Composition",
    "",
    `Each sample is one patch with its own pixel grid: ${D.crsNote(d)}. Every product is stored on that grid in a Zarr v3 store (\`${d.store.path}\`).`,
    "",
    "### Samples per split",
    "",
    splits,
    "",
    "### Products",
    "",
    products,
    "",
    "### Samples with data per product and time slot",
    "",
    "— marks a time slot the product does not have.",
    "",
    okBySlot,
    "",
    "### Missing data by reason code",
    "",
    missingTable
  ].join("\n")
}

const bands = (d: Description.DatasetDescription): string =>
  [
    "## Bands",
    "",
    ...d.products.flatMap((p) => [
      `### ${p.id}`,
      "",
      table(
        [
          "band",
          "description",
          "wavelength (nm)",
          "polarisation",
          "unit",
          "nodata",
          "scale",
          "offset",
          "classes"
        ],
        p.bands.map((b) => [
          b.name,
          opt(b.description),
          opt(b.wavelengthNm),
          opt(b.polarisation),
          opt(b.unit),
          opt(b.nodata),
          opt(b.scale),
          opt(b.offset),
          b.classes === undefined
            ? "—"
            : D.classList(b)
                .map(([k, name]) => `${k} ${name}`)
                .join("; ")
        ])
      ),
      ""
    ])
  ].join("\n")

const collection = (d: Description.DatasetDescription): string =>
  [
    "## Collection process",
    "",
    `- Sampling: ${D.samplingSentence(d)}.`,
    "",
    "### Sources",
    "",
    table(
      ["source", "licence", "attribution"],
      d.sources.map((s) => [
        s.url === undefined ? s.name : `[${s.name}](${s.url})`,
        D.sourceLicense(s.license),
        s.attribution
      ])
    ),
    "",
    "### Time slots",
    "",
    table(
      ["slot", "start", "end"],
      d.timeSlots.map((t) => [t.name, t.start, t.end])
    ),
    "",
    "### Cloud thresholds",
    "",
    d.cloudThresholds.length === 0
      ? "No cloud threshold was applied."
      : table(
          ["product", "scene cloud cover below (%)"],
          d.cloudThresholds.map((c) => [c.product, D.num(c.maxCloudPercent)])
        )
  ].join("\n")

const preprocessing = (d: Description.DatasetDescription): string =>
  [
    "## Preprocessing",
    "",
    "Every product is resampled onto the patch grid (or an integer multiple of its resolution) with the rule below; no other transformation is applied to stored values.",
    "",
    table(
      ["product", "band", "resolution (m)", "resampling"],
      d.products.flatMap((p) =>
        p.bands.map((b) => [p.id, b.name, D.num(p.resolution), D.resamplingOf(b)])
      )
    )
  ].join("\n")

const statistics = (d: Description.DatasetDescription): string => {
  const bands = d.products.flatMap((p) => p.bands.map((b) => ({ p, b })))
  const continuous = bands.filter(({ b }) => !D.isCategorical(b))
  const categorical = bands.filter(({ b }) => D.isCategorical(b))
  const normalisation =
    continuous.length === 0
      ? "No band is continuous; nothing is normalised."
      : table(
          ["product", "band", "mean", "std", "min", "max", "p1", "p99"],
          continuous.map(({ p, b }) => {
            const s = D.trainStats(d, p.id, b.name)
            return [
              p.id,
              b.name,
              opt(s?.mean),
              opt(s?.std),
              opt(s?.min),
              opt(s?.max),
              opt(s === undefined ? undefined : D.percentile(s, 1)),
              opt(s === undefined ? undefined : D.percentile(s, 99))
            ]
          })
        )
  const classes =
    categorical.length === 0
      ? []
      : [
          "",
          "### Categorical bands",
          "",
          `${categorical.map(({ p, b }) => `${p.id} ${b.name}`).join(", ")} ${categorical.length === 1 ? "is" : "are"} categorical: values are class codes, not quantities, so ${categorical.length === 1 ? "it is" : "they are"} not normalised (one-hot encode or embed the codes instead). Train-split valid pixels and code range:`,
          "",
          table(
            ["product", "band", "count", "min", "max"],
            categorical.map(({ p, b }) => {
              const s = D.trainStats(d, p.id, b.name)
              return [p.id, b.name, opt(s?.count), opt(s?.min), opt(s?.max)]
            })
          ),
          ...categorical.flatMap(({ p, b }) => [
            "",
            `Classes of ${p.id} ${b.name}:`,
            "",
            table(
              ["value", "name"],
              D.classList(b).map(([k, name]) => [k, name])
            )
          ])
        ]
  const unavailable = d.statisticsUnavailable ?? []
  const notComputed =
    unavailable.length === 0
      ? []
      : [
          "",
          "### Bands without statistics",
          "",
          "These bands have no train-split statistics (record set `statisticsUnavailable`); do not normalise them with values from elsewhere without checking the data:",
          "",
          table(
            ["product", "band", "why"],
            unavailable.map((u) => [u.product, u.band ?? "(every band)", u.reason])
          )
        ]
  return [
    "## Statistics (train split)",
    "",
    "Stored units, valid pixels only. Statistics of every split are in `croissant.json` (record set `statistics`).",
    "",
    "### Normalisation",
    "",
    "Normalise each continuous band with these train-split values: (x − mean) / std (record set `normalisation`).",
    "",
    normalisation,
    ...notComputed,
    ...classes
  ].join("\n")
}

/** The dataset card of a described store (throws the description's typed errors). */
export const make = (input: unknown): string => {
  const d = Description.decode(input)
  return [
    FrontMatter.frontMatter(d),
    "",
    `# ${d.title ?? d.name}`,
    "",
    d.description,
    "",
    table(
      ["", ""],
      [
        ["version", d.version],
        ["published", d.datePublished],
        ["licence", d.license],
        ["samples", String(d.samples.count)],
        ["products", d.products.map((p) => p.id).join(", ")],
        ["time slots", d.timeSlots.map((t) => t.name).join(", ")],
        ["metadata", "[croissant.json](croissant.json) (Croissant 1.1 + GeoCroissant)"]
      ]
    ),
    "",
    howToLoad(d),
    "",
    composition(d),
    "",
    bands(d),
    collection(d),
    "",
    preprocessing(d),
    "",
    "## Uses",
    "",
    ...D.uses(d).map((u) => `- ${u}`),
    "- Splits are geographic; samples with split code 255 lie in guard zones and belong to no split.",
    "",
    statistics(d),
    "",
    "## Licences and attribution",
    "",
    `The dataset is released under ${d.license}. It is derived from the sources below, whose licences apply and whose attribution must be kept:`,
    "",
    ...d.sources.map((s) => `- **${s.name}** (${D.sourceLicense(s.license)}): ${s.attribution}`),
    "",
    "## Citation",
    "",
    // A BibTeX entry starts with `@`; anything else is plain text.
    d.citeAs.trimStart().startsWith("@") ? "```bibtex" : "```text",
    d.citeAs,
    "```",
    ""
  ].join("\n")
}
