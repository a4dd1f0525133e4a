// The Hugging Face front matter of the dataset card: licence id, task categories, tags, size category and the
// `configs` that make `load_dataset` read the CSV indexes.
import { InvalidDescription } from "../CroissantError.ts"
import type * as Description from "../Description.ts"
import * as D from "./describe.ts"

const yamlString = (s: string): string => JSON.stringify(s)

const yamlList = (key: string, values: ReadonlyArray<string>): string =>
  values.length === 0
    ? `${key}: []`
    : `${key}:\n${values.map((v) => `- ${yamlString(v)}`).join("\n")}`

/** The Hugging Face licence id of a licence: lower-case SPDX id, `other` for URLs and free text. */
export const hfLicense = (license: string): string =>
  /^[A-Za-z0-9.+-]+$/.test(license) ? license.toLowerCase() : "other"

/** The Hugging Face size category of a sample count. */
export const sizeCategory = (n: number): string => {
  const buckets: ReadonlyArray<readonly [number, string]> = [
    [1e3, "n<1K"],
    [1e4, "1K<n<10K"],
    [1e5, "10K<n<100K"],
    [1e6, "100K<n<1M"],
    [1e7, "1M<n<10M"],
    [1e8, "10M<n<100M"],
    [1e9, "100M<n<1B"],
    [1e10, "1B<n<10B"],
    [1e11, "10B<n<100B"],
    [1e12, "100B<n<1T"]
  ]
  return buckets.find(([limit]) => n < limit)?.[1] ?? "n>1T"
}

/** Task ids the Hugging Face Hub accepts in `task_categories` (its pipeline types, @huggingface/tasks). */
export const hubTasks: ReadonlyArray<string> = [
  "any-to-any",
  "audio-classification",
  "audio-text-to-text",
  "audio-to-audio",
  "automatic-speech-recognition",
  "depth-estimation",
  "document-question-answering",
  "feature-extraction",
  "fill-mask",
  "graph-ml",
  "image-classification",
  "image-feature-extraction",
  "image-segmentation",
  "image-text-to-text",
  "image-to-3d",
  "image-to-image",
  "image-to-text",
  "image-to-video",
  "keypoint-detection",
  "mask-generation",
  "multiple-choice",
  "object-detection",
  "other",
  "question-answering",
  "reinforcement-learning",
  "robotics",
  "sentence-similarity",
  "summarization",
  "table-question-answering",
  "table-to-text",
  "tabular-classification",
  "tabular-regression",
  "tabular-to-text",
  "text-classification",
  "text-generation",
  "text-ranking",
  "text-retrieval",
  "text-to-3d",
  "text-to-audio",
  "text-to-image",
  "text-to-speech",
  "text-to-video",
  "text2text-generation",
  "time-series-forecasting",
  "token-classification",
  "translation",
  "unconditional-image-generation",
  "video-classification",
  "video-text-to-text",
  "video-to-video",
  "visual-document-retrieval",
  "visual-question-answering",
  "voice-activity-detection",
  "zero-shot-classification",
  "zero-shot-image-classification",
  "zero-shot-object-detection"
]

/** Default task of an unlabelled EO set: representation learning on image patches. */
export const defaultTasks: ReadonlyArray<string> = ["image-feature-extraction"]

/** The Hub split name of an index file: all rows in one split; the `split` column holds ours. */
export const hubSplit = "full"

const taskCategories = (d: Description.DatasetDescription): ReadonlyArray<string> => {
  const tasks = d.taskCategories ?? defaultTasks
  const unknown = tasks.filter((t) => !hubTasks.includes(t))
  if (unknown.length > 0) {
    throw new InvalidDescription({
      detail: `taskCategories ${unknown.join(", ")} are not Hugging Face task ids; use e.g. ${defaultTasks.join(", ")}, image-segmentation, image-classification`
    })
  }
  return tasks
}

// `configs` make `load_dataset(<repo>, "<config>")` read the CSV indexes, never Zarr internals.
const configs = (d: Description.DatasetDescription): string =>
  [
    "configs:",
    ...[
      ["samples", d.index.samples] as const,
      ...d.products.map((p) => [p.id, d.index.products[p.id]] as const)
    ].flatMap(([name, path], i) => [
      `- config_name: ${yamlString(name)}`,
      "  data_files:",
      `  - split: ${hubSplit}`,
      `    path: ${yamlString(D.inStore(d, path))}`,
      ...(i === 0 ? ["  default: true"] : [])
    ])
  ].join("\n")

export const frontMatter = (d: Description.DatasetDescription): string =>
  [
    "---",
    `license: ${hfLicense(d.license)}`,
    yamlList("task_categories", taskCategories(d)),
    yamlList("tags", [
      ...new Set(
        [
          "earth-observation",
          "remote-sensing",
          "geospatial",
          "satellite-imagery",
          "zarr",
          "croissant",
          ...d.keywords
        ].map((k) => k.toLowerCase().trim().replace(/\s+/g, "-"))
      )
    ]),
    yamlList("size_categories", [sizeCategory(d.samples.count)]),
    `pretty_name: ${yamlString(d.title ?? d.name)}`,
    configs(d),
    "---"
  ].join("\n")
