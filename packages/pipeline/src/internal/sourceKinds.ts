// The source kinds and item readers a build knows, by name: the one place where packages that implement
// `@eoforge/sources` interfaces are composed into the pipeline. STAC APIs and static catalogues are built in.
import { TiledArchive } from "@eoforge/archive"
import { Gunw } from "@eoforge/asf"
import { FileCollection } from "@eoforge/collection"
import { Kind as EarthEngine } from "@eoforge/earthengine"
import { Reader as Sentinel1Reader } from "@eoforge/sentinel1"
import type { SourceKind } from "@eoforge/sources"

/** Source kinds by recipe `type` (besides the built-in `stac-api` and `static`). */
export const kinds: ReadonlyArray<SourceKind.Kind> = [
  EarthEngine.kind,
  TiledArchive.kind,
  FileCollection.kind,
  Gunw.kind
]

/** Item readers by preset `reader` name. */
export const readers: ReadonlyArray<SourceKind.ItemReader> = [Sentinel1Reader.grd]

/** The kind of a recipe source type, undefined when unknown. */
export const kindOf = (type: string): SourceKind.Kind | undefined =>
  kinds.find((k) => k.type === type)

/** The item reader of a name, undefined when unknown. */
export const readerOf = (name: string): SourceKind.ItemReader | undefined =>
  readers.find((r) => r.name === name)
