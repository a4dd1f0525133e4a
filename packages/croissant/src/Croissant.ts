// Croissant 1.1 JSON-LD (with GeoCroissant terms) for a built EOForge store, generated from its description.
// Output is deterministic: keys in a fixed order, files sorted by path, rows in description order.
import type { Band } from "@eoforge/core"
import { InvalidDocument, UnknownEncodingFormat } from "./CroissantError.ts"
import * as Description from "./Description.ts"
import { croissant11, type Document, geoCroissant10, schemaProblems } from "./Document.ts"
import * as D from "./internal/describe.ts"
import { field, type Json } from "./internal/jsonld.ts"
import { statisticsRecordSets } from "./internal/statistics.ts"
import { context, dataTypeOf, mimeOf, zarrShard, zarrV3 } from "./internal/vocabulary.ts"
import * as Rules from "./Rules.ts"

/** The file name the Croissant document is written to, beside the store. */
export const fileName = "croissant.json"

const quantity = (value: number, unitText: string): Json => ({
  "@type": "QuantitativeValue",
  value,
  unitText
})

const column = (fileSet: string, name: string): Json => ({
  source: { fileSet: { "@id": fileSet }, extract: { column: name } }
})

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
  const fs = `shards/${p.id}`
  const spectral = p.bands.filter((x) => x.wavelengthNm !== undefined)
  const codes = Description.ReasonName.literals.map((r) => `${D.reasonCode(r)} ${r}`).join(", ")
  return {
    "@type": "cr:RecordSet",
    "@id": p.id,
    name: p.id,
    description:
      `${p.title ?? p.id}. One record per sample, in the order of samples/id. Zarr group ${p.id}/ holds ` +
      `data [sample, time, band, y, x] = [${n}, ${t}, ${b}, ${h}, ${w}] ${p.dtype} at ${p.resolution} m on ${p.crs} grids; ` +
      `time slots: ${d.timeSlots.map((x) => x.name).join(", ")}.` +
      (p.source !== undefined ? ` Source: ${p.source}.` : ""),
    "geocr:spatialResolution": quantity(p.resolution, "m"),
    field: [
      field(
        `${p.id}/data`,
        dataTypeOf(p.dtype),
        `Pixels [time, band, y, x] of one sample in stored units; physical = stored × scale + offset per band. Array ${p.id}/data.`,
        {
          isArray: true,
          arrayShape: `${t},${b},${h},${w}`,
          ...column(fs, "data"),
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
          additionalProperty: p.bands.map(bandProperty)
        }
      ),
      field(
        `${p.id}/valid`,
        "cr:UInt8",
        "1 where the time slot holds data, 0 where it is missing.",
        {
          isArray: true,
          arrayShape: `${t}`,
          ...column(fs, "valid")
        }
      ),
      field(`${p.id}/reason`, "cr:UInt8", `Reason code per time slot: ${codes}.`, {
        isArray: true,
        arrayShape: `${t}`,
        ...column(fs, "reason")
      }),
      field(
        `${p.id}/acquired`,
        "cr:Int64",
        "Acquisition instant per time slot, milliseconds since 1970-01-01T00:00:00Z.",
        {
          isArray: true,
          arrayShape: `${t}`,
          ...column(fs, "acquired")
        }
      ),
      field(`${p.id}/item`, "sc:Text", "Source item id (STAC) per time slot, empty when missing.", {
        isArray: true,
        arrayShape: `${t}`,
        ...column(fs, "item")
      }),
      field(`${p.id}/cloud`, "sc:Float", "Cloud fraction (0–1) of the chip per time slot.", {
        isArray: true,
        arrayShape: `${t}`,
        ...column(fs, "cloud")
      }),
      field(`${p.id}/nodata`, "sc:Float", "Nodata fraction (0–1) of the chip per time slot.", {
        isArray: true,
        arrayShape: `${t}`,
        ...column(fs, "nodata")
      })
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
      return {
        "@type": "cr:FileObject",
        "@id": `${root}/${f.path}`,
        name: f.path,
        description:
          f.path === "zarr.json"
            ? "Zarr v3 root metadata: EOForge version, resolved recipe, seed, licences."
            : where !== "" && where !== f.path
              ? `Zarr v3 metadata of ${where}.`
              : `Store file ${f.path}.`,
        contentUrl: `${root}/${f.path}`,
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
      includes: arrays.flatMap((a) => a.includes.map((i) => `${root}/${i}`))
    }
  })
  return [
    ...files,
    {
      "@type": "cr:FileSet",
      "@id": "store",
      name: root,
      description: "The Zarr v3 store directory, relative to this file.",
      encodingFormat: zarrV3,
      includes: [`${root}/**`]
    },
    ...shardSets
  ]
}

const splitsRecordSet = (d: Description.DatasetDescription): Json => ({
  "@type": "cr:RecordSet",
  "@id": "splits",
  name: "splits",
  description:
    "Train/validation/test splits by stored code. Samples with code 255 lie in guard zones between splits and belong to none.",
  dataType: "cr:Split",
  key: { "@id": "splits/code" },
  field: [
    field("splits/code", "sc:Integer", "Code stored in samples/split."),
    field("splits/name", "sc:Text", "Split name."),
    field("splits/url", "cr:Split", "Croissant split term."),
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
  const fs = "shards/samples"
  return {
    "@type": "cr:RecordSet",
    "@id": "samples",
    name: "samples",
    description: `${d.samples.count} samples (train ${d.samples.train}, val ${d.samples.val}, test ${d.samples.test}, guard ${d.samples.guard}); one patch grid each. Zarr group samples/.`,
    key: { "@id": "samples/id" },
    field: [
      field(
        "samples/id",
        "sc:Text",
        "Stable sample id, a function of the patch grid only.",
        column(fs, "id")
      ),
      field(
        "samples/lon",
        "sc:Float",
        "Longitude of the patch centre, degrees east, WGS 84.",
        column(fs, "lon")
      ),
      field(
        "samples/lat",
        "sc:Float",
        "Latitude of the patch centre, degrees north, WGS 84.",
        column(fs, "lat")
      ),
      field(
        "samples/crs",
        "sc:Integer",
        "EPSG code of the patch CRS: UTM 326zz/327zz, UPS 32661/32761 (array samples/epsg).",
        {
          ...column(fs, "epsg"),
          "geocr:coordinateReferenceSystem": "per-patch UTM/UPS"
        }
      ),
      field(
        "samples/x0",
        "sc:Float",
        "Easting of the grid's upper-left corner in the patch CRS, metres.",
        column(fs, "x0")
      ),
      field(
        "samples/y0",
        "sc:Float",
        "Northing of the grid's upper-left corner in the patch CRS, metres.",
        column(fs, "y0")
      ),
      field(
        "samples/split",
        "sc:Integer",
        "Split code: 0 train, 1 val, 2 test, 255 guard (no split).",
        {
          ...column(fs, "split"),
          references: { "@id": "splits/code" }
        }
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
    url: d.url,
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
    temporalCoverage: D.temporalCoverage(d),
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
