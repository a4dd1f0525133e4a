// JSON-LD vocabulary used by the generator: the Croissant 1.1 @context, MIME types of store files and
// the Croissant data type of each Zarr dtype.
import type { DType } from "@eoforge/core"

/**
 * The Croissant 1.1 context (specification Appendix 1) plus the terms mlcroissant's own context adds
 * (path, repeated, replace, samplingRate) and the GeoCroissant prefix. schema.org is `https://`, as in
 * mlcroissant and every 1.1 example dataset: mlcroissant finds the Dataset node only under that IRI.
 */
export const context = {
  "@language": "en",
  "@vocab": "https://schema.org/",
  sc: "https://schema.org/",
  cr: "http://mlcommons.org/croissant/",
  rai: "http://mlcommons.org/croissant/RAI/",
  dct: "http://purl.org/dc/terms/",
  geocr: "http://mlcommons.org/croissant/geo/",
  annotation: "cr:annotation",
  arrayShape: "cr:arrayShape",
  citeAs: "cr:citeAs",
  column: "cr:column",
  conformsTo: "dct:conformsTo",
  containedIn: "cr:containedIn",
  data: { "@id": "cr:data", "@type": "@json" },
  dataType: { "@id": "cr:dataType", "@type": "@vocab" },
  equivalentProperty: "cr:equivalentProperty",
  examples: { "@id": "cr:examples", "@type": "@json" },
  excludes: "cr:excludes",
  extract: "cr:extract",
  field: "cr:field",
  fileProperty: "cr:fileProperty",
  fileObject: "cr:fileObject",
  fileSet: "cr:fileSet",
  format: "cr:format",
  includes: "cr:includes",
  isArray: "cr:isArray",
  isLiveDataset: "cr:isLiveDataset",
  jsonPath: "cr:jsonPath",
  key: "cr:key",
  md5: "cr:md5",
  parentField: "cr:parentField",
  path: "cr:path",
  readLines: "cr:readLines",
  recordSet: "cr:recordSet",
  references: "cr:references",
  regex: "cr:regex",
  repeated: "cr:repeated",
  replace: "cr:replace",
  samplingRate: "cr:samplingRate",
  sdVersion: "cr:sdVersion",
  separator: "cr:separator",
  source: "cr:source",
  subField: "cr:subField",
  transform: "cr:transform",
  unArchive: "cr:unArchive",
  value: "cr:value"
} as const

/** Zarr v3 has no registered MIME type; the specification's URL names the format (as Croissant allows). */
export const zarrV3 = "https://zarr-specs.readthedocs.io/en/latest/v3/core/index.html"
/** The sharding codec's specification, naming the format of shard files. */
export const zarrShard =
  "https://zarr-specs.readthedocs.io/en/latest/v3/codecs/sharding-indexed/index.html"

const byExtension: ReadonlyArray<readonly [string, string]> = [
  [".json", "application/json"],
  [".jsonl", "application/jsonlines"],
  [".csv", "text/csv"],
  [".tsv", "text/tab-separated-values"],
  [".parquet", "application/x-parquet"],
  [".txt", "text/plain"],
  [".md", "text/markdown"],
  [".geojson", "application/geo+json"]
]

/** The MIME type of a file from its extension, or undefined. */
export const mimeOf = (path: string): string | undefined => {
  const lower = path.toLowerCase()
  return byExtension.find(([ext]) => lower.endsWith(ext))?.[1]
}

const crTypes: Record<DType.DType, string> = {
  uint8: "cr:UInt8",
  int8: "cr:Int8",
  uint16: "cr:UInt16",
  int16: "cr:Int16",
  uint32: "cr:UInt32",
  int32: "cr:Int32",
  float32: "cr:Float32",
  float64: "cr:Float64"
}

/** The Croissant data type of a pixel dtype. */
export const dataTypeOf = (dtype: DType.DType): string => crTypes[dtype]
