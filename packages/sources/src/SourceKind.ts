// How sources that are not STAC catalogues, and readers that are not "resample the asset", plug into a build.
// A source kind is named by the recipe's `sources.<key>.type`: it finds the acquisition of a patch × product ×
// slot its own way (a tiling rule, a folder index, an API) and may give the pixels itself. An item reader is
// named by a preset's `reader`: it turns a found acquisition into the chip (e.g. radar geometry → patch grid).
// The pipeline only looks them up by name; everything specific lives in the package that implements them.
import type { Guarded } from "@eoforge/access"
import type { AccessPolicy, Band, Chip, Patch, PixelGrid, Reason } from "@eoforge/core"
import type { RasterError, RasterInfo, RasterSource } from "@eoforge/raster"
import type { Find, Product, TimeSlots } from "@eoforge/stac"
import { Schema, type Effect } from "effect"

/** Opens rasters by URL or path for one use: the build's shared, bounded set of open sources. */
export interface Open {
  readonly use: <A, E, R>(
    uris: ReadonlyArray<string>,
    use: (infos: ReadonlyArray<RasterInfo.RasterInfo>) => Effect.Effect<A, E, R>
  ) => Effect.Effect<A, E | RasterError.RasterOpenError, R>
}

/** What finding an acquisition is asked. */
export interface FindRequest {
  readonly patch: Patch.Patch
  readonly preset: Product.Preset
  readonly slot: TimeSlots.Slot
  /** The product's selection rules (pairing with an earlier product included). */
  readonly rules: Find.Rules
}

/** One band to read: its name in the product, its 0-based index in the asset, its resampling. */
export interface BandRequest {
  readonly name: string
  readonly index: number
  readonly resampling: Band.Resampling
}

/** What reading a found acquisition onto the patch grid is asked. */
export interface ReadRequest {
  readonly found: Find.Found
  /** The patch grid at the product's resolution. */
  readonly grid: PixelGrid.PixelGrid
  readonly preset: Product.Preset
  /** The bands to read, in output order (all of them, or those sharing one asset). */
  readonly bands: ReadonlyArray<BandRequest>
  readonly open: Open
  /**
   * Another product of the recipe that the reader's options name (e.g. its DEM), read for the same patch
   * onto `grid` (first slot, bilinear, float32); absent outside a build.
   */
  readonly readProduct?: (
    id: string,
    grid: PixelGrid.PixelGrid
  ) => Effect.Effect<ReadResult, never, RasterSource.RasterSource>
}

/** Facts recorded beside a chip (provenance: expression, geocoding, radiometry…), JSON values. */
export type Facts = Readonly<Record<string, string | number | boolean>>

/** The pixels of a read (band-major in `bands` order, the product's values before dtype conversion). */
export interface ReadChip {
  readonly _tag: "Chip"
  readonly chip: Chip.Chip
  readonly facts?: Facts
}

/** No pixels, and why (the detail names the item, asset and fix; no secrets). */
export interface ReadMissing {
  readonly _tag: "Missing"
  readonly reason: Reason.Reason
  readonly detail: string
}

/** The outcome of a read. */
export type ReadResult = ReadChip | ReadMissing

/** A source as a build uses it, prepared from its recipe entry. */
export interface Source {
  /** The acquisition for a patch × product × slot, or why there is none. */
  readonly find: (
    request: FindRequest
  ) => Effect.Effect<Find.Found | Find.Missing, Find.FindError, RasterSource.RasterSource>
  /** The pixels themselves, for sources that deliver them (an API computing the grid); else the raster reader. */
  readonly read?: (
    request: ReadRequest
  ) => Effect.Effect<ReadResult, never, RasterSource.RasterSource>
  /** Checked once before planning (reachable, valid, credentials present); the error names the fix. */
  readonly check?: Effect.Effect<void, SourceCheckError>
  /**
   * The same source keeping what it learns (indexes, search answers) in `folder`, a directory of the store's
   * `.eoforge/` shared by resumed builds and other workers; the cache is best effort and bounded.
   */
  readonly withCache?: (folder: string) => Source
}

/** What preparing a source from its recipe entry gets. */
export interface PrepareContext {
  /** The source's key in the recipe's `sources`. */
  readonly key: string
  /** Turns a recipe-relative path into a real one. */
  readonly resolvePath: (path: string) => string
  /** The recipe's access policy (hosts, local roots). */
  readonly access: AccessPolicy.AccessPolicy
  /** The build's credentials (the recipe's `access.logins`, `access.s3`), for the source's own requests. */
  readonly auth?: Guarded.Authorizer | undefined
}

/** A kind of source, by the recipe's `type`. `prepare` throws SourceCheckError on an invalid entry. */
export interface Kind {
  readonly type: string
  readonly prepare: (entry: Readonly<Record<string, unknown>>, context: PrepareContext) => Source
  /** The recipe entry as the store records it (no secrets, no signed URLs); default: strings redacted. */
  readonly forRecord?: (
    entry: Readonly<Record<string, unknown>>
  ) => Readonly<Record<string, unknown>>
}

/** What checking an item reader's options at recipe load gets. */
export interface OptionsContext {
  /** The ids of the recipe's products. */
  readonly products: ReadonlyArray<string>
  /** The product whose options these are. */
  readonly product: string
  /** Turns a recipe-relative path into a real one. */
  readonly resolvePath: (path: string) => string
}

/** Options checked and normalised at recipe load, and the other products they name (read by `readProduct`). */
export interface ResolvedOptions {
  readonly options: Readonly<Record<string, string | number | boolean>>
  readonly products: ReadonlyArray<string>
}

/** A reader of found acquisitions, by a preset's `reader` name. */
export interface ItemReader {
  readonly name: string
  readonly read: (
    request: ReadRequest
  ) => Effect.Effect<ReadResult, never, RasterSource.RasterSource>
  /**
   * Checks the options a recipe gives (`readerOptions`) once, at recipe load: the normalised options, or a
   * message naming the option, what is wrong and the fix. Absent: options are passed as they are.
   */
  readonly resolveOptions?: (
    options: Readonly<Record<string, string | number | boolean>>,
    context: OptionsContext
  ) => ResolvedOptions | string
}

/** A source that cannot be used as configured: the message names the source key, what is wrong and the fix. */
export class SourceCheckError extends Schema.TaggedError<SourceCheckError>()("SourceCheckError", {
  /** The source's key in the recipe. */
  source: Schema.String,
  message: Schema.String,
  cause: Schema.optional(Schema.Defect())
}) {}
