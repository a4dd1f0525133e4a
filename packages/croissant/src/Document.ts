// Schema of the Croissant 1.1 JSON-LD documents EOForge emits: the required dataset fields, FileObject,
// FileSet, RecordSet and Field. Extra keys (GeoCroissant, RAI, schema.org) are allowed and kept.
import { Schema } from "effect"

/** The Croissant specification version URI every emitted document conforms to. */
export const croissant11 = "http://mlcommons.org/croissant/1.1"
/** The GeoCroissant specification version URI. */
export const geoCroissant10 = "http://mlcommons.org/croissant/geo/1.0"

const Ref = Schema.Struct({ "@id": Schema.NonEmptyString })
const Json = Schema.Unknown

/** Schema of a `cr:FileObject` that is not contained in another resource. */
export const FileObject = Schema.Struct({
  "@type": Schema.Literal("cr:FileObject"),
  "@id": Schema.NonEmptyString,
  name: Schema.NonEmptyString,
  contentUrl: Schema.NonEmptyString,
  contentSize: Schema.String.check(Schema.isPattern(/^\d+ B$/)),
  encodingFormat: Schema.NonEmptyString,
  sha256: Schema.String.check(Schema.isPattern(/^[0-9a-f]{64}$/))
})
/** A FileObject. */
export type FileObject = typeof FileObject.Type

/** Schema of a `cr:FileSet`. */
export const FileSet = Schema.Struct({
  "@type": Schema.Literal("cr:FileSet"),
  "@id": Schema.NonEmptyString,
  name: Schema.NonEmptyString,
  containedIn: Schema.optional(Ref),
  encodingFormat: Schema.NonEmptyString,
  includes: Schema.NonEmptyArray(Schema.NonEmptyString)
})
/** A FileSet. */
export type FileSet = typeof FileSet.Type

/** Schema of the `extract` of a field source: exactly one of column, jsonPath, fileProperty. */
export const Extract = Schema.Union([
  Schema.Struct({ column: Schema.NonEmptyString }),
  Schema.Struct({ jsonPath: Schema.NonEmptyString }),
  Schema.Struct({
    fileProperty: Schema.Literals(["fullpath", "filename", "content", "lines", "lineNumbers"])
  })
])

/** Schema of a field source reading from a FileSet or FileObject. */
export const FieldSource = Schema.Union([
  Schema.Struct({ fileSet: Ref, extract: Extract }),
  Schema.Struct({ fileObject: Ref, extract: Extract })
])

/** Schema of a `cr:Field`. */
export const Field = Schema.Struct({
  "@type": Schema.Literal("cr:Field"),
  "@id": Schema.NonEmptyString,
  name: Schema.NonEmptyString,
  description: Schema.optional(Schema.String),
  dataType: Schema.Union([Schema.NonEmptyString, Schema.NonEmptyArray(Schema.NonEmptyString)]),
  source: Schema.optional(FieldSource),
  /** The form mlcroissant reads: `{ field: { "@id": … } }`. */
  references: Schema.optional(Schema.Struct({ field: Ref })),
  isArray: Schema.optional(Schema.Boolean),
  arrayShape: Schema.optional(Schema.String)
})
/** A Field. */
export type Field = typeof Field.Type

/** Schema of a `cr:RecordSet`, with fields read from files or embedded `data`. */
export const RecordSet = Schema.Struct({
  "@type": Schema.Literal("cr:RecordSet"),
  "@id": Schema.NonEmptyString,
  name: Schema.NonEmptyString,
  description: Schema.NonEmptyString,
  dataType: Schema.optional(Schema.String),
  key: Schema.optional(Schema.Union([Ref, Schema.NonEmptyArray(Ref)])),
  field: Schema.NonEmptyArray(Field),
  data: Schema.optional(Schema.NonEmptyArray(Schema.Record(Schema.String, Json)))
})
/** A RecordSet. */
export type RecordSet = typeof RecordSet.Type

/** Schema of a creator (`sc:Person` or `sc:Organization`). */
export const Creator = Schema.Struct({
  "@type": Schema.Literals(["sc:Person", "sc:Organization"]),
  name: Schema.NonEmptyString
})

/** Schema of a whole emitted Croissant document (required and recommended dataset fields). */
export const Document = Schema.Struct({
  "@context": Schema.Record(Schema.String, Json),
  "@type": Schema.Literal("sc:Dataset"),
  name: Schema.NonEmptyString,
  description: Schema.NonEmptyString,
  conformsTo: Schema.NonEmptyArray(Schema.NonEmptyString),
  url: Schema.optional(Schema.NonEmptyString),
  license: Schema.NonEmptyArray(Schema.NonEmptyString),
  creator: Schema.NonEmptyArray(Creator),
  datePublished: Schema.NonEmptyString,
  version: Schema.NonEmptyString,
  citeAs: Schema.NonEmptyString,
  keywords: Schema.Array(Schema.String),
  distribution: Schema.NonEmptyArray(Schema.Union([FileObject, FileSet])),
  recordSet: Schema.NonEmptyArray(RecordSet)
})
/** An emitted Croissant document; keys beyond the Schema (GeoCroissant, RAI) are kept as they are. */
export type Document = typeof Document.Type & { readonly [key: string]: unknown }

/** The problems of a value against the Document Schema, one line per problem (empty when it fits). */
export const schemaProblems = (doc: unknown): ReadonlyArray<string> => {
  try {
    Schema.decodeUnknownSync(Document)(doc, { errors: "all" })
    return []
  } catch (e) {
    return String((e as Error).message)
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line.length > 0)
  }
}
