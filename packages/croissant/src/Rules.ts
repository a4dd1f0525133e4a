// The checks mlcroissant 1.1 `validate` applies to a Croissant document, written from the specification
// (and mlcroissant's structure graph), run on any JSON value: each broken rule yields one problem line.
import { croissant11 } from "./Document.ts"

type Obj = { readonly [key: string]: unknown }

const isObj = (u: unknown): u is Obj => typeof u === "object" && u !== null && !Array.isArray(u)
const asList = (u: unknown): ReadonlyArray<unknown> =>
  u === undefined ? [] : Array.isArray(u) ? u : [u]
const nonEmptyString = (u: unknown): u is string => typeof u === "string" && u.length > 0
const refId = (u: unknown): string | undefined =>
  isObj(u) && typeof u["@id"] === "string" ? u["@id"] : undefined

/** Dataset-level properties the Croissant 1.1 specification lists as required. */
export const requiredDatasetFields: ReadonlyArray<string> = [
  "@context",
  "@type",
  "conformsTo",
  "name",
  "description",
  "license",
  "creator",
  "datePublished"
]

/** Data types a field may carry for mlcroissant to know its value type (its EXPECTED_DATA_TYPES and semantic types). */
export const knownDataTypes: ReadonlyArray<string> = [
  "sc:Boolean",
  "sc:Date",
  "sc:DateTime",
  "sc:Float",
  "sc:Integer",
  "sc:Text",
  "sc:Time",
  "sc:URL",
  "sc:ImageObject",
  "sc:AudioObject",
  "sc:VideoObject",
  "cr:BoundingBox",
  "cr:Float16",
  "cr:Float32",
  "cr:Float64",
  "cr:Int8",
  "cr:Int16",
  "cr:Int32",
  "cr:Int64",
  "cr:UInt8",
  "cr:UInt16",
  "cr:UInt32",
  "cr:UInt64"
]

/**
 * Formats mlcroissant reads records from (its `read` operation): tables, JSON, and any file through
 * `fileProperty`. A column or jsonPath over anything else (e.g. Zarr) loads 0 records without an error.
 */
export const readableFormats: ReadonlyArray<string> = [
  "text/csv",
  "text/tab-separated-values",
  "application/json",
  "application/jsonlines",
  "application/x-ndjson",
  "application/x-parquet",
  "text/plain"
]

const extractKeys = ["column", "jsonPath", "fileProperty"] as const
const fileProperties = ["fullpath", "filename", "content", "lines", "lineNumbers"]

/** Every rule violated by `doc`, one human-readable line each, naming the node (`@id`) and property. */
export const check = (doc: unknown): ReadonlyArray<string> => {
  const problems: Array<string> = []
  const say = (where: string, what: string) => problems.push(`${where}: ${what}`)
  if (!isObj(doc)) return ["document: not a JSON object"]

  // Required dataset-level fields and their basic shapes.
  for (const key of requiredDatasetFields) {
    const v = doc[key]
    if (v === undefined || v === "" || (Array.isArray(v) && v.length === 0)) {
      say("dataset", `required property "${key}" is missing`)
    }
  }
  if (doc["@context"] !== undefined && !isObj(doc["@context"])) {
    say("dataset", `"@context" must be an object`)
  }
  if (doc["@type"] !== undefined && doc["@type"] !== "sc:Dataset") {
    say("dataset", `"@type" must be "sc:Dataset", got ${JSON.stringify(doc["@type"])}`)
  }
  if (doc.url !== undefined && !(typeof doc.url === "string" && /^https?:\/\//.test(doc.url))) {
    say(
      "dataset",
      `"url" must be the http(s) address of the dataset's page, got ${JSON.stringify(doc.url)}`
    )
  }
  if (doc.conformsTo !== undefined && !asList(doc.conformsTo).includes(croissant11)) {
    say("dataset", `"conformsTo" must include "${croissant11}"`)
  }

  // Identifiers: present where required, unique, free of whitespace.
  const seen = new Map<string, number>()
  const noteId = (id: unknown, where: string): string | undefined => {
    if (!nonEmptyString(id)) {
      say(where, `missing "@id"`)
      return undefined
    }
    if (/\s/.test(id)) say(where, `"@id" ${JSON.stringify(id)} contains whitespace`)
    seen.set(id, (seen.get(id) ?? 0) + 1)
    return id
  }

  const distribution = asList(doc.distribution)
  if (distribution.length === 0) say("dataset", `"distribution" lists no FileObject or FileSet`)
  const resources = new Map<string, "cr:FileObject" | "cr:FileSet">()
  const formats = new Map<string, ReadonlyArray<unknown>>()
  distribution.forEach((r, i) => {
    const where = `distribution[${i}]`
    if (!isObj(r)) return say(where, "not an object")
    const id = noteId(r["@id"], where)
    const at = id ?? where
    const type = r["@type"]
    if (type !== "cr:FileObject" && type !== "cr:FileSet") {
      return say(at, `"@type" must be "cr:FileObject" or "cr:FileSet"`)
    }
    if (id !== undefined) resources.set(id, type)
    if (id !== undefined) formats.set(id, asList(r.encodingFormat))
    if (asList(r.encodingFormat).filter(nonEmptyString).length === 0) {
      say(at, `missing "encodingFormat"`)
    }
    if (type === "cr:FileObject" && asList(r.containedIn).length === 0) {
      if (!nonEmptyString(r.contentUrl)) say(at, `missing "contentUrl"`)
      if (!nonEmptyString(r.sha256) && !nonEmptyString(r.md5)) {
        say(at, `missing a checksum ("sha256" or "md5")`)
      }
    }
    if (
      r.sha256 !== undefined &&
      !(typeof r.sha256 === "string" && /^[0-9a-f]{64}$/.test(r.sha256))
    ) {
      say(at, `"sha256" must be 64 lowercase hex digits`)
    }
    if (
      r.contentSize !== undefined &&
      !(typeof r.contentSize === "string" && /^\d+(\s?(B|kB|KB|MB|GB|TB))?$/.test(r.contentSize))
    ) {
      say(at, `"contentSize" must be a size such as "1024 B"`)
    }
    if (type === "cr:FileSet" && asList(r.includes).filter(nonEmptyString).length === 0) {
      say(at, `missing "includes" (glob patterns of the files in the set)`)
    }
    // A root-level "**" also matches the Croissant file itself and hidden build records beside it.
    for (const g of asList(r.includes).filter(nonEmptyString)) {
      if (/^(\.\/)?\*\*?(\/\*+)*$/.test(g)) {
        say(
          at,
          `"includes" ${JSON.stringify(g)} matches every file beside the Croissant file (itself included); list the data folders`
        )
      }
    }
  })
  distribution.forEach((r, i) => {
    if (!isObj(r)) return
    for (const c of asList(r.containedIn)) {
      const target = refId(c)
      if (target === undefined || !resources.has(target)) {
        say(
          refId(r) ?? `distribution[${i}]`,
          `"containedIn" refers to unknown resource ${JSON.stringify(target ?? c)}`
        )
      }
    }
  })

  // Record sets and their fields.
  const recordSets = asList(doc.recordSet)
  const fieldIds = new Set<string>()
  const fieldsOf = new Map<string, ReadonlyArray<Obj>>()
  recordSets.forEach((rs, i) => {
    const where = `recordSet[${i}]`
    if (!isObj(rs)) return say(where, "not an object")
    const id = noteId(rs["@id"], where)
    if (rs["@type"] !== "cr:RecordSet") say(id ?? where, `"@type" must be "cr:RecordSet"`)
    const fields = asList(rs.field).filter(isObj)
    if (fields.length === 0) say(id ?? where, `lists no "field"`)
    fields.forEach((f, j) => {
      const fid = noteId(f["@id"], `${id ?? where}.field[${j}]`)
      if (fid !== undefined) fieldIds.add(fid)
    })
    if (id !== undefined) fieldsOf.set(id, fields)
  })
  recordSets.forEach((rs, i) => {
    if (!isObj(rs)) return
    const at = refId(rs) ?? `recordSet[${i}]`
    const fields = asList(rs.field).filter(isObj)
    const own = new Set(fields.map((f) => f["@id"]).filter(nonEmptyString))
    const hasData = rs.data !== undefined
    if (hasData) {
      const data = rs.data
      if (!Array.isArray(data) || data.length === 0) {
        say(at, `"data" must be a non-empty list of records`)
      } else {
        data.forEach((row, k) => {
          if (!isObj(row)) return say(at, `data[${k}] is not an object`)
          const keys = Object.keys(row)
          const extra = keys.filter((key) => !own.has(key))
          const lacking = [...own].filter((key) => !(key in row))
          if (extra.length > 0 || lacking.length > 0) {
            say(
              at,
              `data[${k}] keys must be exactly the field @ids (missing: ${lacking.join(", ") || "none"}; unknown: ${extra.join(", ") || "none"})`
            )
          }
        })
      }
    }
    for (const k of asList(rs.key)) {
      const target = refId(k)
      if (target === undefined || !own.has(target)) {
        say(at, `"key" refers to ${JSON.stringify(target ?? k)}, not a field of this record set`)
      }
    }
    const sources = new Set<string>()
    fields.forEach((f, j) => {
      const fat = nonEmptyString(f["@id"]) ? f["@id"] : `${at}.field[${j}]`
      if (f["@type"] !== "cr:Field") say(fat, `"@type" must be "cr:Field"`)
      const types = asList(f.dataType)
      if (types.includes("cr:Split")) {
        say(
          fat,
          `"dataType" cr:Split belongs on the split record set, not on a field (use sc:Text)`
        )
      }
      if (types.length === 0 && asList(f.subField).length === 0) {
        say(fat, `missing "dataType"`)
      } else if (
        types.length > 0 &&
        !types.some((t) => typeof t === "string" && knownDataTypes.includes(t))
      ) {
        say(fat, `"dataType" ${JSON.stringify(f.dataType)} names no atomic or ML data type`)
      }
      const hasSource = f.source !== undefined
      const hasValue = f.value !== undefined
      if (hasSource && hasValue) say(fat, `defines both "source" and "value"`)
      if (!hasSource && !hasValue && !hasData && asList(f.subField).length === 0) {
        say(fat, `defines neither "source" nor "value" and its record set embeds no "data"`)
      }
      if (hasSource) {
        const src = f.source
        if (!isObj(src)) {
          say(fat, `"source" must be an object`)
        } else {
          const target =
            refId(src.fileSet) ?? refId(src.fileObject) ?? refId(src.field) ?? refId(src)
          const kind =
            src.fileSet !== undefined
              ? "cr:FileSet"
              : src.fileObject !== undefined
                ? "cr:FileObject"
                : undefined
          if (target === undefined) {
            say(fat, `"source" references no FileObject, FileSet or field`)
          } else if (kind !== undefined && resources.get(target) !== kind) {
            say(fat, `"source" references ${kind} "${target}", which is not in "distribution"`)
          } else if (kind === undefined && !resources.has(target) && !fieldIds.has(target)) {
            say(fat, `"source" references "${target}", which does not exist`)
          } else {
            sources.add(target)
          }
          const ex0 = isObj(src.extract) ? src.extract : {}
          if (
            kind !== undefined &&
            target !== undefined &&
            ex0.fileProperty === undefined &&
            resources.has(target) &&
            !(formats.get(target) ?? []).some(
              (x) => typeof x === "string" && readableFormats.includes(x)
            )
          ) {
            say(
              fat,
              `reads a column of "${target}" (${(formats.get(target) ?? []).join(", ")}), a format mlcroissant cannot read: it would load 0 records; read an index file (CSV, JSON, Parquet) instead`
            )
          }
          if (kind !== undefined) {
            const ex = src.extract
            const present = isObj(ex) ? extractKeys.filter((k) => ex[k] !== undefined) : []
            if (present.length !== 1) {
              say(fat, `"source.extract" must give exactly one of column, jsonPath, fileProperty`)
            } else if (
              present[0] === "fileProperty" &&
              !fileProperties.includes(String((ex as Obj).fileProperty))
            ) {
              say(fat, `"source.extract.fileProperty" must be one of ${fileProperties.join(", ")}`)
            } else if (!nonEmptyString((ex as Obj)[present[0]])) {
              say(fat, `"source.extract.${present[0]}" must be a non-empty string`)
            }
          }
        }
      }
      for (const r of asList(f.references)) {
        // mlcroissant reads `references: { field: { "@id": … } }`; a bare `{ "@id": … }` crashes it.
        const target = isObj(r) ? refId(r.field) : undefined
        if (isObj(r) && r.field === undefined && refId(r) !== undefined) {
          say(fat, `"references" must be written { "field": { "@id": … } }, not { "@id": … }`)
        } else if (target === undefined || !fieldIds.has(target)) {
          say(fat, `"references" points to unknown field ${JSON.stringify(target ?? r)}`)
        }
      }
      if (f.arrayShape !== undefined) {
        if (f.isArray !== true) say(fat, `defines "arrayShape" but "isArray" is not true`)
        if (typeof f.arrayShape !== "string" || !/^-?\d+(,\s*-?\d+)*,?$/.test(f.arrayShape)) {
          say(
            fat,
            `"arrayShape" ${JSON.stringify(f.arrayShape)} is not a comma-separated string of integers`
          )
        }
      }
      if (f.isArray !== undefined && typeof f.isArray !== "boolean")
        say(fat, `"isArray" must be a boolean`)
    })
    if (sources.size > 1) {
      const declaredJoin = fields.some((f) => f.source !== undefined && f.references !== undefined)
      if (!declaredJoin) {
        say(
          at,
          `fields read from several sources (${[...sources].sort().join(", ")}) without a join ("references")`
        )
      }
    }
  })

  for (const [id, n] of seen)
    if (n > 1) say(id, `"@id" is used ${n} times; identifiers must be unique`)
  return problems
}
