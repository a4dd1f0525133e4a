// Croissant 1.1 JSON-LD (with GeoCroissant terms) for a built EOForge store, generated from its description.
// Output is deterministic: keys in a fixed order, files sorted by path, rows in description order.
import type { Band } from "@eoforge/core"
import { InvalidDocument, UnknownEncodingFormat } from "./CroissantError.ts"
import * as Description from "./Description.ts"
import { croissant11, type Document, geoCroissant10, schemaProblems } from "./Document.ts"
import * as D from "./internal/describe.ts"
import { field, type Json } from "./internal/jsonld.ts"
import { statisticsRecordSets } from "./internal/statistics.ts"
import { context, mimeOf, zarrShard, zarrV3 } from "./internal/vocabulary.ts"
import * as Rules from "./Rules.ts"

/** The file name the Croissant document is written to, beside the store. */
export const fileName = "croissant.json"

const quantity = (value: number, unitText: string): Json => ({
  "@type": "QuantitativeValue",
  value,
  unitText
})

/** A field read from a column of a CSV index file (a FileObject). */
const column = (fileObject: string, name: string): Json => ({
  source: { fileObject: { "@id": fileObject }, extract: { column: name } }
})

/** A field pointing at another record set's field, in the form mlcroissant reads. */
const references = (fieldId: string): Json => ({ references: { field: { "@id": fieldId } } })

const inStore = D.inStore

const property = (name: string, value: unknown): Json => ({
  "@type": "PropertyValue",
  name,
  value
})

/** Every band attribute as schema.org PropertyValues (GeoCroissant's pattern for terms it lacks, e.g. polarisation). */
const bandProperty = (b: Band.BandSpec, index: number): Json => {
  const props: Array<Json> = [property("index", index)]
  if (b.wavelengthNm !== undefined)
    props.push({ ...property("wavelength", b.wavelengthNm), unitText: "nm" })
  if (b.polarisation !== undefined) props.push(property("polarisation", b.polarisation))
  if (b.resolution !== undefined)
    props.push({ ...property("nativeResolution", b.resolution), unitText: "m" })
  if (b.nodata !== undefined) props.push(property("nodata", b.nodata))
  if (b.scale !== undefined) props.push(property("scale", b.scale))
  if (b.offset !== undefined) props.push(property("offset", b.offset))
  if (b.resampling !== undefined) props.push(property("resampling", b.resampling))
  for (const [k, name] of D.classList(b)) props.push(property(`class ${k}`, name))
  return {
    "@type": "PropertyValue",
    name: b.name,
    ...(b.description !== undefined ? { description: b.description } : {}),
    ...(b.unit !== undefined ? { unitText: b.unit } : {}),
    additionalProperty: props
  }
}

const productRecordSet = (d: Description.DatasetDescription, p: Description.Product): Json => {
  const [n, t, b, h, w] = p.shape
  const file = inStore(d, d.index.products[p.id])
  const spectral = p.bands.filter((x) => x.wavelengthNm !== undefined)
  const codes = Description.ReasonName.literals.map((r) => `${D.reasonCode(r)} ${r}`).join(", ")
  const f = (name: string, dataType: string, description: string, extra: Json = {}) =>
    field(`${p.id}/${name}`, dataType, description, { ...column(file, name), ...extra })
  return {
    "@type": "cr:RecordSet",
    "@id": p.id,
    name: p.id,
    description:
      `${p.title ?? p.id}. One record per sample × time slot (${n} × ${t}), from ${file}. ` +
      `The pixels are not in this table: they are the Zarr v3 array ${inStore(d, `${p.id}/data`)} ` +
      `[sample, time, band, y, x] = [${n}, ${t}, ${b}, ${h}, ${w}] ${p.dtype} at ${p.resolution} m on ${p.crs} grids, ` +
      `read with zarr-python 3 or xarray (xr.open_zarr(store, group="${p.id}")); each record's pixels are data[sample, time_index].` +
      (p.source !== undefined ? ` Source: ${p.source}.` : "") +
      (p.output !== undefined ? ` Stored as ${p.output.dtype}: ${p.output.rule}.` : ""),
    "geocr:spatialResolution": quantity(p.resolution, "m"),
    "geocr:bandConfiguration": {
      "@type": "geocr:BandConfiguration",
      "geocr:totalBands": b,
      "geocr:bandNameList": p.bands.map((x) => x.name)
    },
    ...(spectral.length > 0
      ? {
          "geocr:spectralBandMetadata": spectral.map((x) => ({
            "@type": "geocr:SpectralBand",
            name: x.name,
            "geocr:centerWavelength": quantity(x.wavelengthNm as number, "nm")
          }))
        }
      : {}),
    additionalProperty: p.bands.map(bandProperty),
    field: [
      f(
        "sample",
        "sc:Integer",
        "Sample index: row of samples (samples/sample) and first index of the Zarr arrays."
      ),
      f("id", "sc:Text", "Stable sample id."),
      f(
        "split",
        "sc:Text",
        "Split name: train, val, test, or guard (no split).",
        references("splits/name")
      ),
      f("time_index", "sc:Integer", "Time slot index (second index of the Zarr arrays)."),
      f("slot", "sc:Text", "Time slot name."),
      f("valid", "sc:Integer", "1 where the slot holds a chip, 0 where it is missing."),
      f("reason", "sc:Text", "Reason name of the slot (Ok = data present)."),
      f("reason_code", "sc:Integer", `Reason code as stored in ${p.id}/reason: ${codes}.`),
      f("acquired", "sc:DateTime", "Acquisition instant (ISO 8601, UTC); empty when missing."),
      f("item", "sc:Text", "Source item id (STAC); empty when missing."),
      f("cloud_fraction", "sc:Float", "Cloud fraction (0–1) of the chip; empty when unknown."),
      f(
        "nodata_fraction",
        "sc:Float",
        "Fraction (0–1) of the chip's pixels that are nodata; empty when unknown."
      ),
      ...(p.cloudMask === undefined
        ? []
        : [
            f(
              "patch_cloud",
              "sc:Float",
              `Fraction (0–1) of the chip's pixels with data that the per-pixel cloud mask removed (stored as nodata), as ${p.id}/patchCloud; the scene's cloud cover where mask_source is 2; empty when missing.`
            ),
            f(
              "mask_source",
              "sc:Integer",
              `Source of patch_cloud, as ${p.id}/maskSource: 0 no chip, 1 the item's quality layer, 2 the scene's cloud cover (no layer, nothing masked).`
            )
          ])
    ]
  }
}

const groupOf = (array: string): string =>
  array.slice(0, Math.max(0, array.lastIndexOf("/"))) || array

const distribution = (d: Description.DatasetDescription): Array<Json> => {
  const root = d.store.path
  const files = [...d.store.files]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((f): Json => {
      const encodingFormat = f.encodingFormat ?? mimeOf(f.path)
      if (encodingFormat === undefined) throw new UnknownEncodingFormat({ path: f.path })
      const where = f.path.endsWith("zarr.json") ? groupOf(f.path) : ""
      const index = f.path === d.index.samples || Object.values(d.index.products).includes(f.path)
      return {
        "@type": "cr:FileObject",
        "@id": inStore(d, f.path),
        name: f.path,
        description:
          f.path === "zarr.json"
            ? "Zarr v3 root metadata: EOForge version, resolved recipe, seed, licences."
            : where !== "" && where !== f.path
              ? `Zarr v3 metadata of ${where}.`
              : index
                ? `CSV index ${f.path} (header row, RFC 4180).`
                : `Store file ${f.path}.`,
        contentUrl: inStore(d, f.path),
        contentSize: `${f.size} B`,
        encodingFormat,
        sha256: f.sha256
      }
    })
  const productOrder = new Map(d.products.map((p, i) => [p.id, i + 1]))
  const groups = [...new Set(d.store.shards.map((s) => groupOf(s.array)))].sort(
    (a, b) =>
      (a === "samples" ? 0 : (productOrder.get(a) ?? 1e9)) -
        (b === "samples" ? 0 : (productOrder.get(b) ?? 1e9)) || (a < b ? -1 : a > b ? 1 : 0)
  )
  const shardSets = groups.map((g): Json => {
    const arrays = d.store.shards
      .filter((s) => groupOf(s.array) === g)
      .sort((a, b) => (a.array < b.array ? -1 : a.array > b.array ? 1 : 0))
    return {
      "@type": "cr:FileSet",
      "@id": `shards/${g}`,
      name: `${g} shards`,
      description: `Shard files of the Zarr arrays ${arrays.map((a) => a.array).join(", ")}.`,
      containedIn: { "@id": "store" },
      encodingFormat: zarrShard,
      includes: arrays.flatMap((a) => a.includes.map((i) => inStore(d, i)))
    }
  })
  return [
    ...files,
    {
      "@type": "cr:FileSet",
      "@id": "store",
      name: root === "." ? "zarr store" : root,
      description:
        "The Zarr v3 store: its root zarr.json (with consolidated metadata) and one folder per group. Read it with zarr-python 3 or xarray.",
      encodingFormat: zarrV3,
      includes: [inStore(d, "zarr.json"), ...storeGroups(d).map((g) => inStore(d, `${g}/**`))]
    },
    ...shardSets
  ]
}

const storeGroups = (d: Description.DatasetDescription): ReadonlyArray<string> =>
  d.store.groups ?? ["samples", ...d.products.map((p) => p.id)]

/** schema.org Place of the patches' bounding box (`box` is "south west north east"). */
const spatialCoverage = (bbox: readonly [number, number, number, number]): Json => {
  const [w, so, e, n] = bbox.map((x) => D.num(x))
  return {
    "@type": "Place",
    geo: { "@type": "GeoShape", box: `${so} ${w} ${n} ${e}` }
  }
}

const splitsRecordSet = (d: Description.DatasetDescription): Json => ({
  "@type": "cr:RecordSet",
  "@id": "splits",
  name: "splits",
  description:
    "Train/validation/test splits by stored code. Samples with code 255 lie in guard zones between splits and belong to none.",
  dataType: "cr:Split",
  key: { "@id": "splits/name" },
  field: [
    field("splits/code", "sc:Integer", "Code stored in samples/split."),
    field("splits/name", "sc:Text", "Split name."),
    field("splits/url", "sc:Text", "Croissant split term."),
    field("splits/samples", "sc:Integer", "Number of samples in the split.")
  ],
  data: D.splits.map((s) => ({
    "splits/code": s.code,
    "splits/name": s.name,
    "splits/url": s.url,
    "splits/samples": d.samples[s.name]
  }))
})

const samplesRecordSet = (d: Description.DatasetDescription): Json => {
  const file = inStore(d, d.index.samples)
  const f = (name: string, dataType: string, description: string, extra: Json = {}) =>
    field(`samples/${name}`, dataType, description, { ...column(file, name), ...extra })
  return {
    "@type": "cr:RecordSet",
    "@id": "samples",
    name: "samples",
    description: `${d.samples.count} samples (train ${d.samples.train}, val ${d.samples.val}, test ${d.samples.test}, guard ${d.samples.guard}); one patch grid each. Rows of ${file}, in the order of the Zarr group samples/.`,
    key: { "@id": "samples/sample" },
    field: [
      f(
        "sample",
        "sc:Integer",
        "Sample index: row of the Zarr group samples/ and first index of every product array."
      ),
      f("id", "sc:Text", "Stable sample id, a function of the patch grid only."),
      f(
        "split",
        "sc:Text",
        "Split name: train, val, test, or guard (in a guard zone, no split).",
        references("splits/name")
      ),
      f("lon", "sc:Float", "Longitude of the patch centre, degrees east, WGS 84."),
      f("lat", "sc:Float", "Latitude of the patch centre, degrees north, WGS 84."),
      f("epsg", "sc:Integer", "EPSG code of the patch CRS: UTM 326zz/327zz, UPS 32661/32761.", {
        "geocr:coordinateReferenceSystem": "per-patch UTM/UPS"
      }),
      f("x0", "sc:Float", "Easting of the grid's upper-left corner in the patch CRS, metres."),
      f("y0", "sc:Float", "Northing of the grid's upper-left corner in the patch CRS, metres."),
      ...d.products.map((p) =>
        f(`chips_${p.id}`, "sc:Integer", `Number of time slots of ${p.id} holding a chip.`)
      )
    ]
  }
}

const availabilityRecordSet = (d: Description.DatasetDescription): Json => ({
  "@type": "cr:RecordSet",
  "@id": "availability",
  name: "availability",
  description:
    "How many sample × time slots of each product ended with each reason code (Ok = data present).",
  field: [
    field("availability/product", "sc:Text", "Product id."),
    field("availability/slot", "sc:Text", "Time slot name."),
    field("availability/reason", "sc:Text", "Reason name."),
    field("availability/code", "sc:Integer", "Reason code as stored in <product>/reason."),
    field("availability/count", "sc:Integer", "Number of sample × time slots.")
  ],
  data: D.orderedAvailability(d).map((a) => ({
    "availability/product": a.product,
    "availability/slot": a.slot,
    "availability/reason": a.reason,
    "availability/code": D.reasonCode(a.reason),
    "availability/count": a.count
  }))
})

/**
 * The Croissant document of a described store. Decodes and checks the description first (throws its
 * typed errors), then refuses (InvalidDocument) to return a document breaking the schema or a rule.
 */
export const make = (input: unknown): Document => {
  const d = Description.decode(input)
  const doc: Json = {
    "@context": context,
    "@type": "sc:Dataset",
    name: d.name,
    description: d.description,
    conformsTo: [croissant11, geoCroissant10],
    ...(d.url !== undefined ? { url: d.url } : {}),
    license: D.licenses(d),
    creator: d.creators.map((c) => ({
      "@type": c.type === "Person" ? "sc:Person" : "sc:Organization",
      name: c.name,
      ...(c.url !== undefined ? { url: c.url } : {})
    })),
    datePublished: d.datePublished,
    version: d.version,
    citeAs: d.citeAs,
    keywords: [...d.keywords],
    isBasedOn: d.sources.map((s) => ({
      "@type": "CreativeWork",
      name: s.name,
      ...(s.url !== undefined ? { url: s.url } : {}),
      ...(s.license !== undefined ? { license: D.licenseUrl(s.license) } : {}),
      creditText: s.attribution
    })),
    creditText: d.sources.map((s) => s.attribution).join(" "),
    ...(D.temporalCoverage(d) !== undefined ? { temporalCoverage: D.temporalCoverage(d) } : {}),
    ...(d.bbox !== undefined ? { spatialCoverage: spatialCoverage(d.bbox) } : {}),
    "geocr:coordinateReferenceSystem": D.crsNote(d),
    "geocr:spatialResolution": quantity(D.finestResolution(d), "m"),
    "geocr:samplingStrategy": D.samplingSentence(d),
    "rai:dataCollection": D.collectionSentence(d),
    "rai:dataCollectionMissingData": D.missingSentence(d),
    "rai:dataPreprocessingProtocol": D.preprocessingSentence(d),
    "rai:dataUseCases": D.uses(d).join(" "),
    distribution: distribution(d),
    recordSet: [
      splitsRecordSet(d),
      samplesRecordSet(d),
      ...d.products.map((p) => productRecordSet(d, p)),
      ...(d.availability.length > 0 ? [availabilityRecordSet(d)] : []),
      ...statisticsRecordSets(d)
    ]
  }
  return validate(doc)
}

/** Returns `doc` as a Document when it fits the Schema and every rule of Rules; otherwise throws InvalidDocument listing each problem. */
export const validate = (doc: unknown): Document => {
  const problems = [...schemaProblems(doc), ...Rules.check(doc)]
  if (problems.length > 0) throw new InvalidDocument({ problems })
  return doc as Document
}

/** The document as JSON text: two-space indentation, keys in emission order, final newline. */
export const toJson = (doc: Document): string => `${JSON.stringify(doc, null, 2)}\n`
